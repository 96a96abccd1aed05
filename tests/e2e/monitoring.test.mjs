// Monitoring endpoints: GET /metrics (Prometheus text), GET /telemetry (Qdrant's TelemetryData,
// filtered by access), the cluster routes of a node without a cluster, GET|DELETE /issues and
// GET|POST /logger.
//
// /metrics is parsed with a small checker of the Prometheus text format (0.0.4): every line is a
// comment or a sample `name{labels} value`, names and label names are valid, each family has
// # HELP and # TYPE before its samples and its samples are together, counters are not negative,
// and each histogram series has cumulative buckets ending in le="+Inf" equal to its _count.
// JSON answers are also checked against Qdrant's OpenAPI document by the harness.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { assertErrorBody, okResult, rejectsWithStatus, startServer, validateComponent } from './harness.mjs';

const API_KEY = 'e2e-monitoring-key-3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c';
const RO_KEY = 'e2e-monitoring-ro-key-0f1e2d3c4b5a69788796a5b4c3d2e1f0';
const admin = { 'api-key': API_KEY };
const readOnly = { 'api-key': RO_KEY };

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function parseValue(text, where) {
  if (text === '+Inf') return Infinity;
  if (text === '-Inf') return -Infinity;
  if (text === 'NaN') return NaN;
  assert.match(text, /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/, `${where}: bad value ${text}`);
  return Number(text);
}

/** Parses `{a="x",b="y"}` (escapes \\ \" \n) starting at text[0] === '{'; returns [labels, rest]. */
function parseLabels(text, where) {
  const labels = {};
  let i = 1;
  while (text[i] !== '}') {
    const eq = text.indexOf('=', i);
    assert.ok(eq > i, `${where}: label without '='`);
    const name = text.slice(i, eq);
    assert.match(name, LABEL_NAME, `${where}: bad label name ${name}`);
    assert.equal(text[eq + 1], '"', `${where}: label value not quoted`);
    let value = '';
    let j = eq + 2;
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        const next = text[++j];
        assert.ok(['\\', '"', 'n'].includes(next), `${where}: bad escape \\${next}`);
        value += next === 'n' ? '\n' : next;
      } else {
        assert.notEqual(text[j], '\n', `${where}: raw newline in a label value`);
        value += text[j];
      }
    }
    assert.equal(text[j], '"', `${where}: unterminated label value`);
    assert.ok(!(name in labels), `${where}: label ${name} twice`);
    labels[name] = value;
    i = j + 1;
    if (text[i] === ',') i++;
    else assert.equal(text[i], '}', `${where}: expected ',' or '}' after a label`);
  }
  return [labels, text.slice(i + 1)];
}

/**
 * Checks a Prometheus text exposition and returns its families:
 * name -> {type, help, samples: [{name, labels, value}]}.
 */
export function parsePrometheus(text) {
  assert.ok(text.endsWith('\n'), 'the exposition ends with a newline');
  const families = new Map();
  const closed = new Set(); // families whose samples are over
  let current = null;
  const lines = text.slice(0, -1).split('\n');
  lines.forEach((line, n) => {
    const where = `line ${n + 1} "${line.slice(0, 120)}"`;
    if (line.startsWith('# HELP ') || line.startsWith('# TYPE ')) {
      const [, kind, name, ...rest] = line.split(' ');
      assert.match(name, NAME, `${where}: bad metric name`);
      if (current && current.name !== name) closed.add(current.name);
      assert.ok(!closed.has(name), `${where}: family ${name} appears twice`);
      let f = families.get(name);
      if (!f) {
        f = { name, samples: [] };
        families.set(name, f);
      }
      assert.equal(f.samples.length, 0, `${where}: ${kind} after samples of ${name}`);
      if (kind === 'HELP') {
        assert.equal(f.help, undefined, `${where}: second HELP`);
        f.help = rest.join(' ');
      } else {
        assert.equal(f.type, undefined, `${where}: second TYPE`);
        assert.ok(['counter', 'gauge', 'histogram', 'summary', 'untyped'].includes(rest[0]), `${where}: type`);
        f.type = rest[0];
      }
      current = f;
      return;
    }
    assert.ok(!line.startsWith('#') || line.startsWith('# '), `${where}: stray comment`);
    if (line.startsWith('#')) return;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(.*)$/.exec(line);
    assert.ok(m, `${where}: not a sample line`);
    const name = m[1];
    let rest = m[2];
    let labels = {};
    if (rest.startsWith('{')) [labels, rest] = parseLabels(rest, where);
    assert.ok(rest.startsWith(' '), `${where}: no space before the value`);
    const parts = rest.slice(1).split(' ');
    assert.ok(parts.length <= 2, `${where}: trailing text`);
    const value = parseValue(parts[0], where);
    assert.ok(current, `${where}: sample before any # HELP / # TYPE`);
    assert.ok(current.help !== undefined && current.type !== undefined,
      `${where}: family ${current.name} lacks HELP or TYPE`);
    const suffixes = current.type === 'histogram' ? ['_bucket', '_sum', '_count'] : [''];
    assert.ok(suffixes.some((s) => name === current.name + s),
      `${where}: sample ${name} outside its family (current: ${current.name})`);
    if (current.type === 'counter') assert.ok(value >= 0, `${where}: negative counter`);
    current.samples.push({ name, labels, value });
  });
  for (const f of families.values()) {
    assert.ok(f.help !== undefined && f.type !== undefined, `family ${f.name} lacks HELP or TYPE`);
    if (f.type === 'histogram') checkHistogram(f);
  }
  return families;
}

