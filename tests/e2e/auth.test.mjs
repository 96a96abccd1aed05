// Access control over REST: API keys, the read-only key, the alternative key (rotation), JWT RBAC
// (global and per-collection grants, the seed document's shape, value_exists), and Qdrant's
// status codes and bodies for every refusal.
//
// One server runs with all three keys, jwt_rbac and the audit log on. Tokens are minted with
// `quiver token` (as an operator would) and, for the edge cases the command cannot produce
// (expired, bad signature, HS512, alg none, the seed shape, value_exists, the alt key), signed
// here with node's crypto.
//
// The route walk sends every REST route of the server's route tables (src/api/rest/*_handlers.cc;
// a test checks that the list below covers them all) with a valid body under every kind of
// credential, and compares the status and body with a table built from the rules of the issue:
//   api key, alt key, JWT "m", JWT without `access`   everything
//   read-only key, JWT "r"                             reads only
//   collection "r"                                     reads of that collection
//   collection "rw"                                    + point writes + payload indexes
//   collection "prw"                                   reads and point writes, no payload indexes
//   collection grants                                  nothing node-wide (create/delete/alias...)
// Refusals: authentication failures are plain text (401 / 403), authorization failures are 403
// with Qdrant's JSON envelope {"status":{"error":"Forbidden: ..."},"time":...}.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { QdrantClient } from '@qdrant/js-client-rest';
import { REPO_ROOT, SERVER_BIN, okResult, rejectsWithStatus, startServer } from './harness.mjs';

const API_KEY = 'e2e-api-key-6c1f0d9a8b7e4c3d2f1a0b9c8d7e6f5a';
const ALT_KEY = 'e2e-alt-key-0a1b2c3d4e5f60718293a4b5c6d7e8f9';
const RO_KEY = 'e2e-read-only-key-f0e1d2c3b4a5968778695a4b3c2d1e0f';

const MISSING = 'Must provide an API key or an Authorization bearer token';
const INVALID = 'Invalid API key or JWT';
const STATEFUL = 'Invalid JWT, stateful validation failed';

const C = 'c1'; // the collection every collection-scoped route of the walk acts on
const OTHER = 'c2'; // another collection
const V = [1, 0, 0, 0];
const POINTS = [
  { id: 1, vector: [1, 0, 0, 0], payload: { city: 'Berlin' } },
  { id: 2, vector: [0, 1, 0, 0], payload: { city: 'Paris' } },
  { id: 3, vector: [0, 0, 1, 0] },
];

const now = () => Math.floor(Date.now() / 1000);
const FORM_BOUNDARY = 'quiver-e2e-form-boundary-5d41402abc4b2a76';

/** A multipart/form-data body with one file field. */
function multipartBody(boundary, field, filename, bytes) {
  return Buffer.concat([
    Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="${field}"; filename="${filename}"\r\n` +
      'content-type: application/octet-stream\r\n\r\n'),
    bytes,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
}
const bearer = (token) => ({ authorization: `Bearer ${token}` });

// ---------------------------------------------------------------------------------------------
// Tokens.

/** Signs a JWT by hand: HS256/HS384/HS512 with `key`, or alg "none" (empty signature). */
function signJwt(claims, { key = API_KEY, alg = 'HS256', header } = {}) {
  const h = header ?? { alg, typ: 'JWT' };
  const data = `${Buffer.from(JSON.stringify(h)).toString('base64url')}.` +
    `${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  if (alg === 'none') return `${data}.`;
  const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
  return `${data}.${crypto.createHmac(hash, key).update(data).digest('base64url')}`;
}

function decodeJwt(token) {
  const [h, p] = token.split('.');
  return {
    header: JSON.parse(Buffer.from(h, 'base64url').toString()),
    claims: JSON.parse(Buffer.from(p, 'base64url').toString()),
  };
}

function toolEnv(extra = {}) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('QDRANT__') && !k.startsWith('QUIVER__')) env[k] = v;
  }
  return { ...env, ...extra };
}

// A working directory without config/, so only the environment configures `quiver token`.
const TOOL_CWD = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-auth-tool-'));

/** `quiver token ARGS` with the server's api key; returns the token. */
function mint(...args) {
  const out = execFileSync(SERVER_BIN, ['token', ...args], {
    cwd: TOOL_CWD,
    env: toolEnv({ QDRANT__SERVICE__API_KEY: API_KEY }),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const token = out.toString().trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/, `quiver token printed ${out}`);
  return token;
}

// ---------------------------------------------------------------------------------------------
// Raw HTTP, for paths that fetch would normalise (dot segments, double slashes).

function rawRequest(port, method, rawPath, headers = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path: rawPath, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', reject);
    req.end();
  });
}

// ---------------------------------------------------------------------------------------------
// The routes. `pattern` is the route as the server's tables write it; `req` the right it needs:
//   open    no credential at all (/, health probes)
//   list    any valid credential; the answer is filtered (GET /collections, GET /aliases)
//   read    read access to c1
//   write   write access to c1 (points, vectors, payloads)
//   index   write access to c1 plus "extras" (payload indexes: rw yes, prw no)
//   extras  read access to c1 plus "extras" (snapshot list and download: r and rw yes, prw no)
//   global  global read (full snapshots list and download)
//   manage  global manage (collections, aliases, named vectors, audit log, snapshot restores)
//   cmanage c1 with manage and extras (collection cluster setup: global manage only, in effect)
// `path` and `body` may be functions (called when the request is sent), for values known only
// once the server runs (snapshot names, the snapshots directory).

// A node without a cluster refuses cluster changes as Qdrant's standalone mode does.
const STANDALONE = { status: 405, error: 'Qdrant is running in standalone mode' };

