// Durability: everything acknowledged before a crash (kill -9) is there after a restart on the
// same storage -- collections and their config, aliases, payload indexes, points, payloads,
// vectors (dense, named, sparse) -- for wait=true and for wait=false writes (acknowledged means
// written to the log). Deletions stay deleted. Recovery is repeatable: crash twice.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertVectorClose, assertClose, ids, okResult, startServer } from './harness.mjs';
import { normalize } from './vectors.mjs';

const COSINE = 'durable';
const NAMED = 'durable_named';
const GONE = 'durable_deleted';

const vectorFor = (id) => [((id * 7) % 11) + 1, ((id * 3) % 5) + 1, (id % 13) + 0.5, ((id * 5) % 7) - 3];

describe('durability', () => {
  let srv;
  let client;
  // What must be true after every restart.
  const expected = new Map(); // id -> { payload, vector }
  const expectedNamed = new Map();

  async function upsertRaw(name, points, wait) {
    const res = await srv.request('PUT', `/collections/${name}/points?wait=${wait}`, { points });
    const result = okResult(res);
    assert.equal(result.status, wait ? 'completed' : 'acknowledged');
  }

  async function verifyAll(label) {
    const { collections } = await client.getCollections();
    const names = collections.map((c) => c.name).sort();
    assert.deepEqual(names, [COSINE, NAMED], `${label}: collections`);

    const info = await client.getCollection(COSINE);
    assert.equal(info.config.params.vectors.size, 4);
    assert.equal(info.config.params.vectors.distance, 'Cosine');
    assert.equal(info.config.hnsw_config.m, 20, `${label}: hnsw m survives`);
    assert.equal(info.config.optimizer_config.indexing_threshold, 7777, `${label}: PATCHed setting survives`);
    assert.equal(info.payload_schema.n?.data_type, 'integer', `${label}: payload index survives`);
    assert.equal(info.points_count, expected.size, `${label}: points_count`);

    const named = await client.getCollection(NAMED);
    assert.equal(named.config.params.vectors.image.size, 2);
    assert.ok(named.config.params.sparse_vectors?.words, `${label}: sparse config`);

    const { aliases } = await client.getAliases();
    assert.deepEqual(aliases.sort((a, b) => a.alias_name.localeCompare(b.alias_name)), [
      { alias_name: 'durable_alias', collection_name: COSINE },
      { alias_name: 'named_alias', collection_name: NAMED },
    ], `${label}: aliases`);

    const { points } = await client.scroll(COSINE, { limit: 10_000, with_payload: true, with_vector: true });
    assert.deepEqual(ids(points), [...expected.keys()].sort((a, b) => a - b), `${label}: point ids`);
    for (const p of points) {
      const e = expected.get(p.id);
      assert.deepEqual(p.payload, e.payload, `${label}: payload of ${p.id}`);
      assertVectorClose(p.vector, normalize(e.vector), 1e-5, `${label}: vector of ${p.id}`);
    }
    assert.equal((await client.count(COSINE)).count, expected.size);
    // the payload index answers filters
    const { count } = await client.count('durable_alias', { filter: { must: [{ key: 'n', range: { gte: 100 } }] } });
    assert.equal(count, [...expected.values()].filter((e) => e.payload.n >= 100).length, `${label}: indexed filter`);

    const namedPoints = (await client.scroll(NAMED, { limit: 100, with_payload: true, with_vector: true })).points;
    assert.deepEqual(ids(namedPoints), [...expectedNamed.keys()].sort((a, b) => a - b), `${label}: named ids`);
    for (const p of namedPoints) {
      const e = expectedNamed.get(p.id);
      assert.deepEqual(p.payload, e.payload);
      assert.deepEqual(Object.keys(p.vector).sort(), Object.keys(e.vector).sort(), `${label}: vector names of ${p.id}`);
      if (e.vector.image) assertVectorClose(p.vector.image, e.vector.image);
      if (e.vector.words) {
        const got = new Map(p.vector.words.indices.map((idx, i) => [idx, p.vector.words.values[i]]));
        assert.deepEqual([...got.keys()].sort((a, b) => a - b), [...e.vector.words.indices].sort((a, b) => a - b));
        e.vector.words.indices.forEach((idx, i) => assertClose(got.get(idx), e.vector.words.values[i], 1e-6));
      }
    }

    // searching still works and sees the recovered data
    const q = vectorFor(42);
    const { points: hits } = await client.query(COSINE, { query: q, limit: 1 });
    if (expected.has(42)) assert.equal(hits[0].id, 42, `${label}: search finds the exact match`);
  }

  before(async () => {
    srv = await startServer();
    client = srv.client;
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('build state with wait=true and wait=false writes, then kill -9 and restart', async () => {
    await client.createCollection(COSINE, {
      vectors: { size: 4, distance: 'Cosine' },
      hnsw_config: { m: 20 },
    });
    await client.updateCollection(COSINE, { optimizers_config: { indexing_threshold: 7777 } });
    await client.createPayloadIndex(COSINE, { wait: true, field_name: 'n', field_schema: 'integer' });
    await client.createCollection(NAMED, {
      vectors: { image: { size: 2, distance: 'Dot' } },
      sparse_vectors: { words: {} },
    });
    await client.createCollection(GONE, { vectors: { size: 2, distance: 'Dot' } });
    await client.upsert(GONE, { wait: true, points: [{ id: 1, vector: [1, 1] }] });
    await client.updateCollectionAliases({
      actions: [
        { create_alias: { collection_name: COSINE, alias_name: 'durable_alias' } },
        { create_alias: { collection_name: NAMED, alias_name: 'named_alias' } },
        { create_alias: { collection_name: GONE, alias_name: 'gone_alias' } },
        { create_alias: { collection_name: COSINE, alias_name: 'temp_alias' } },
      ],
    });
    await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: 'temp_alias' } }] });
    await client.deleteCollection(GONE);

    // wait=true, list form, 150 points in 3 requests
    for (let start = 1; start <= 150; start += 50) {
      const points = [];
      for (let id = start; id < start + 50; id++) {
        const p = { id, vector: vectorFor(id), payload: { n: id, kind: 'sync', tags: [`t${id % 3}`] } };
        points.push(p);
        expected.set(id, { payload: p.payload, vector: p.vector });
      }
      await upsertRaw(COSINE, points, true);
    }
    // wait=false, 10 small requests of 5 points each, through the alias
    for (let start = 151; start <= 200; start += 5) {
      const points = [];
      for (let id = start; id < start + 5; id++) {
        const p = { id, vector: vectorFor(id), payload: { n: id, kind: 'async' } };
        points.push(p);
        expected.set(id, { payload: p.payload, vector: p.vector });
      }
      await upsertRaw('durable_alias', points, false);
    }
    // wait=false updates of earlier points: overwrite, payload set, delete, vector update
    await upsertRaw(COSINE, [{ id: 10, vector: [0, 0, 0, 1], payload: { n: 10, kind: 'rewritten' } }], false);
    expected.set(10, { payload: { n: 10, kind: 'rewritten' }, vector: [0, 0, 0, 1] });

    let res = await srv.request('POST', `/collections/${COSINE}/points/payload?wait=false`, {
      payload: { extra: true }, points: [20, 160],
    });
    assert.equal(okResult(res).status, 'acknowledged');
    for (const id of [20, 160]) expected.get(id).payload = { ...expected.get(id).payload, extra: true };

    res = await srv.request('POST', `/collections/${COSINE}/points/delete?wait=false`, { points: [30, 31, 170] });
    assert.equal(okResult(res).status, 'acknowledged');
    for (const id of [30, 31, 170]) expected.delete(id);

    res = await srv.request('PUT', `/collections/${COSINE}/points/vectors?wait=false`, {
      points: [{ id: 40, vector: [1, 1, 0, 0] }],
    });
    assert.equal(okResult(res).status, 'acknowledged');
    expected.get(40).vector = [1, 1, 0, 0];

    res = await srv.request('POST', `/collections/${COSINE}/points/delete?wait=false`, {
      filter: { must: [{ key: 'n', range: { gte: 195 } }] },
    });
    assert.equal(okResult(res).status, 'acknowledged');
    for (const id of [195, 196, 197, 198, 199, 200]) expected.delete(id);

    // named + sparse collection, one point with only a sparse vector
    const namedPoints = [
      { id: 1, vector: { image: [1, 2], words: { indices: [3, 1], values: [0.5, 0.25] } }, payload: { k: 'both' } },
      { id: 2, vector: { image: [3, 4] }, payload: { k: 'dense' } },
      { id: 3, vector: { words: { indices: [7], values: [1.5] } }, payload: { k: 'sparse' } },
    ];
    await upsertRaw('named_alias', namedPoints.slice(0, 2), true);
    await upsertRaw(NAMED, namedPoints.slice(2), false);
    for (const p of namedPoints) expectedNamed.set(p.id, { payload: p.payload, vector: p.vector });

    await verifyAll('before the crash');

    // crash: no SIGTERM, nothing flushed on the way out
    await srv.kill9();
    await srv.restart();
    await verifyAll('after kill -9 and restart');
  });

  test('writes after recovery are durable too (second crash)', async () => {
    await upsertRaw(COSINE, [{ id: 500, vector: vectorFor(500), payload: { n: 500, kind: 'after' } }], false);
    expected.set(500, { payload: { n: 500, kind: 'after' }, vector: vectorFor(500) });
    await client.deletePayload(COSINE, { wait: true, points: [1], keys: ['tags'] });
    delete expected.get(1).payload.tags;
    await srv.kill9();
    await srv.restart();
    await verifyAll('after the second crash');
    assert.deepEqual(await client.collectionExists(GONE), { exists: false });
    assert.ok(!(await client.getAliases()).aliases.some((a) => a.alias_name === 'gone_alias'));
  });

  test('a graceful stop (SIGTERM) and restart keeps everything as well', async () => {
    await srv.stop();
    await srv.restart();
    await verifyAll('after SIGTERM and restart');
  });
});