function checkHistogram(f) {
  const series = new Map();
  const keyOf = (labels) => JSON.stringify(Object.entries(labels).filter(([k]) => k !== 'le').sort());
  for (const s of f.samples) {
    const key = keyOf(s.labels);
    if (!series.has(key)) series.set(key, { buckets: [] });
    const entry = series.get(key);
    if (s.name.endsWith('_bucket')) {
      assert.ok('le' in s.labels, `${s.name}: bucket without le`);
      entry.buckets.push([parseValue(s.labels.le, s.name), s.value]);
    } else if (s.name.endsWith('_sum')) {
      entry.sum = s.value;
    } else {
      entry.count = s.value;
    }
  }
  for (const [key, { buckets, sum, count }] of series) {
    assert.ok(buckets.length > 0, `${f.name} ${key}: no buckets`);
    for (let i = 1; i < buckets.length; i++) {
      assert.ok(buckets[i][0] > buckets[i - 1][0], `${f.name} ${key}: le not increasing`);
      assert.ok(buckets[i][1] >= buckets[i - 1][1], `${f.name} ${key}: buckets not cumulative`);
    }
    assert.equal(buckets.at(-1)[0], Infinity, `${f.name} ${key}: last bucket is not le="+Inf"`);
    assert.equal(buckets.at(-1)[1], count, `${f.name} ${key}: +Inf bucket differs from _count`);
    assert.equal(typeof sum, 'number', `${f.name} ${key}: no _sum`);
  }
}

/** The value of the sample of `family` (or its `name` sample) whose labels include `labels`; 0 if none. */
function valueOf(families, family, labels = {}, name = family) {
  const f = families.get(family);
  if (!f) return 0;
  const s = f.samples.find((x) => x.name === name &&
    Object.entries(labels).every(([k, v]) => x.labels[k] === v));
  return s ? s.value : 0;
}

