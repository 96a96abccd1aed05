// Nearest-neighbour scores for every distance, computed independently in JS: order and values,
// limit, offset, score_threshold, filters, payload/vector selection, and the legacy
// /points/search and /points/search/batch endpoints (not in the current OpenAPI document, still
// served by Qdrant).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertClose, assertErrorBody, assertVectorClose, ids, okResult, startServer, validateComponent,
} from './harness.mjs';
import { higherIsBetter, normalize, rank } from './vectors.mjs';

const DISTANCES = ['Cosine', 'Dot', 'Euclid', 'Manhattan'];
const COLORS = ['red', 'green', 'blue'];
const N = 24;
const DIM = 4;

// Deterministic data: a small LCG so every run (and every server) sees the same vectors.
function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}
const rnd = lcg(76);
const round = (x) => Math.round(x * 1000) / 1000;
const POINTS = Array.from({ length: N }, (_, i) => ({
  id: i + 1,
  vector: Array.from({ length: DIM }, () => round(rnd() * 2 - 1)),
  payload: { i: i + 1, color: COLORS[i % 3], tag: `t${i % 4}` },
}));
const QUERIES = [
  [0.2, 0.1, 0.9, 0.7],
  [-0.5, 0.3, 0.0, 0.8],
];

/** Fails loudly if the data would make the expected order ambiguous. */
function assertNoNearTies(expected, count) {
  for (let i = 1; i < Math.min(count, expected.length); i++) {
    const gap = Math.abs(expected[i - 1].score - expected[i].score);
    assert.ok(gap > 1e-3, `test data has a near tie at rank ${i}: ${JSON.stringify(expected.slice(i - 1, i + 1))}`);
  }
}

function assertRanking(points, expected, label = '') {
  assert.deepEqual(ids(points), expected.map((e) => e.id), `${label} order`);
  points.forEach((p, i) => assertClose(p.score, expected[i].score, 1e-4, `${label} score of id ${p.id}`));
}

