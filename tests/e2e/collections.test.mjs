// Collections: create (unnamed, named, sparse, every distance), info, list, exists, update,
// delete, and aliases.

import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { assertErrorBody, okResult, rejectsWithStatus, startServer } from './harness.mjs';

const DISTANCES = ['Cosine', 'Dot', 'Euclid', 'Manhattan'];

describe('collections', () => {
  let srv;
  let client;
  before(async () => {
    srv = await startServer();
    client = srv.client;
  });
  after(async () => {
    await srv?.cleanup();
  });

  for (const distance of DISTANCES) {
    test(`create an unnamed-vector collection with ${distance} distance`, async () => {
      const name = `unnamed_${distance.toLowerCase()}`;
      assert.equal(await client.createCollection(name, { vectors: { size: 4, distance } }), true);
      const info = await client.getCollection(name);
      assert.equal(info.status, 'green');
      assert.equal(info.optimizer_status, 'ok');
      assert.equal(info.points_count, 0);
      assert.equal(typeof info.segments_count, 'number');
      assert.deepEqual(info.payload_schema, {});
      assert.equal(info.config.params.vectors.size, 4);
      assert.equal(info.config.params.vectors.distance, distance);
      assert.equal(typeof info.config.hnsw_config.m, 'number');
      assert.equal(typeof info.config.hnsw_config.ef_construct, 'number');
      assert.equal(typeof info.config.optimizer_config.default_segment_number, 'number');
    });
  }

  test('create a collection with named dense vectors and a sparse vector', async () => {
    const name = 'named_vectors';
    const ok = await client.createCollection(name, {
      vectors: {
        image: { size: 4, distance: 'Dot' },
        text: { size: 8, distance: 'Cosine' },
      },
      sparse_vectors: { keywords: {} },
    });
    assert.equal(ok, true);
    const info = await client.getCollection(name);
    assert.deepEqual(Object.keys(info.config.params.vectors).sort(), ['image', 'text']);
    assert.equal(info.config.params.vectors.image.size, 4);
    assert.equal(info.config.params.vectors.image.distance, 'Dot');
    assert.equal(info.config.params.vectors.text.size, 8);
    assert.equal(info.config.params.vectors.text.distance, 'Cosine');
    assert.ok(info.config.params.sparse_vectors, 'sparse_vectors missing from config.params');
    assert.deepEqual(Object.keys(info.config.params.sparse_vectors), ['keywords']);
  });

  test('create with explicit hnsw and optimizer settings reports them back', async () => {
    const name = 'tuned';
    await client.createCollection(name, {
      vectors: { size: 3, distance: 'Euclid' },
      hnsw_config: { m: 32, ef_construct: 200 },
      optimizers_config: { indexing_threshold: 5000 },
      on_disk_payload: true,
    });
    const info = await client.getCollection(name);
    assert.equal(info.config.hnsw_config.m, 32);
    assert.equal(info.config.hnsw_config.ef_construct, 200);
    assert.equal(info.config.optimizer_config.indexing_threshold, 5000);
    assert.equal(info.config.params.on_disk_payload, true);
  });

  test('raw PUT /collections/{name} answers {result: true, status: "ok", time}', async () => {
    const res = await srv.request('PUT', '/collections/raw_create', {
      vectors: { size: 2, distance: 'Dot' },
    });
    assert.equal(okResult(res), true);
  });

  test('creating a collection twice is 409 and keeps the first one', async () => {
    const name = 'twice';
    await client.createCollection(name, { vectors: { size: 4, distance: 'Dot' } });
    await client.upsert(name, { wait: true, points: [{ id: 1, vector: [1, 2, 3, 4] }] });
    const res = await srv.request('PUT', `/collections/${name}`, {
      vectors: { size: 8, distance: 'Cosine' },
    });
    const msg = assertErrorBody(res, 409);
    assert.equal(msg, `Wrong input: Collection \`${name}\` already exists!`);
    const info = await client.getCollection(name);
    assert.equal(info.config.params.vectors.size, 4);
    assert.equal(info.config.params.vectors.distance, 'Dot');
    assert.equal(info.points_count, 1);
    const body = await rejectsWithStatus(
      client.createCollection(name, { vectors: { size: 4, distance: 'Dot' } }), 409);
    assert.match(body.status.error, /already exists/);
  });

  test('points_count follows upserts and deletes', async () => {
    const name = 'counting';
    await client.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await client.upsert(name, {
      wait: true,
      points: [1, 2, 3].map((id) => ({ id, vector: [id, 1] })),
    });
    assert.equal((await client.getCollection(name)).points_count, 3);
    await client.delete(name, { wait: true, points: [2] });
    assert.equal((await client.getCollection(name)).points_count, 2);
  });

  test('getCollections lists every collection; collectionExists tells', async () => {
    await client.createCollection('listed_a', { vectors: { size: 2, distance: 'Dot' } });
    await client.createCollection('listed_b', { vectors: { size: 2, distance: 'Dot' } });
    const { collections } = await client.getCollections();
    const names = collections.map((c) => c.name);
    assert.ok(names.includes('listed_a') && names.includes('listed_b'), JSON.stringify(names));
    assert.equal(new Set(names).size, names.length, 'duplicate names');
    assert.deepEqual(await client.collectionExists('listed_a'), { exists: true });
    assert.deepEqual(await client.collectionExists('never_created'), { exists: false });
    const res = await srv.request('GET', '/collections/never_created/exists');
    assert.deepEqual(okResult(res), { exists: false });
  });

  test('PATCH updates optimizer and hnsw settings', async () => {
    const name = 'patched';
    await client.createCollection(name, { vectors: { size: 4, distance: 'Cosine' } });
    assert.equal(await client.updateCollection(name, {
      optimizers_config: { indexing_threshold: 12345, default_segment_number: 3 },
    }), true);
    let info = await client.getCollection(name);
    assert.equal(info.config.optimizer_config.indexing_threshold, 12345);
    assert.equal(info.config.optimizer_config.default_segment_number, 3);

    const res = await srv.request('PATCH', `/collections/${name}`, {
      hnsw_config: { ef_construct: 123 },
    });
    assert.equal(okResult(res), true);
    info = await client.getCollection(name);
    assert.equal(info.config.hnsw_config.ef_construct, 123);
    // the earlier update is kept
    assert.equal(info.config.optimizer_config.indexing_threshold, 12345);
  });

  test('PATCH of a missing collection is 404', async () => {
    const res = await srv.request('PATCH', '/collections/missing_patch', {
      optimizers_config: { indexing_threshold: 1000 },
    });
    assertErrorBody(res, 404);
  });

  test('delete removes the collection; deleting again answers false', async () => {
    const name = 'doomed';
    await client.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    await client.upsert(name, { wait: true, points: [{ id: 1, vector: [1, 1] }] });
    assert.equal(await client.deleteCollection(name), true);
    assert.deepEqual(await client.collectionExists(name), { exists: false });
    const res = await srv.request('GET', `/collections/${name}`);
    const msg = assertErrorBody(res, 404);
    assert.equal(msg, `Not found: Collection \`${name}\` doesn't exist!`);
    // Qdrant answers 200 with result false for a collection that is not there.
    assert.equal(okResult(await srv.request('DELETE', `/collections/${name}`)), false);
    // Re-creating under the same name starts empty.
    await client.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
    assert.equal((await client.getCollection(name)).points_count, 0);
  });

  describe('aliases', () => {
    const sortAliases = (list) =>
      [...list].sort((a, b) => a.alias_name.localeCompare(b.alias_name));
    const createAlias = (alias, collection = 'alias_target') =>
      client.updateCollectionAliases({
        actions: [{ create_alias: { collection_name: collection, alias_name: alias } }],
      });

    before(async () => {
      for (const name of ['alias_target', 'alias_other']) {
        await client.createCollection(name, { vectors: { size: 2, distance: 'Dot' } });
      }
      await client.upsert('alias_target', {
        wait: true,
        points: [
          { id: 1, vector: [1, 0], payload: { where: 'target' } },
          { id: 2, vector: [0, 1], payload: { where: 'target' } },
          { id: 3, vector: [1, 1], payload: { where: 'target' } },
        ],
      });
    });
    // Every test starts without aliases, whatever the previous one left behind.
    beforeEach(async () => {
      const { aliases } = await client.getAliases();
      if (aliases.length) {
        await client.updateCollectionAliases({
          actions: aliases.map((a) => ({ delete_alias: { alias_name: a.alias_name } })),
        });
      }
    });

    test('create and list an alias', async () => {
      assert.equal(await createAlias('prod'), true);
      let { aliases } = await client.getAliases();
      assert.deepEqual(aliases, [{ alias_name: 'prod', collection_name: 'alias_target' }]);
      ({ aliases } = await client.getCollectionAliases('alias_target'));
      assert.deepEqual(aliases, [{ alias_name: 'prod', collection_name: 'alias_target' }]);
      ({ aliases } = await client.getCollectionAliases('alias_other'));
      assert.deepEqual(aliases, []);
    });

    test('an alias works wherever a collection name does: info, query, upsert, count', async () => {
      await createAlias('prod');
      const info = await client.getCollection('prod');
      assert.equal(info.config.params.vectors.size, 2);
      const { points } = await client.query('prod', { query: [1, 0], limit: 1 });
      assert.equal(points[0].id, 1);
      await client.upsert('prod', { wait: true, points: [{ id: 3, vector: [1, 1], payload: { via: 'alias' } }] });
      const [p3] = await client.retrieve('alias_target', { ids: [3] });
      assert.deepEqual(p3.payload, { via: 'alias' });
      assert.equal((await client.count('alias_target')).count, 3);
      assert.equal((await client.count('prod')).count, 3);
    });

    test('collectionExists is true for an alias', async () => {
      await createAlias('prod');
      // Qdrant resolves aliases in GET /collections/{name}/exists like everywhere else.
      assert.deepEqual(await client.collectionExists('prod'), { exists: true });
    });

    test('rename an alias', async () => {
      await createAlias('prod');
      assert.equal(await client.updateCollectionAliases({
        actions: [{ rename_alias: { old_alias_name: 'prod', new_alias_name: 'live' } }],
      }), true);
      const { aliases } = await client.getAliases();
      assert.deepEqual(aliases, [{ alias_name: 'live', collection_name: 'alias_target' }]);
      await rejectsWithStatus(client.query('prod', { query: [1, 0], limit: 1 }), 404);
      assert.equal((await client.query('live', { query: [1, 0], limit: 1 })).points[0].id, 1);
    });

    test('delete an alias; the collection stays', async () => {
      await createAlias('live');
      const before = (await client.count('alias_target')).count;
      assert.equal(await client.updateCollectionAliases({
        actions: [{ delete_alias: { alias_name: 'live' } }],
      }), true);
      assert.deepEqual((await client.getAliases()).aliases, []);
      const res = await srv.request('POST', '/collections/live/points/query', { query: [1, 0] });
      const msg = assertErrorBody(res, 404);
      assert.equal(msg, 'Not found: Collection `live` doesn\'t exist!');
      assert.equal((await client.count('alias_target')).count, before);
    });

    test('several actions in one request apply in order; an alias can be switched', async () => {
      await client.updateCollectionAliases({
        actions: [
          { create_alias: { collection_name: 'alias_target', alias_name: 'blue' } },
          { create_alias: { collection_name: 'alias_target', alias_name: 'green' } },
        ],
      });
      // Atomic switch: delete then re-create pointing elsewhere.
      await client.updateCollectionAliases({
        actions: [
          { delete_alias: { alias_name: 'green' } },
          { create_alias: { collection_name: 'alias_other', alias_name: 'green' } },
        ],
      });
      const { aliases } = await client.getAliases();
      assert.deepEqual(sortAliases(aliases), [
        { alias_name: 'blue', collection_name: 'alias_target' },
        { alias_name: 'green', collection_name: 'alias_other' },
      ]);
      assert.equal((await client.count('green')).count, 0);
      assert.equal((await client.count('blue')).count, 3);
      await client.updateCollectionAliases({
        actions: [
          { delete_alias: { alias_name: 'blue' } },
          { delete_alias: { alias_name: 'green' } },
        ],
      });
      assert.deepEqual((await client.getAliases()).aliases, []);
    });

    test('an alias cannot take the name of an existing collection (409)', async () => {
      const res = await srv.request('POST', '/collections/aliases', {
        actions: [{ create_alias: { collection_name: 'alias_target', alias_name: 'alias_other' } }],
      });
      assertErrorBody(res, 409);
      assert.deepEqual((await client.getAliases()).aliases, []);
    });

    test('a collection cannot take the name of an existing alias (400)', async () => {
      await client.updateCollectionAliases({
        actions: [{ create_alias: { collection_name: 'alias_target', alias_name: 'taken' } }],
      });
      const res = await srv.request('PUT', '/collections/taken', {
        vectors: { size: 2, distance: 'Dot' },
      });
      assertErrorBody(res, 400);
      // still the alias
      assert.equal((await client.getCollection('taken')).points_count, 3);
      await client.updateCollectionAliases({ actions: [{ delete_alias: { alias_name: 'taken' } }] });
    });

    test('an alias to a missing collection is 404', async () => {
      const res = await srv.request('POST', '/collections/aliases', {
        actions: [{ create_alias: { collection_name: 'no_such_collection', alias_name: 'dangling' } }],
      });
      assertErrorBody(res, 404);
      assert.deepEqual((await client.getAliases()).aliases, []);
    });

    test('renaming a missing alias is 404', async () => {
      const res = await srv.request('POST', '/collections/aliases', {
        actions: [{ rename_alias: { old_alias_name: 'ghost', new_alias_name: 'ghost2' } }],
      });
      assertErrorBody(res, 404);
    });

    test('deleting a collection removes its aliases', async () => {
      await client.createCollection('short_lived', { vectors: { size: 2, distance: 'Dot' } });
      await client.updateCollectionAliases({
        actions: [{ create_alias: { collection_name: 'short_lived', alias_name: 'short_alias' } }],
      });
      await client.deleteCollection('short_lived');
      const { aliases } = await client.getAliases();
      assert.ok(!aliases.some((a) => a.alias_name === 'short_alias'), JSON.stringify(aliases));
      await rejectsWithStatus(client.getCollection('short_alias'), 404);
    });
  });
});