const ROUTES = [
  // service_handlers.cc
  { method: 'GET', pattern: '/', path: '/', req: 'open' },
  { method: 'GET', pattern: '/healthz', path: '/healthz', req: 'open' },
  { method: 'GET', pattern: '/livez', path: '/livez', req: 'open' },
  { method: 'GET', pattern: '/readyz', path: '/readyz', req: 'open' },
  { method: 'POST', pattern: '/audit/logs', path: '/audit/logs', body: { limit: 1 }, req: 'manage' },
  // collection_handlers.cc
  { method: 'GET', pattern: '/collections', path: '/collections', req: 'list' },
  {
    method: 'POST', pattern: '/collections/aliases', path: '/collections/aliases', req: 'manage',
    body: { actions: [{ create_alias: { collection_name: C, alias_name: 'a_walk' } }] },
  },
  { method: 'GET', pattern: '/collections/{collection_name}', path: `/collections/${C}`, req: 'read' },
  {
    method: 'PUT', pattern: '/collections/{collection_name}', path: `/collections/${C}`, req: 'manage',
    body: { vectors: { size: 4, distance: 'Dot' } },
    before: (h) => h.admin('DELETE', `/collections/${C}`), resetAfter: true,
  },
  {
    method: 'PATCH', pattern: '/collections/{collection_name}', path: `/collections/${C}`, req: 'manage',
    body: { optimizers_config: { indexing_threshold: 10000 } },
  },
  {
    method: 'DELETE', pattern: '/collections/{collection_name}', path: `/collections/${C}`,
    req: 'manage', mutates: true,
  },
  { method: 'GET', pattern: '/collections/{collection_name}/exists', path: `/collections/${C}/exists`, req: 'read' },
  {
    method: 'GET', pattern: '/collections/{collection_name}/optimizations',
    path: `/collections/${C}/optimizations?with=queued,completed,idle_segments`, req: 'read',
  },
  { method: 'GET', pattern: '/aliases', path: '/aliases', req: 'list' },
  { method: 'GET', pattern: '/collections/{collection_name}/aliases', path: `/collections/${C}/aliases`, req: 'read' },
  {
    method: 'PUT', pattern: '/collections/{collection_name}/index', path: `/collections/${C}/index?wait=true`,
    req: 'index', body: { field_name: 'tag', field_schema: 'keyword' },
  },
  {
    method: 'PUT', pattern: '/collections/{collection_name}/vectors/{vector_name}',
    path: `/collections/${C}/vectors/extra`, req: 'manage',
    body: { dense: { size: 4, distance: 'Dot' } },
    before: (h) => h.admin('DELETE', `/collections/${C}/vectors/extra`),
  },
  {
    method: 'DELETE', pattern: '/collections/{collection_name}/vectors/{vector_name}',
    path: `/collections/${C}/vectors/extra`, req: 'manage',
    before: (h) => h.admin('PUT', `/collections/${C}/vectors/extra`, { dense: { size: 4, distance: 'Dot' } }),
  },
  {
    method: 'DELETE', pattern: '/collections/{collection_name}/index/{field_name}',
    path: `/collections/${C}/index/tmp_field?wait=true`, req: 'index',
    before: (h) => h.admin('PUT', `/collections/${C}/index?wait=true`, { field_name: 'tmp_field', field_schema: 'keyword' }),
  },
  // point_handlers.cc
  {
    method: 'PUT', pattern: '/collections/{collection_name}/points', path: `/collections/${C}/points?wait=true`,
    req: 'write', body: { points: [{ id: 3, vector: [0, 0, 1, 0] }] },
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points', path: `/collections/${C}/points`,
    req: 'read', body: { ids: [1, 2] },
  },
  { method: 'GET', pattern: '/collections/{collection_name}/points/{id}', path: `/collections/${C}/points/1`, req: 'read' },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points/delete',
    path: `/collections/${C}/points/delete?wait=true`, req: 'write', body: { points: [99] },
  },
  {
    method: 'PUT', pattern: '/collections/{collection_name}/points/vectors',
    path: `/collections/${C}/points/vectors?wait=true`, req: 'write',
    body: { points: [{ id: 3, vector: [0, 0, 1, 0] }] },
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points/vectors/delete',
    path: `/collections/${C}/points/vectors/delete?wait=true`, req: 'write',
    body: { filter: { must: [{ key: 'city', match: { value: 'nowhere' } }] }, vector: [''] },
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points/payload',
    path: `/collections/${C}/points/payload?wait=true`, req: 'write', body: { payload: { tmp: 1 }, points: [3] },
  },
  {
    method: 'PUT', pattern: '/collections/{collection_name}/points/payload',
    path: `/collections/${C}/points/payload?wait=true`, req: 'write', body: { payload: { tmp: 2 }, points: [3] },
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points/payload/delete',
    path: `/collections/${C}/points/payload/delete?wait=true`, req: 'write', body: { keys: ['tmp'], points: [3] },
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points/payload/clear',
    path: `/collections/${C}/points/payload/clear?wait=true`, req: 'write', body: { points: [3] },
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points/batch',
    path: `/collections/${C}/points/batch?wait=true`, req: 'write',
    body: { operations: [{ upsert: { points: [{ id: 3, vector: [0, 0, 1, 0] }] } }] },
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points/scroll',
    path: `/collections/${C}/points/scroll`, req: 'read', body: { limit: 2 },
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/points/count',
    path: `/collections/${C}/points/count`, req: 'read', body: { exact: true },
  },
  // snapshot_handlers.cc
  { method: 'GET', pattern: '/collections/{collection_name}/snapshots', path: `/collections/${C}/snapshots`, req: 'extras' },
  { method: 'POST', pattern: '/collections/{collection_name}/snapshots', path: `/collections/${C}/snapshots`, req: 'index' },
  {
    method: 'GET', pattern: '/collections/{collection_name}/snapshots/{snapshot_name}',
    path: `/collections/${C}/snapshots/walk.snapshot`, req: 'extras',
  },
  {
    method: 'DELETE', pattern: '/collections/{collection_name}/snapshots/{snapshot_name}',
    path: `/collections/${C}/snapshots/walk-delete.snapshot`, req: 'index',
    before: (h) => h.putSnapshotFile('walk-delete.snapshot'),
  },
  {
    method: 'POST', pattern: '/collections/{collection_name}/snapshots/upload',
    path: `/collections/${C}/snapshots/upload`, req: 'manage', mutates: true,
    body: (h) => h.snapshotForm('walk-upload.snapshot'), contentType: (h) => h.snapshotFormType,
  },
  {
    method: 'PUT', pattern: '/collections/{collection_name}/snapshots/recover',
    path: `/collections/${C}/snapshots/recover`, req: 'manage', mutates: true,
    body: (h) => ({ location: `file://${h.snapshotsPath()}/${C}/walk.snapshot` }),
  },
  { method: 'GET', pattern: '/snapshots', path: '/snapshots', req: 'global' },
  { method: 'POST', pattern: '/snapshots', path: '/snapshots', req: 'manage' },
  { method: 'GET', pattern: '/snapshots/{snapshot_name}', path: (h) => `/snapshots/${h.fullSnapshot}`, req: 'global' },
  {
    method: 'DELETE', pattern: '/snapshots/{snapshot_name}', path: (h) => `/snapshots/${h.fullSnapshotToDelete}`,
    req: 'manage', before: async (h) => {
      h.fullSnapshotToDelete = okResult(await h.admin('POST', '/snapshots')).name;
    },
  },
  // monitoring_handlers.cc (`ok`: the answer when access is granted, if not 200)
  { method: 'GET', pattern: '/metrics', path: '/metrics', req: 'global' },
  { method: 'GET', pattern: '/telemetry', path: '/telemetry', req: 'list' },
  { method: 'GET', pattern: '/cluster', path: '/cluster', req: 'global' },
  { method: 'POST', pattern: '/cluster/recover', path: '/cluster/recover', req: 'manage', ok: STANDALONE },
  { method: 'DELETE', pattern: '/cluster/peer/{peer_id}', path: '/cluster/peer/1', req: 'manage', ok: STANDALONE },
  { method: 'GET', pattern: '/collections/{collection_name}/cluster', path: `/collections/${C}/cluster`, req: 'extras' },
  {
    method: 'POST', pattern: '/collections/{collection_name}/cluster', path: `/collections/${C}/cluster`,
    req: 'cmanage', ok: STANDALONE, body: { move_shard: { shard_id: 0, from_peer_id: 1, to_peer_id: 2 } },
  },
  { method: 'GET', pattern: '/issues', path: '/issues', req: 'list' },
  { method: 'DELETE', pattern: '/issues', path: '/issues', req: 'manage' },
  { method: 'GET', pattern: '/logger', path: '/logger', req: 'global' },
  { method: 'POST', pattern: '/logger', path: '/logger', req: 'manage', body: { log_level: 'INFO' } },
  // search_handlers.cc
  ...[
    ['points/query', { query: V, limit: 2 }],
    ['points/query/batch', { searches: [{ query: V, limit: 2 }] }],
    ['points/query/groups', { query: V, group_by: 'city', limit: 2 }],
    ['points/search', { vector: V, limit: 2 }],
    ['points/search/batch', { searches: [{ vector: V, limit: 2 }] }],
    ['points/search/groups', { vector: V, group_by: 'city', limit: 2, group_size: 1 }],
    ['points/recommend', { positive: [1], limit: 2 }],
    ['points/recommend/batch', { searches: [{ positive: [1], limit: 2 }] }],
    ['points/recommend/groups', { positive: [1], group_by: 'city', limit: 2 }],
    ['points/discover', { target: 1, context: [{ positive: 2, negative: 3 }], limit: 2 }],
    ['points/discover/batch', { searches: [{ target: 1, context: [{ positive: 2, negative: 3 }], limit: 2 }] }],
    ['points/search/matrix/pairs', { sample: 3, limit: 1 }],
    ['points/search/matrix/offsets', { sample: 3, limit: 1 }],
    ['facet', { key: 'city' }],
  ].map(([tail, body]) => ({
    method: 'POST', pattern: `/collections/{collection_name}/${tail}`, path: `/collections/${C}/${tail}`,
    req: 'read', body,
  })),
];

