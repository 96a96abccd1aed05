// The universal query API and its relatives, with expected results computed in JS:
// nearest (vector / id), recommend (average_vector, best_score, sum_scores), discover, context,
// order_by, prefetch + rescoring, fusion (rrf), sample, batch, groups, facet, distance matrix,
// and the legacy /points/recommend endpoint.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertClose, assertErrorBody, ids, okResult, startServer, validateComponent,
} from './harness.mjs';
import { dot, fastSigmoid, rank, scaledFastSigmoid } from './vectors.mjs';

const C = 'query';
// Vectors of Qdrant's own openapi test collection (basic_collection_setup), Dot distance.
const POINTS = [
  { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: 'Berlin', price: 10.0, group: 'a' } },
  { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: ['Berlin', 'London'], price: 11.0, group: 'b' } },
  { id: 3, vector: [0.36, 0.55, 0.47, 0.94], payload: { city: ['Berlin', 'Moscow'], price: 9.5, group: 'a' } },
  { id: 4, vector: [0.18, 0.01, 0.85, 0.80], payload: { city: ['London', 'Moscow'], price: 9.0, group: 'c' } },
  { id: 5, vector: [0.24, 0.18, 0.22, 0.44], payload: { city: 'Seoul', price: 12.5, group: 'b' } },
  { id: 6, vector: [0.35, 0.08, 0.11, 0.44], payload: { city: 'Berlin', price: 3.25, group: 'c' } },
  { id: 7, vector: [0.25, 0.98, 0.14, 0.43], payload: { city: 'London', price: 50.0, group: 'a' } },
  { id: 8, vector: [0.79, 0.53, 0.72, 0.15], payload: { city: 'Moscow', price: 100.0, group: 'b' } },
];
const vec = (id) => POINTS.find((p) => p.id === id).vector;
const others = (...excluded) => POINTS.filter((p) => !excluded.includes(p.id));
const QA = [0.2, 0.1, 0.9, 0.7];
const QB = [0.5, 0.6, 0.7, 0.8];

/** Scores computed by `scoreOf` for `candidates`, best first (ties by id). */
function rankBy(candidates, scoreOf) {
  return candidates.map((p) => ({ id: p.id, score: scoreOf(p.vector) }))
    .sort((a, b) => b.score - a.score || a.id - b.id);
}

/**
 * Same ids and scores as `expected` (best first); among equal scores any order is accepted.
 */
function assertScored(points, expected, label = '') {
  assert.equal(points.length, expected.length,
    `${label} expected ${JSON.stringify(expected)}, got ${JSON.stringify(points.map((p) => ({ id: p.id, score: p.score })))}`);
  const byId = new Map(expected.map((e) => [e.id, e.score]));
  points.forEach((p, i) => {
    assert.ok(byId.has(p.id), `${label} unexpected id ${p.id}; expected ${JSON.stringify(expected)}`);
    assertClose(p.score, byId.get(p.id), 1e-4, `${label} score of ${p.id}`);
    assertClose(p.score, expected[i].score, 1e-4, `${label} score at rank ${i}`);
  });
}

const rrf = (lists, k = 2) => {
  const scores = new Map();
  for (const list of lists) {
    list.forEach((e, pos) => scores.set(e.id, (scores.get(e.id) ?? 0) + 1 / (pos + k)));
  }
  return [...scores].map(([id, score]) => ({ id, score })).sort((a, b) => b.score - a.score || a.id - b.id);
};

