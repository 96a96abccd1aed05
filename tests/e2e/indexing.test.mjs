// Background HNSW indexing: a collection grows past optimizers_config.indexing_threshold, its
// status leaves green while the optimizer builds (yellow, or grey while queued) and comes back
// to green, indexed_vectors_count follows, and query results stay correct throughout (recall
// against `exact: true`), with and without a filter. A restart loads the saved segments; a
// changed hnsw_config rebuilds them. The optimizations report has Qdrant's shape.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { okResult, startServer } from './harness.mjs';

const C = 'indexing';
const DIM = 32;
const BATCH = 500;
const BATCHES = 10;
// 50 KB of 32-float vectors = 400 vectors: the first batch already passes it.
const THRESHOLD_KB = 50;

// A seeded generator, so that a failure can be replayed.
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(4);
const vector = () => Array.from({ length: DIM }, () => random() * 2 - 1);

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

describe('background indexing', () => {
  let srv;
  let client;
  const statuses = new Set();

  before(async () => {
    srv = await startServer();
    client = srv.client;
    await client.createCollection(C, {
      vectors: { size: DIM, distance: 'Cosine' },
      hnsw_config: { m: 16, ef_construct: 100, full_scan_threshold: 10 },
      optimizers_config: { indexing_threshold: THRESHOLD_KB },
    });
    await client.createPayloadIndex(C, { wait: true, field_name: 'group', field_schema: 'keyword' });
  });
  after(async () => {
    await srv?.cleanup();
  });

  // Mean recall@10 of the default search against exact=true over `n` random queries.
  async function recall(n, filter) {
    let hits = 0;
    let total = 0;
    for (let i = 0; i < n; i++) {
      const q = vector();
      const exact = await client.query(C, { query: q, limit: 10, filter, params: { exact: true } });
      const approx = await client.query(C, { query: q, limit: 10, filter });
      const truth = new Map(exact.points.map((p) => [p.id, p.score]));
      for (const p of approx.points) {
        if (truth.has(p.id)) {
          hits++;
          assert.ok(Math.abs(truth.get(p.id) - p.score) < 1e-5, `score of ${p.id} differs from exact`);
        }
      }
      total += exact.points.length;
    }
    return total === 0 ? 1 : hits / total;
  }

  async function info() {
    return okResult(await srv.request('GET', `/collections/${C}`));
  }

  test('grows past indexing_threshold: yellow/grey, then green; results stay correct', async () => {
    for (let b = 0; b < BATCHES; b++) {
      const points = Array.from({ length: BATCH }, (_, i) => {
        const id = b * BATCH + i;
        return { id, vector: vector(), payload: { group: id % 4 === 0 ? 'a' : 'b' } };
      });
      await client.upsert(C, { wait: true, points });
      statuses.add((await info()).status);
      // Throughout: whatever part is indexed, the answers are right.
      const r = await recall(5);
      assert.ok(r >= 0.9, `recall ${r} after batch ${b}`);
      statuses.add((await info()).status);
    }
    assert.ok(statuses.has('yellow') || statuses.has('grey'),
      `the status never showed indexing work: ${[...statuses]}`);

    let last;
    for (let i = 0; i < 600; i++) {
      last = await info();
      if (last.status === 'green') break;
      await sleep(100);
    }
    assert.equal(last.status, 'green', 'indexing never finished');
    assert.equal(last.points_count, BATCH * BATCHES);
    // Whatever arrived during the last build may stay unindexed while under the threshold.
    const unindexedMax = (THRESHOLD_KB * 1024) / (DIM * 4);
    assert.ok(last.indexed_vectors_count > 0, 'nothing was indexed');
    assert.ok(last.indexed_vectors_count >= BATCH * BATCHES - unindexedMax,
      `indexed_vectors_count ${last.indexed_vectors_count}`);

    assert.ok((await recall(30)) >= 0.95, 'recall after indexing');
    const filter = { must: [{ key: 'group', match: { value: 'a' } }] };
    assert.ok((await recall(20, filter)) >= 0.95, 'filtered recall after indexing');
    for (const p of (await client.query(C, { query: vector(), limit: 10, filter, with_payload: true })).points) {
      assert.equal(p.payload.group, 'a');
    }
  });

  test('deleted and updated points are never answered from stale index entries', async () => {
    const gone = Array.from({ length: 200 }, (_, i) => i * 7);
    await client.delete(C, { wait: true, points: gone });
    const q = vector();
    await client.updateVectors(C, { wait: true, points: [{ id: 3, vector: q }] });
    const { points } = await client.query(C, { query: q, limit: 20 });
    assert.equal(points[0].id, 3);
    assert.ok(Math.abs(points[0].score - 1) < 1e-5);
    const goneSet = new Set(gone);
    for (let i = 0; i < 10; i++) {
      for (const p of (await client.query(C, { query: vector(), limit: 20 })).points) {
        assert.ok(!goneSet.has(p.id), `deleted point ${p.id} returned`);
      }
    }
    assert.ok((await recall(10)) >= 0.95);
  });

  test('a restart loads the saved segments instead of rebuilding them', async () => {
    let before;
    for (let i = 0; i < 600; i++) {
      before = await info();
      if (before.status === 'green') break;
      await sleep(100);
    }
    assert.equal(before.status, 'green');
    await srv.restart();
    const after = await info();
    assert.equal(after.indexed_vectors_count, before.indexed_vectors_count);
    assert.equal(after.status, 'green');
    assert.ok((await recall(20)) >= 0.95, 'recall after a restart');
  });

  test('GET /collections/{c}/optimizations reports the builds', async () => {
    const report = okResult(await srv.request(
      'GET', `/collections/${C}/optimizations?with=queued,completed,idle_segments`));
    assert.ok(Array.isArray(report.running));
    assert.equal(typeof report.summary.queued_points, 'number');
    assert.ok(Array.isArray(report.completed));
    assert.ok(report.idle_segments.length >= 1, 'the loaded segment is idle');
    // A new build shows up as completed.
    await client.updateCollection(C, { hnsw_config: { ef_construct: 64 } });
    let done;
    for (let i = 0; i < 600 && !done; i++) {
      const r = okResult(await srv.request('GET', `/collections/${C}/optimizations?with=completed`));
      done = r.completed[0];
      if (!done) await sleep(100);
    }
    assert.ok(done, 'the rebuild after an hnsw_config change never completed');
    assert.equal(done.optimizer, 'config mismatch');  // Qdrant's name for a settings rebuild
    assert.equal(done.progress.name, 'config mismatch');
    assert.equal(done.status, 'done');
    assert.ok(done.progress.duration_sec >= 0);
    const bare = okResult(await srv.request('GET', `/collections/${C}/optimizations`));
    assert.equal(bare.completed, undefined);
    const bad = await srv.request('GET', `/collections/${C}/optimizations?with=everything`);
    assert.equal(bad.status, 400);
  });
});
