// What authentication costs: requests/s of a collection-info GET and a small query, served with
// no key configured, with an API key, and with a JWT (jwt_rbac on). A program that prints
// figures, not a test: `make bench-auth`. Each mode gets its own server, started in turn, and
// the same request mix; ratios are taken within one run.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
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

// Requests/s of one request shape over SECONDS with CONCURRENCY connections, measured by wrk
// (a C load generator: node's own client would be the bottleneck).
function rate(url, headers, body) {
  const script = path.join(os.tmpdir(), `quiver-auth-bench-${process.pid}.lua`);
  const lines = [`wrk.method = "${body ? 'POST' : 'GET'}"`];
  if (body) lines.push(`wrk.body = '${body}'`);
  for (const [k, v] of Object.entries(headers)) lines.push(`wrk.headers["${k}"] = "${v}"`);
  lines.push('done = function(summary, latency, requests)',
    '  if summary.errors.status > 0 then io.write("NON2XX\\n") end',
    'end');
  writeFileSync(script, lines.join('\n'));
  const out = execFileSync('wrk', ['-t1', `-c${CONCURRENCY}`, `-d${SECONDS}s`, '-s', script, url]).toString();
  rmSync(script, { force: true });
  if (out.includes('NON2XX') || out.includes('Non-2xx')) throw new Error(`non-2xx answers from ${url}:\n${out}`);
  return Number(/Requests\/sec:\s+([\d.]+)/.exec(out)[1]);
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
// All three servers run at once and are measured in turn, ROUNDS times, so that the machine's
// drift hits every mode alike; the median of each mode's rounds is reported.
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const servers = [];
for (const mode of modes) {
  const s = await startServer(mode.env);
  const headers = { 'content-type': 'application/json', ...mode.headers };
  await fetch(`${s.base}/collections/c`, { method: 'PUT', headers, body: JSON.stringify({ vectors: { size: 4, distance: 'Dot' } }) });
  const points = Array.from({ length: 100 }, (_, i) => ({ id: i, vector: [i, 1, 2, 3], payload: { i } }));
  await fetch(`${s.base}/collections/c/points?wait=true`, { method: 'PUT', headers, body: JSON.stringify({ points }) });
  servers.push({ mode, s, headers, info: [], search: [] });
}
const query = JSON.stringify({ query: [1, 0, 0, 0], limit: 5 });
for (let round = 0; round < ROUNDS; ++round) {
  for (const entry of servers) {
    entry.info.push(rate(`${entry.s.base}/collections/c`, entry.headers));
    entry.search.push(rate(`${entry.s.base}/collections/c/points/query`, entry.headers, query));
  }
}
for (const entry of servers) await stopServer(entry.s);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const results = servers.map((e) => ({ name: e.mode.name, info: median(e.info), search: median(e.search) }));
const base = results[0];
console.log(`Authentication cost: wrk, ${CONCURRENCY} connections, ${SECONDS} s per figure, median of ${ROUNDS} interleaved rounds`);
console.log('mode      info GET req/s   ratio   small query req/s   ratio');
for (const r of results) {
  console.log(`${r.name.padEnd(9)} ${r.info.toFixed(0).padStart(14)}   ${(r.info / base.info).toFixed(3)}   ${r.search.toFixed(0).padStart(17)}   ${(r.search / base.search).toFixed(3)}`);
}
