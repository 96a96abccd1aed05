// Points: upsert (list and batch), ids (integer and UUID), retrieve, delete, payload operations,
// vector updates, batch updates, scroll and count.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  assertErrorBody, assertVectorClose, compareIds, ids, okResult, rejectsWithStatus, startServer,
} from './harness.mjs';
import { normalize } from './vectors.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function eventually(check, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await sleep(25);
    }
  }
}

describe('points', () => {
  let srv;
  let client;
  let seq = 0;
  // A fresh unnamed 4-d Dot collection per test keeps the tests independent.
  async function fresh(options = { vectors: { size: 4, distance: 'Dot' } }) {
    const name = `pts_${++seq}`;
    await client.createCollection(name, options);
    return name;
  }

  before(async () => {
    srv = await startServer();
    client = srv.client;
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('upsert, list form: result is completed with an operation id', async () => {
    const c = await fresh();
    const result = await client.upsert(c, {
      wait: true,
      points: [
        { id: 1, vector: [0.05, 0.61, 0.76, 0.74], payload: { city: 'Berlin' } },
        { id: 2, vector: [0.19, 0.81, 0.75, 0.11], payload: { city: ['Berlin', 'London'] } },
        { id: 3, vector: [0.36, 0.55, 0.47, 0.94] },
      ],
    });
    assert.equal(result.status, 'completed');
    assert.ok(Number.isInteger(result.operation_id), JSON.stringify(result));
    const points = await client.retrieve(c, { ids: [1, 2, 3], with_vector: true });
    assert.deepEqual(ids(points), [1, 2, 3]);
    assert.deepEqual(points[0].payload, { city: 'Berlin' });
    assert.deepEqual(points[1].payload, { city: ['Berlin', 'London'] });
    assert.deepEqual(points[2].payload, {});
    assertVectorClose(points[1].vector, [0.19, 0.81, 0.75, 0.11]);
  });

  test('upsert, batch form: ids, vectors and payloads by position', async () => {
    const c = await fresh();
    await client.upsert(c, {
      wait: true,
      batch: {
        ids: [10, 11, 12],
        vectors: [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],
        payloads: [{ n: 10 }, { n: 11 }, { n: 12 }],
      },
    });
    const points = await client.retrieve(c, { ids: [12, 10, 11], with_vector: true });
    assert.deepEqual(ids(points), [12, 10, 11], 'retrieve keeps the requested order');
    assert.deepEqual(points.map((p) => p.payload.n), [12, 10, 11]);
    assertVectorClose(points[0].vector, [0, 0, 1, 0]);
    // batch without payloads
    await client.upsert(c, { wait: true, batch: { ids: [13], vectors: [[0, 0, 0, 1]] } });
    const [p13] = await client.retrieve(c, { ids: [13] });
    assert.deepEqual(p13.payload, {});
  });

  test('raw upsert with wait=true answers status "completed"', async () => {
    const c = await fresh();
    const res = await srv.request('PUT', `/collections/${c}/points?wait=true`, {
      points: [{ id: 1, vector: [1, 2, 3, 4] }],
    });
    const result = okResult(res);
    assert.equal(result.status, 'completed');
    assert.ok(Number.isInteger(result.operation_id));
  });

  test('upsert with wait=false is acknowledged and becomes visible', async () => {
    const c = await fresh();
    const res = await srv.request('PUT', `/collections/${c}/points?wait=false`, {
      points: [{ id: 7, vector: [1, 1, 1, 1], payload: { async: true } }],
    });
    assert.equal(okResult(res).status, 'acknowledged');
    await eventually(async () => {
      const points = await client.retrieve(c, { ids: [7] });
      assert.deepEqual(points.map((p) => p.payload), [{ async: true }]);
    });
  });

  test('operation ids increase with each update', async () => {
    const c = await fresh();
    const a = await client.upsert(c, { wait: true, points: [{ id: 1, vector: [1, 0, 0, 0] }] });
    const b = await client.upsert(c, { wait: true, points: [{ id: 2, vector: [0, 1, 0, 0] }] });
    assert.ok(b.operation_id > a.operation_id, `${a.operation_id} then ${b.operation_id}`);
  });

  test('upserting an existing id replaces its vector and whole payload', async () => {
    const c = await fresh();
    await client.upsert(c, { wait: true, points: [{ id: 5, vector: [1, 0, 0, 0], payload: { a: 1, b: 2 } }] });
    await client.upsert(c, { wait: true, points: [{ id: 5, vector: [0, 0, 0, 2], payload: { c: 3 } }] });
    let [p] = await client.retrieve(c, { ids: [5], with_vector: true });
    assert.deepEqual(p.payload, { c: 3 });
    assertVectorClose(p.vector, [0, 0, 0, 2]);
    await client.upsert(c, { wait: true, points: [{ id: 5, vector: [0, 0, 0, 3] }] });
    [p] = await client.retrieve(c, { ids: [5] });
    assert.deepEqual(p.payload, {}, 'a point upserted without payload has none');
    assert.equal((await client.count(c)).count, 1);
  });

  test('UUID ids: canonical form round-trips', async () => {
    const c = await fresh();
    const u1 = 'b524a3c4-c568-4383-8019-c9ca08243d6a';
    const u2 = '1d675313-d3dd-4646-8b98-8052364872da';
    await client.upsert(c, {
      wait: true,
      points: [
        { id: u1, vector: [0.15, 0.21, 0.96, 0.04], payload: { k: 1 } },
        { id: u2, vector: [0.19, 0.81, 0.75, 0.11], payload: { k: 2 } },
      ],
    });
    const res = await srv.request('GET', `/collections/${c}/points/${u1}`);
    const record = okResult(res);
    assert.equal(record.id, u1);
    assert.deepEqual(record.payload, { k: 1 });
    assertVectorClose(record.vector, [0.15, 0.21, 0.96, 0.04]);
    const { points } = await client.query(c, { query: [0.15, 0.21, 0.96, 0.04], limit: 2 });
    assert.deepEqual(ids(points).sort(), [u1, u2].sort());
  });

  test('UUID ids: uppercase and unhyphenated input is stored and returned canonical', async () => {
    const c = await fresh();
    const canonical = 'b524a3c4-c568-4383-8019-c9ca08243d6a';
    const simple = '1d675313d3dd46468b988052364872da';
    await client.upsert(c, {
      wait: true,
      points: [
        { id: canonical.toUpperCase(), vector: [1, 0, 0, 0] },
        { id: simple, vector: [0, 1, 0, 0] },
      ],
    });
    const { points } = await client.scroll(c, { limit: 10 });
    assert.deepEqual(ids(points), ['1d675313-d3dd-4646-8b98-8052364872da', canonical]);
    // Any spelling addresses the same point.
    const got = await client.retrieve(c, { ids: [canonical, simple.toUpperCase()] });
    assert.deepEqual(ids(got), [canonical, '1d675313-d3dd-4646-8b98-8052364872da']);
    await client.upsert(c, { wait: true, points: [{ id: canonical, vector: [0, 0, 1, 0] }] });
    assert.equal((await client.count(c)).count, 2, 'same UUID in two spellings is one point');
  });

  test('UUID ids: braced and urn forms are accepted and returned canonical', async () => {
    const c = await fresh();
    await client.upsert(c, {
      wait: true,
      points: [
        { id: '{a64a8051-3ee7-4881-8bc6-691d25c70d54}', vector: [1, 0, 0, 0] },
        { id: 'urn:uuid:7cb46fb3-e348-4762-93ad-7fb983d2b85e', vector: [0, 1, 0, 0] },
      ],
    });
    const { points } = await client.scroll(c, { limit: 10 });
    assert.deepEqual(ids(points), [
      '7cb46fb3-e348-4762-93ad-7fb983d2b85e',
      'a64a8051-3ee7-4881-8bc6-691d25c70d54',
    ]);
  });

  test('integer and UUID ids coexist; scroll orders integers first', async () => {
    const c = await fresh();
    const uuids = ['ffffffff-0000-4000-8000-000000000000', '00000000-0000-4000-8000-000000000001'];
    await client.upsert(c, {
      wait: true,
      points: [
        { id: uuids[0], vector: [1, 0, 0, 0] },
        { id: 42, vector: [0, 1, 0, 0] },
        { id: uuids[1], vector: [0, 0, 1, 0] },
        { id: 7, vector: [0, 0, 0, 1] },
      ],
    });
    const { points } = await client.scroll(c, { limit: 10 });
    assert.deepEqual(ids(points), [7, 42, uuids[1], uuids[0]]);
    assert.deepEqual(ids(points), [...ids(points)].sort(compareIds));
  });

  describe('retrieve', () => {
    let c;
    before(async () => {
      c = await fresh();
      await client.upsert(c, {
        wait: true,
        points: [
          { id: 1, vector: [1, 2, 3, 4], payload: { a: 1, b: 'x', meta: { source: 'web', lang: 'en' } } },
          { id: 2, vector: [4, 3, 2, 1], payload: { a: 2, b: 'y' } },
        ],
      });
    });

    test('GET /points/{id} returns payload and vector', async () => {
      const record = okResult(await srv.request('GET', `/collections/${c}/points/1`));
      assert.equal(record.id, 1);
      assert.deepEqual(record.payload, { a: 1, b: 'x', meta: { source: 'web', lang: 'en' } });
      assertVectorClose(record.vector, [1, 2, 3, 4]);
    });

    test('GET of a missing point is 404', async () => {
      const msg = assertErrorBody(await srv.request('GET', `/collections/${c}/points/999`), 404);
      assert.equal(msg, 'Not found: Point with id 999 does not exists!');
    });

    test('GET with an id that is neither integer nor UUID is 400', async () => {
      assertErrorBody(await srv.request('GET', `/collections/${c}/points/not-an-id`), 400);
    });

    test('POST /points: defaults are no payload and no vector', async () => {
      const result = okResult(await srv.request('POST', `/collections/${c}/points`, { ids: [2] }));
      assert.equal(result.length, 1);
      assert.equal(result[0].id, 2);
      assert.ok(result[0].payload == null, `payload: ${JSON.stringify(result[0].payload)}`);
      assert.ok(result[0].vector == null, `vector: ${JSON.stringify(result[0].vector)}`);
    });

    test('missing ids are skipped and duplicates collapse', async () => {
      const points = await client.retrieve(c, { ids: [2, 999, 1, 2] });
      assert.deepEqual(ids(points), [2, 1]);
    });

    test('with_payload variants: true, false, include list, include/exclude selectors', async () => {
      let [p] = await client.retrieve(c, { ids: [1], with_payload: false });
      assert.ok(p.payload == null);
      [p] = await client.retrieve(c, { ids: [1], with_payload: ['a'] });
      assert.deepEqual(p.payload, { a: 1 });
      [p] = await client.retrieve(c, { ids: [1], with_payload: { include: ['b', 'meta.source'] } });
      assert.deepEqual(p.payload, { b: 'x', meta: { source: 'web' } });
      [p] = await client.retrieve(c, { ids: [1], with_payload: { exclude: ['a', 'meta'] } });
      assert.deepEqual(p.payload, { b: 'x' });
      [p] = await client.retrieve(c, { ids: [1], with_payload: true });
      assert.deepEqual(p.payload, { a: 1, b: 'x', meta: { source: 'web', lang: 'en' } });
    });

    test('with_vector true and false', async () => {
      let [p] = await client.retrieve(c, { ids: [2], with_vector: true, with_payload: false });
      assertVectorClose(p.vector, [4, 3, 2, 1]);
      [p] = await client.retrieve(c, { ids: [2], with_vector: false });
      assert.ok(p.vector == null);
    });
  });

  test('Cosine collections store (and return) normalised vectors', async () => {
    const c = await fresh({ vectors: { size: 3, distance: 'Cosine' } });
    await client.upsert(c, { wait: true, points: [{ id: 1, vector: [3, 0, 4] }] });
    const [p] = await client.retrieve(c, { ids: [1], with_vector: true });
    assertVectorClose(p.vector, normalize([3, 0, 4]));
  });

  test('named vectors: retrieve all, some, or none', async () => {
    const c = await fresh({
      vectors: { image: { size: 2, distance: 'Dot' }, text: { size: 3, distance: 'Dot' } },
    });
    await client.upsert(c, {
      wait: true,
      points: [{ id: 1, vector: { image: [1, 2], text: [3, 4, 5] } }],
    });
    let [p] = await client.retrieve(c, { ids: [1], with_vector: true });
    assert.deepEqual(Object.keys(p.vector).sort(), ['image', 'text']);
    assertVectorClose(p.vector.image, [1, 2]);
    assertVectorClose(p.vector.text, [3, 4, 5]);
    [p] = await client.retrieve(c, { ids: [1], with_vector: ['text'] });
    assert.deepEqual(Object.keys(p.vector), ['text']);
  });

  describe('delete', () => {
    test('by ids, including ids that do not exist', async () => {
      const c = await fresh();
      await client.upsert(c, {
        wait: true,
        points: [1, 2, 3, 4, 5].map((id) => ({ id, vector: [id, 0, 0, 0] })),
      });
      const result = await client.delete(c, { wait: true, points: [2, 4, 100] });
      assert.equal(result.status, 'completed');
      const { points } = await client.scroll(c, { limit: 10 });
      assert.deepEqual(ids(points), [1, 3, 5]);
      assert.equal((await client.getCollection(c)).points_count, 3);
    });

    test('by filter', async () => {
      const c = await fresh();
      await client.upsert(c, {
        wait: true,
        points: [1, 2, 3, 4, 5, 6].map((id) => ({
          id, vector: [id, 0, 0, 0], payload: { parity: id % 2 ? 'odd' : 'even' },
        })),
      });
      await client.delete(c, {
        wait: true,
        filter: { must: [{ key: 'parity', match: { value: 'odd' } }] },
      });
      const { points } = await client.scroll(c, { limit: 10 });
      assert.deepEqual(ids(points), [2, 4, 6]);
      // has_id in a filter
      const res = await srv.request('POST', `/collections/${c}/points/delete?wait=true`, {
        filter: { must: [{ has_id: [4] }] },
      });
      assert.equal(okResult(res).status, 'completed');
      assert.deepEqual(ids((await client.scroll(c, { limit: 10 })).points), [2, 6]);
    });
  });

  describe('payload operations', () => {
    let c;
    before(async () => {
      c = await fresh();
      await client.upsert(c, {
        wait: true,
        points: [
          { id: 1, vector: [1, 0, 0, 0], payload: { city: 'Berlin', n: 1 } },
          { id: 2, vector: [0, 1, 0, 0], payload: { city: 'London', n: 2 } },
          { id: 3, vector: [0, 0, 1, 0], payload: { city: 'Berlin', n: 3 } },
          { id: 4, vector: [0, 0, 0, 1] },
        ],
      });
    });
    const payloadOf = async (id) => (await client.retrieve(c, { ids: [id] }))[0].payload;

    test('set (POST) merges; overwrite (PUT) replaces', async () => {
      const r = await client.setPayload(c, { wait: true, points: [4], payload: { key1: 'aaa', key2: 'bbb' } });
      assert.equal(r.status, 'completed');
      assert.deepEqual(await payloadOf(4), { key1: 'aaa', key2: 'bbb' });
      await client.setPayload(c, { wait: true, points: [4], payload: { key1: 'ccc' } });
      assert.deepEqual(await payloadOf(4), { key1: 'ccc', key2: 'bbb' });
      await client.overwritePayload(c, { wait: true, points: [4], payload: { key2: 'eee' } });
      assert.deepEqual(await payloadOf(4), { key2: 'eee' });
    });

    test('set payload with a null value removes that key (merge semantics)', async () => {
      await client.overwritePayload(c, { wait: true, points: [4], payload: { keep: 1, drop: 2 } });
      await client.setPayload(c, { wait: true, points: [4], payload: { drop: null, added: 'x' } });
      assert.deepEqual(await payloadOf(4), { keep: 1, added: 'x' });
      // whereas an upserted payload keeps explicit nulls
      await client.upsert(c, { wait: true, points: [{ id: 4, vector: [0, 0, 0, 1], payload: { n: null } }] });
      assert.deepEqual(await payloadOf(4), { n: null });
    });

    test('set payload by filter touches only matching points', async () => {
      await client.setPayload(c, {
        wait: true,
        payload: { flagged: true },
        filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] },
      });
      const { points } = await client.scroll(c, {
        filter: { must: [{ key: 'flagged', match: { value: true } }] },
      });
      assert.deepEqual(ids(points), [1, 3]);
    });

    test('set payload under a nested key', async () => {
      await client.overwritePayload(c, {
        wait: true,
        points: [2],
        payload: {
          city: 'London',
          key6: { subkey: 'xxx', arraykey: [{ a1: { a1k: 'xxx' } }, { a2: { a2k: 'xxx' } }], subkey2: { subkey3: 'xxx' } },
        },
      });
      await client.setPayload(c, { wait: true, points: [2], key: 'key6', payload: { subkey: 'yyy' } });
      await client.setPayload(c, { wait: true, points: [2], key: 'key6.subkey2', payload: { subkey3: 'yyy' } });
      await client.setPayload(c, { wait: true, points: [2], key: 'key6.arraykey[0].a1', payload: { a1k: 'yyy' } });
      await client.setPayload(c, { wait: true, points: [2], key: 'key6.subkey7', payload: { key: 'new' } });
      assert.deepEqual(await payloadOf(2), {
        city: 'London',
        key6: {
          subkey: 'yyy',
          arraykey: [{ a1: { a1k: 'yyy' } }, { a2: { a2k: 'xxx' } }],
          subkey2: { subkey3: 'yyy' },
          subkey7: { key: 'new' },
        },
      });
    });

    test('delete payload keys, including a nested path', async () => {
      await client.overwritePayload(c, {
        wait: true, points: [3], payload: { city: 'Berlin', n: 3, meta: { a: 1, b: 2 } },
      });
      const r = await client.deletePayload(c, { wait: true, points: [3], keys: ['n', 'meta.a'] });
      assert.equal(r.status, 'completed');
      assert.deepEqual(await payloadOf(3), { city: 'Berlin', meta: { b: 2 } });
    });

    test('delete payload keys by filter', async () => {
      await client.setPayload(c, { wait: true, points: [1, 2], payload: { tmp: 'x' } });
      await client.deletePayload(c, {
        wait: true, keys: ['tmp'], filter: { must: [{ key: 'tmp', match: { value: 'x' } }] },
      });
      assert.equal((await client.count(c, { filter: { must: [{ key: 'tmp', match: { value: 'x' } }] } })).count, 0);
    });

    test('clear payload by ids and by filter', async () => {
      const r = await client.clearPayload(c, { wait: true, points: [1] });
      assert.equal(r.status, 'completed');
      assert.deepEqual(await payloadOf(1), {});
      await client.clearPayload(c, { wait: true, filter: { must: [{ has_id: [3] }] } });
      assert.deepEqual(await payloadOf(3), {});
      assert.notDeepEqual(await payloadOf(2), {});
    });

    test('setting payload on a missing point is 404 and creates no point', async () => {
      const res = await srv.request('POST', `/collections/${c}/points/payload?wait=true`, {
        payload: { x: 1 }, points: [12345],
      });
      const msg = assertErrorBody(res, 404);
      assert.equal(msg, 'Not found: No point with id 12345 found');
      assert.deepEqual(await client.retrieve(c, { ids: [12345] }), []);
      assert.equal((await client.count(c)).count, 4);
    });
  });

  describe('vectors', () => {
    let c;
    before(async () => {
      c = await fresh({
        vectors: { image: { size: 2, distance: 'Dot' }, text: { size: 3, distance: 'Dot' } },
      });
      await client.upsert(c, {
        wait: true,
        points: [
          { id: 1, vector: { image: [1, 0], text: [1, 0, 0] }, payload: { keep: 1 } },
          { id: 2, vector: { image: [0, 1], text: [0, 1, 0] }, payload: { keep: 2 } },
        ],
      });
    });

    test('updateVectors replaces one named vector and keeps the rest', async () => {
      const r = await client.updateVectors(c, { wait: true, points: [{ id: 1, vector: { image: [5, 6] } }] });
      assert.equal(r.status, 'completed');
      const [p] = await client.retrieve(c, { ids: [1], with_vector: true });
      assertVectorClose(p.vector.image, [5, 6]);
      assertVectorClose(p.vector.text, [1, 0, 0]);
      assert.deepEqual(p.payload, { keep: 1 });
    });

    test('deleteVectors removes the named vector only', async () => {
      const r = await client.deleteVectors(c, { wait: true, points: [2], vector: ['image'] });
      assert.equal(r.status, 'completed');
      const [p] = await client.retrieve(c, { ids: [2], with_vector: true });
      assert.deepEqual(Object.keys(p.vector), ['text']);
      assert.deepEqual(p.payload, { keep: 2 });
      // the point no longer answers searches on that vector
      const { points } = await client.query(c, { query: [0, 1], using: 'image', limit: 10 });
      assert.deepEqual(ids(points), [1]);
    });

    test('updateVectors on an unnamed collection', async () => {
      const u = await fresh();
      await client.upsert(u, { wait: true, points: [{ id: 1, vector: [1, 1, 1, 1], payload: { p: 1 } }] });
      await client.updateVectors(u, { wait: true, points: [{ id: 1, vector: [2, 2, 2, 2] }] });
      const [p] = await client.retrieve(u, { ids: [1], with_vector: true });
      assertVectorClose(p.vector, [2, 2, 2, 2]);
      assert.deepEqual(p.payload, { p: 1 });
    });

    test('updateVectors of a missing point is 404', async () => {
      const res = await srv.request('PUT', `/collections/${c}/points/vectors?wait=true`, {
        points: [{ id: 777, vector: { image: [1, 1] } }],
      });
      assertErrorBody(res, 404);
    });
  });

  test('batchUpdate applies operations in order', async () => {
    const c = await fresh({
      vectors: { image: { size: 2, distance: 'Dot' }, text: { size: 2, distance: 'Dot' } },
    });
    const operations = [
      { upsert: { points: [
        { id: 1, vector: { image: [1, 0], text: [1, 0] }, payload: { v: 1 } },
        { id: 2, vector: { image: [0, 1], text: [0, 1] }, payload: { v: 2 } },
        { id: 3, vector: { image: [1, 1], text: [1, 1] }, payload: { v: 3 } },
      ] } },
      { set_payload: { payload: { tag: 'a' }, points: [1, 2] } },
      { delete: { points: [2] } },
      { upsert: { batch: { ids: [2], vectors: { image: [[2, 2]], text: [[3, 3]] }, payloads: [{ v: 22 }] } } },
      { overwrite_payload: { payload: { only: true }, points: [3] } },
      { delete_payload: { keys: ['v'], points: [1] } },
      { update_vectors: { points: [{ id: 1, vector: { text: [9, 9] } }] } },
      { delete_vectors: { points: [3], vector: ['text'] } },
      { set_payload: { payload: { last: 1 }, points: [3] } },
      { clear_payload: { points: [2] } },
    ];
    const results = await client.batchUpdate(c, { wait: true, operations });
    assert.equal(results.length, operations.length);
    for (const r of results) assert.equal(r.status, 'completed');

    const points = await client.retrieve(c, { ids: [1, 2, 3], with_vector: true });
    assert.deepEqual(ids(points), [1, 2, 3]);
    const [p1, p2, p3] = points;
    assert.deepEqual(p1.payload, { tag: 'a' });
    assertVectorClose(p1.vector.text, [9, 9]);
    assertVectorClose(p1.vector.image, [1, 0]);
    assert.deepEqual(p2.payload, {}, 'deleted, re-created without the tag, then cleared');
    assertVectorClose(p2.vector.image, [2, 2]);
    assertVectorClose(p2.vector.text, [3, 3]);
    assert.deepEqual(p3.payload, { only: true, last: 1 });
    assert.deepEqual(Object.keys(p3.vector), ['image']);
  });

  test('raw batch update answers one UpdateResult per operation', async () => {
    const c = await fresh();
    const res = await srv.request('POST', `/collections/${c}/points/batch?wait=true`, {
      operations: [
        { upsert: { points: [{ id: 1, vector: [1, 0, 0, 0] }] } },
        { delete: { points: [1] } },
      ],
    });
    const result = okResult(res);
    assert.equal(result.length, 2);
    assert.ok(result.every((r) => r.status === 'completed'));
    assert.equal((await client.count(c)).count, 0);
  });

  describe('scroll and count', () => {
    let c;
    before(async () => {
      c = await fresh();
      await client.upsert(c, {
        wait: true,
        points: Array.from({ length: 25 }, (_, i) => ({
          id: i + 1, vector: [i, 1, 0, 0], payload: { group: i % 3, i: i + 1 },
        })),
      });
    });

    test('scroll pages through all points in id order with next_page_offset', async () => {
      const seen = [];
      let offset;
      let pages = 0;
      for (;;) {
        const page = await client.scroll(c, { limit: 10, offset, with_payload: false });
        seen.push(...ids(page.points));
        pages++;
        if (page.next_page_offset == null) break;
        assert.equal(page.next_page_offset, seen[seen.length - 1] + 1);
        offset = page.next_page_offset;
      }
      assert.equal(pages, 3);
      assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => i + 1));
    });

    test('scroll with a filter, payload and vectors', async () => {
      const page = await client.scroll(c, {
        filter: { must: [{ key: 'group', match: { value: 1 } }] },
        limit: 3,
        with_payload: true,
        with_vector: true,
      });
      assert.deepEqual(ids(page.points), [2, 5, 8]);
      assert.equal(page.next_page_offset, 11);
      assert.deepEqual(page.points[0].payload, { group: 1, i: 2 });
      assertVectorClose(page.points[0].vector, [1, 1, 0, 0]);
    });

    test('raw scroll: default limit is 10 and payload is included', async () => {
      const result = okResult(await srv.request('POST', `/collections/${c}/points/scroll`, {}));
      assert.equal(result.points.length, 10);
      assert.equal(result.next_page_offset, 11);
      assert.deepEqual(result.points[0].payload, { group: 0, i: 1 });
    });

    test('count, with and without filter', async () => {
      assert.deepEqual(await client.count(c), { count: 25 });
      assert.deepEqual(await client.count(c, { filter: { must: [{ key: 'group', match: { value: 0 } }] } }), { count: 9 });
      const result = okResult(await srv.request('POST', `/collections/${c}/points/count`, {
        filter: { must_not: [{ key: 'group', match: { value: 0 } }] }, exact: true,
      }));
      assert.deepEqual(result, { count: 16 });
    });
  });
});
