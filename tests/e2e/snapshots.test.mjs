// Snapshots: a collection snapshot taken on one server and uploaded to another restores the same
// points, payloads, vectors, payload indexes and query results; recovery from a file inside the
// snapshots directory (and nowhere else); a snapshot taken while upserts run is one instant of
// the collection; traversal attempts (names, archive entries, links) are refused; the read-only
// key may list and download but not create, delete, upload or recover; full snapshots; and
// `quiver --storage-snapshot PATH` and `quiver --snapshot PATH:COLLECTION` at start-up.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import { okResult, startServer } from './harness.mjs';

const API_KEY = 'e2e-snapshot-key-7d1e0c9b8a7f6e5d4c3b2a1908f7e6d5';
const RO_KEY = 'e2e-snapshot-read-only-3c2b1a09f8e7d6c5b4a39281706f5e4d';
const BOUNDARY = 'quiver-snapshot-test-boundary';
const FORM_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;
const DIM = 8;

function form(filename, bytes) {
  return Buffer.concat([
    Buffer.from(`--${BOUNDARY}\r\ncontent-disposition: form-data; name="snapshot"; filename="${filename}"\r\n` +
      'content-type: application/octet-stream\r\n\r\n'),
    bytes,
    Buffer.from(`\r\n--${BOUNDARY}--\r\n`),
  ]);
}

