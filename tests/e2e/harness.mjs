// End-to-end harness: runs the real server binary and talks to it over REST.
//
// Each `startServer()` gets two free ports (HTTP and gRPC), a fresh storage directory and a
// fresh working directory (so no config/config.yaml is picked up), configured only through
// QDRANT__* environment variables. Every response the server sends to this process -- through
// the official client or through `request()` -- is checked against Qdrant's OpenAPI response
// schema for that operation (see schema.mjs); a mismatch fails the call that received it.
//
// Environment:
//   QUIVER_BIN        server binary (default <repo>/build/quiver)
//   QDRANT_OPENAPI    OpenAPI document (default <repo>/../shared/qdrant/openapi.json)
//   E2E_KEEP_DIRS=1   keep temp directories after the run (for debugging)

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import assert from 'node:assert/strict';
import { QdrantClient } from '@qdrant/js-client-rest';
import { REPO_ROOT, matchOperationPath, validate, validateComponent } from './schema.mjs';

export { validate, validateComponent, REPO_ROOT };

export const SERVER_BIN = process.env.QUIVER_BIN ?? path.join(REPO_ROOT, 'build', 'quiver');
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;
const LOG_LIMIT = 64 * 1024;

// ---------------------------------------------------------------------------------------------
// Schema validation of all traffic to servers started here.

const servers = new Set();
const realFetch = globalThis.fetch;

function serverFor(url) {
  for (const s of servers) if (url.startsWith(s.url)) return s;
  return null;
}