describe('search scores', () => {
  let srv;
  let client;
  before(async () => {
    srv = await startServer();
    client = srv.client;
    for (const distance of DISTANCES) {
      const name = `search_${distance.toLowerCase()}`;
      await client.createCollection(name, { vectors: { size: DIM, distance } });
      await client.upsert(name, { wait: true, points: POINTS });
    }
  });
  after(async () => {
    await srv?.cleanup();
  });

  for (const distance of DISTANCES) {
    const name = `search_${distance.toLowerCase()}`;
    describe(distance, () => {
      test('query: order and scores of the top 10 match the reference', async () => {
        for (const q of QUERIES) {
          const expected = rank(distance, q, POINTS);
          assertNoNearTies(expected, 11);
          const { points } = await client.query(name, { query: q, limit: 10 });
          assertRanking(points, expected.slice(0, 10), `${distance} q=${q}`);
          for (const p of points) assert.ok(Number.isInteger(p.version), 'version missing');
        }
      });

      test('the default limit is 10', async () => {
        const { points } = await client.query(name, { query: QUERIES[0] });
        assert.equal(points.length, 10);
      });

      test('{nearest: v} is the same query as a bare vector', async () => {
        const a = await client.query(name, { query: QUERIES[1], limit: 5 });
        const b = await client.query(name, { query: { nearest: QUERIES[1] }, limit: 5 });
        assert.deepEqual(ids(b.points), ids(a.points));
        assertRanking(b.points, rank(distance, QUERIES[1], POINTS).slice(0, 5));
      });

      test('exact search gives the same answer', async () => {
        const { points } = await client.query(name, {
          query: QUERIES[0], limit: 8, params: { exact: true },
        });
        assertRanking(points, rank(distance, QUERIES[0], POINTS).slice(0, 8));
      });

      test('offset skips the best results', async () => {
        const { points } = await client.query(name, { query: QUERIES[0], limit: 4, offset: 3 });
        assertRanking(points, rank(distance, QUERIES[0], POINTS).slice(3, 7));
      });

      test('score_threshold keeps only good-enough results', async () => {
        const expected = rank(distance, QUERIES[0], POINTS);
        const threshold = (expected[5].score + expected[6].score) / 2;
        const { points } = await client.query(name, {
          query: QUERIES[0], limit: 20, score_threshold: threshold,
        });
        assertRanking(points, expected.slice(0, 6));
        for (const p of points) {
          assert.ok(higherIsBetter(distance) ? p.score >= threshold : p.score <= threshold);
        }
      });

      test('filtered search ranks only matching points', async () => {
        const filter = { must: [{ key: 'color', match: { value: 'red' } }] };
        const { points } = await client.query(name, { query: QUERIES[1], filter, limit: 5 });
        const expected = rank(distance, QUERIES[1], POINTS.filter((p) => p.payload.color === 'red'));
        assertRanking(points, expected.slice(0, 5));
      });

      test('with_payload / with_vector selection', async () => {
        const expected = rank(distance, QUERIES[0], POINTS);
        const top = POINTS.find((p) => p.id === expected[0].id);
        let { points } = await client.query(name, { query: QUERIES[0], limit: 1 });
        assert.ok(points[0].payload == null, 'no payload by default');
        assert.ok(points[0].vector == null, 'no vector by default');

        ({ points } = await client.query(name, {
          query: QUERIES[0], limit: 1, with_payload: true, with_vector: true,
        }));
        assert.deepEqual(points[0].payload, top.payload);
        const stored = distance === 'Cosine' ? normalize(top.vector) : top.vector;
        assertVectorClose(points[0].vector, stored);

        ({ points } = await client.query(name, {
          query: QUERIES[0], limit: 1, with_payload: { include: ['color'] },
        }));
        assert.deepEqual(points[0].payload, { color: top.payload.color });
        ({ points } = await client.query(name, {
          query: QUERIES[0], limit: 1, with_payload: { exclude: ['color'] },
        }));
        assert.deepEqual(points[0].payload, { i: top.payload.i, tag: top.payload.tag });
        ({ points } = await client.query(name, {
          query: QUERIES[0], limit: 1, with_payload: ['i', 'tag'],
        }));
        assert.deepEqual(points[0].payload, { i: top.payload.i, tag: top.payload.tag });
      });

      test('legacy POST /points/search', async () => {
        const expected = rank(distance, QUERIES[0], POINTS);
        const res = await srv.request('POST', `/collections/${name}/points/search`, {
          vector: QUERIES[0], limit: 5, with_payload: true,
        });
        const result = okResult(res);
        result.forEach((p) => validateComponent('ScoredPoint', p));
        assertRanking(result, expected.slice(0, 5), 'legacy search');
        assert.deepEqual(result[0].payload, POINTS.find((p) => p.id === expected[0].id).payload);

        const thr = (expected[5].score + expected[6].score) / 2;
        const res2 = await srv.request('POST', `/collections/${name}/points/search`, {
          vector: QUERIES[0], limit: 10, offset: 1, score_threshold: thr,
          filter: { must_not: [{ key: 'color', match: { value: 'blue' } }] },
        });
        const notBlue = rank(distance, QUERIES[0], POINTS.filter((p) => p.payload.color !== 'blue'),
          { threshold: thr });
        assertRanking(okResult(res2), notBlue.slice(1, 10), 'legacy search with filter');
      });

      test('legacy POST /points/search/batch and queryBatch', async () => {
        const res = await srv.request('POST', `/collections/${name}/points/search/batch`, {
          searches: QUERIES.map((vector) => ({ vector, limit: 3 })),
        });
        const result = okResult(res);
        assert.equal(result.length, QUERIES.length);
        QUERIES.forEach((q, i) => {
          result[i].forEach((p) => validateComponent('ScoredPoint', p));
          assertRanking(result[i], rank(distance, q, POINTS).slice(0, 3), `batch #${i}`);
        });

        const batch = await client.queryBatch(name, {
          searches: QUERIES.map((query) => ({ query, limit: 3 })),
        });
        assert.equal(batch.length, QUERIES.length);
        QUERIES.forEach((q, i) => assertRanking(batch[i].points, rank(distance, q, POINTS).slice(0, 3)));
      });
    });
  }

  test('an empty query batch answers an empty list', async () => {
    const res = await srv.request('POST', '/collections/search_dot/points/query/batch', { searches: [] });
    assert.deepEqual(okResult(res), []);
  });

  // A batch's searches run side by side (twelve take two threads), each read, resolved and run
  // by one thread; the error answered is the first of the earliest step, as if each step ran
  // over the whole batch in turn: a malformed search, then a failed lookup, then a failed search.
  test('a batch answers its first malformed search, then failed lookup, then search', async () => {
    const searches = (changes) => Array.from({ length: 12 },
      (_, i) => changes[i] ?? { query: QUERIES[i % QUERIES.length], limit: 3 });
    const malformed = { query: QUERIES[0], limit: 'three' };
    const badLookup = { query: 1, lookup_from: { collection: 'no_such_collection' }, limit: 3 };
    const badSearch = { query: QUERIES[0], using: 'no_such_vector', limit: 3 };
    const post = (name, changes) =>
      srv.request('POST', `/collections/${name}/points/query/batch`,
        { searches: searches(changes) });

    const faults = { 1: badSearch, 2: badLookup, 11: malformed };
    let msg = assertErrorBody(await post('search_dot', faults), 400);
    assert.match(msg, /^Format error in JSON body: limit/);
    msg = assertErrorBody(await post('search_dot', { 1: badSearch, 10: badLookup }), 404);
    assert.match(msg, /no_such_collection not found/);
    msg = assertErrorBody(await post('search_dot', { 3: badSearch, 7: badSearch }), 400);
    assert.match(msg, /Not existing vector name error: no_such_vector/);
    // A missing collection comes after a malformed search too.
    msg = assertErrorBody(await post('no_such_collection', { 9: malformed }), 400);
    assert.match(msg, /^Format error in JSON body: limit/);
    assertErrorBody(await post('no_such_collection', {}), 404);
    // And the same batch without its faults answers every search.
    assert.equal(okResult(await post('search_dot', {})).length, 12);
  });

  test('Euclid reports the distance itself, not its square', async () => {
    await client.createCollection('euclid_small', { vectors: { size: 2, distance: 'Euclid' } });
    await client.upsert('euclid_small', {
      wait: true,
      points: [
        { id: 1, vector: [0, 0] },
        { id: 2, vector: [0, 1] },
        { id: 3, vector: [-1, -1] },
      ],
    });
    const { points } = await client.query('euclid_small', { query: [1, 1], limit: 3 });
    assert.deepEqual(ids(points), [2, 1, 3]);
    assertClose(points[0].score, 1.0);
    assertClose(points[1].score, Math.SQRT2);
    assertClose(points[2].score, 2 * Math.SQRT2);
    const thr = await client.query('euclid_small', { query: [1, 1], limit: 3, score_threshold: 1.5 });
    assert.deepEqual(ids(thr.points), [2, 1]);
  });

  test('Manhattan reports the L1 distance, ascending', async () => {
    await client.createCollection('manhattan_small', { vectors: { size: 2, distance: 'Manhattan' } });
    await client.upsert('manhattan_small', {
      wait: true,
      points: [
        { id: 1, vector: [0, 0] },
        { id: 2, vector: [0, 1] },
        { id: 3, vector: [-1, -1] },
      ],
    });
    const { points } = await client.query('manhattan_small', { query: [1, 1], limit: 3 });
    assert.deepEqual(ids(points), [2, 1, 3]);
    assertClose(points[0].score, 1.0);
    assertClose(points[1].score, 2.0);
    assertClose(points[2].score, 4.0);
  });
});
