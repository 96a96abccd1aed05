// What authentication costs: requests/s of a collection-info GET and a small query, served with
// no key configured, with an API key, and with a JWT (jwt_rbac on). A program that prints
// figures, not a test: `make bench-auth`. Each mode gets its own server, started in turn, and
// the same request mix; ratios are taken within one run.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const BIN = process.env.QUIVER_BIN ?? path.join(REPO, 'build', 'quiver');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = 8;
const KEY = 'bench-api-key-that-is-long-enough-for-hs256';

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

async function startServer(env) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'quiver-auth-bench-'));
  const port = await freePort();
  const proc = spawn(BIN, [], {
    cwd: dir,
    env: { ...process.env, QDRANT__SERVICE__HOST: '127.0.0.1', QDRANT__SERVICE__HTTP_PORT: String(port),
           QDRANT__STORAGE__STORAGE_PATH: path.join(dir, 'storage'), QDRANT__LOG_LEVEL: 'WARN', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 2000; ++i) {
    try {
      if ((await fetch(`${base}/readyz`)).status === 200) break;
    } catch { /* not yet */ }
    await new Promise((r) => setTimeout(r, 10));
  }
  return { proc, base, dir };
}

async function stopServer(s) {
  const exited = new Promise((r) => s.proc.once('exit', r));
  s.proc.kill('SIGTERM');
  await exited;
  rmSync(s.dir, { recursive: true, force: true });
}

// Requests/s of one request shape over SECONDS, CONCURRENCY requests in flight.
async function rate(makeRequest) {
  let done = 0;
  const end = performance.now() + SECONDS * 1000;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) {
      const r = await makeRequest();
      if (r.status !== 200) throw new Error(`status ${r.status}: ${await r.text()}`);
      await r.arrayBuffer();
      ++done;
    }
  }));
  return done / SECONDS;
}

const token = execFileSync(BIN, ['token', '--access', 'm', '--ttl', '1h'], {
  env: { ...process.env, QDRANT__SERVICE__API_KEY: KEY, QDRANT__SERVICE__JWT_RBAC: 'true' },
}).toString().trim();

const modes = [
  { name: 'no auth', env: {}, headers: {} },
  { name: 'api key', env: { QDRANT__SERVICE__API_KEY: KEY }, headers: { 'api-key': KEY } },
  { name: 'jwt', env: { QDRANT__SERVICE__API_KEY: KEY, QDRANT__SERVICE__JWT_RBAC: 'true' },
    headers: { authorization: `Bearer ${token}` } },
];
const results = [];
for (const mode of modes) {
  const s = await startServer(mode.env);
  const headers = { 'content-type': 'application/json', ...mode.headers };
  await fetch(`${s.base}/collections/c`, { method: 'PUT', headers, body: JSON.stringify({ vectors: { size: 4, distance: 'Dot' } }) });
  const points = Array.from({ length: 100 }, (_, i) => ({ id: i, vector: [i, 1, 2, 3], payload: { i } }));
  await fetch(`${s.base}/collections/c/points?wait=true`, { method: 'PUT', headers, body: JSON.stringify({ points }) });
  const query = JSON.stringify({ query: [1, 0, 0, 0], limit: 5 });
  const info = await rate(() => fetch(`${s.base}/collections/c`, { headers }));
  const search = await rate(() => fetch(`${s.base}/collections/c/points/query`, { method: 'POST', headers, body: query }));
  results.push({ name: mode.name, info, search });
  await stopServer(s);
}
const base = results[0];
console.log(`Authentication cost: ${SECONDS} s per figure, ${CONCURRENCY} requests in flight`);
console.log('mode      info GET req/s   ratio   small query req/s   ratio');
for (const r of results) {
  console.log(`${r.name.padEnd(9)} ${r.info.toFixed(0).padStart(14)}   ${(r.info / base.info).toFixed(3)}   ${r.search.toFixed(0).padStart(17)}   ${(r.search / base.search).toFixed(3)}`);
}
