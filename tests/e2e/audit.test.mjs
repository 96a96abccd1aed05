// Audit log (audit.enabled, dir, rotation, max_log_files, trust_forwarded_headers): the files the
// server writes (docs/formats/audit-log.md) and POST /audit/logs.
//
// Each request sent here carries its own x-request-id, which the server records as `tracing_id`,
// so a test can find the one line a request produced (and check that there is exactly one).

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SERVER_BIN, okResult, startServer } from './harness.mjs';

const API_KEY = 'audit-e2e-api-key-9f8e7d6c5b4a39281706f5e4d3c2b1a0';
const RO_KEY = 'audit-e2e-read-only-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const WRONG_KEY = 'audit-e2e-wrong-key-00112233445566778899aabbccddeeff';

// Field order of a line (docs/formats/audit-log.md).
const FIELD_ORDER = ['timestamp', 'method', 'api', 'auth_type', 'subject', 'remote', 'collection',
  'tracing_id', 'result', 'error', 'client_cert_subject', 'dropped_before'];
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

const now = () => Math.floor(Date.now() / 1000);

function signJwt(claims, key = API_KEY) {
  const data = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.` +
    `${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${data}.${crypto.createHmac('sha256', key).update(data).digest('base64url')}`;
}

function toolEnv(extra) {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('QDRANT__') && !k.startsWith('QUIVER__')) env[k] = v;
  }
  return { ...env, ...extra };
}

/** Reads every audit file of `dir`: {files: [names], lines: [parsed objects], raw: [strings]}. */
function readAudit(dir) {
  const files = fs.readdirSync(dir).filter((n) => /^audit\.\d{4}-\d\d-\d\d(-\d\d)?\.log$/.test(n)).sort();
  const raw = [];
  for (const f of files) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8');
    if (text.length === 0) continue;
    assert.ok(text.endsWith('\n'), `${f} does not end with a newline`);
    raw.push(...text.slice(0, -1).split('\n'));
  }
  return { files, raw, lines: raw.map((l) => JSON.parse(l)) };
}

const withoutTimestamp = ({ timestamp, ...rest }) => rest;

describe('audit log', () => {
  let srv;
  let dir;
  let startDay;
  const alice = { token: null };
  const sent = []; // tracing ids of access-checked requests (one line each)

  const req = (method, p, body, headers = {}, id = undefined) => {
    const h = { ...headers };
    if (id) h['x-request-id'] = id;
    return srv.request(method, p, body, { headers: h });
  };
  const admin = { 'api-key': API_KEY };
  const bearer = (t) => ({ authorization: `Bearer ${t}` });
  const auditQuery = (body, headers = admin) => srv.request('POST', '/audit/logs', body, { headers });

  before(async () => {
    dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-audit-')), 'audit'); // created by the server
    startDay = new Date().toISOString().slice(0, 10);
    srv = await startServer({
      env: {
        QDRANT__SERVICE__API_KEY: API_KEY,
        QDRANT__SERVICE__READ_ONLY_API_KEY: RO_KEY,
        QDRANT__SERVICE__JWT_RBAC: 'true',
        QDRANT__AUDIT__ENABLED: 'true',
        QDRANT__AUDIT__DIR: dir,
      },
    });
    alice.token = execFileSync(SERVER_BIN, ['token', '--collection', 'books:r', '--subject', 'alice'], {
      cwd: srv.workDir, env: toolEnv({ QDRANT__SERVICE__API_KEY: API_KEY }),
    }).toString().trim();

    // The traffic the tests below inspect.
    const expectStatus = async (status, promise) => {
      const res = await promise;
      assert.equal(res.status, status, `${res.status} ${res.text}`);
    };
    const send = async (status, id, method, p, body, headers) => {
      sent.push(id);
      await expectStatus(status, req(method, p, body, headers, id));
    };
    await send(200, 'req-ok-create', 'PUT', '/collections/books', { vectors: { size: 2, distance: 'Dot' } }, admin);
    await send(200, 'req-ok-upsert', 'PUT', '/collections/books/points?wait=true',
      { points: [{ id: 1, vector: [1, 0], payload: { t: 'a' } }] }, admin);
    await send(403, 'req-denied-ro', 'PUT', '/collections/books/points?wait=true',
      { points: [{ id: 2, vector: [0, 1] }] }, { 'api-key': RO_KEY });
    await send(200, 'req-ok-ro-scroll', 'POST', '/collections/books/points/scroll', {}, { 'api-key': RO_KEY });
    await send(401, 'req-unauth-missing', 'GET', '/collections', undefined, {});
    await send(401, 'req-unauth-wrong', 'GET', '/collections', undefined, { 'api-key': WRONG_KEY });
    await send(200, 'req-jwt-query', 'POST', '/collections/books/points/query', { query: [1, 0] }, bearer(alice.token));
    await send(403, 'req-jwt-denied', 'PUT', '/collections/books/points?wait=true',
      { points: [{ id: 2, vector: [0, 1] }] }, bearer(alice.token));
    await send(403, 'req-jwt-other', 'GET', '/collections/secret', undefined, bearer(alice.token));
    await send(403, 'req-jwt-expired', 'GET', '/collections', undefined,
      bearer(signJwt({ exp: now() - 120, access: 'm', subject: 'mallory' })));
    await send(403, 'req-jwt-badsig', 'GET', '/collections', undefined,
      bearer(signJwt({ access: 'm', subject: 'mallory' }, 'not-the-key-00000000000000000000000000')));
    await send(401, 'req-jwt-revoked', 'GET', '/collections/books', undefined, bearer(signJwt({
      access: 'r', subject: 'erin', value_exists: { collection: 'books', matches: [{ key: 't', value: 'zzz' }] },
    })));
    await send(200, 'req-jwt-subject-claim', 'GET', '/collections', undefined,
      bearer(signJwt({ access: 'r', subject: 'carol' })));
    await send(200, 'req-forwarded', 'GET', '/collections', undefined, { ...admin, 'x-forwarded-for': '203.0.113.9' });
    // Open routes are not access-checked: no line.
    for (const p of ['/', '/healthz', '/livez', '/readyz']) {
      await expectStatus(200, req('GET', p, undefined, {}, `req-open${p}`));
    }
    // Tracing headers other than x-request-id, by priority.
    await expectStatus(200, req('GET', '/collections', undefined,
      { ...admin, 'x-tracing-id': 'trace-2', traceparent: '00-aaaa-bbbb-01' }));
    await expectStatus(200, req('GET', '/collections', undefined, { ...admin, traceparent: '00-cccc-dddd-01' }));
    await expectStatus(200, req('GET', '/collections', undefined, { ...admin, 'x-request-id': 'x'.repeat(300) }));
    await expectStatus(200, req('GET', '/collections/books', undefined, admin)); // no tracing header
    // POST /audit/logs writes out what is queued before it reads.
    sent.push('req-flush');
    okResult(await req('POST', '/audit/logs', { limit: 1 }, admin, 'req-flush'));
  });

  after(async () => {
    await srv?.cleanup();
    if (dir) fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  });

  test('files: audit.YYYY-MM-DD.log in the configured directory, not readable by others', () => {
    const { files } = readAudit(dir);
    const endDay = new Date().toISOString().slice(0, 10);
    assert.ok(files.length >= 1, `no audit file in ${dir}: ${fs.readdirSync(dir)}`);
    for (const f of files) {
      assert.ok([`audit.${startDay}.log`, `audit.${endDay}.log`].includes(f), `unexpected file ${f}`);
      const mode = fs.statSync(path.join(dir, f)).mode & 0o777;
      assert.equal(mode & 0o007, 0, `${f} has mode ${mode.toString(8)}`);
    }
    assert.deepEqual(fs.readdirSync(dir).filter((n) => !files.includes(n)), [], 'only audit files in the dir');
  });

  test('every line is a JSON object with the documented fields, in order', () => {
    const { raw, lines } = readAudit(dir);
    assert.ok(lines.length >= sent.length);
    lines.forEach((line, i) => {
      assert.match(line.timestamp, TIMESTAMP, raw[i]);
      assert.ok(['ApiKey', 'Jwt', 'None'].includes(line.auth_type), raw[i]);
      assert.ok(['ok', 'denied'].includes(line.result), raw[i]);
      assert.equal(line.result === 'denied', 'error' in line, `error iff denied: ${raw[i]}`);
      const keys = Object.keys(line);
      assert.ok(keys.every((k) => FIELD_ORDER.includes(k)), `unknown field in ${raw[i]}`);
      const order = keys.map((k) => FIELD_ORDER.indexOf(k));
      assert.deepEqual(order, [...order].sort((a, b) => a - b), `field order of ${raw[i]}`);
      for (const [k, v] of Object.entries(line)) {
        if (k !== 'dropped_before') assert.ok(typeof v === 'string' && v.length > 0, `empty ${k} in ${raw[i]}`);
      }
    });
    // Timestamps of consecutive lines never go back by more than a few milliseconds.
    const ts = lines.map((l) => Date.parse(l.timestamp));
    for (let i = 1; i < ts.length; i++) assert.ok(ts[i] >= ts[i - 1] - 50, `line ${i} goes back in time`);
  });

  test('one line per access-checked request and per failed authentication', () => {
    const { lines } = readAudit(dir);
    for (const id of sent) {
      const found = lines.filter((l) => l.tracing_id === id);
      assert.equal(found.length, 1, `${id}: ${found.length} lines`);
    }
    assert.equal(lines.filter((l) => /^req-open/.test(l.tracing_id ?? '')).length, 0, 'open routes are not audited');
    assert.equal(lines.filter((l) => ['/', '/healthz', '/livez', '/readyz'].includes(l.api)).length, 0);
  });

  test('allowed and denied requests: method, api, auth_type, subject, remote, collection, result, error', () => {
    const { lines } = readAudit(dir);
    const line = (id) => withoutTimestamp(lines.find((l) => l.tracing_id === id));
    const remote = '127.0.0.1';
    assert.deepEqual(line('req-ok-create'), {
      method: 'create_collection', api: '/collections/books', auth_type: 'ApiKey', remote,
      collection: 'books', tracing_id: 'req-ok-create', result: 'ok',
    });
    assert.deepEqual(line('req-ok-upsert'), {
      method: 'upsert_points', api: '/collections/books/points', auth_type: 'ApiKey', remote,
      collection: 'books', tracing_id: 'req-ok-upsert', result: 'ok',
    });
    assert.deepEqual(line('req-denied-ro'), {
      method: 'upsert_points', api: '/collections/books/points', auth_type: 'ApiKey', remote,
      collection: 'books', tracing_id: 'req-denied-ro', result: 'denied',
      error: 'Forbidden: Global manage access is required',
    });
    assert.deepEqual(line('req-ok-ro-scroll'), {
      method: 'scroll_points', api: '/collections/books/points/scroll', auth_type: 'ApiKey', remote,
      collection: 'books', tracing_id: 'req-ok-ro-scroll', result: 'ok',
    });
    assert.deepEqual(line('req-jwt-query'), {
      method: 'search_points', api: '/collections/books/points/query', auth_type: 'Jwt', subject: 'alice',
      remote, collection: 'books', tracing_id: 'req-jwt-query', result: 'ok',
    });
    assert.deepEqual(line('req-jwt-denied'), {
      method: 'upsert_points', api: '/collections/books/points', auth_type: 'Jwt', subject: 'alice', remote,
      collection: 'books', tracing_id: 'req-jwt-denied', result: 'denied',
      error: 'Forbidden: Write access to collection books is required',
    });
    assert.deepEqual(line('req-jwt-other'), {
      method: 'get_collection', api: '/collections/secret', auth_type: 'Jwt', subject: 'alice', remote,
      collection: 'secret', tracing_id: 'req-jwt-other', result: 'denied',
      error: 'Forbidden: Access to collection secret is required',
    });
    assert.deepEqual(line('req-jwt-subject-claim'), {
      method: 'list_collections', api: '/collections', auth_type: 'Jwt', subject: 'carol', remote,
      tracing_id: 'req-jwt-subject-claim', result: 'ok',
    });
    // A token refused by its value_exists condition.
    const revoked = line('req-jwt-revoked');
    assert.equal(revoked.result, 'denied');
    assert.equal(revoked.error, 'Unauthorized: Invalid JWT, stateful validation failed');
    assert.equal(revoked.api, '/collections/books');
    // value_exists is part of authentication (as in Qdrant): no method, auth_type None.
    assert.equal('method' in revoked, false);
    assert.equal(revoked.auth_type, 'None');
    // X-Forwarded-For is ignored without audit.trust_forwarded_headers.
    assert.equal(line('req-forwarded').remote, remote);
    assert.equal(line('req-forwarded').method, 'list_collections');
    assert.equal('collection' in line('req-forwarded'), false);
  });

  test('failed authentications: no method, auth_type None, no subject', () => {
    const { lines } = readAudit(dir);
    for (const id of ['req-unauth-missing', 'req-unauth-wrong', 'req-jwt-expired', 'req-jwt-badsig', 'req-jwt-revoked']) {
      const l = lines.find((x) => x.tracing_id === id);
      assert.deepEqual(Object.keys(l).filter((k) => k !== 'error'),
        ['timestamp', 'api', 'auth_type', 'remote', 'tracing_id', 'result'], JSON.stringify(l));
      assert.equal(l.api, id === 'req-jwt-revoked' ? '/collections/books' : '/collections');
      assert.equal(l.auth_type, 'None');
      assert.equal(l.result, 'denied');
      assert.equal(l.remote, '127.0.0.1');
      assert.match(l.error, /Must provide an API key|Invalid API key or JWT|ExpiredSignature|InvalidSignature|stateful validation failed/);
    }
  });

  test('failed authentications: error text as Qdrant writes it ("Unauthorized: " / "Forbidden: ")', () => {
    // Qdrant's log_denied_auth records AuthError's Display: "Unauthorized: <msg>" for 401 and
    // "Forbidden: <msg>" for 403 (src/common/auth/mod.rs); docs/formats/audit-log.md says the same.
    const { lines } = readAudit(dir);
    const error = (id) => lines.find((x) => x.tracing_id === id).error;
    assert.deepEqual(
      ['req-unauth-missing', 'req-unauth-wrong', 'req-jwt-expired', 'req-jwt-badsig'].map(error),
      ['Unauthorized: Must provide an API key or an Authorization bearer token',
        'Unauthorized: Invalid API key or JWT', 'Forbidden: ExpiredSignature', 'Forbidden: InvalidSignature']);
  });

  test('tracing_id: x-request-id, else x-tracing-id, else traceparent, at most 256 bytes', () => {
    const { lines } = readAudit(dir);
    const listLines = lines.filter((l) => l.method === 'list_collections');
    assert.ok(listLines.some((l) => l.tracing_id === 'trace-2'), 'x-tracing-id before traceparent');
    assert.ok(listLines.some((l) => l.tracing_id === '00-cccc-dddd-01'), 'traceparent');
    assert.ok(listLines.some((l) => l.tracing_id === 'x'.repeat(256)), 'cut to 256');
    assert.ok(!lines.some((l) => (l.tracing_id ?? '').length > 256));
    const noTrace = lines.filter((l) => l.api === '/collections/books' && l.method === 'get_collection' && l.auth_type === 'ApiKey');
    assert.equal(noTrace.length, 1);
    assert.equal('tracing_id' in noTrace[0], false);
  });

  test('keys and tokens never appear in any file', () => {
    const all = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f), 'utf8')).join('\n');
    for (const secret of [API_KEY, RO_KEY, WRONG_KEY, alice.token, alice.token.split('.')[2], 'mallory']) {
      assert.equal(all.includes(secret), false, `a secret (${secret.slice(0, 12)}…) is in the audit log`);
    }
  });

  describe('POST /audit/logs', () => {
    test('newest first, the same entries as the files', async () => {
      const { entries } = okResult(await auditQuery({ limit: 10000 }));
      const ts = entries.map((e) => Date.parse(e.timestamp));
      for (let i = 1; i < ts.length; i++) assert.ok(ts[i] <= ts[i - 1], `entry ${i} is newer than entry ${i - 1}`);
      const { lines } = readAudit(dir);
      // The files hold what the query read (and perhaps the query's own line, written after).
      const inFiles = new Set(lines.map((l) => JSON.stringify(l)));
      for (const e of entries) assert.ok(inFiles.has(JSON.stringify(e)), `not in the files: ${JSON.stringify(e)}`);
      assert.ok(entries.length >= lines.length - 1, `${entries.length} entries, ${lines.length} lines`);
      for (const id of sent) assert.ok(entries.some((e) => e.tracing_id === id), id);
    });

    test('filters: exact field matches, all of them', async () => {
      const { lines } = readAudit(dir);
      const q = async (filters, limit = 10000) => okResult(await auditQuery({ filters, limit })).entries;

      let got = await q({ tracing_id: 'req-denied-ro' });
      assert.deepEqual(got, lines.filter((l) => l.tracing_id === 'req-denied-ro'));

      got = await q({ result: 'denied' });
      assert.deepEqual(got.map((e) => e.tracing_id).sort(),
        lines.filter((l) => l.result === 'denied').map((l) => l.tracing_id).sort());
      assert.equal(got.length, 8);

      got = await q({ subject: 'alice' });
      assert.deepEqual(got.map((e) => e.tracing_id).sort(), ['req-jwt-denied', 'req-jwt-other', 'req-jwt-query']);
      got = await q({ subject: 'alice', result: 'ok' });
      assert.deepEqual(got.map((e) => e.tracing_id), ['req-jwt-query']);
      got = await q({ method: 'upsert_points', auth_type: 'ApiKey' });
      assert.deepEqual(got.map((e) => e.tracing_id), ['req-denied-ro', 'req-ok-upsert']);
      got = await q({ collection: 'secret' });
      assert.deepEqual(got.map((e) => e.tracing_id), ['req-jwt-other']);
      got = await q({ auth_type: 'None' });
      assert.deepEqual(got.map((e) => e.tracing_id).sort(),
        ['req-jwt-badsig', 'req-jwt-expired', 'req-jwt-revoked', 'req-unauth-missing', 'req-unauth-wrong']);

      // Case-sensitive; unknown fields, fields a line lacks and timestamp match nothing.
      assert.deepEqual(await q({ result: 'DENIED' }), []);
      assert.deepEqual(await q({ no_such_field: 'x' }), []);
      assert.deepEqual(await q({ timestamp: lines[0].timestamp }), []);
      assert.deepEqual(await q({ tracing_id: 'req-unauth-missing', method: 'list_collections' }), []);
    });

    test('limit and time range', async () => {
      const all = okResult(await auditQuery({ filters: { result: 'denied' }, limit: 10000 })).entries;
      const three = okResult(await auditQuery({ filters: { result: 'denied' }, limit: 3 })).entries;
      assert.deepEqual(three, all.slice(0, 3));
      const one = okResult(await auditQuery({ limit: 1 })).entries;
      assert.equal(one.length, 1);

      const pivot = all.find((e) => e.tracing_id === 'req-jwt-denied').timestamp;
      const from = okResult(await auditQuery({ filters: { result: 'denied' }, time_from: pivot })).entries;
      const to = okResult(await auditQuery({ filters: { result: 'denied' }, time_to: pivot })).entries;
      assert.ok(from.every((e) => e.timestamp >= pivot));
      assert.ok(to.every((e) => e.timestamp < pivot));
      assert.ok(from.some((e) => e.tracing_id === 'req-jwt-denied'), 'time_from is inclusive');
      assert.ok(!to.some((e) => e.tracing_id === 'req-jwt-denied'), 'time_to is exclusive');
      assert.deepEqual([...from, ...to].map((e) => e.tracing_id).sort(), all.map((e) => e.tracing_id).sort());
      const future = new Date(Date.now() + 3600_000).toISOString();
      assert.deepEqual(okResult(await auditQuery({ time_from: future })).entries, []);

      for (const limit of [0, 10001]) {
        const res = await auditQuery({ limit });
        assert.equal(res.status, 422, `limit ${limit}: ${res.status} ${res.text}`);
      }
    });

    test('manage access only', async () => {
      const cases = [
        [{ 'api-key': RO_KEY }, 'Forbidden: Global manage access is required'],
        [bearer(signJwt({ access: 'r' })), 'Forbidden: Global manage access is required'],
        [bearer(alice.token), 'Forbidden: Global access is required'],
      ];
      for (const [headers, error] of cases) {
        const res = await auditQuery({ limit: 10 }, headers);
        assert.equal(res.status, 403, res.text);
        assert.equal(res.json.status.error, error);
      }
      const res = await auditQuery({ limit: 10 }, {});
      assert.equal(res.status, 401);
      okResult(await auditQuery({ limit: 10 }, bearer(signJwt({ access: 'm' }))));
      // The refusals are audited too.
      const denied = okResult(await auditQuery({ filters: { api: '/audit/logs', result: 'denied' } })).entries;
      assert.ok(denied.length >= 4, JSON.stringify(denied));
    });

    test('the method of POST /audit/logs is named as in Qdrant ("get_audit_logs")', async () => {
      // Qdrant: auth.check_global_access(..., "get_audit_logs") (src/actix/api/audit_api.rs);
      // docs/formats/audit-log.md lists "get_audit_logs" among the method names.
      okResult(await srv.request('POST', '/audit/logs', { limit: 1 },
        { headers: { ...admin, 'x-request-id': 'req-audit-name' } }));
      const { entries } = okResult(await auditQuery({ filters: { tracing_id: 'req-audit-name' } }));
      assert.equal(entries.length, 1);
      assert.equal(entries[0].method, 'get_audit_logs');
    });
  });
});

describe('audit log: hourly files, retention, forwarded addresses', () => {
  let srv;
  let dir;
  const OLD = ['audit.2020-01-01-00.log', 'audit.2020-01-01-01.log', 'audit.2020-01-01-02.log',
    'audit.2020-01-01-03.log', 'audit.2020-01-01-04.log'];
  const OLD_LINE = { timestamp: '2020-01-01T04:10:00.000Z', method: 'get_collection', api: '/collections/old',
    auth_type: 'ApiKey', remote: '10.0.0.1', collection: 'old', result: 'ok' };

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-audit-hourly-'));
    for (const f of OLD) fs.writeFileSync(path.join(dir, f), '');
    fs.writeFileSync(path.join(dir, 'audit.2020-01-01-04.log'), `${JSON.stringify(OLD_LINE)}\n{"timestamp":"2020-01-01T04:1`);
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not an audit file\n');
    fs.writeFileSync(path.join(dir, 'audit.2020-13-01-00.log'), 'not a real date\n');
    srv = await startServer({
      env: {
        QDRANT__SERVICE__API_KEY: API_KEY,
        QDRANT__AUDIT__ENABLED: 'true',
        QDRANT__AUDIT__DIR: dir,
        QDRANT__AUDIT__ROTATION: 'hourly',
        QDRANT__AUDIT__MAX_LOG_FILES: '3',
        QDRANT__AUDIT__TRUST_FORWARDED_HEADERS: 'true',
      },
    });
  });
  after(async () => {
    await srv?.cleanup();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  test('at most max_log_files hourly files are kept; other files are left alone', async () => {
    const hour = new Date().toISOString().slice(0, 13).replace('T', '-');
    const names = fs.readdirSync(dir).sort();
    const audit = names.filter((n) => /^audit\.\d{4}-\d\d-\d\d-\d\d\.log$/.test(n) && n !== 'audit.2020-13-01-00.log');
    assert.equal(audit.length, 3, `kept ${audit}`);
    assert.ok(audit.includes('audit.2020-01-01-04.log') && audit.includes('audit.2020-01-01-03.log'), `kept ${audit}`);
    assert.ok(audit.some((n) => n === `audit.${hour}.log` || n > 'audit.2021'), `no current file: ${audit}`);
    assert.ok(names.includes('notes.txt') && names.includes('audit.2020-13-01-00.log'), `${names}`);
  });

  test('X-Forwarded-For is the remote with trust_forwarded_headers; old files are queried', async () => {
    okResult(await srv.request('GET', '/collections', undefined,
      { headers: { 'api-key': API_KEY, 'x-forwarded-for': '203.0.113.7, 10.1.2.3', 'x-request-id': 'fwd-1' } }));
    const { entries } = okResult(await srv.request('POST', '/audit/logs', { filters: { tracing_id: 'fwd-1' } },
      { headers: { 'api-key': API_KEY } }));
    assert.equal(entries.length, 1);
    assert.equal(entries[0].remote, '203.0.113.7');
    // The old file's complete line is read; its torn last line is skipped.
    const old = okResult(await srv.request('POST', '/audit/logs',
      { time_to: '2021-01-01T00:00:00Z', limit: 100 }, { headers: { 'api-key': API_KEY } })).entries;
    assert.deepEqual(old, [OLD_LINE]);
  });
});
