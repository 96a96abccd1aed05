// HTTP/1.1 request framing over raw sockets: bodies that arrive in pieces, pipelined requests with
// bodies in one write, Expect: 100-continue, a large sized body, chunked bodies, and a client that
// goes away mid-body. Each answer must be the one for its own request, and the server must stay
// usable afterwards.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { okResult, startServer } from './harness.mjs';

const C = 'framing';

// Sends `chunks` (strings or Buffers) on one connection, pausing `gapMs` between them, and reads
// until `answers` complete HTTP responses (Content-Length framed) have arrived.
function exchange(port, chunks, { answers = 1, gapMs = 0 } = {}) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    let data = Buffer.alloc(0);
    const parsed = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`timed out; got ${data}`));
    }, 10000);
    socket.on('error', reject);
    socket.on('data', (d) => {
      data = Buffer.concat([data, d]);
      for (;;) {
        const end = data.indexOf('\r\n\r\n');
        if (end < 0) break;
        const head = data.subarray(0, end).toString();
        const status = Number(head.split(' ')[1]);
        const length = Number((/content-length: *(\d+)/i.exec(head) || [0, 0])[1]);
        if (data.length < end + 4 + length) break;
        parsed.push({ status, head, body: data.subarray(end + 4, end + 4 + length).toString() });
        data = data.subarray(end + 4 + length);
      }
      if (parsed.filter((a) => a.status !== 100).length >= answers) {
        clearTimeout(timer);
        socket.destroy();
        resolve(parsed);
      }
    });
    (async () => {
      for (const chunk of chunks) {
        socket.write(chunk);
        if (gapMs) await new Promise((r) => setTimeout(r, gapMs));
      }
    })();
  });
}

function post(path, body, extraHeaders = '') {
  return `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
    `content-length: ${Buffer.byteLength(body)}\r\n${extraHeaders}\r\n${body}`;
}

function queryBody(vector) {
  return JSON.stringify({ query: vector, limit: 1 });
}

describe('HTTP framing', () => {
  let srv;

  before(async () => {
    srv = await startServer();
    await srv.client.createCollection(C, { vectors: { size: 4, distance: 'Dot' } });
    await srv.client.upsert(C, {
      wait: true,
      points: [
        { id: 1, vector: [1, 0, 0, 0] },
        { id: 2, vector: [0, 1, 0, 0] },
        { id: 3, vector: [0, 0, 1, 0] },
      ],
    });
  });
  after(async () => {
    await srv?.cleanup();
  });

  const path = `/collections/${C}/points/query`;
  const topId = (answer) => JSON.parse(answer.body).result.points[0].id;

  test('a body arriving in small pieces is read whole', async () => {
    const request = post(path, queryBody([0, 1, 0, 0]));
    const pieces = [];
    for (let i = 0; i < request.length; i += 7) pieces.push(request.slice(i, i + 7));
    const [answer] = await exchange(srv.httpPort, pieces, { gapMs: 2 });
    assert.equal(answer.status, 200, answer.body);
    assert.equal(topId(answer), 2);
  });

  test('pipelined requests with bodies in one write get their own answers, in order', async () => {
    const unit = (id) => [0, 1, 2, 3].map((i) => (i === id - 1 ? 1 : 0));
    const all = [1, 2, 3].map((id) => post(path, queryBody(unit(id))));
    const answers = await exchange(srv.httpPort, [all.join('')], { answers: 3 });
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200]);
    assert.deepEqual(answers.map(topId), [1, 2, 3]);
  });

  test('Expect: 100-continue gets 100 before the body, then the answer', async () => {
    const body = queryBody([0, 0, 1, 0]);
    const head = post(path, body, 'expect: 100-continue\r\n').slice(0, -body.length);
    const answers = await new Promise((resolve, reject) => {
      const socket = net.connect(srv.httpPort, '127.0.0.1');
      let text = '';
      socket.on('error', reject);
      socket.on('data', (d) => {
        text += d;
        if (text.startsWith('HTTP/1.1 100') && !socket.bodySent) {
          socket.bodySent = true;
          socket.write(body);
        }
        if (/\r\n\r\n[^]*\{[^]*\}$/.test(text.slice(text.indexOf('HTTP/1.1 200')))) {
          socket.destroy();
          resolve(text);
        }
      });
      socket.write(head);
      setTimeout(() => { socket.destroy(); reject(new Error(`timed out; got ${text}`)); }, 10000);
    });
    assert.match(answers, /^HTTP\/1\.1 100/);
    assert.match(answers, /HTTP\/1\.1 200/);
    const last = JSON.parse(answers.slice(answers.lastIndexOf('\r\n\r\n') + 4));
    assert.equal(last.result.points[0].id, 3);
  });

  test('a sized body of several megabytes is read whole', async () => {
    // 8000 searches whose numbers are written long (1.000…0 is still 1): about 3 MB, more than
    // one read of the server's.
    const one = `1.${'0'.repeat(400)}`;
    const vectorFor = (i) => [0, 1, 2, 3].map((j) => (j === i % 3 ? one : '0')).join(',');
    const searches = Array.from({ length: 8000 },
      (_, i) => `{"query":[${vectorFor(i)}],"limit":1}`);
    const body = `{"searches":[${searches.join(',')}]}`;
    assert.ok(body.length > 2 * 1024 * 1024, `${body.length} bytes`);
    const batch = post(`/collections/${C}/points/query/batch`, body);
    const [answer] = await exchange(srv.httpPort, [batch]);
    assert.equal(answer.status, 200, answer.body.slice(0, 200));
    const result = JSON.parse(answer.body).result;
    assert.equal(result.length, 8000);
    result.forEach((r, i) => assert.equal(r.points[0].id, (i % 3) + 1, `search ${i}`));
  });

  test('a chunked body is read whole', async () => {
    const body = queryBody([1, 0, 0, 0]);
    const chunked = `POST ${path} HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n` +
      `transfer-encoding: chunked\r\n\r\n` +
      `${(5).toString(16)}\r\n${body.slice(0, 5)}\r\n` +
      `${(body.length - 5).toString(16)}\r\n${body.slice(5)}\r\n0\r\n\r\n`;
    const [answer] = await exchange(srv.httpPort, [chunked]);
    assert.equal(answer.status, 200, answer.body);
    assert.equal(topId(answer), 1);
  });

  test('a client that leaves mid-body leaves the server usable', async () => {
    await new Promise((resolve) => {
      const socket = net.connect(srv.httpPort, '127.0.0.1', () => {
        socket.write(post(path, queryBody([1, 0, 0, 0])).slice(0, -10));
        setTimeout(() => { socket.destroy(); resolve(); }, 50);
      });
    });
    const { points } = await srv.client.query(C, { query: [0, 0, 1, 0], limit: 1 });
    assert.equal(points[0].id, 3);
    const res = await fetch(`${srv.url}/collections/${C}`);
    const info = okResult({ status: res.status, json: await res.json() });
    assert.equal(info.points_count, 3);
  });
});
