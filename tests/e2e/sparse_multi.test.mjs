// Sparse vectors (dot scoring over shared indices; points without overlap are not returned),
// points that only have a sparse vector, and multivectors scored with max_sim.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertClose, assertErrorBody, assertVectorClose, ids, okResult, startServer, validateComponent,
} from './harness.mjs';
import { cosine, dot, maxSim, rank, sparseDot } from './vectors.mjs';

function sparseMap(v) {
  assert.ok(v && Array.isArray(v.indices) && Array.isArray(v.values), `not a sparse vector: ${JSON.stringify(v)}`);
  assert.equal(v.indices.length, v.values.length);
  return new Map(v.indices.map((idx, i) => [idx, v.values[i]]));
}

function assertSparseEqual(actual, expected) {
  const a = sparseMap(actual);
  const e = sparseMap(expected);
  assert.deepEqual([...a.keys()].sort((x, y) => x - y), [...e.keys()].sort((x, y) => x - y));
  for (const [k, v] of e) assertClose(a.get(k), v, 1e-6, `sparse value at ${k}`);
}

function assertScored(points, expected, label = '') {
  assert.deepEqual(ids(points), expected.map((e) => e.id), `${label} order`);
  points.forEach((p, i) => assertClose(p.score, expected[i].score, 1e-4, `${label} score of ${p.id}`));
}

describe('sparse vectors', () => {
  let srv;
  let client;
  const C = 'hybrid';
  const DOCS = [
    { id: 1, vector: { dense: [1, 0, 0], text: { indices: [1, 5, 9], values: [0.5, 0.3, 0.2] } } },
    { id: 2, vector: { dense: [0, 1, 0], text: { indices: [5, 2], values: [0.9, 0.1] } } },
    { id: 3, vector: { dense: [0, 0, 1], text: { indices: [100, 200], values: [1.0, 1.0] } } },
    { id: 4, vector: { dense: [1, 1, 0] } },
    // only a sparse vector
    { id: 5, vector: { text: { indices: [9, 1], values: [0.7, 0.4] } }, payload: { only: 'sparse' } },
  ];
  const sparseDocs = DOCS.filter((d) => d.vector.text);

  function expectedSparse(query) {
    return sparseDocs
      .map((d) => ({ id: d.id, ...sparseDot(d.vector.text, query) }))
      .filter((r) => r.overlap)
      .map(({ id, score }) => ({ id, score }))
      .sort((a, b) => b.score - a.score || a.id - b.id);
  }

  before(async () => {
    srv = await startServer();
    client = srv.client;
    await client.createCollection(C, {
      vectors: { dense: { size: 3, distance: 'Dot' } },
      sparse_vectors: { text: {} },
    });
    await client.upsert(C, { wait: true, points: DOCS });
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('sparse query: dot product over shared indices, non-overlapping points left out', async () => {
    const query = { indices: [1, 5], values: [1.0, 2.0] };
    const expected = expectedSparse(query);
    assert.deepEqual(ids(expected), [2, 1, 5], 'self-check');
    const { points } = await client.query(C, { query, using: 'text', limit: 10 });
    assertScored(points, expected);
  });

  test('sparse query with no overlapping index returns nothing', async () => {
    const { points } = await client.query(C, { query: { indices: [7777], values: [1] }, using: 'text', limit: 10 });
    assert.deepEqual(points, []);
  });

  test('a point with only a sparse vector: stored, retrievable, absent from dense search', async () => {
    const [p] = await client.retrieve(C, { ids: [5], with_vector: true });
    assert.deepEqual(p.payload, { only: 'sparse' });
    assert.deepEqual(Object.keys(p.vector), ['text']);
    assertSparseEqual(p.vector.text, DOCS[4].vector.text);
    const dense = await client.query(C, { query: [1, 1, 1], using: 'dense', limit: 10 });
    assert.deepEqual(ids(dense.points).sort(), [1, 2, 3, 4]);
    const sparse = await client.query(C, { query: { indices: [9], values: [1] }, using: 'text', limit: 10 });
    assertScored(sparse.points, [{ id: 5, score: 0.7 }, { id: 1, score: 0.2 }]);
    assert.equal((await client.count(C)).count, 5);
  });

  test('retrieving both kinds of vector', async () => {
    const [p] = await client.retrieve(C, { ids: [1], with_vector: true });
    assertVectorClose(p.vector.dense, [1, 0, 0]);
    assertSparseEqual(p.vector.text, DOCS[0].vector.text);
    const [q] = await client.retrieve(C, { ids: [1], with_vector: ['text'] });
    assert.deepEqual(Object.keys(q.vector), ['text']);
  });

  test('legacy search with a named sparse vector', async () => {
    const query = { indices: [5, 9], values: [1, 1] };
    const res = await srv.request('POST', `/collections/${C}/points/search`, {
      vector: { name: 'text', vector: query }, limit: 10,
    });
    const result = okResult(res);
    result.forEach((p) => validateComponent('ScoredPoint', p));
    assertScored(result, expectedSparse(query));
  });

  test('legacy search with a named dense vector', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/search`, {
      vector: { name: 'dense', vector: [0.5, 1, 0] }, limit: 2,
    });
    const expected = rank('Dot', [0.5, 1, 0], DOCS.filter((d) => d.vector.dense).map((d) => ({ id: d.id, vector: d.vector.dense })));
    assertScored(okResult(res), expected.slice(0, 2));
  });

  test('hybrid: rrf over a dense and a sparse prefetch', async () => {
    const sparseQuery = { indices: [1, 5], values: [1.0, 2.0] };
    const denseRank = rank('Dot', [1, 0.2, 0], DOCS.filter((d) => d.vector.dense).map((d) => ({ id: d.id, vector: d.vector.dense })));
    const sparseRank = expectedSparse(sparseQuery);
    const scores = new Map();
    for (const list of [denseRank, sparseRank]) {
      list.forEach((e, pos) => scores.set(e.id, (scores.get(e.id) ?? 0) + 1 / (pos + 2)));
    }
    const { points } = await client.query(C, {
      prefetch: [
        { query: [1, 0.2, 0], using: 'dense', limit: 10 },
        { query: sparseQuery, using: 'text', limit: 10 },
      ],
      query: { fusion: 'rrf' },
      limit: 10,
    });
    assert.deepEqual(ids(points).sort(), [...scores.keys()].sort());
    for (const p of points) assertClose(p.score, scores.get(p.id), 1e-5, `rrf score of ${p.id}`);
    for (let i = 1; i < points.length; i++) assert.ok(points[i - 1].score >= points[i].score);
  });

  test('updating a sparse vector replaces its indices', async () => {
    await client.updateVectors(C, { wait: true, points: [{ id: 3, vector: { text: { indices: [600, 10], values: [0.9, 0.5] } } }] });
    let { points } = await client.query(C, { query: { indices: [100], values: [1] }, using: 'text' });
    assert.deepEqual(points, []);
    ({ points } = await client.query(C, { query: { indices: [10], values: [2] }, using: 'text' }));
    assertScored(points, [{ id: 3, score: 1.0 }]);
  });

  test('a sparse vector whose indices and values differ in length is rejected', async () => {
    const res = await srv.request('PUT', `/collections/${C}/points?wait=true`, {
      points: [{ id: 50, vector: { text: { indices: [0, 1], values: [0.5] } } }],
    });
    const msg = assertErrorBody(res, 422);
    assert.match(msg, /Validation error/);
    assert.deepEqual(await client.retrieve(C, { ids: [50] }), []);
  });

  test('an unknown vector name is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/query`, {
      query: { indices: [1], values: [1] }, using: 'nope',
    });
    assertErrorBody(res, 400);
  });
});