async function checkedFetch(input, init = {}) {
  const response = await realFetch(input, init);
  const url = typeof input === 'string' ? input : input.url ?? String(input);
  const server = serverFor(url);
  if (!server || server.skipValidation) return response;
  const method = (init.method ?? input.method ?? 'GET').toUpperCase();
  const { pathname } = new URL(url);
  const template = matchOperationPath(pathname, method);
  if (!template) return response; // e.g. legacy /points/search: not in the current document
  const type = response.headers.get('content-type') ?? '';
  const text = await response.clone().text();
  let body;
  if (type.includes('json') || /^\s*[{[]/.test(text)) {
    try {
      body = JSON.parse(text);
    } catch {
      // A JSON endpoint answering something unparsable is itself a finding.
      assert.fail(`${method} ${pathname} answered ${response.status} with a body that is not JSON: ` +
        `${text.slice(0, 300)}`);
    }
    validate(template, method, response.status, body);
  }
  return response;
}

globalThis.fetch = checkedFetch;

// ---------------------------------------------------------------------------------------------
// Processes and ports.

/** Resolves to a TCP port that was free on 127.0.0.1 a moment ago. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

async function twoFreePorts() {
  const a = await freePort();
  let b = await freePort();
  while (b === a) b = await freePort();
  return [a, b];
}

function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('QDRANT__') && !k.startsWith('QUIVER__')) env[k] = v;
  }
  return env;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

class Server {
  constructor({ env = {}, args = [] }) {
    this.extraEnv = env;
    this.args = args;
    this.proc = null;
    this.exit = null;
    this.stdout = '';
    this.stderr = '';
    this.skipValidation = false;
  }

  async init() {
    [this.httpPort, this.grpcPort] = await twoFreePorts();
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-e2e-'));
    this.storagePath = path.join(this.root, 'storage');
    this.snapshotsPath = path.join(this.root, 'snapshots');
    this.workDir = path.join(this.root, 'cwd');
    for (const d of [this.storagePath, this.snapshotsPath, this.workDir]) fs.mkdirSync(d);
    this.url = `http://127.0.0.1:${this.httpPort}`;
    this.client = new QdrantClient({ url: this.url, checkCompatibility: false });
    servers.add(this);
  }

  env() {
    return {
      ...cleanEnv(),
      QDRANT__SERVICE__HOST: '127.0.0.1',
      QDRANT__SERVICE__HTTP_PORT: String(this.httpPort),
      QDRANT__SERVICE__GRPC_PORT: String(this.grpcPort),
      QDRANT__STORAGE__STORAGE_PATH: this.storagePath,
      QDRANT__STORAGE__SNAPSHOTS_PATH: this.snapshotsPath,
      QDRANT__TELEMETRY_DISABLED: 'true',
      ...this.extraEnv,
    };
  }

  /** Starts the process and waits until GET /readyz answers 200. */
  async launch() {
    assert.ok(fs.existsSync(SERVER_BIN),
      `server binary ${SERVER_BIN} does not exist (build it: cmake --build build --target quiver)`);
    this.stdout = '';
    this.stderr = '';
    this.exit = null;
    const proc = spawn(SERVER_BIN, this.args, {
      cwd: this.workDir,
      env: this.env(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.proc = proc;
    const keep = (field) => (chunk) => {
      this[field] += chunk.toString();
      if (this[field].length > LOG_LIMIT) this[field] = this[field].slice(-LOG_LIMIT);
    };
    proc.stdout.on('data', keep('stdout'));
    proc.stderr.on('data', keep('stderr'));
    this.exited = new Promise((resolve) => {
      proc.on('exit', (code, signal) => {
        this.exit = { code, signal };
        resolve(this.exit);
      });
      proc.on('error', (err) => {
        this.exit = { code: null, signal: null, error: err };
        resolve(this.exit);
      });
    });

    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(`server exited before it was ready (${JSON.stringify(this.exit)})\n` +
          `stderr:\n${this.stderr}\nstdout:\n${this.stdout.slice(-4000)}`);
      }
      try {
        const res = await realFetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(1000) });
        await res.text();
        if (res.status === 200) return;
        last = `status ${res.status}`;
      } catch (err) {
        last = err.cause?.code ?? err.message;
      }
      await sleep(50);
    }
    await this.kill9();
    throw new Error(`server not ready on ${this.url} after ${READY_TIMEOUT_MS} ms (last: ${last})\n` +
      `stderr:\n${this.stderr}\nstdout:\n${this.stdout.slice(-4000)}`);
  }

  get running() {
    return this.proc !== null && this.exit === null;
  }

  /** SIGTERM, then waits for exit; returns {code, signal}. Fails if it does not exit in 10 s. */
  async stop() {
    if (!this.running) return this.exit;
    this.proc.kill('SIGTERM');
    const result = await Promise.race([this.exited, sleep(STOP_TIMEOUT_MS).then(() => null)]);
    if (result === null) {
      this.proc.kill('SIGKILL');
      await this.exited;
      throw new Error(`server did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n` +
        `stderr:\n${this.stderr}`);
    }
    return result;
  }

  /** SIGKILL (a crash, no chance to flush), then waits for exit. */
  async kill9() {
    if (!this.running) return this.exit;
    this.proc.kill('SIGKILL');
    return this.exited;
  }

  /** Stops (SIGTERM) if running, then starts again on the same ports and storage. */
  async restart() {
    if (this.running) await this.stop();
    await this.launch();
  }

  /**
   * Raw HTTP: `body` is JSON-encoded unless it is a string/Buffer (sent as is).
   * Returns {status, json, text, headers}; json is undefined when the body is not JSON.
   */
  async request(method, urlPath, body, { headers = {}, contentType } = {}) {
    const init = { method, headers: { ...headers } };
    if (body !== undefined) {
      const raw = typeof body === 'string' || Buffer.isBuffer(body);
      init.body = raw ? body : JSON.stringify(body);
      init.headers['content-type'] = contentType ?? 'application/json';
    }
    const res = await globalThis.fetch(`${this.url}${urlPath}`, init);
    const text = await res.text();
    let json;
    try {
      json = text.length ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    return { status: res.status, json, text, headers: res.headers };
  }

  async cleanup() {
    try {
      await this.kill9();
    } finally {
      servers.delete(this);
      if (!process.env.E2E_KEEP_DIRS && this.root) {
        fs.rmSync(this.root, { recursive: true, force: true });
      }
    }
  }
}

/**
 * Starts a server and waits until it is ready. Options: `env` (extra QDRANT__* variables),
 * `args` (command-line arguments). Call `cleanup()` when done (kills it, removes its dirs).
 */
export async function startServer(options = {}) {
  // A port found free can be taken by another test file before the server binds it; only that
  // case (the server says so on stderr) is retried, with new ports.
  for (let attempt = 1; ; attempt++) {
    const server = new Server(options);
    await server.init();
    try {
      await server.launch();
      return server;
    } catch (err) {
      await server.cleanup();
      const portClash = /address already in use|EADDRINUSE/i.test(server.stderr + server.stdout);
      if (!portClash || attempt >= 3) throw err;
    }
  }
}

process.on('exit', () => {
  for (const s of servers) {
    if (s.running) s.proc.kill('SIGKILL');
  }
});

// ---------------------------------------------------------------------------------------------
// Assertion helpers shared by the test files.

/** Asserts a Qdrant error envelope: {status: {error: string}, time: number}. Returns the message. */
export function assertErrorBody(res, status) {
  assert.equal(res.status, status, `expected HTTP ${status}, got ${res.status}: ${res.text}`);
  assert.ok(res.json && typeof res.json === 'object', `error body is not JSON: ${res.text}`);
  assert.equal(typeof res.json.status?.error, 'string', `no status.error in ${res.text}`);
  assert.equal(typeof res.json.time, 'number', `no numeric time in ${res.text}`);
  return res.json.status.error;
}

/** Asserts an "ok" envelope with HTTP 200 and returns `result`. */
export function okResult(res) {
  assert.equal(res.status, 200, `expected HTTP 200, got ${res.status}: ${res.text}`);
  assert.equal(res.json?.status, 'ok', `status is not "ok": ${res.text}`);
  assert.equal(typeof res.json.time, 'number', `no numeric time in ${res.text}`);
  return res.json.result;
}

/** Expects a client call to reject with an HTTP error of the given status; returns the error body. */
export async function rejectsWithStatus(promise, status) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.status, status,
      `expected HTTP ${status}, got ${err.status ?? err}: ${JSON.stringify(err.data)}`);
    return err.data;
  }
  assert.fail(`expected the call to fail with HTTP ${status}, but it succeeded`);
}

export function ids(points) {
  return points.map((p) => p.id);
}

export function sortedIds(points) {
  return ids(points).sort(compareIds);
}

/** Qdrant's id order: integers ascending, then UUID strings. */
export function compareIds(a, b) {
  const na = typeof a === 'number';
  const nb = typeof b === 'number';
  if (na && nb) return a - b;
  if (na) return -1;
  if (nb) return 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

export function assertClose(actual, expected, tolerance = 1e-4, message = '') {
  assert.ok(typeof actual === 'number' && Math.abs(actual - expected) <= tolerance,
    `${message} expected ${expected} ± ${tolerance}, got ${actual}`);
}

export function assertVectorClose(actual, expected, tolerance = 1e-4, message = '') {
  assert.ok(Array.isArray(actual), `${message} expected a vector, got ${JSON.stringify(actual)}`);
  assert.equal(actual.length, expected.length, `${message} vector length`);
  actual.forEach((v, i) => assertClose(v, expected[i], tolerance, `${message}[${i}]`));
}
