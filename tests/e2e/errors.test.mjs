// Errors: status codes and Qdrant's error envelope {"status": {"error": "..."}, "time": t},
// and that a rejected request changed nothing.
//
// Qdrant's split (actix): a body that does not parse or does not fit the types is 400
// ("Format error in JSON body: ..."), a body that parses but breaks a declared constraint is
// 422 ("Validation error in JSON body: ..."), engine-level rejections (dimension, unknown
// vector name) are 400 "Wrong input: ...", a missing collection or point is 404.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertErrorBody, okResult, startServer } from './harness.mjs';

const C = 'errs';

describe('errors', () => {
  let srv;
  let client;

  // Everything observable about the collection: points with payloads and vectors, and count.
  async function state(name = C) {
    const { points } = await client.scroll(name, { limit: 1000, with_payload: true, with_vector: true });
    const { count } = await client.count(name);
    return { points, count };
  }

  async function assertUnchanged(before, name = C) {
    assert.deepEqual(await state(name), before, 'a rejected request changed the collection');
  }

  before(async () => {
    srv = await startServer();
    client = srv.client;
    await client.createCollection(C, { vectors: { size: 4, distance: 'Dot' } });
    await client.upsert(C, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0, 0, 0], payload: { a: 1 } },
        { id: 2, vector: [0, 1, 0, 0], payload: { a: 2 } },
        { id: 3, vector: [0, 0, 1, 0], payload: { a: 3 } },
      ],
    });
    await client.createCollection('errs_named', {
      vectors: { image: { size: 2, distance: 'Dot' } },
    });
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('missing collection: 404 with exactly {status: {error}, time}', async () => {
    const res = await srv.request('GET', '/collections/x');
    assert.equal(res.status, 404);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.deepEqual(Object.keys(res.json).sort(), ['status', 'time']);
    assert.deepEqual(res.json.status, { error: 'Not found: Collection `x` doesn\'t exist!' });
    assert.equal(typeof res.json.time, 'number');
  });

  for (const [method, path, body] of [
    ['PUT', '/collections/nope/points?wait=true', { points: [{ id: 1, vector: [1, 2, 3, 4] }] }],
    ['POST', '/collections/nope/points/query', { query: [1, 2, 3, 4] }],
    ['POST', '/collections/nope/points/scroll', {}],
    ['POST', '/collections/nope/points/count', {}],
    ['POST', '/collections/nope/points', { ids: [1] }],
    ['GET', '/collections/nope/points/1', undefined],
    ['POST', '/collections/nope/points/delete?wait=true', { points: [1] }],
    ['POST', '/collections/nope/points/payload?wait=true', { payload: { a: 1 }, points: [1] }],
  ]) {
    test(`missing collection on ${method} ${path.split('?')[0]} is 404`, async () => {
      const msg = assertErrorBody(await srv.request(method, path, body), 404);
      assert.equal(msg, 'Not found: Collection `nope` doesn\'t exist!');
    });
  }

  test('the client surfaces a 404 as an error with the body', async () => {
    try {
      await client.getCollection('x');
      assert.fail('expected a 404');
    } catch (err) {
      assert.equal(err.status, 404);
      assert.equal(err.data.status.error, 'Not found: Collection `x` doesn\'t exist!');
    }
  });

  test('creating an existing collection is 409', async () => {
    const before = await state();
    const msg = assertErrorBody(await srv.request('PUT', `/collections/${C}`, {
      vectors: { size: 4, distance: 'Dot' },
    }), 409);
    assert.equal(msg, `Wrong input: Collection \`${C}\` already exists!`);
    await assertUnchanged(before);
  });

  for (const wait of ['true', 'false']) {
    test(`upsert with the wrong dimension is 400 (wait=${wait}) and stores nothing`, async () => {
      const before = await state();
      const res = await srv.request('PUT', `/collections/${C}/points?wait=${wait}`, {
        points: [{ id: 1, vector: [9, 9, 9] }],
      });
      const msg = assertErrorBody(res, 400);
      assert.match(msg, /Vector dimension error: expected dim: 4, got 3/);
      await assertUnchanged(before);
    });
  }

  test('batch-form upsert with the wrong dimension is 400', async () => {
    const before = await state();
    const res = await srv.request('PUT', `/collections/${C}/points?wait=true`, {
      batch: { ids: [7, 8], vectors: [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5]] },
    });
    assert.match(assertErrorBody(res, 400), /dimension/i);
    await assertUnchanged(before);
  });

  test('query with the wrong dimension is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/query`, { query: [1, 2] });
    assert.match(assertErrorBody(res, 400), /dimension/i);
  });

  test('legacy search with the wrong dimension is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/search`, { vector: [1, 2], limit: 1 });
    assert.match(assertErrorBody(res, 400), /dimension/i);
  });

  test('an unknown vector name is 400', async () => {
    const res = await srv.request('PUT', '/collections/errs_named/points?wait=true', {
      points: [{ id: 1, vector: { nope: [1, 2] } }],
    });
    assertErrorBody(res, 400);
    assert.equal((await client.count('errs_named')).count, 0);
  });

  test('malformed JSON is 400 "Format error in JSON body"', async () => {
    const before = await state();
    const res = await srv.request('PUT', `/collections/${C}/points?wait=true`,
      '{"points": [{"id": 5, "vector": [1, 2, 3, 4]}');
    const msg = assertErrorBody(res, 400);
    assert.match(msg, /^Format error in JSON body/);
    await assertUnchanged(before);
  });

  test('NaN (not JSON) in a vector is 400', async () => {
    const before = await state();
    const res = await srv.request('PUT', `/collections/${C}/points?wait=true`,
      '{"points": [{"id": 5, "vector": [NaN, 0, 0, 0]}]}');
    assertErrorBody(res, 400);
    await assertUnchanged(before);
  });

  test('Infinity (not JSON) in a query is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/query`, '{"query": [Infinity, 0, 0, 0]}');
    assertErrorBody(res, 400);
  });

  const wrongTypes = [
    ['a string as the vector', { points: [{ id: 5, vector: 'abcd' }] }],
    ['a negative id', { points: [{ id: -1, vector: [1, 2, 3, 4] }] }],
    ['a fractional id', { points: [{ id: 1.5, vector: [1, 2, 3, 4] }] }],
    ['a non-UUID string id', { points: [{ id: 'not-a-uuid', vector: [1, 2, 3, 4] }] }],
    ['a string inside the vector', { points: [{ id: 5, vector: [1, '2', 3, 4] }] }],
    ['a payload that is not an object', { points: [{ id: 5, vector: [1, 2, 3, 4], payload: [1, 2] }] }],
    ['points that is not a list', { points: { id: 5, vector: [1, 2, 3, 4] } }],
  ];
  for (const [what, body] of wrongTypes) {
    test(`upsert with ${what} is 400 and changes nothing`, async () => {
      const before = await state();
      assertErrorBody(await srv.request('PUT', `/collections/${C}/points?wait=true`, body), 400);
      await assertUnchanged(before);
    });
  }

  test('an empty vector fails validation (422)', async () => {
    const before = await state();
    const res = await srv.request('PUT', `/collections/${C}/points?wait=true`, {
      points: [{ id: 1000, vector: [] }],
    });
    assertErrorBody(res, 422);
    await assertUnchanged(before);
  });

  test('a limit of the wrong type is 400', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/query`, { query: [1, 0, 0, 0], limit: 'ten' });
    assertErrorBody(res, 400);
  });

  test('a limit of 0 fails validation (422)', async () => {
    const res = await srv.request('POST', `/collections/${C}/points/query`, { query: [1, 0, 0, 0], limit: 0 });
    const msg = assertErrorBody(res, 422);
    assert.match(msg, /^Validation error in JSON body/);
  });

  test('an unknown distance is 400', async () => {
    const res = await srv.request('PUT', '/collections/bad_distance', { vectors: { size: 4, distance: 'Foo' } });
    assertErrorBody(res, 400);
    assert.deepEqual(await client.collectionExists('bad_distance'), { exists: false });
  });

  test('vector size 0 fails validation (422)', async () => {
    const res = await srv.request('PUT', '/collections/bad_size', { vectors: { size: 0, distance: 'Dot' } });
    const msg = assertErrorBody(res, 422);
    assert.match(msg, /vectors\.size/);
    assert.deepEqual(await client.collectionExists('bad_size'), { exists: false });
  });

  test('hnsw ef_construct 0 fails validation (422) naming the field', async () => {
    const res = await srv.request('PUT', '/collections/bad_hnsw', {
      vectors: { size: 4, distance: 'Dot' }, hnsw_config: { ef_construct: 0 },
    });
    const msg = assertErrorBody(res, 422);
    assert.match(msg, /Validation error/);
    assert.match(msg, /hnsw_config\.ef_construct/);
    assert.deepEqual(await client.collectionExists('bad_hnsw'), { exists: false });
  });

  test('shard_number 0 is 422, -1 is 400', async () => {
    assertErrorBody(await srv.request('PUT', '/collections/bad_shards', {
      vectors: { size: 4, distance: 'Dot' }, shard_number: 0,
    }), 422);
    assertErrorBody(await srv.request('PUT', '/collections/bad_shards', {
      vectors: { size: 4, distance: 'Dot' }, shard_number: -1,
    }), 400);
    assert.deepEqual(await client.collectionExists('bad_shards'), { exists: false });
  });

  test('a timeout=0 query parameter fails validation (422)', async () => {
    const res = await srv.request('PUT', '/collections/bad_timeout?timeout=0', {
      vectors: { size: 4, distance: 'Dot' },
    });
    const msg = assertErrorBody(res, 422);
    assert.match(msg, /timeout: value 0 invalid/);
  });

  test('a collection name over 255 characters fails validation', async () => {
    const res = await srv.request('PUT', `/collections/${'n'.repeat(300)}`, {
      vectors: { size: 4, distance: 'Dot' },
    });
    const msg = assertErrorBody(res, 422);
    assert.match(msg, /Validation error/);
  });

  test('a failed request leaves the server fully usable', async () => {
    const res = await srv.request('PUT', `/collections/${C}/points?wait=true`, {
      points: [{ id: 4, vector: [0, 0, 0, 1], payload: { a: 4 } }],
    });
    assert.equal(okResult(res).status, 'completed');
    assert.equal((await client.count(C)).count, 4);
    await client.delete(C, { wait: true, points: [4] });
  });

  describe('max_request_size_mb', () => {
    let small;
    before(async () => {
      small = await startServer({ env: { QDRANT__SERVICE__MAX_REQUEST_SIZE_MB: '1' } });
      await small.client.createCollection('limited', { vectors: { size: 4, distance: 'Dot' } });
    });
    after(async () => {
      await small?.cleanup();
    });

    const body = (bytes) => {
      const pad = 'x'.repeat(1000);
      const n = Math.ceil(bytes / 1040);
      return JSON.stringify({
        points: Array.from({ length: n }, (_, i) => ({ id: i + 1, vector: [1, 0, 0, 0], payload: { pad } })),
      });
    };

    test('a body under the limit is accepted', async () => {
      const text = body(900 * 1024);
      assert.ok(text.length < 1024 * 1024);
      const res = await small.request('PUT', '/collections/limited/points?wait=true', text);
      assert.equal(okResult(res).status, 'completed');
    });

    test('a body over the limit is refused with 413 and stores nothing', async () => {
      const before = (await small.client.count('limited')).count;
      const text = body(1536 * 1024).replace('"id":1,', '"id":99999,');
      assert.ok(text.length > 1024 * 1024);
      let res;
      try {
        res = await small.request('PUT', '/collections/limited/points?wait=true', text);
      } catch (err) {
        assert.fail(`the server dropped the connection instead of answering: ${err.cause?.code ?? err.message}`);
      }
      // Qdrant answers 400 with this message after reading the body; Quiver refuses from the
      // Content-Length header alone, before buffering anything, with the status that says so.
      const msg = assertErrorBody(res, 413);
      assert.match(msg, /larger than allowed/);
      assert.equal((await small.client.count('limited')).count, before);
      assert.deepEqual(await small.client.retrieve('limited', { ids: [99999] }), []);
      // and the server still answers
      assert.equal((await small.request('GET', '/readyz')).status, 200);
    });
  });
});