describe('multivectors (max_sim)', () => {
  let srv;
  let client;
  const DOCS = [
    { id: 1, vector: [[1, 0], [0, 1]] },
    { id: 2, vector: [[0.5, 0.5], [0.2, 0.1], [0.9, -0.3]] },
    { id: 3, vector: [[-1, 0.2]] },
    { id: 4, vector: [[0.3, 0.8], [0.6, 0.1]] },
  ];
  const QUERY = [[0.7, 0.2], [0.1, 0.9]];

  before(async () => {
    srv = await startServer();
    client = srv.client;
    await client.createCollection('multi_dot', {
      vectors: { size: 2, distance: 'Dot', multivector_config: { comparator: 'max_sim' } },
    });
    await client.upsert('multi_dot', { wait: true, points: DOCS });
    await client.createCollection('multi_named', {
      vectors: {
        colbert: { size: 2, distance: 'Cosine', multivector_config: { comparator: 'max_sim' } },
        plain: { size: 2, distance: 'Dot' },
      },
    });
    await client.upsert('multi_named', {
      wait: true,
      points: DOCS.map((d) => ({ id: d.id, vector: { colbert: d.vector, plain: d.vector[0] } })),
    });
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('collection info reports the multivector config', async () => {
    const info = await client.getCollection('multi_dot');
    assert.deepEqual(info.config.params.vectors.multivector_config, { comparator: 'max_sim' });
  });

  test('max_sim with Dot: sum over query rows of the best matching document row', async () => {
    const expected = DOCS.map((d) => ({ id: d.id, score: maxSim(QUERY, d.vector, dot) }))
      .sort((a, b) => b.score - a.score);
    const { points } = await client.query('multi_dot', { query: QUERY, limit: 10 });
    assertScored(points, expected);
  });

  test('max_sim with Cosine on a named multivector', async () => {
    const expected = DOCS.map((d) => ({ id: d.id, score: maxSim(QUERY, d.vector, cosine) }))
      .sort((a, b) => b.score - a.score);
    const { points } = await client.query('multi_named', { query: QUERY, using: 'colbert', limit: 10 });
    assertScored(points, expected);
  });

  test('a multivector is retrieved as a list of vectors', async () => {
    const [p] = await client.retrieve('multi_dot', { ids: [2], with_vector: true });
    assert.equal(p.vector.length, 3);
    p.vector.forEach((row, i) => assertVectorClose(row, DOCS[1].vector[i]));
  });

  test('multivector rows of the wrong dimension are 400', async () => {
    const res = await srv.request('PUT', '/collections/multi_dot/points?wait=true', {
      points: [{ id: 9, vector: [[1, 0, 0], [0, 1, 0]] }],
    });
    const msg = assertErrorBody(res, 400);
    assert.match(msg, /dimension/i);
    assert.deepEqual(await client.retrieve('multi_dot', { ids: [9] }), []);
  });

  test('multivector rows of different lengths fail validation (422)', async () => {
    const res = await srv.request('PUT', '/collections/multi_dot/points?wait=true', {
      points: [{ id: 9, vector: [[1, 0], [1, 0, 0]] }],
    });
    const msg = assertErrorBody(res, 422);
    assert.match(msg, /Validation error/);
    assert.deepEqual(await client.retrieve('multi_dot', { ids: [9] }), []);
  });
});
