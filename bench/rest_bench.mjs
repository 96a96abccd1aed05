// REST figures for the server as a whole: upsert throughput, exact query latency, resident
// memory, snapshot create / restore times, and the time from start to /readyz with the data
// stored. A program that prints
// figures, not a test: `make bench-rest` (or node bench/rest_bench.mjs --points 100000).
//
// It starts its own build/quiver on a free port with a temporary storage directory, sends
// pre-serialised JSON bodies (so client-side encoding is not timed), one request at a time.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = Object.fromEntries(
  process.argv.slice(2).reduce((pairs, a, i, all) => (a.startsWith('--') ? [...pairs, [a.slice(2), all[i + 1]]] : pairs), []),
);
const POINTS = Number(args.points ?? 100000);
const DIM = Number(args.dim ?? 128);
const BATCH = Number(args.batch ?? 1000);
const QUERIES = Number(args.queries ?? 200);
const DISTANCE = args.distance ?? 'Cosine';
const BIN = args.bin ?? path.join(REPO, 'build', 'quiver');

// Deterministic pseudo-random numbers (mulberry32), so runs compare.
function rng(seed) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(42);
const vector = () => Array.from({ length: DIM }, () => Number((random() * 2 - 1).toFixed(6)));

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function start(storage, port) {
  const t0 = performance.now();
  const proc = spawn(BIN, [], {
    cwd: storage,
    env: { ...process.env, QDRANT__SERVICE__HOST: '127.0.0.1', QDRANT__SERVICE__HTTP_PORT: String(port),
           QDRANT__STORAGE__STORAGE_PATH: path.join(storage, 'storage'),
           QDRANT__STORAGE__SNAPSHOTS_PATH: path.join(storage, 'snapshots'), QDRANT__LOG_LEVEL: 'WARN' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/readyz`);
      if (r.status === 200) break;
    } catch { /* not listening yet */ }
    if (performance.now() - t0 > 120000) throw new Error('server did not become ready');
    await new Promise((r) => setTimeout(r, 5));
  }
  return { proc, ready_ms: performance.now() - t0 };
}

async function stop(proc) {
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGTERM');
  await exited;
}

async function call(base, method, route, body) {
  const r = await fetch(base + route, { method, body, headers: { 'content-type': 'application/json' } });
  const text = await r.text();
  if (r.status !== 200) throw new Error(`${method} ${route}: ${r.status} ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

const rssMiB = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) / 1024;
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

const dir = mkdtempSync(path.join(os.tmpdir(), 'quiver-bench-'));
const port = await freePort();
const base = `http://127.0.0.1:${port}`;
try {
  let { proc } = await start(dir, port);
  await call(base, 'PUT', '/collections/bench', JSON.stringify({ vectors: { size: DIM, distance: DISTANCE } }));

  const bodies = [];
  for (let first = 0; first < POINTS; first += BATCH) {
    const points = [];
    for (let id = first; id < Math.min(POINTS, first + BATCH); ++id) {
      points.push({ id, vector: vector(), payload: { group: id % 10, name: `p${id}` } });
    }
    bodies.push(JSON.stringify({ points }));
  }
  const t0 = performance.now();
  for (const body of bodies) await call(base, 'PUT', '/collections/bench/points?wait=true', body);
  const upsert_s = (performance.now() - t0) / 1000;

  const latencies = [];
  for (let i = 0; i < QUERIES; ++i) {
    const body = JSON.stringify({ query: vector(), limit: 10, params: { exact: true } });
    const q0 = performance.now();
    const res = await call(base, 'POST', '/collections/bench/points/query', body);
    latencies.push(performance.now() - q0);
    if (res.result.points.length !== 10) throw new Error('expected 10 results');
  }
  latencies.sort((a, b) => a - b);
  const rss = rssMiB(proc.pid);

  // Snapshot of the whole collection, restored from its file into a new collection.
  const s0 = performance.now();
  const snapshot = (await call(base, 'POST', '/collections/bench/snapshots')).result;
  const snapshot_s = (performance.now() - s0) / 1000;
  const r0 = performance.now();
  await call(base, 'PUT', '/collections/restored/snapshots/recover',
    JSON.stringify({ location: `file://${path.join(dir, 'snapshots', 'bench', snapshot.name)}` }));
  const restore_s = (performance.now() - r0) / 1000;
  const restored = (await call(base, 'GET', '/collections/restored')).result.points_count;
  if (restored !== POINTS) throw new Error(`restored ${restored} points, expected ${POINTS}`);
  await call(base, 'DELETE', '/collections/restored');
  const info = await call(base, 'GET', '/collections/bench');
  await stop(proc);

  ({ proc } = await start(dir, port));
  const restart = await (async () => {
    const again = await call(base, 'GET', '/collections/bench');
    return again.result.points_count;
  })();
  const restarted_rss = rssMiB(proc.pid);
  await stop(proc);
  const third = await start(dir, port);
  await stop(third.proc);

  const mean = latencies.reduce((a, b) => a + b, 0) / latencies.length;
  console.log(`Quiver REST benchmark: ${POINTS} points, ${DIM} dims, ${DISTANCE}, batches of ${BATCH}, ${QUERIES} queries`);
  console.log(`upsert (wait=true)        ${(POINTS / upsert_s).toFixed(0)} points/s (${upsert_s.toFixed(2)} s)`);
  console.log(`exact query, limit 10     mean ${mean.toFixed(2)} ms, p50 ${pct(latencies, 50).toFixed(2)} ms, p99 ${pct(latencies, 99).toFixed(2)} ms`);
  console.log(`snapshot create           ${snapshot_s.toFixed(2)} s (${(snapshot.size / 2 ** 20).toFixed(1)} MiB archive, SHA-256 included)`);
  console.log(`snapshot restore (file)   ${restore_s.toFixed(2)} s (${restored} points)`);
  console.log(`resident memory           ${rss.toFixed(0)} MiB after loading, ${restarted_rss.toFixed(0)} MiB after a restart`);
  console.log(`start to /readyz          ${third.ready_ms.toFixed(0)} ms with ${restart} points stored (points_count before restart: ${info.result.points_count})`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