/** Every {method, pattern} of the server's REST route tables. */
function serverRoutes() {
  const dir = path.join(REPO_ROOT, 'src', 'api', 'rest');
  const found = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('_handlers.cc'))) {
    const src = fs.readFileSync(path.join(dir, f), 'utf8');
    for (const m of src.matchAll(/\{\s*"(GET|PUT|POST|PATCH|DELETE|HEAD)",\s*"([^"]+)"/g)) {
      found.push(`${m[1]} ${m[2]}`);
    }
  }
  return found.sort();
}

// ---------------------------------------------------------------------------------------------
// Credentials and what each may do.
//   kind: none | invalid (401 "Invalid API key or JWT") | expired | badsig | manage | read | grant

function credentials(t) {
  return [
    { name: 'no credential', headers: {}, kind: 'none' },
    { name: 'wrong api key', headers: { 'api-key': 'not-the-key-0123456789abcdef01234567' }, kind: 'invalid' },
    { name: 'api key', headers: { 'api-key': API_KEY }, kind: 'manage' },
    { name: 'api key as Bearer', headers: bearer(API_KEY), kind: 'manage' },
    { name: 'alt api key', headers: { 'api-key': ALT_KEY }, kind: 'manage' },
    { name: 'read-only key', headers: { 'api-key': RO_KEY }, kind: 'read' },
    { name: 'read-only key as Bearer', headers: bearer(RO_KEY), kind: 'read' },
    { name: 'JWT r', headers: bearer(t.globalR), kind: 'read' },
    { name: 'JWT m', headers: bearer(t.globalM), kind: 'manage' },
    { name: 'JWT without access claim', headers: bearer(t.noAccess), kind: 'manage' },
    { name: `JWT ${C}:r`, headers: bearer(t.colR), kind: 'grant', grants: { [C]: 'r' } },
    { name: `JWT ${C}:rw`, headers: bearer(t.colRw), kind: 'grant', grants: { [C]: 'rw' } },
    { name: `JWT ${C}:prw`, headers: bearer(t.colPrw), kind: 'grant', grants: { [C]: 'prw' } },
    { name: `JWT ${OTHER}:r`, headers: bearer(t.otherR), kind: 'grant', grants: { [OTHER]: 'r' } },
    { name: `JWT ${OTHER}:rw`, headers: bearer(t.otherRw), kind: 'grant', grants: { [OTHER]: 'rw' } },
    { name: `JWT ${OTHER}:prw`, headers: bearer(t.otherPrw), kind: 'grant', grants: { [OTHER]: 'prw' } },
    { name: 'seed-shape JWT {collections: {c1: [read, write]}}', headers: bearer(t.seed), kind: 'grant', grants: { [C]: 'rw' } },
    { name: 'JWT signed with the alt key', headers: bearer(t.altSigned), kind: 'manage' },
    { name: 'expired JWT', headers: bearer(t.expired), kind: 'expired' },
    { name: 'JWT with a bad signature', headers: bearer(t.badSig), kind: 'badsig' },
    { name: 'HS512 JWT', headers: bearer(t.hs512), kind: 'invalid' },
    { name: 'alg none JWT', headers: bearer(t.algNone), kind: 'invalid' },
  ];
}

const OK = { status: 200 };
const plain = (status, text) => ({ status, text });
const forbidden = (reason) => ({ status: 403, error: `Forbidden: ${reason}` });

function expectedOutcome(route, cred) {
  const want = accessOutcome(route, cred);
  return want === OK && route.ok ? route.ok : want;
}

function accessOutcome(route, cred) {
  if (route.req === 'open') return OK;
  switch (cred.kind) {
    case 'none': return plain(401, MISSING);
    case 'invalid': return plain(401, INVALID);
    case 'expired': return plain(403, 'ExpiredSignature');
    case 'badsig': return plain(403, 'InvalidSignature');
    default: break;
  }
  if (route.req === 'list' || cred.kind === 'manage') return OK;
  const writes = ['write', 'index', 'manage', 'cmanage'].includes(route.req);
  if (cred.kind === 'read') return writes ? forbidden('Global manage access is required') : OK;
  // Collection grants.
  if (route.req === 'manage' || route.req === 'global') return forbidden('Global access is required');
  const mode = cred.grants[C];
  if (!mode) return forbidden(`Access to collection ${C} is required`);
  if (['index', 'extras', 'cmanage'].includes(route.req) && mode === 'prw') {
    return forbidden(`Only points access is allowed for collection ${C}`);
  }
  if (writes && mode === 'r') return forbidden(`Write access to collection ${C} is required`);
  if (route.req === 'cmanage') return forbidden('Manage access for this operation is required');
  return OK;
}