describe('query API', () => {
  let srv;
  let client;
  before(async () => {
    srv = await startServer();
    client = srv.client;
    await client.createCollection(C, { vectors: { size: 4, distance: 'Dot' } });
    await client.upsert(C, { wait: true, points: POINTS });
    await client.createPayloadIndex(C, { wait: true, field_name: 'price', field_schema: 'float' });
    await client.createPayloadIndex(C, { wait: true, field_name: 'city', field_schema: 'keyword' });
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('payload indexes show up in the collection info', async () => {
    const info = await client.getCollection(C);
    assert.equal(info.payload_schema.price?.data_type, 'float');
    assert.equal(info.payload_schema.city?.data_type, 'keyword');
  });

  test('nearest by vector', async () => {
    const { points } = await client.query(C, { query: QA, limit: 8 });
    assertScored(points, rank('Dot', QA, POINTS));
  });

  test('nearest by point id excludes that point', async () => {
    const expected = rankBy(others(3), (v) => dot(v, vec(3)));
    let { points } = await client.query(C, { query: 3, limit: 10 });
    assertScored(points, expected, 'query: id');
    ({ points } = await client.query(C, { query: { nearest: 3 }, limit: 10 }));
    assertScored(points, expected, 'nearest: id');
  });

  test('recommend, average_vector (default): 2*avg(pos) - avg(neg), examples excluded', async () => {
    const avgPos = vec(1).map((x, i) => (x + vec(2)[i]) / 2);
    const q = avgPos.map((x, i) => x + x - vec(3)[i]);
    const expected = rankBy(others(1, 2, 3), (v) => dot(v, q));
    let { points } = await client.query(C, {
      query: { recommend: { positive: [1, 2], negative: [3] } }, limit: 10,
    });
    assertScored(points, expected, 'average_vector');
    ({ points } = await client.query(C, {
      query: { recommend: { positive: [1, 2], negative: [3], strategy: 'average_vector' } }, limit: 10,
    }));
    assertScored(points, expected, 'explicit average_vector');
  });

  test('recommend with only positives averages them', async () => {
    const q = vec(1).map((x, i) => (x + vec(7)[i]) / 2);
    const { points } = await client.query(C, {
      query: { recommend: { positive: [1, 7] } }, limit: 10,
    });
    assertScored(points, rankBy(others(1, 7), (v) => dot(v, q)));
  });

  test('recommend mixing raw vectors and ids', async () => {
    const raw = [0.1, 0.9, 0.1, 0.1];
    const q = raw.map((x, i) => (x + vec(4)[i]) / 2);
    const { points } = await client.query(C, {
      query: { recommend: { positive: [raw, 4] } }, limit: 10,
    });
    assertScored(points, rankBy(others(4), (v) => dot(v, q)));
  });

  test('recommend, best_score', async () => {
    const scoreOf = (v) => {
      const pos = Math.max(dot(v, vec(1)), dot(v, vec(2)));
      const neg = dot(v, vec(3));
      return pos > neg ? scaledFastSigmoid(pos) : -scaledFastSigmoid(neg);
    };
    const { points } = await client.query(C, {
      query: { recommend: { positive: [1, 2], negative: [3], strategy: 'best_score' } },
      limit: 10,
    });
    assertScored(points, rankBy(others(1, 2, 3), scoreOf));
  });

  test('recommend, best_score with only negatives', async () => {
    const { points } = await client.query(C, {
      query: { recommend: { negative: [8], strategy: 'best_score' } }, limit: 10,
    });
    assertScored(points, rankBy(others(8), (v) => -scaledFastSigmoid(dot(v, vec(8)))));
  });

  test('recommend, sum_scores', async () => {
    const scoreOf = (v) => dot(v, vec(1)) + dot(v, vec(2)) - dot(v, vec(3));
    const { points } = await client.query(C, {
      query: { recommend: { positive: [1, 2], negative: [3], strategy: 'sum_scores' } },
      limit: 10,
    });
    assertScored(points, rankBy(others(1, 2, 3), scoreOf));
  });

  test('legacy POST /points/recommend', async () => {
    const avgPos = vec(1).map((x, i) => (x + vec(2)[i]) / 2);
    const q = avgPos.map((x, i) => x + x - vec(3)[i]);
    const res = await srv.request('POST', `/collections/${C}/points/recommend`, {
      positive: [1, 2], negative: [3], limit: 3, with_payload: true,
    });
    const result = okResult(res);
    result.forEach((p) => validateComponent('ScoredPoint', p));
    const expected = rankBy(others(1, 2, 3), (v) => dot(v, q)).slice(0, 3);
    assertScored(result, expected);
    assert.deepEqual(result[0].payload, POINTS.find((p) => p.id === expected[0].id).payload);

    const best = okResult(await srv.request('POST', `/collections/${C}/points/recommend`, {
      positive: [1, 2], negative: [3], strategy: 'best_score', limit: 10,
    }));
    const scoreOf = (v) => {
      const pos = Math.max(dot(v, vec(1)), dot(v, vec(2)));
      const neg = dot(v, vec(3));
      return pos > neg ? scaledFastSigmoid(pos) : -scaledFastSigmoid(neg);
    };
    assertScored(best, rankBy(others(1, 2, 3), scoreOf), 'legacy best_score');
  });

  test('discover: rank over context pairs plus a squashed target similarity', async () => {
    const target = [0.3, 0.3, 0.6, 0.2];
    const pairs = [[1, 4], [7, 6]];
    const scoreOf = (v) => {
      let r = 0;
      for (const [p, n] of pairs) r += Math.sign(dot(v, vec(p)) - dot(v, vec(n)));
      return r + scaledFastSigmoid(dot(v, target));
    };
    const { points } = await client.query(C, {
      query: { discover: { target, context: pairs.map(([positive, negative]) => ({ positive, negative })) } },
      limit: 10,
      params: { exact: true },
    });
    assertScored(points, rankBy(others(1, 4, 6, 7), scoreOf));
  });

  test('context: sum of per-pair losses, never above 0', async () => {
    const pairs = [[2, 5], [8, 4]];
    const scoreOf = (v) => pairs.reduce((s, [p, n]) =>
      s + fastSigmoid(Math.min(dot(v, vec(p)) - dot(v, vec(n)), 0)), 0);
    const { points } = await client.query(C, {
      query: { context: pairs.map(([positive, negative]) => ({ positive, negative })) },
      limit: 10,
      params: { exact: true },
    });
    assertScored(points, rankBy(others(2, 4, 5, 8), scoreOf));
    for (const p of points) assert.ok(p.score <= 0);
  });

  test('order_by a payload key, both directions, in query and scroll', async () => {
    const byPrice = [...POINTS].sort((a, b) => a.payload.price - b.payload.price).map((p) => p.id);
    let { points } = await client.query(C, { query: { order_by: { key: 'price', direction: 'desc' } }, limit: 5 });
    assert.deepEqual(ids(points), [...byPrice].reverse().slice(0, 5));
    ({ points } = await client.query(C, { query: { order_by: 'price' }, limit: 10, with_payload: true }));
    assert.deepEqual(ids(points), byPrice);
    assert.deepEqual(points.map((p) => p.payload.price), POINTS.map((p) => p.payload.price).sort((a, b) => a - b));

    const page = await client.scroll(C, { order_by: { key: 'price', direction: 'asc' }, limit: 3 });
    assert.deepEqual(ids(page.points), byPrice.slice(0, 3));
    assert.ok(page.next_page_offset == null, 'order_by scroll has no next_page_offset');
    const fromTen = await client.scroll(C, {
      order_by: { key: 'price', direction: 'asc', start_from: 10 }, limit: 10,
    });
    const priceOf = (id) => POINTS.find((p) => p.id === id).payload.price;
    assert.deepEqual(ids(fromTen.points), byPrice.filter((id) => priceOf(id) >= 10));
  });

  test('order_by without a range index is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/query`, {
      query: { order_by: 'group' },
    });
    assertErrorBody(res, 400);
  });

  test('prefetch then rescore with another vector', async () => {
    const shortlist = rank('Dot', QA, POINTS).slice(0, 4);
    const candidates = POINTS.filter((p) => shortlist.some((s) => s.id === p.id));
    const { points } = await client.query(C, {
      prefetch: { query: QA, limit: 4 },
      query: QB,
      limit: 10,
    });
    assertScored(points, rank('Dot', QB, candidates));
  });

  test('prefetch with its own filter', async () => {
    const filter = { must: [{ key: 'group', match: { value: 'a' } }] };
    const { points } = await client.query(C, {
      prefetch: { query: QA, filter, limit: 10 },
      query: QB,
    });
    assertScored(points, rank('Dot', QB, POINTS.filter((p) => p.payload.group === 'a')));
  });

  test('fusion rrf over two prefetches', async () => {
    const a = rank('Dot', QA, POINTS).slice(0, 5);
    const b = rank('Dot', QB, POINTS).slice(0, 5);
    let { points } = await client.query(C, {
      prefetch: [{ query: QA, limit: 5 }, { query: QB, limit: 5 }],
      query: { fusion: 'rrf' },
      limit: 10,
    });
    assertScored(points, rrf([a, b]), 'rrf');
    ({ points } = await client.query(C, {
      prefetch: [{ query: QA, limit: 5 }, { query: QB, limit: 5 }],
      query: { rrf: { k: 60 } },
      limit: 10,
    }));
    assertScored(points, rrf([a, b], 60), 'rrf k=60');
  });

  test('a query with prefetch but no query is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/query`, {
      prefetch: [{ query: QA }],
    });
    const msg = assertErrorBody(res, 400);
    assert.equal(msg, "Bad request: A query is needed to merge the prefetches. Can't have prefetches without defining a query.");
  });

  test('sample random returns distinct existing points', async () => {
    let { points } = await client.query(C, { query: { sample: 'random' }, limit: 100 });
    assert.deepEqual(ids(points).sort((x, y) => x - y), [1, 2, 3, 4, 5, 6, 7, 8]);
    ({ points } = await client.query(C, { query: { sample: 'random' }, limit: 3 }));
    assert.equal(points.length, 3);
    assert.equal(new Set(ids(points)).size, 3);
  });

  test('no query at all: points in id order, like scroll', async () => {
    const filter = { must: [{ key: 'city', match: { value: 'Berlin' } }] };
    const { points } = await client.query(C, { filter, with_payload: true });
    assert.deepEqual(ids(points), [1, 2, 3, 6]);
    assert.deepEqual(points[0].payload, POINTS[0].payload);
    const offset = await client.query(C, { offset: 2, limit: 3 });
    assert.deepEqual(ids(offset.points), [3, 4, 5]);
  });

  test('queryBatch answers each query in order', async () => {
    const res = await client.queryBatch(C, {
      searches: [
        { query: QA, limit: 3 },
        { query: 8, limit: 2 },
        { query: QB, limit: 2, filter: { must: [{ key: 'group', match: { value: 'b' } }] } },
      ],
    });
    assert.equal(res.length, 3);
    assertScored(res[0].points, rank('Dot', QA, POINTS).slice(0, 3));
    assertScored(res[1].points, rankBy(others(8), (v) => dot(v, vec(8))).slice(0, 2));
    assertScored(res[2].points, rank('Dot', QB, POINTS.filter((p) => p.payload.group === 'b')).slice(0, 2));
  });

  test('queryGroups: best groups first, best hits first within a group', async () => {
    const ranked = rank('Dot', QA, POINTS);
    const groups = new Map();
    for (const r of ranked) {
      const g = POINTS.find((p) => p.id === r.id).payload.group;
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g).push(r);
    }
    const expected = [...groups].slice(0, 2).map(([id, hits]) => ({ id, hits: hits.slice(0, 2) }));
    const result = await client.queryGroups(C, {
      query: QA, group_by: 'group', group_size: 2, limit: 2, with_payload: true,
    });
    assert.equal(result.groups.length, 2);
    result.groups.forEach((g, i) => {
      assert.equal(g.id, expected[i].id);
      assertScored(g.hits, expected[i].hits, `group ${g.id}`);
      for (const h of g.hits) assert.equal(h.payload.group, g.id);
    });
  });

  test('queryGroups over an array field puts a point in several groups', async () => {
    const result = await client.queryGroups(C, {
      query: QA, group_by: 'city', group_size: 10, limit: 10,
    });
    const members = new Map();
    for (const p of POINTS) {
      for (const c of [].concat(p.payload.city)) members.set(c, [...(members.get(c) ?? []), p.id]);
    }
    const got = new Map(result.groups.map((g) => [g.id, ids(g.hits).sort((a, b) => a - b)]));
    assert.deepEqual([...got.keys()].sort(), [...members.keys()].sort());
    for (const [c, m] of members) assert.deepEqual(got.get(c), m, `group ${c}`);
  });

  test('facet counts points per value, most frequent first', async () => {
    const counts = new Map();
    for (const p of POINTS) for (const c of new Set([].concat(p.payload.city))) counts.set(c, (counts.get(c) ?? 0) + 1);
    const expected = [...counts].map(([value, count]) => ({ value, count }))
      .sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
    assert.deepEqual(await client.facet(C, { key: 'city', limit: 10 }), { hits: expected });
    assert.deepEqual(await client.facet(C, { key: 'city', limit: 2 }), { hits: expected.slice(0, 2) });
    const filtered = await client.facet(C, {
      key: 'city', filter: { must: [{ key: 'group', match: { value: 'a' } }] }, exact: true,
    });
    // group a: ids 1 (Berlin), 3 (Berlin, Moscow), 7 (London)
    assert.deepEqual(filtered, { hits: [
      { value: 'Berlin', count: 2 }, { value: 'London', count: 1 }, { value: 'Moscow', count: 1 },
    ] });
  });

  test('facet on a key without a keyword index is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/facet`, { key: 'group' });
    assertErrorBody(res, 400);
  });

  describe('distance matrix', () => {
    // For every sampled point (ascending id), its `limit` nearest other points, best first.
    function expectedPairs(limit) {
      const sorted = [...POINTS].sort((a, b) => a.id - b.id);
      return sorted.flatMap((p) => rankBy(others(p.id), (v) => dot(v, p.vector))
        .slice(0, limit).map((n) => ({ a: p.id, b: n.id, score: n.score })));
    }

    test('searchMatrixPairs', async () => {
      const { pairs } = await client.searchMatrixPairs(C, { sample: 10, limit: 2 });
      const expected = expectedPairs(2);
      assert.equal(pairs.length, expected.length, JSON.stringify(pairs));
      pairs.forEach((p, i) => {
        assert.equal(p.a, expected[i].a);
        assert.equal(p.b, expected[i].b, `pair ${i}`);
        assertClose(p.score, expected[i].score);
      });
    });

    test('searchMatrixOffsets', async () => {
      const result = await client.searchMatrixOffsets(C, { sample: 10, limit: 2 });
      const expected = expectedPairs(2);
      const order = [1, 2, 3, 4, 5, 6, 7, 8];
      assert.deepEqual(result.ids, order);
      assert.deepEqual(result.offsets_row, expected.map((e) => order.indexOf(e.a)));
      assert.deepEqual(result.offsets_col, expected.map((e) => order.indexOf(e.b)));
      result.scores.forEach((s, i) => assertClose(s, expected[i].score));
    });

    test('matrix with a filter samples only matching points', async () => {
      const filter = { must: [{ key: 'group', match: { value: 'b' } }] };
      const { pairs } = await client.searchMatrixPairs(C, { sample: 10, limit: 1, filter });
      const groupB = POINTS.filter((p) => p.payload.group === 'b');
      const expected = groupB.map((p) => {
        const best = rankBy(groupB.filter((q) => q.id !== p.id), (v) => dot(v, p.vector))[0];
        return { a: p.id, b: best.id };
      });
      assert.deepEqual(pairs.map(({ a, b }) => ({ a, b })), expected);
    });

    test('an unknown vector name is 400', async () => {
      const res = await srv.request('POST', `/collections/${C}/points/search/matrix/pairs`, {
        sample: 10, limit: 2, using: 'wrong_vector_name',
      });
      assertErrorBody(res, 400);
    });
  });
});