/** A ustar archive of the given entries ({name, data, type: '0' file | '2' symlink, link}). */
function tarOf(entries) {
  const blocks = [];
  for (const e of entries) {
    const data = Buffer.from(e.data ?? '');
    const h = Buffer.alloc(512);
    h.write(e.name, 0, 100);
    h.write('0000644\0', 100);
    h.write('0000000\0', 108);
    h.write('0000000\0', 116);
    h.write(`${(e.type === '2' ? 0 : data.length).toString(8).padStart(11, '0')}\0`, 124);
    h.write('00000000000\0', 136);
    h.write('        ', 148);
    h.write(e.type ?? '0', 156);
    if (e.link) h.write(e.link, 157, 100);
    h.write('ustar\0', 257);
    h.write('00', 263);
    let sum = 0;
    for (const b of h) sum += b;
    h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
    blocks.push(h);
    if (e.type !== '2') {
      blocks.push(data, Buffer.alloc((512 - (data.length % 512)) % 512));
    }
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

const vectorOf = (id) => Array.from({ length: DIM }, (_, i) => Math.sin(id * 1.3 + i * 0.7));

describe('snapshots', () => {
  let a; // the source server
  let b; // the target server
  const admin = (srv) => (method, urlPath, body, contentType) =>
    srv.request(method, urlPath, body, { headers: { 'api-key': API_KEY }, contentType });
  const readOnly = (srv) => (method, urlPath, body, contentType) =>
    srv.request(method, urlPath, body, { headers: { 'api-key': RO_KEY }, contentType });
  const env = { QDRANT__SERVICE__API_KEY: API_KEY, QDRANT__SERVICE__READ_ONLY_API_KEY: RO_KEY };

  async function download(srv, urlPath) {
    const res = await fetch(`${srv.url}${urlPath}`, { headers: { 'api-key': API_KEY } });
    assert.equal(res.status, 200, `GET ${urlPath}`);
    return Buffer.from(await res.arrayBuffer());
  }

  async function allPoints(srv, name) {
    const res = okResult(await admin(srv)('POST', `/collections/${name}/points/scroll`,
      { limit: 10000, with_payload: true, with_vector: true }));
    return res.points;
  }

  async function fill(srv, name, n) {
    okResult(await admin(srv)('PUT', `/collections/${name}`, {
      vectors: { dense: { size: DIM, distance: 'Cosine' }, raw: { size: 2, distance: 'Euclid' } },
      sparse_vectors: { words: {} },
    }));
    const points = [];
    for (let id = 1; id <= n; id++) {
      points.push({
        id,
        vector: { dense: vectorOf(id), raw: [id, -id], words: { indices: [id % 7, 10 + (id % 3)], values: [1, 0.5] } },
        payload: { city: ['Berlin', 'Paris', 'Rome'][id % 3], n: id, tags: [`t${id % 4}`] },
      });
    }
    okResult(await admin(srv)('PUT', `/collections/${name}/points?wait=true`, { points }));
    okResult(await admin(srv)('PUT', `/collections/${name}/index?wait=true`, { field_name: 'city', field_schema: 'keyword' }));
    okResult(await admin(srv)('PUT', `/collections/${name}/index?wait=true`, { field_name: 'n', field_schema: 'integer' }));
  }

  before(async () => {
    a = await startServer({ env });
    b = await startServer({ env: { ...env, QDRANT__SERVICE__ENABLE_SNAPSHOT_URL_RECOVERY: 'true' } });
    await fill(a, 'source', 300);
  });

  after(async () => {
    await a?.cleanup();
    await b?.cleanup();
  });

  test('a snapshot uploaded to another server restores the same collection', async () => {
    const info = okResult(await admin(a)('POST', '/collections/source/snapshots'));
    assert.match(info.name, /^source-.*\.snapshot$/);
    const listed = okResult(await admin(a)('GET', '/collections/source/snapshots'));
    const entry = listed.find((s) => s.name === info.name);
    assert.ok(entry, 'the new snapshot is listed');
    const bytes = await download(a, `/collections/source/snapshots/${info.name}`);
    assert.equal(bytes.length, entry.size);
    assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), entry.checksum);

    const checksum = entry.checksum;
    okResult(await admin(b)('POST', `/collections/copy/snapshots/upload?priority=snapshot&checksum=${checksum}`,
      form(info.name, bytes), FORM_TYPE));
    assert.deepEqual(await allPoints(b, 'copy'), await allPoints(a, 'source'));
    const infoA = okResult(await admin(a)('GET', '/collections/source'));
    const infoB = okResult(await admin(b)('GET', '/collections/copy'));
    assert.deepEqual(infoB.config, infoA.config);
    assert.deepEqual(infoB.payload_schema, infoA.payload_schema);
    assert.equal(infoB.points_count, 300);
    const query = { query: vectorOf(1000), using: 'dense', limit: 10, filter: { must: [{ key: 'city', match: { value: 'Rome' } }] } };
    assert.deepEqual(okResult(await admin(b)('POST', '/collections/copy/points/query', query)),
      okResult(await admin(a)('POST', '/collections/source/points/query', query)));
    // The uploaded file stays in the collection's snapshot directory, as Qdrant keeps it.
    assert.ok(okResult(await admin(b)('GET', '/collections/copy/snapshots')).some((s) => s.name === info.name));

    // A wrong checksum is refused and changes nothing.
    const wrong = await admin(b)('POST', `/collections/copy2/snapshots/upload?checksum=${'0'.repeat(64)}`,
      form('x.snapshot', bytes), FORM_TYPE);
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal((await admin(b)('GET', '/collections/copy2/exists')).json.result.exists, false);
  });

  test('recover from a file inside the snapshots directory, and only there', async () => {
    const info = okResult(await admin(a)('POST', '/collections/source/snapshots'));
    const file = path.join(a.snapshotsPath, 'source', info.name);
    okResult(await admin(a)('PUT', '/collections/recovered/snapshots/recover', { location: `file://${file}` }));
    assert.deepEqual(await allPoints(a, 'recovered'), await allPoints(a, 'source'));

    // Recovering over an existing collection replaces it.
    okResult(await admin(a)('PUT', '/collections/recovered/points?wait=true', { points: [{ id: 9999, vector: { dense: vectorOf(1), raw: [0, 0] } }] }));
    okResult(await admin(a)('PUT', '/collections/recovered/snapshots/recover', { location: `file://${file}`, checksum: info.checksum }));
    assert.equal(okResult(await admin(a)('POST', '/collections/recovered/points/count', { exact: true })).count, 300);

    // Outside the snapshots directory: refused, even through `..` or a symbolic link.
    const outside = path.join(a.root, 'outside.snapshot');
    fs.copyFileSync(file, outside);
    fs.symlinkSync(outside, path.join(a.snapshotsPath, 'link.snapshot'));
    for (const location of [`file://${outside}`, `file://${a.snapshotsPath}/../outside.snapshot`,
      `file://${a.snapshotsPath}/link.snapshot`]) {
      const res = await admin(a)('PUT', '/collections/evil/snapshots/recover', { location });
      assert.equal(res.status, 403, `${location}: ${res.text}`);
    }
    const missing = await admin(a)('PUT', '/collections/evil/snapshots/recover', { location: `file://${a.snapshotsPath}/nope.snapshot` });
    assert.equal(missing.status, 400);
    // URL recovery is off by default.
    const url = await admin(a)('PUT', '/collections/evil/snapshots/recover', { location: 'http://127.0.0.1:1/x.snapshot' });
    assert.equal(url.status, 403);
    assert.match(url.json.status.error, /remote URLs is disabled/);
    assert.equal((await admin(a)('GET', '/collections/evil/exists')).json.result.exists, false);
  });

  test('recover from an http URL when enable_snapshot_url_recovery is on', async () => {
    const info = okResult(await admin(a)('POST', '/collections/source/snapshots'));
    const bytes = await download(a, `/collections/source/snapshots/${info.name}`);
    const web = http.createServer((req, res) => {
      if (req.url === '/s.snapshot') res.end(bytes);
      else res.writeHead(404).end();
    });
    await new Promise((r) => web.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${web.address().port}`;
    try {
      const bad = await admin(b)('PUT', '/collections/from_url/snapshots/recover',
        { location: `${base}/s.snapshot`, checksum: 'f'.repeat(64) });
      assert.equal(bad.status, 400, bad.text);
      const missing = await admin(b)('PUT', '/collections/from_url/snapshots/recover', { location: `${base}/none` });
      assert.equal(missing.status, 400, missing.text);
      assert.equal((await admin(b)('GET', '/collections/from_url/exists')).json.result.exists, false);
      okResult(await admin(b)('PUT', '/collections/from_url/snapshots/recover',
        { location: `${base}/s.snapshot`, checksum: info.checksum }));
      assert.deepEqual(await allPoints(b, 'from_url'), await allPoints(a, 'source'));
    } finally {
      web.close();
    }
  });

  test('a snapshot taken during concurrent upserts is one instant', async () => {
    okResult(await admin(a)('PUT', '/collections/busy', { vectors: { size: 2, distance: 'Dot' } }));
    const BATCH = 200;
    let stop = false;
    let written = 0;
    const writer = (async () => {
      for (let batch = 0; !stop && batch < 400; batch++) {
        const points = [];
        for (let i = 0; i < BATCH; i++) points.push({ id: batch * BATCH + i, vector: [batch, i], payload: { batch } });
        okResult(await admin(a)('PUT', `/collections/busy/points?wait=${batch % 2 === 0}`, { points }));
        written = batch + 1;
      }
    })();
    while (written < 5) await new Promise((r) => setTimeout(r, 5));
    const info = okResult(await admin(a)('POST', '/collections/busy/snapshots'));
    const writtenAtEnd = written;
    stop = true;
    await writer;
    okResult(await admin(a)('PUT', '/collections/busy_copy/snapshots/recover',
      { location: `file://${path.join(a.snapshotsPath, 'busy', info.name)}` }));
    const points = await allPoints(a, 'busy_copy');
    const perBatch = new Map();
    for (const p of points) perBatch.set(p.payload.batch, (perBatch.get(p.payload.batch) ?? 0) + 1);
    const batches = [...perBatch.keys()].sort((x, y) => x - y);
    assert.ok(batches.length >= 5, `at least the batches acknowledged before the snapshot: ${batches.length}`);
    assert.ok(batches.length <= writtenAtEnd + 1);
    batches.forEach((batch, i) => {
      assert.equal(batch, i, 'the batches in the snapshot are a prefix of those written');
      assert.equal(perBatch.get(batch), BATCH, `batch ${batch} is whole, never half`);
    });
  });

  test('traversal attempts are refused', async () => {
    // (Bare `..` and `.` segments are resolved by the client before sending; encoded slashes are not.)
    for (const name of ['..%2F..%2Fstorage%2FCURRENT', '..%2F', '%2Fetc%2Fpasswd', 'x%00y', 'nope.snapshot']) {
      const get = await admin(a)('GET', `/collections/source/snapshots/${name}`);
      assert.equal(get.status, 404, `GET ${name}: ${get.text}`);
      const del = await admin(a)('DELETE', `/collections/source/snapshots/${name}`);
      assert.equal(del.status, 404, `DELETE ${name}: ${del.text}`);
      assert.equal((await admin(a)('GET', `/snapshots/${name}`)).status, 404);
    }
    const good = await download(a, `/collections/source/snapshots/${okResult(await admin(a)('POST', '/collections/source/snapshots')).name}`);
    // Hostile archives: an entry climbing out, an absolute path, a link, something not ours.
    const hostile = {
      climbing: tarOf([{ name: '../../evil.json', data: '{}' }]),
      absolute: tarOf([{ name: '/tmp/evil.json', data: '{}' }]),
      link: tarOf([{ name: 'quiver-snapshot.json', type: '2', link: '/etc/passwd' }]),
      foreign: tarOf([{ name: 'hello.txt', data: 'hi' }]),
      truncated: good.subarray(0, Math.floor(good.length / 2)),
    };
    for (const [what, bytes] of Object.entries(hostile)) {
      const res = await admin(b)('POST', '/collections/hostile/snapshots/upload', form(`${what}.snapshot`, bytes), FORM_TYPE);
      assert.equal(res.status, 400, `${what}: ${res.status} ${res.text}`);
      assert.match(res.json.status.error, /snapshot archive/i, what);
      assert.equal((await admin(b)('GET', '/collections/hostile/exists')).json.result.exists, false, what);
    }
    // An upload's file name is cut to its last segment: nothing lands outside the directory.
    okResult(await admin(b)('POST', '/collections/named/snapshots/upload', form('../../../escaped.snapshot', good), FORM_TYPE));
    assert.ok(fs.existsSync(path.join(b.snapshotsPath, 'named', 'escaped.snapshot')));
    assert.ok(!fs.existsSync(path.join(b.root, 'escaped.snapshot')));
  });

  test('the read-only key may list and download, not create, delete, upload or recover', async () => {
    const ro = readOnly(a);
    const info = okResult(await admin(a)('POST', '/collections/source/snapshots'));
    assert.ok(okResult(await ro('GET', '/collections/source/snapshots')).length > 0);
    const dl = await fetch(`${a.url}/collections/source/snapshots/${info.name}`, { headers: { 'api-key': RO_KEY } });
    assert.equal(dl.status, 200);
    const bytes = Buffer.from(await dl.arrayBuffer());
    assert.ok(Array.isArray(okResult(await ro('GET', '/snapshots'))));
    for (const [method, urlPath, body, type] of [
      ['POST', '/collections/source/snapshots'],
      ['DELETE', `/collections/source/snapshots/${info.name}`],
      ['POST', '/collections/ro/snapshots/upload', form('x.snapshot', bytes), FORM_TYPE],
      ['PUT', '/collections/ro/snapshots/recover', { location: `file://${path.join(a.snapshotsPath, 'source', info.name)}` }],
      ['POST', '/snapshots'],
    ]) {
      const res = await ro(method, urlPath, body, type);
      assert.equal(res.status, 403, `${method} ${urlPath}: ${res.status} ${res.text}`);
    }
    assert.ok(fs.existsSync(path.join(a.snapshotsPath, 'source', info.name)), 'not deleted');
    assert.equal((await admin(a)('GET', '/collections/ro/exists')).json.result.exists, false);
  });

  test('an upload without manage access is refused before its body is read', async () => {
    // Announce a 1 GiB body, send none of it: the refusal must come anyway, at once.
    const answer = await new Promise((resolve, reject) => {
      const socket = net.connect(a.httpPort, '127.0.0.1');
      let text = '';
      socket.on('data', (d) => { text += d; if (text.includes('\r\n\r\n')) { resolve(text); socket.destroy(); } });
      socket.on('error', reject);
      socket.setTimeout(5000, () => { socket.destroy(); resolve(text); });
      socket.write(`POST /collections/x/snapshots/upload HTTP/1.1\r\nhost: a\r\napi-key: ${RO_KEY}\r\n` +
        `content-type: ${FORM_TYPE}\r\ncontent-length: ${2 ** 30}\r\n\r\n`);
    });
    assert.match(answer, /^HTTP\/1\.1 403/);
    const noKey = await fetch(`${a.url}/collections/x/snapshots/upload`, { method: 'POST', body: form('x', Buffer.alloc(10)), headers: { 'content-type': FORM_TYPE } });
    assert.equal(noKey.status, 401);
    const spool = path.join(a.snapshotsPath, '.upload');
    const left = fs.existsSync(spool) ? fs.readdirSync(spool).filter((f) => f.startsWith('body-')) : [];
    assert.deepEqual(left, [], 'no spooled body left behind');
  });

  test('full snapshots: create, list, download, delete', async () => {
    const info = okResult(await admin(a)('POST', '/snapshots'));
    assert.match(info.name, /^full-snapshot-.*\.snapshot$/);
    assert.ok(okResult(await admin(a)('GET', '/snapshots')).some((s) => s.name === info.name));
    const bytes = await download(a, `/snapshots/${info.name}`);
    assert.equal(crypto.createHash('sha256').update(bytes).digest('hex'), info.checksum);
    okResult(await admin(a)('DELETE', `/snapshots/${info.name}`));
    assert.ok(!okResult(await admin(a)('GET', '/snapshots')).some((s) => s.name === info.name));
    assert.equal((await admin(a)('DELETE', `/snapshots/${info.name}`)).status, 404);
  });

  test('quiver --storage-snapshot PATH restores every collection and alias at start-up', async () => {
    okResult(await admin(a)('POST', '/collections/aliases',
      { actions: [{ create_alias: { collection_name: 'source', alias_name: 'source_alias' } }] }));
    const info = okResult(await admin(a)('POST', '/snapshots'));
    const c = await startServer({ env, args: ['--storage-snapshot', path.join(a.snapshotsPath, info.name)] });
    try {
      const names = okResult(await admin(c)('GET', '/collections')).collections.map((x) => x.name).sort();
      const expected = okResult(await admin(a)('GET', '/collections')).collections.map((x) => x.name).sort();
      assert.deepEqual(names, expected);
      assert.deepEqual(await allPoints(c, 'source_alias'), await allPoints(a, 'source'));
    } finally {
      await c.cleanup();
    }
  });

  test('quiver --snapshot PATH:COLLECTION restores at start-up', async () => {
    const info = okResult(await admin(a)('POST', '/collections/source/snapshots'));
    const file = path.join(a.snapshotsPath, 'source', info.name);
    const c = await startServer({ env, args: ['--snapshot', `${file}:from_cli`] });
    try {
      assert.deepEqual(await allPoints(c, 'from_cli'), await allPoints(a, 'source'));
    } finally {
      await c.cleanup();
    }
  });
});