/** Compares a response with an expected outcome; returns a description of the mismatch or null. */
function mismatch(res, want) {
  const got = `${res.status} ${res.text.slice(0, 200)}`;
  if (res.status !== want.status) return `expected ${want.status}, got ${got}`;
  if (want.text !== undefined) {
    if (res.text !== want.text) return `expected body ${JSON.stringify(want.text)}, got ${got}`;
    if (!/^text\/plain/.test(res.headers.get('content-type') ?? '')) {
      return `expected a text/plain body, got content-type ${res.headers.get('content-type')}`;
    }
  }
  if (want.error !== undefined) {
    if (res.json?.status?.error !== want.error || typeof res.json?.time !== 'number') {
      return `expected {"status":{"error":${JSON.stringify(want.error)}},"time":…}, got ${got}`;
    }
  }
  if (want.status === 200 && !(res.text.length > 0)) return `expected a body, got ${got}`;
  return null;
}

// ---------------------------------------------------------------------------------------------

describe('access control', () => {
  let srv;
  let auditDir;
  let tokens;
  const h = {
    admin: (method, urlPath, body) => srv.request(method, urlPath, body, { headers: { 'api-key': API_KEY } }),
    snapshotsPath: () => srv.snapshotsPath,
    snapshotBytes: null, // a snapshot of c1, taken in before()
    snapshotFormType: `multipart/form-data; boundary=${FORM_BOUNDARY}`,
    snapshotForm: (name) => multipartBody(FORM_BOUNDARY, 'snapshot', name, h.snapshotBytes),
    // Stores the snapshot of c1 in c1's snapshot directory as `name` (an upload keeps the file).
    putSnapshotFile: async (name) => {
      const res = await srv.request('POST', `/collections/${C}/snapshots/upload`, h.snapshotForm(name),
        { headers: { 'api-key': API_KEY }, contentType: h.snapshotFormType });
      assert.equal(res.status, 200, `upload ${name}: ${res.text}`);
    },
  };

  async function resetC1() {
    await h.admin('DELETE', `/collections/${C}`);
    okResult(await h.admin('PUT', `/collections/${C}`, { vectors: { size: 4, distance: 'Dot' } }));
    okResult(await h.admin('PUT', `/collections/${C}/points?wait=true`, { points: POINTS }));
    okResult(await h.admin('PUT', `/collections/${C}/index?wait=true`, { field_name: 'city', field_schema: 'keyword' }));
    okResult(await h.admin('POST', '/collections/aliases', {
      actions: [{ create_alias: { collection_name: C, alias_name: 'a1' } }],
    }));
  }

  before(async () => {
    auditDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-auth-audit-'));
    srv = await startServer({
      env: {
        QDRANT__SERVICE__API_KEY: API_KEY,
        QDRANT__SERVICE__ALT_API_KEY: ALT_KEY,
        QDRANT__SERVICE__READ_ONLY_API_KEY: RO_KEY,
        QDRANT__SERVICE__JWT_RBAC: 'true',
        QDRANT__AUDIT__ENABLED: 'true',
        QDRANT__AUDIT__DIR: auditDir,
      },
    });
    const exp = now() + 3600;
    tokens = {
      globalR: mint('--access', 'r'),
      globalM: mint('--access', 'm', '--subject', 'ops'),
      colR: mint('--collection', `${C}:r`),
      colRw: mint('--collection', `${C}:rw`),
      colPrw: mint('--collection', `${C}:prw`),
      otherR: mint('--collection', `${OTHER}:r`),
      otherRw: mint('--collection', `${OTHER}:rw`),
      otherPrw: mint('--collection', `${OTHER}:prw`),
      noAccess: signJwt({ exp }),
      seed: signJwt({ exp, collections: { [C]: ['read', 'write'] } }),
      altSigned: signJwt({ exp, access: 'm' }, { key: ALT_KEY }),
      expired: signJwt({ exp: now() - 60, access: 'm' }),
      badSig: signJwt({ exp, access: 'm' }, { key: 'some-other-secret-0123456789abcdef0123' }),
      hs512: signJwt({ exp, access: 'm' }, { alg: 'HS512' }),
      algNone: signJwt({ exp, access: 'm' }, { alg: 'none' }),
    };
    await resetC1();
    const snapshot = okResult(await h.admin('POST', `/collections/${C}/snapshots`));
    const download = await fetch(`${srv.url}/collections/${C}/snapshots/${snapshot.name}`,
      { headers: { 'api-key': API_KEY } });
    assert.equal(download.status, 200);
    h.snapshotBytes = Buffer.from(await download.arrayBuffer());
    await h.putSnapshotFile('walk.snapshot');
    h.fullSnapshot = okResult(await h.admin('POST', '/snapshots')).name;
    okResult(await h.admin('PUT', `/collections/${OTHER}`, { vectors: { size: 4, distance: 'Dot' } }));
    okResult(await h.admin('PUT', `/collections/${OTHER}/points?wait=true`, { points: POINTS }));
    okResult(await h.admin('POST', '/collections/aliases', {
      actions: [{ create_alias: { collection_name: OTHER, alias_name: 'a2' } }],
    }));
  });

  after(async () => {
    await srv?.cleanup();
    fs.rmSync(TOOL_CWD, { recursive: true, force: true });
    if (auditDir) fs.rmSync(auditDir, { recursive: true, force: true });
  });

  test('the walk below covers every route of the server', () => {
    const walked = ROUTES.map((r) => `${r.method} ${r.pattern}`).sort();
    assert.deepEqual(walked, serverRoutes());
  });

  test('quiver token mints HS256 tokens with exp, subject and access claims', () => {
    const t0 = now();
    const { header, claims } = decodeJwt(mint('--collection', 'a:r', '--collection', 'b:prw', '--ttl', '90s',
      '--subject', 'alice'));
    assert.equal(header.alg, 'HS256');
    assert.deepEqual(claims.access, [{ collection: 'a', access: 'r' }, { collection: 'b', access: 'prw' }]);
    assert.equal(claims.subject, 'alice');  // Qdrant's claim name
    assert.ok(claims.exp >= t0 + 89 && claims.exp <= now() + 91, `exp ${claims.exp}`);
    const m = decodeJwt(mint('--access', 'm')).claims; // default ttl 1h
    assert.equal(m.access, 'm');
    assert.ok(m.exp >= t0 + 3599 && m.exp <= now() + 3601, `exp ${m.exp}`);
    assert.equal(decodeJwt(mint('--access', 'r', '--ttl', '7d')).claims.exp >= t0 + 7 * 86400 - 1, true);

    const run = (args, env) => spawnSync(SERVER_BIN, ['token', ...args], { cwd: TOOL_CWD, env: toolEnv(env) });
    const noKey = run(['--access', 'r'], {});
    assert.equal(noKey.status, 2, 'no api key configured: exit 2');
    assert.match(noKey.stderr.toString(), /api_key is not configured/);
    for (const bad of [['--collection', 'c1:x'], ['--collection', ':r'], ['--access', 'w'], [],
      ['--access', 'r', '--ttl', 'soon'], ['--access', 'r', '--collection', 'c1:r']]) {
      const r = run(bad, { QDRANT__SERVICE__API_KEY: API_KEY });
      assert.equal(r.status, 2, `quiver token ${bad.join(' ')}: exit ${r.status}, stdout ${r.stdout}`);
      assert.equal(r.stdout.toString(), '', 'no token printed on error');
    }
    // --config-path, before or after `token`; a warning when the server would refuse the token.
    const cfg = path.join(TOOL_CWD, 'token-config.yaml');
    fs.writeFileSync(cfg, `service:\n  api_key: ${API_KEY}\n`);
    for (const args of [['--config-path', cfg, 'token', '--access', 'r'], ['token', '--config-path', cfg, '--access', 'r']]) {
      const r = spawnSync(SERVER_BIN, args, { cwd: TOOL_CWD, env: toolEnv({}) });
      assert.equal(r.status, 0, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(decodeJwt(r.stdout.toString().trim()).claims.access, 'r');
      assert.match(r.stderr.toString(), /jwt_rbac is off/);
      const sig = crypto.createHmac('sha256', API_KEY)
        .update(r.stdout.toString().trim().split('.').slice(0, 2).join('.')).digest('base64url');
      assert.equal(r.stdout.toString().trim().split('.')[2], sig, 'signed with service.api_key');
    }
  });

  describe('every route under every credential', () => {
    for (const route of ROUTES) {
      test(`${route.method} ${route.pattern}`, async () => {
        const problems = [];
        for (const cred of credentials(tokens)) {
          const want = expectedOutcome(route, cred);
          if (route.before && want.status === 200) await route.before(h);
          const value = (v) => (typeof v === 'function' ? v(h) : v);
          const res = await srv.request(route.method, value(route.path), value(route.body),
            { headers: cred.headers, contentType: value(route.contentType) });
          const problem = mismatch(res, want);
          if (problem) problems.push(`${cred.name}: ${problem}`);
          if (route.resetAfter || (route.mutates && res.status < 300)) await resetC1();
        }
        assert.deepEqual(problems, []);
      });
    }
  });

  describe('credentials', () => {
    test('open routes need nothing; /collections needs a credential', async () => {
      for (const p of ['/', '/healthz', '/livez', '/readyz']) {
        const res = await srv.request('GET', p);
        assert.equal(res.status, 200, `${p}: ${res.status} ${res.text}`);
      }
      assert.equal((await srv.request('GET', '/healthz')).text, 'healthz check passed');
      const res = await srv.request('GET', '/collections');
      assert.deepEqual([res.status, res.text], [401, MISSING]);
      assert.match(res.headers.get('content-type'), /^text\/plain/);
    });

    test('api-key wins over Authorization, even when it is wrong', async () => {
      let res = await srv.request('GET', '/collections', undefined, {
        headers: { 'api-key': 'wrong-key-0123456789abcdef0123456789', ...bearer(API_KEY) },
      });
      assert.deepEqual([res.status, res.text], [401, INVALID]);
      // read-only in api-key, full key in Authorization: read-only applies.
      res = await srv.request('DELETE', `/collections/${OTHER}`, undefined, {
        headers: { 'api-key': RO_KEY, ...bearer(API_KEY) },
      });
      assert.equal(res.status, 403);
      assert.equal(res.json.status.error, 'Forbidden: Global manage access is required');
      // A JWT in api-key is honoured too.
      res = await srv.request('GET', `/collections/${C}`, undefined, { headers: { 'api-key': tokens.colR } });
      assert.equal(res.status, 200);
      res = await srv.request('GET', `/collections/${OTHER}`, undefined, {
        headers: { 'api-key': tokens.colR, ...bearer(API_KEY) },
      });
      assert.equal(res.status, 403);
      assert.equal(res.json.status.error, `Forbidden: Access to collection ${OTHER} is required`);
    });

    test('only "Bearer " exactly introduces a credential in Authorization', async () => {
      for (const value of [`bearer ${API_KEY}`, `BEARER ${API_KEY}`, `Bearer${API_KEY}`, `Basic ${API_KEY}`, API_KEY]) {
        const res = await srv.request('GET', '/collections', undefined, { headers: { authorization: value } });
        assert.deepEqual([res.status, res.text], [401, MISSING], `Authorization: ${value.slice(0, 12)}…`);
      }
      const res = await srv.request('GET', '/collections', undefined, { headers: bearer(API_KEY) });
      assert.equal(res.status, 200);
      // A key with an extra space or a prefix of it is not the key.
      for (const value of [`Bearer  ${API_KEY}`, `Bearer ${API_KEY.slice(0, -1)}`, `Bearer ${API_KEY}x`]) {
        const r = await srv.request('GET', '/collections', undefined, { headers: { authorization: value } });
        assert.deepEqual([r.status, r.text], [401, INVALID]);
      }
      const empty = await srv.request('GET', '/collections', undefined, { headers: { 'api-key': '' } });
      assert.deepEqual([empty.status, empty.text], [401, INVALID]);
    });

    test('path tricks never reach a route without credentials', async () => {
      const tricks = [
        '/healthz/../collections', '/%68ealthz', '/healthz%2F..%2Fcollections', '//collections',
        '/healthz/%2e%2e/collections', '/readyz/../collections/c1/points/scroll', '/./collections',
        '/HEALTHZ', '/livez/..%2Fcollections', '/healthz/..', '/readyz/%2e%2e/%2e%2e/collections',
      ];
      for (const p of tricks) {
        const res = await rawRequest(srv.httpPort, 'GET', p);
        assert.equal(res.status, 401, `GET ${p} without credentials: ${res.status} ${res.text}`);
        assert.equal(res.text, MISSING, `GET ${p}`);
        const post = await rawRequest(srv.httpPort, 'POST', p);
        assert.equal(post.status, 401, `POST ${p} without credentials: ${post.status} ${post.text}`);
      }
      // The genuine probes still answer, also with a query string.
      assert.equal((await rawRequest(srv.httpPort, 'GET', '/healthz?verbose=1')).status, 200);
    });

    test('CORS preflight is answered before authentication', async () => {
      const res = await srv.request('OPTIONS', '/collections', undefined, {
        headers: { origin: 'https://app.example', 'access-control-request-method': 'GET',
          'access-control-request-headers': 'api-key' },
      });
      assert.ok(res.status >= 200 && res.status < 300, `preflight: ${res.status} ${res.text}`);
      assert.equal(res.headers.get('access-control-allow-origin'), 'https://app.example');
      // The actual request still needs its credential.
      const get = await srv.request('GET', '/collections', undefined, { headers: { origin: 'https://app.example' } });
      assert.deepEqual([get.status, get.text], [401, MISSING]);
    });

    test('an unknown route is 401 without credentials and 404 with them', async () => {
      for (const p of ['/nope', '/collections/c1/nope', '/clusters', '/snapshotz', '/metrics/x']) {
        let res = await srv.request('GET', p);
        assert.deepEqual([res.status, res.text], [401, MISSING], `GET ${p}`);
        res = await srv.request('GET', p, undefined, { headers: { 'api-key': 'wrong' } });
        assert.deepEqual([res.status, res.text], [401, INVALID], `GET ${p} with a wrong key`);
        for (const headers of [{ 'api-key': API_KEY }, { 'api-key': RO_KEY }, bearer(tokens.colR)]) {
          res = await srv.request('GET', p, undefined, { headers });
          assert.equal(res.status, 404, `GET ${p} with ${JSON.stringify(headers).slice(0, 30)}: ${res.status} ${res.text}`);
        }
      }
      // A known path with the wrong method: refused without credentials too.
      const res = await srv.request('PATCH', '/collections');
      assert.deepEqual([res.status, res.text], [401, MISSING]);
    });

    test('api key and alt key both work at the same time (rotation)', async () => {
      const headersList = [{ 'api-key': API_KEY }, { 'api-key': ALT_KEY }, bearer(API_KEY), bearer(ALT_KEY),
        bearer(tokens.altSigned), bearer(tokens.globalM)];
      const results = await Promise.all(Array.from({ length: 24 }, (_, i) =>
        srv.request('POST', `/collections/${OTHER}/points/count`, { exact: true }, { headers: headersList[i % headersList.length] })));
      for (const r of results) assert.equal(okResult(r).count, POINTS.length);
      // The alt key may write as well.
      const w = await srv.request('PUT', `/collections/${OTHER}/points?wait=true`,
        { points: [{ id: 50, vector: [1, 1, 1, 1] }] }, { headers: { 'api-key': ALT_KEY } });
      okResult(w);
      okResult(await srv.request('POST', `/collections/${OTHER}/points/delete?wait=true`, { points: [50] },
        { headers: bearer(ALT_KEY) }));
    });
  });

  describe('JWT', () => {
    const get = (token, p = `/collections/${C}`) => srv.request('GET', p, undefined, { headers: bearer(token) });

    test('exp: 60 s in the past is ExpiredSignature, 20 s in the past is within the 30 s leeway', async () => {
      let res = await get(signJwt({ exp: now() - 60, access: 'r' }));
      assert.deepEqual([res.status, res.text], [403, 'ExpiredSignature']);
      assert.match(res.headers.get('content-type'), /^text\/plain/);
      res = await get(signJwt({ exp: now() - 20, access: 'r' }));
      assert.equal(res.status, 200, res.text);
      res = await get(signJwt({ exp: now() + 60, access: 'r' }));
      assert.equal(res.status, 200, res.text);
      // No exp at all: valid.
      res = await get(signJwt({ access: 'r' }));
      assert.equal(res.status, 200, res.text);
      // As Qdrant: an expired token signed with the alt key is refused for the api key's reason.
      res = await get(signJwt({ exp: now() - 60, access: 'r' }, { key: ALT_KEY }));
      assert.deepEqual([res.status, res.text], [403, 'InvalidSignature']);
      // A token accepted once is refused once it expires (verified tokens are cached).
      const t0 = now();
      const shortLived = signJwt({ exp: t0 - 28, access: 'r' });
      assert.equal((await get(shortLived)).status, 200);
      await new Promise((r) => setTimeout(r, (t0 + 3.2) * 1000 - Date.now()));
      res = await get(shortLived);
      assert.deepEqual([res.status, res.text], [403, 'ExpiredSignature']);
    });

    test('signatures and algorithms', async () => {
      let res = await get(signJwt({ access: 'r' }, { key: 'wrong-secret-0123456789abcdef0123456789' }));
      assert.deepEqual([res.status, res.text], [403, 'InvalidSignature']);
      // Tampered payload: the signature no longer matches.
      const [hd, , sig] = signJwt({ access: 'r' }).split('.');
      const forged = `${hd}.${Buffer.from(JSON.stringify({ access: 'm' })).toString('base64url')}.${sig}`;
      res = await get(forged);
      assert.deepEqual([res.status, res.text], [403, 'InvalidSignature']);
      for (const alg of ['HS512', 'HS384', 'none']) {
        res = await get(signJwt({ access: 'm' }, { alg }));
        assert.deepEqual([res.status, res.text], [401, INVALID], `alg ${alg}`);
      }
      // alg none that also drops the signature part, and garbage.
      for (const t of [signJwt({ access: 'm' }, { alg: 'none' }).slice(0, -1), 'a.b.c', 'not-a-jwt', 'e30.e30.']) {
        res = await get(t);
        assert.deepEqual([res.status, res.text], [401, INVALID], `token ${t.slice(0, 20)}`);
      }
      // Signed with the alt key: accepted, with the rights it carries.
      res = await get(signJwt({ access: [{ collection: C, access: 'r' }] }, { key: ALT_KEY }));
      assert.equal(res.status, 200);
      res = await get(signJwt({ access: [{ collection: C, access: 'r' }] }, { key: ALT_KEY }), `/collections/${OTHER}`);
      assert.equal(res.status, 403);
      assert.equal(res.json.status.error, `Forbidden: Access to collection ${OTHER} is required`);
    });

    test('claims of the wrong shape are refused', async () => {
      // Duplicate collections and the deprecated `payload` constraint: Qdrant's validation, 401.
      for (const access of [
        [{ collection: C, access: 'r' }, { collection: C, access: 'rw' }],
        [{ collection: C, access: 'r', payload: { user: 'x' } }],
      ]) {
        const res = await get(signJwt({ access }));
        assert.equal(res.status, 401, `${JSON.stringify(access)}: ${res.status} ${res.text}`);
      }
      // Not Qdrant's claims at all (unknown access mode): never accepted.
      for (const claims of [{ access: 'w' }, { access: [{ collection: C, access: 'x' }] }, { access: null }]) {
        const res = await get(signJwt(claims));
        assert.ok(res.status === 401 || res.status === 403, `${JSON.stringify(claims)}: ${res.status} ${res.text}`);
      }
    });

    test('seed shape {"collections": {name: ["read"|"write"]}}', async () => {
      const readOnly = signJwt({ collections: { [C]: ['read'] } });
      assert.equal((await get(readOnly)).status, 200);
      let res = await srv.request('PUT', `/collections/${C}/points?wait=true`, { points: [{ id: 3, vector: [0, 0, 1, 0] }] },
        { headers: bearer(readOnly) });
      assert.equal(res.status, 403);
      assert.equal(res.json.status.error, `Forbidden: Write access to collection ${C} is required`);
      res = await srv.request('PUT', `/collections/${C}/points?wait=true`, { points: [{ id: 3, vector: [0, 0, 1, 0] }] },
        { headers: bearer(tokens.seed) });
      assert.equal(res.status, 200, res.text);
      res = await get(tokens.seed, `/collections/${OTHER}`);
      assert.equal(res.status, 403);
      const listed = okResult(await get(tokens.seed, '/collections')).collections.map((c) => c.name);
      assert.deepEqual(listed, [C]);
    });

    test('value_exists: valid only while the point exists', async () => {
      okResult(await h.admin('PUT', '/collections/users', { vectors: { size: 2, distance: 'Dot' } }));
      okResult(await h.admin('PUT', '/collections/users/points?wait=true', {
        points: [{ id: 7, vector: [1, 0], payload: { user: 'alice', role: 'reader' } },
          { id: 8, vector: [0, 1], payload: { user: 'bob' } }],
      }));
      const claims = (matches) => ({ exp: now() + 600, access: 'r', value_exists: { collection: 'users', matches } });
      const alice = signJwt(claims([{ key: 'user', value: 'alice' }]));
      const aliceReader = signJwt(claims([{ key: 'user', value: 'alice' }, { key: 'role', value: 'reader' }]));
      const carol = signJwt(claims([{ key: 'user', value: 'carol' }]));

      assert.equal((await get(alice)).status, 200);
      assert.equal((await get(aliceReader)).status, 200);
      assert.deepEqual(okResult(await get(alice, '/collections')).collections.map((c) => c.name).sort(),
        [C, OTHER, 'users']);
      let res = await get(carol);
      assert.deepEqual([res.status, res.text], [401, STATEFUL]);
      // The rights of the token still apply while it is valid.
      res = await srv.request('DELETE', `/collections/${C}`, undefined, { headers: bearer(alice) });
      assert.equal(res.status, 403);
      assert.equal(res.json.status.error, 'Forbidden: Global manage access is required');

      // Revocation: delete the point.
      okResult(await h.admin('POST', '/collections/users/points/delete?wait=true', { points: [7] }));
      for (const t of [alice, aliceReader]) {
        res = await get(t);
        assert.deepEqual([res.status, res.text], [401, STATEFUL]);
        res = await get(t, '/collections');
        assert.deepEqual([res.status, res.text], [401, STATEFUL]);
      }
      // Restored: valid again.
      okResult(await h.admin('PUT', '/collections/users/points?wait=true', {
        points: [{ id: 9, vector: [1, 0], payload: { user: 'alice' } }],
      }));
      assert.equal((await get(alice)).status, 200);
      // The collection gone: 403, same text.
      okResult(await h.admin('DELETE', '/collections/users'));
      res = await get(alice);
      assert.deepEqual([res.status, res.text], [403, STATEFUL]);
    });

    test('value_exists is part of authentication: a revoked token is refused on unknown routes too', async () => {
      // Qdrant checks value_exists in AuthKeys::validate_request, before routing, so such a token
      // is 401 on every non-open path, as an invalid credential is (never 404 or 405).
      okResult(await h.admin('PUT', '/collections/users2', { vectors: { size: 2, distance: 'Dot' } }));
      const revoked = signJwt({ access: 'm', value_exists: { collection: 'users2', matches: [{ key: 'user', value: 'nobody' }] } });
      try {
        for (const [method, p] of [['GET', '/nope'], ['GET', `/collections/${C}/nope`], ['PATCH', '/collections']]) {
          const res = await srv.request(method, p, undefined, { headers: bearer(revoked) });
          assert.deepEqual([res.status, res.text], [401, STATEFUL], `${method} ${p}`);
        }
      } finally {
        okResult(await h.admin('DELETE', '/collections/users2'));
      }
    });

    test('GET /collections and GET /aliases list only granted collections', async () => {
      const names = async (token) => okResult(await get(token, '/collections')).collections.map((c) => c.name).sort();
      const aliases = async (token, p = '/aliases') =>
        okResult(await get(token, p)).aliases.map((a) => `${a.alias_name}->${a.collection_name}`).sort();
      assert.deepEqual(await names(tokens.colR), [C]);
      assert.deepEqual(await names(tokens.colPrw), [C]);
      assert.deepEqual(await names(tokens.otherRw), [OTHER]);
      assert.deepEqual(await names(tokens.globalR), [C, OTHER].sort());
      assert.deepEqual(await names(mint('--collection', 'ghost:r')), []);
      // An alias is listed only when the alias itself and its collection are granted.
      assert.deepEqual(await aliases(tokens.globalR), ['a1->c1', 'a2->c2']);
      assert.deepEqual(await aliases(tokens.colR), []);
      const withAlias = mint('--collection', `${C}:r`, '--collection', 'a1:r');
      assert.deepEqual(await aliases(withAlias), ['a1->c1']);
      assert.deepEqual(await aliases(withAlias, `/collections/${C}/aliases`), ['a1->c1']);
      assert.deepEqual(await aliases(mint('--collection', 'a1:r')), []);
      const res = await get(withAlias, `/collections/${OTHER}/aliases`);
      assert.equal(res.status, 403);
      assert.equal(res.json.status.error, `Forbidden: Access to collection ${OTHER} is required`);
    });

    test('a scoped token cannot probe which collections exist; aliases must be granted themselves', async () => {
      for (const p of ['/collections/nope', '/collections/nope/exists', '/collections/nope/points/1']) {
        const res = await get(tokens.colRw, p);
        assert.equal(res.status, 403, `${p}: ${res.status} ${res.text}`);
        assert.equal(res.json.status.error, 'Forbidden: Access to collection nope is required');
      }
      let res = await srv.request('POST', '/collections/nope/points/scroll', {}, { headers: bearer(tokens.colRw) });
      assert.equal(res.status, 403);
      // Refused before the body or the name is looked at.
      res = await srv.request('POST', `/collections/${OTHER}/points/scroll`, '{"limit": ', { headers: bearer(tokens.colRw) });
      assert.equal(res.status, 403, res.text);
      assert.equal(res.json.status.error, `Forbidden: Access to collection ${OTHER} is required`);
      res = await srv.request('POST', `/collections/${C}/points/scroll`, '{"limit": ', { headers: bearer(tokens.colRw) });
      assert.equal(res.status, 400, res.text);
      res = await srv.request('PUT', `/collections/${OTHER}/points?wait=maybe`, { points: [] }, { headers: bearer(tokens.colR) });
      assert.equal(res.status, 403, res.text);
      // Granted but missing: now it may learn that it does not exist.
      res = await get(mint('--collection', 'ghost:r'), '/collections/ghost');
      assert.equal(res.status, 404);
      // Through an alias: the alias name is what must be granted.
      res = await get(tokens.colR, '/collections/a1');
      assert.equal(res.status, 403);
      assert.equal(res.json.status.error, 'Forbidden: Access to collection a1 is required');
      res = await get(mint('--collection', 'a1:r'), '/collections/a1');
      assert.equal(res.status, 200, res.text);
      res = await get(mint('--collection', 'a1:r'), `/collections/${C}`);
      assert.equal(res.status, 403);
    });

    test('lookup_from, prefetch and with_lookup collections need access too', async () => {
      const q = (token, body, tail = 'points/query') =>
        srv.request('POST', `/collections/${C}/${tail}`, body, { headers: bearer(token) });
      const denied = `Forbidden: Access to collection ${OTHER} is required`;
      const bodies = [
        ['points/query', { query: 1, lookup_from: { collection: OTHER }, limit: 2 }],
        ['points/query', { query: V, limit: 2, prefetch: [{ query: 1, lookup_from: { collection: OTHER }, limit: 2 }] }],
        ['points/query', { query: V, limit: 2, prefetch: { query: V, prefetch: { query: 1, lookup_from: { collection: OTHER } } } }],
        ['points/query/batch', { searches: [{ query: V }, { query: 1, lookup_from: { collection: OTHER } }] }],
        ['points/recommend', { positive: [1], lookup_from: { collection: OTHER }, limit: 2 }],
        ['points/recommend/batch', { searches: [{ positive: [1], lookup_from: { collection: OTHER }, limit: 2 }] }],
        ['points/discover', { target: 1, context: [{ positive: 2, negative: 3 }], lookup_from: { collection: OTHER }, limit: 2 }],
        ['points/query/groups', { query: V, group_by: 'city', limit: 2, with_lookup: OTHER }],
        ['points/search/groups', { vector: V, group_by: 'city', limit: 2, with_lookup: { collection: OTHER } }],
      ];
      for (const [tail, body] of bodies) {
        const res = await q(tokens.colR, body, tail);
        assert.equal(res.status, 403, `${tail} ${JSON.stringify(body)}: ${res.status} ${res.text}`);
        assert.equal(res.json.status.error, denied, tail);
        // Any grant on the other collection (prw included) is enough to read from it in passing.
        const both = mint('--collection', `${C}:r`, '--collection', `${OTHER}:prw`);
        const ok = await q(both, body, tail);
        assert.equal(ok.status, 200, `${tail} with both granted: ${ok.status} ${ok.text}`);
      }
      // The lookup collection granted but the target not: refused for the target.
      const res = await q(tokens.otherR, bodies[0][1]);
      assert.equal(res.status, 403);
      assert.equal(res.json.status.error, `Forbidden: Access to collection ${C} is required`);
    });
  });

  describe('official client (@qdrant/js-client-rest)', () => {
    // The client warns on stderr when an api key goes over http; that is expected here.
    const quiet = async (fn) => {
      const warn = console.warn;
      console.warn = () => {};
      try {
        return await fn();
      } finally {
        console.warn = warn;
      }
    };
    const client = (opts) => quiet(() => new QdrantClient({ url: srv.url, checkCompatibility: false, ...opts }));

    test('with apiKey: the api key, the alt key, the read-only key', async () => {
      const admin = await client({ apiKey: API_KEY });
      await admin.createCollection('client_c', { vectors: { size: 2, distance: 'Cosine' } });
      await admin.upsert('client_c', { wait: true, points: [{ id: 1, vector: [1, 0], payload: { k: 'v' } }] });
      const { collections } = await admin.getCollections();
      assert.ok(collections.some((c) => c.name === 'client_c'));

      const alt = await client({ apiKey: ALT_KEY });
      assert.equal((await alt.count('client_c')).count, 1);

      const ro = await client({ apiKey: RO_KEY });
      assert.equal((await ro.query('client_c', { query: [1, 0], limit: 1 })).points[0].id, 1);
      const body = await rejectsWithStatus(ro.upsert('client_c', { wait: true, points: [{ id: 2, vector: [0, 1] }] }), 403);
      assert.equal(body.status.error, 'Forbidden: Global manage access is required');
      await rejectsWithStatus(ro.deleteCollection('client_c'), 403);

      await rejectsWithStatus((await client({})).getCollections(), 401);
      await rejectsWithStatus((await client({ apiKey: 'wrong-0123456789abcdef0123456789abcd' })).getCollections(), 401);
      // Health probes work through the client without a key.
      assert.equal((await (await client({})).versionInfo()).title, 'qdrant - vector search engine');
    });

    test('with a JWT: as apiKey and as an Authorization header', async () => {
      const token = mint('--collection', 'client_c:rw');
      for (const c of [await client({ apiKey: token }), await client({ headers: { Authorization: `Bearer ${token}` } })]) {
        await c.upsert('client_c', { wait: true, points: [{ id: 3, vector: [0.5, 0.5] }] });
        assert.equal((await c.count('client_c')).count, 2);
        assert.deepEqual((await c.getCollections()).collections.map((x) => x.name), ['client_c']);
        await rejectsWithStatus(c.getCollection(C), 403);
        await rejectsWithStatus(c.createCollection('client_d', { vectors: { size: 2, distance: 'Dot' } }), 403);
        await c.delete('client_c', { wait: true, points: [3] });
      }
      const expired = signJwt({ exp: now() - 60, access: 'm' });
      await rejectsWithStatus((await client({ apiKey: expired })).getCollections(), 403);
    });
  });
});

describe('JWT with jwt_rbac off', () => {
  let srv;
  before(async () => {
    srv = await startServer({ env: { QDRANT__SERVICE__API_KEY: API_KEY } });
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('a valid token is just an unknown key', async () => {
    const token = signJwt({ exp: now() + 600, access: 'm' });
    let res = await srv.request('GET', '/collections', undefined, { headers: bearer(token) });
    assert.deepEqual([res.status, res.text], [401, INVALID]);
    res = await srv.request('GET', '/collections', undefined, { headers: bearer(API_KEY) });
    assert.equal(res.status, 200);
    // Without a read-only key configured, nothing else works either.
    res = await srv.request('GET', '/collections', undefined, { headers: { 'api-key': RO_KEY } });
    assert.deepEqual([res.status, res.text], [401, INVALID]);
  });
});
