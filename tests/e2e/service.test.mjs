// Service endpoints: root, health probes, collection list, unknown routes.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { okResult, startServer } from './harness.mjs';

describe('service', () => {
  let srv;
  before(async () => {
    srv = await startServer();
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('GET / answers title and a semantic version', async () => {
    const res = await srv.request('GET', '/');
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    assert.equal(typeof res.json.title, 'string');
    assert.ok(res.json.title.length > 0, 'empty title');
    assert.match(res.json.version, /^\d+\.\d+\.\d+/, 'version must be semver: the clients parse it');
  });

  test('client versionInfo() reads the root document', async () => {
    const info = await srv.client.versionInfo();
    assert.match(info.version, /^\d+\.\d+\.\d+/);
    assert.equal(typeof info.title, 'string');
  });

  for (const probe of ['/healthz', '/livez']) {
    test(`GET ${probe} is 200 "healthz check passed"`, async () => {
      const res = await srv.request('GET', probe);
      assert.equal(res.status, 200);
      assert.equal(res.text, 'healthz check passed');
    });
  }

  test('GET /readyz is 200 "all shards are ready"', async () => {
    const res = await srv.request('GET', '/readyz');
    assert.equal(res.status, 200);
    assert.equal(res.text, 'all shards are ready');
  });

  test('GET /collections on an empty server lists nothing', async () => {
    const result = okResult(await srv.request('GET', '/collections'));
    assert.deepEqual(result, { collections: [] });
    assert.deepEqual(await srv.client.getCollections(), { collections: [] });
  });

  test('GET /aliases on an empty server lists nothing', async () => {
    const result = okResult(await srv.request('GET', '/aliases'));
    assert.deepEqual(result, { aliases: [] });
  });

  test('an unknown route is 404', async () => {
    const res = await srv.request('GET', '/no/such/route');
    assert.equal(res.status, 404);
  });

  test('a trailing slash is accepted like the route without it', async () => {
    // Qdrant normalises paths (actix NormalizePath::trim).
    const res = await srv.request('GET', '/collections/');
    assert.equal(res.status, 200, res.text);
    assert.deepEqual(res.json.result, { collections: [] });
  });

  test('responses carry time as a number and status "ok"', async () => {
    const res = await srv.request('GET', '/collections');
    assert.equal(res.json.status, 'ok');
    assert.equal(typeof res.json.time, 'number');
    assert.ok(res.json.time >= 0);
  });
});