function signJwt(claims, key = API_KEY) {
  const data = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.` +
    `${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${data}.${crypto.createHmac('sha256', key).update(data).digest('base64url')}`;
}
const bearer = (claims) => ({ authorization: `Bearer ${signJwt({ exp: Math.floor(Date.now() / 1000) + 3600, ...claims })}` });

describe('monitoring', () => {
  let srv;
  const get = (path, headers = admin) => srv.request('GET', path, undefined, { headers });
  async function metrics(headers = admin) {
    const res = await get('/metrics', headers);
    assert.equal(res.status, 200, res.text);
    assert.match(res.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
    return parsePrometheus(res.text);
  }

  before(async () => {
    srv = await startServer({
      env: {
        QDRANT__SERVICE__API_KEY: API_KEY,
        QDRANT__SERVICE__READ_ONLY_API_KEY: RO_KEY,
        QDRANT__SERVICE__JWT_RBAC: 'true',
      },
    });
    for (const c of ['c1', 'c2']) {
      okResult(await srv.request('PUT', `/collections/${c}`, {
        vectors: { dense: { size: 4, distance: 'Dot' } },
        sparse_vectors: { words: {} },
      }, { headers: admin }));
    }
    okResult(await srv.request('PUT', '/collections/c1/points?wait=true', {
      points: [
        { id: 1, vector: { dense: [1, 0, 0, 0], words: { indices: [1], values: [1] } }, payload: { city: 'Berlin' } },
        { id: 2, vector: { dense: [0, 1, 0, 0] } },
        { id: 3, vector: { dense: [0, 0, 1, 0] } },
      ],
    }, { headers: admin }));
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('GET /metrics is well-formed Prometheus text with Qdrant\'s families', async () => {
    await get('/collections'); // so that request series exist
    const f = await metrics();
    for (const [name, type] of [
      ['app_info', 'gauge'], ['app_status_recovery_mode', 'gauge'], ['collections_total', 'gauge'],
      ['collections_vector_total', 'gauge'], ['collection_vectors', 'gauge'], ['collection_points', 'gauge'],
      ['cluster_enabled', 'gauge'], ['rest_responses_total', 'counter'],
      ['rest_responses_avg_duration_seconds', 'gauge'], ['rest_responses_duration_seconds', 'histogram'],
      ['quiver_auth_failures_total', 'counter'], ['process_open_fds', 'gauge'],
    ]) {
      assert.equal(f.get(name)?.type, type, `family ${name}`);
    }
    assert.equal(f.get('app_info').samples[0].labels.name, 'quiver');
    assert.match(f.get('app_info').samples[0].labels.version, /^\d+\.\d+\.\d+/);
    assert.equal(valueOf(f, 'collections_total'), 2);
    assert.equal(valueOf(f, 'cluster_enabled'), 0);
    assert.equal(valueOf(f, 'collection_points', { id: 'c1' }), 3);
    assert.equal(valueOf(f, 'collection_points', { id: 'c2' }), 0);
    assert.equal(valueOf(f, 'collection_vectors', { collection: 'c1', vector: 'dense' }), 3);
    assert.equal(valueOf(f, 'collection_vectors', { collection: 'c1', vector: 'words' }), 1);
    assert.equal(valueOf(f, 'collections_vector_total'), 4);
    const reasons = f.get('quiver_auth_failures_total').samples.map((s) => s.labels.reason).sort();
    assert.deepEqual(reasons, ['expired', 'forbidden', 'invalid', 'missing', 'value_exists']);
    // anonymize hides collection names.
    const anon = await get('/metrics?anonymize=true');
    assert.equal(anon.status, 200);
    assert.ok(!anon.text.includes('"c1"'), 'anonymize=true still shows a collection name');
    parsePrometheus(anon.text);
  });

  test('request counters and histograms move with requests', async () => {
    const series = { method: 'POST', endpoint: '/collections/{collection_name}/points/count', status: '200' };
    const before = await metrics();
    for (let i = 0; i < 3; i++) {
      okResult(await srv.request('POST', '/collections/c1/points/count', { exact: true }, { headers: admin }));
    }
    await srv.request('POST', '/collections/nope/points/count', {}, { headers: admin }); // 404
    const after = await metrics();
    assert.equal(valueOf(after, 'rest_responses_total', series) - valueOf(before, 'rest_responses_total', series), 3);
    const count = (f) => valueOf(f, 'rest_responses_duration_seconds', series, 'rest_responses_duration_seconds_count');
    assert.equal(count(after) - count(before), 3);
    const notFound = { ...series, status: '404' };
    assert.equal(valueOf(after, 'rest_responses_total', notFound) - valueOf(before, 'rest_responses_total', notFound), 1);
    assert.ok(valueOf(after, 'rest_responses_max_duration_seconds', series) > 0);
    // The upsert shows in the points gauge.
    okResult(await srv.request('PUT', '/collections/c2/points?wait=true',
      { points: [{ id: 9, vector: { dense: [1, 1, 1, 1] } }] }, { headers: admin }));
    assert.equal(valueOf(await metrics(), 'collection_points', { id: 'c2' }), 1);
  });

  test('refused credentials are counted by reason', async () => {
    const before = await metrics();
    await get('/collections', {});                                   // missing
    await get('/collections', { 'api-key': 'not-a-key-0123456789abcdef0123' }); // invalid
    await get('/collections', bearer({ exp: Math.floor(Date.now() / 1000) - 3600, access: 'm' })); // expired
    await srv.request('DELETE', '/issues', undefined, { headers: readOnly }); // forbidden
    const after = await metrics();
    for (const reason of ['missing', 'invalid', 'expired', 'forbidden']) {
      const delta = valueOf(after, 'quiver_auth_failures_total', { reason }) -
        valueOf(before, 'quiver_auth_failures_total', { reason });
      assert.equal(delta, 1, `reason ${reason}`);
    }
  });

  test('/metrics and /logger need global access; the read-only key may read them', async () => {
    await metrics(readOnly);
    okResult(await get('/logger', readOnly));
    okResult(await get('/cluster', readOnly));
    const scoped = bearer({ access: [{ collection: 'c1', access: 'r' }] });
    for (const path of ['/metrics', '/logger', '/cluster']) {
      const res = await get(path, scoped);
      assert.equal(assertErrorBody(res, 403), 'Forbidden: Global access is required', path);
    }
    for (const [method, path, body] of [['POST', '/logger', { log_level: 'INFO' }], ['DELETE', '/issues']]) {
      const res = await srv.request(method, path, body, { headers: readOnly });
      assert.equal(assertErrorBody(res, 403), 'Forbidden: Global manage access is required', path);
    }
  });

  test('GET /telemetry matches Qdrant\'s TelemetryData at every details level', async () => {
    for (const level of [0, 1, 2, 3]) {
      const t = okResult(await get(`/telemetry?details_level=${level}`));
      validateComponent('TelemetryData', t);
      assert.equal(t.collections.number_of_collections, 2);
      assert.equal(t.app.name, 'quiver');
      assert.deepEqual(t.cluster.enabled, false);
      assert.ok(t.requests.rest.responses['GET /collections']['200'].count >= 1, `level ${level}`);
      if (level === 0) {
        assert.equal(t.collections.collections, undefined);
      } else {
        assert.equal(t.collections.collections.length, 2);
        assert.equal(typeof t.app.system.cpu_flags, 'string');
      }
      if (level >= 2) {
        const c1 = t.collections.collections.find((c) => c.id === 'c1');
        assert.equal(c1.shards[0].local.num_points, 3);
        assert.deepEqual(c1.config.params.vectors, { dense: { size: 4, distance: 'Dot' } });
      }
    }
    const a = okResult(await get('/telemetry?details_level=2&anonymize=true'));
    assert.ok(a.collections.collections.every((c) => c.id !== 'c1' && c.id !== 'c2'));
    assertErrorBody(await get('/telemetry?details_level=x'), 400);
    assertErrorBody(await get('/telemetry?anonymize=yes'), 400);
  });

  test('GET /telemetry is filtered for a collection-scoped token', async () => {
    const scoped = bearer({ access: [{ collection: 'c1', access: 'r' }] });
    const t = okResult(await get('/telemetry?details_level=2', scoped));
    validateComponent('TelemetryData', t);
    assert.equal(t.collections.number_of_collections, 1);
    assert.deepEqual(t.collections.collections.map((c) => c.id), ['c1']);
    assert.equal(t.requests, undefined, 'request statistics need global access');
    assert.equal(t.cluster, undefined, 'cluster telemetry needs global access');
    const none = okResult(await get('/telemetry?details_level=2', bearer({ access: [{ collection: 'zzz', access: 'rw' }] })));
    assert.equal(none.collections.number_of_collections, 0);
    assert.deepEqual(none.collections.collections, []);
    const global = okResult(await get('/telemetry?details_level=2', bearer({ access: 'r' })));
    assert.deepEqual(global.collections.collections.map((c) => c.id).sort(), ['c1', 'c2']);
    assert.equal(typeof global.requests.rest.responses, 'object');
  });

  test('cluster routes answer as a Qdrant node with the cluster disabled', async () => {
    assert.deepEqual(okResult(await get('/cluster')), { status: 'disabled' });
    const info = okResult(await get('/collections/c1/cluster'));
    assert.equal(info.shard_count, 1);
    assert.deepEqual(info.local_shards, [{ shard_id: 0, points_count: 3, state: 'Active' }]);
    assert.deepEqual([info.remote_shards, info.shard_transfers], [[], []]);
    assert.ok(Number.isSafeInteger(info.peer_id) && info.peer_id >= 0);
    assertErrorBody(await get('/collections/nope/cluster'), 404);
    for (const [method, path, body] of [
      ['POST', '/cluster/recover'],
      ['DELETE', '/cluster/peer/42'],
      ['POST', '/collections/c1/cluster', { drop_replica: { shard_id: 0, peer_id: info.peer_id } }],
    ]) {
      const res = await srv.request(method, path, body, { headers: admin });
      assert.equal(assertErrorBody(res, 405), 'Qdrant is running in standalone mode', `${method} ${path}`);
    }
  });

  test('the official client reads collection cluster info and gets 405 for cluster changes', async () => {
    const { QdrantClient } = await import('@qdrant/js-client-rest');
    const client = new QdrantClient({ url: srv.url, apiKey: API_KEY, checkCompatibility: false });
    const info = await client.collectionClusterInfo('c1');
    assert.equal(info.local_shards[0].points_count, 3);
    await rejectsWithStatus(client.updateCollectionCluster('c1', {
      move_shard: { shard_id: 0, from_peer_id: info.peer_id, to_peer_id: 1 },
    }), 405);
  });

  test('GET /issues is an empty report; DELETE /issues clears it', async () => {
    assert.deepEqual(okResult(await get('/issues')), { issues: [] });
    assert.deepEqual(okResult(await get('/issues', bearer({ access: [{ collection: 'c1', access: 'r' }] }))), { issues: [] });
    assert.equal(okResult(await srv.request('DELETE', '/issues', undefined, { headers: admin })), true);
  });

  test('POST /logger changes the log level at run time', async () => {
    const initial = okResult(await get('/logger'));
    assert.equal(initial.log_level, 'INFO');
    assert.deepEqual(Object.keys(initial).sort(), ['color', 'format', 'log_level', 'on_disk', 'span_events']);
    assert.equal(okResult(await srv.request('POST', '/logger', { log_level: 'debug' }, { headers: admin })), true);
    assert.equal(okResult(await get('/logger')).log_level, 'DEBUG');
    // The server logs the change (at warn, so that it shows under any level but OFF).
    assert.match(srv.stderr + srv.stdout, /log level set to DEBUG/);
    for (const body of [{ log_level: 'verbose' }, { log_level: 7 }, { format: 'json' }]) {
      const msg = assertErrorBody(await srv.request('POST', '/logger', body, { headers: admin }), 400);
      assert.ok(msg.length > 0);
    }
    assert.equal(okResult(await get('/logger')).log_level, 'DEBUG', 'a refused change changes nothing');
    okResult(await srv.request('POST', '/logger', { log_level: 'info' }, { headers: admin }));
    assert.equal(okResult(await get('/logger')).log_level, 'INFO');
  });
});

// service.slow_query_secs and service.metrics_prefix as a Qdrant config sets them (here through
// the environment): every metric name gets the prefix, and with a threshold of 0 every filtered
// search on an unindexed field raises Qdrant's UNINDEXED_FIELD issue (at the default 1.2 s these
// small searches never would).
describe('monitoring configured', () => {
  let srv;
  before(async () => {
    srv = await startServer({
      env: { QDRANT__SERVICE__METRICS_PREFIX: 'qd_', QDRANT__SERVICE__SLOW_QUERY_SECS: '0' },
    });
  });
  after(async () => {
    await srv?.cleanup();
  });

  test('metrics_prefix names every metric', async () => {
    const res = await srv.request('GET', '/metrics');
    const families = [...parsePrometheus(res.text).keys()];
    assert.ok(families.includes('qd_app_info') && families.includes('qd_collections_total'),
      families.join(' '));
    assert.deepEqual(families.filter((name) => !name.startsWith('qd_')), []);
  });

  test('slow_query_secs 0 makes a filtered search on an unindexed field an issue', async () => {
    okResult(await srv.request('PUT', '/collections/slow',
      { vectors: { size: 2, distance: 'Dot' } }));
    okResult(await srv.request('PUT', '/collections/slow/points?wait=true', {
      points: [{ id: 1, vector: [1, 0], payload: { city: 'Berlin' } }],
    }));
    assert.deepEqual(okResult(await srv.request('GET', '/issues')), { issues: [] });
    okResult(await srv.request('POST', '/collections/slow/points/query', {
      query: [1, 0], filter: { must: [{ key: 'city', match: { value: 'Berlin' } }] },
    }));
    const { issues } = okResult(await srv.request('GET', '/issues'));
    assert.deepEqual(issues.map((i) => i.id), ['UNINDEXED_FIELD/slow/city']);
    // An index on the field solves it.
    okResult(await srv.request('PUT', '/collections/slow/index?wait=true',
      { field_name: 'city', field_schema: 'keyword' }));
    assert.deepEqual(okResult(await srv.request('GET', '/issues')), { issues: [] });
  });
});
