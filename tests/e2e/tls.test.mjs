// TLS and mutual TLS on the REST port (service.enable_tls, tls.*, verify_https_client_certificate):
// protocol floor, key formats, client certificates, certificate reload without dropping
// connections. Certificates are made here, in a temporary directory, with the openssl CLI.
//
// The servers here are started by this file's own helper (not harness.startServer, which polls
// /readyz over plain HTTP); it sets QDRANT__* variables the same way.

import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { SERVER_BIN, freePort } from './harness.mjs';

const E2E_DIR = path.dirname(new URL(import.meta.url).pathname);
const READY_TIMEOUT_MS = 15_000;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------------------------------------
// Certificates.

const OPENSSL_CNF = `
[req]
distinguished_name = dn
prompt = no
[dn]
CN = unused
[v3_ca]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[v3_server]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature,keyEncipherment
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost,IP:127.0.0.1
authorityKeyIdentifier = keyid
[v3_client]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
authorityKeyIdentifier = keyid
`;

class Pki {
  constructor() {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-tls-'));
    this.cnf = this.file('openssl.cnf');
    fs.writeFileSync(this.cnf, OPENSSL_CNF);
  }

  file(name) {
    return path.join(this.dir, name);
  }

  read(name) {
    return fs.readFileSync(this.file(name));
  }

  openssl(...args) {
    execFileSync('openssl', args, { cwd: this.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  }

  /** Writes <name>.key: 'rsa' (PKCS#8), 'rsa-pkcs1', 'ec' (PKCS#8) or 'ec-sec1'. */
  key(name, kind) {
    const out = `${name}.key`;
    if (kind === 'rsa') {
      this.openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', out);
    } else if (kind === 'ec') {
      this.openssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', out);
    } else if (kind === 'ec-sec1') {
      // As `openssl ecparam -genkey` writes it: an EC PARAMETERS block, then EC PRIVATE KEY.
      this.openssl('ecparam', '-name', 'prime256v1', '-genkey', '-out', out);
    } else {
      throw new Error(`unknown key kind ${kind}`);
    }
    return out;
  }

  /** A self-signed CA: <name>.key, <name>.crt. */
  ca(name, cn) {
    this.key(name, 'ec');
    this.openssl('req', '-new', '-x509', '-config', this.cnf, '-key', `${name}.key`,
      '-subj', `/CN=${cn}`, '-days', '30', '-extensions', 'v3_ca', '-out', `${name}.crt`);
  }

  /** <name>.crt for the existing <name>.key, signed by CA <ca>; profile v3_server or v3_client. */
  issue(name, ca, subject, serial, profile) {
    this.openssl('req', '-new', '-config', this.cnf, '-key', `${name}.key`, '-subj', subject,
      '-out', `${name}.csr`);
    this.openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${ca}.crt`, '-CAkey', `${ca}.key`,
      '-set_serial', serial, '-days', '30', '-extfile', this.cnf, '-extensions', profile,
      '-out', `${name}.crt`);
  }

  cleanup() {
    if (!process.env.E2E_KEEP_DIRS) fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

// Node prints serials as upper-case hex without leading zeros.
const serialOf = (hex) => hex.replace(/^0x/i, '').toUpperCase();

// ---------------------------------------------------------------------------------------------
// Requests.

/**
 * One HTTPS request. `tlsOptions` go to https.request (ca, cert, key, agent, minVersion, ...).
 * Resolves {status, body, serial, protocol, cipher, reusedSocket, socket}; rejects on a TLS or
 * connection failure.
 */
function httpsRequest(port, urlPath, tlsOptions = {}, { method = 'GET', body } = {}) {
  return new Promise((resolve, reject) => {
    const req = https.request({
      host: '127.0.0.1', port, path: urlPath, method, agent: false, timeout: 5000,
      headers: body ? { 'content-type': 'application/json' } : {},
      ...tlsOptions,
    }, (res) => {
      const socket = res.socket;
      const cert = socket.getPeerCertificate();
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({
        status: res.statusCode,
        body: Buffer.concat(chunks).toString(),
        serial: cert?.serialNumber,
        protocol: socket.getProtocol(),
        cipher: socket.getCipher()?.standardName,
        reusedSocket: req.reusedSocket,
        socket,
      }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

/** Rejects when the request succeeds; resolves to the error it failed with. */
async function refused(promise) {
  try {
    const res = await promise;
    assert.fail(`expected a TLS failure, got HTTP ${res.status}`);
  } catch (err) {
    if (err instanceof assert.AssertionError) throw err;
    return err;
  }
}

/** A bare TLS handshake; resolves {protocol, cipher} or rejects with the handshake error. */
function handshake(port, options) {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ...options }, () => {
      const result = { protocol: socket.getProtocol(), cipher: socket.getCipher()?.standardName };
      socket.end();
      resolve(result);
    });
    socket.setTimeout(5000, () => socket.destroy(new Error('timeout')));
    socket.on('error', reject);
  });
}

// ---------------------------------------------------------------------------------------------
// Servers.

function cleanEnv() {
  const env = {};
  for (const [k, v] of Object.entries(process.env)) {
    if (!k.startsWith('QDRANT__') && !k.startsWith('QUIVER__')) env[k] = v;
  }
  return env;
}

class TlsServer {
  /** `env`: extra QDRANT__* variables; `clientTls`: what readiness checks present (ca, cert, key). */
  constructor(env, clientTls) {
    this.extraEnv = env;
    this.clientTls = clientTls;
    this.output = '';
    this.exit = null;
  }

  async start({ expectReady = true } = {}) {
    this.port = await freePort();
    this.grpcPort = await freePort();
    this.root = fs.mkdtempSync(path.join(os.tmpdir(), 'quiver-e2e-tls-'));
    for (const d of ['storage', 'snapshots', 'cwd']) fs.mkdirSync(path.join(this.root, d));
    assert.ok(fs.existsSync(SERVER_BIN), `server binary ${SERVER_BIN} does not exist`);
    this.proc = spawn(SERVER_BIN, [], {
      cwd: path.join(this.root, 'cwd'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...cleanEnv(),
        QDRANT__SERVICE__HOST: '127.0.0.1',
        QDRANT__SERVICE__HTTP_PORT: String(this.port),
        QDRANT__SERVICE__GRPC_PORT: String(this.grpcPort),
        QDRANT__STORAGE__STORAGE_PATH: path.join(this.root, 'storage'),
        QDRANT__STORAGE__SNAPSHOTS_PATH: path.join(this.root, 'snapshots'),
        QDRANT__TELEMETRY_DISABLED: 'true',
        QDRANT__SERVICE__ENABLE_TLS: 'true',
        ...this.extraEnv,
      },
    });
    const keep = (chunk) => {
      this.output = (this.output + chunk.toString()).slice(-64 * 1024);
    };
    this.proc.stdout.on('data', keep);
    this.proc.stderr.on('data', keep);
    this.exited = new Promise((resolve) => this.proc.on('exit', (code, signal) => {
      this.exit = { code, signal };
      resolve(this.exit);
    }));
    if (!expectReady) return this;

    const deadline = Date.now() + READY_TIMEOUT_MS;
    let last = 'no answer';
    while (Date.now() < deadline) {
      if (this.exit) {
        throw new Error(`server exited before it was ready (${JSON.stringify(this.exit)})\n${this.output}`);
      }
      try {
        const res = await httpsRequest(this.port, '/readyz', this.clientTls);
        if (res.status === 200) return this;
        last = `status ${res.status}`;
      } catch (err) {
        last = err.code ?? err.message;
      }
      await sleep(50);
    }
    throw new Error(`server not ready over https on ${this.port} (last: ${last})\n${this.output}`);
  }

  /** Waits for the process to exit by itself (a start-up failure). */
  async exitCode(timeoutMs = 10_000) {
    const result = await Promise.race([this.exited, sleep(timeoutMs).then(() => null)]);
    assert.ok(result, `server did not exit within ${timeoutMs} ms\n${this.output}`);
    return result.code;
  }

  async stop() {
    if (this.proc && !this.exit) {
      this.proc.kill('SIGTERM');
      const result = await Promise.race([this.exited, sleep(10_000).then(() => null)]);
      if (!result) {
        this.proc.kill('SIGKILL');
        await this.exited;
      }
    }
    if (this.root && !process.env.E2E_KEEP_DIRS) fs.rmSync(this.root, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------

describe('tls', () => {
  let pki;
  let ca;
  before(() => {
    pki = new Pki();
    pki.ca('ca', 'Quiver Test CA');
    pki.ca('other-ca', 'Other CA');
    pki.key('server-rsa', 'rsa');  // PKCS#8
    pki.issue('server-rsa', 'ca', '/CN=localhost', '0x1001', 'v3_server');
    pki.openssl('pkey', '-in', 'server-rsa.key', '-traditional', '-out', 'server-rsa-pkcs1.key');
    pki.key('server-ec', 'ec-sec1');
    pki.issue('server-ec', 'ca', '/CN=localhost', '0x1002', 'v3_server');
    pki.key('alice', 'ec');
    pki.issue('alice', 'ca', '/O=Example/CN=alice', '0x3001', 'v3_client');
    pki.key('mallory', 'ec');
    pki.issue('mallory', 'other-ca', '/O=Example/CN=mallory', '0x3002', 'v3_client');
    ca = pki.read('ca.crt');
  });
  after(() => pki?.cleanup());

  test('the generated keys are in the formats under test', () => {
    assert.match(pki.read('server-rsa.key').toString(), /^-----BEGIN PRIVATE KEY-----/);
    assert.match(pki.read('server-rsa-pkcs1.key').toString(), /^-----BEGIN RSA PRIVATE KEY-----/);
    assert.match(pki.read('server-ec.key').toString(), /-----BEGIN EC PRIVATE KEY-----/);
  });

  describe('server certificate', () => {
    let srv;
    before(async () => {
      srv = await new TlsServer({
        QDRANT__TLS__CERT: pki.file('server-rsa.crt'),
        QDRANT__TLS__KEY: pki.file('server-rsa.key'),
      }, { ca }).start();
    });
    after(async () => srv?.stop());

    test('GET / over https with the CA trusted', async () => {
      const res = await httpsRequest(srv.port, '/', { ca });
      assert.equal(res.status, 200, res.body);
      assert.match(JSON.parse(res.body).version, /^\d+\.\d+\.\d+/);
      assert.equal(res.serial, serialOf('0x1001'));
      assert.equal(res.protocol, 'TLSv1.3');
    });

    test('a client that does not trust the CA refuses the server', async () => {
      const err = await refused(httpsRequest(srv.port, '/', {}));
      assert.match(`${err.code} ${err.message}`, /SELF_SIGNED|UNABLE_TO_VERIFY/);
    });

    test('TLS 1.2 with ECDHE and AEAD is served', async () => {
      for (const cipher of ['ECDHE-RSA-AES128-GCM-SHA256', 'ECDHE-RSA-AES256-GCM-SHA384',
        'ECDHE-RSA-CHACHA20-POLY1305']) {
        const res = await httpsRequest(srv.port, '/', { ca, maxVersion: 'TLSv1.2', ciphers: cipher });
        assert.equal(res.status, 200);
        assert.equal(res.protocol, 'TLSv1.2');
      }
    });

    test('TLS 1.2 without forward secrecy or with CBC is refused', async () => {
      for (const ciphers of ['ECDHE-RSA-AES128-SHA', 'ECDHE-RSA-AES256-SHA384', 'AES128-GCM-SHA256',
        'AES256-SHA', 'DHE-RSA-AES128-GCM-SHA256']) {
        const err = await refused(handshake(srv.port, {
          ca, maxVersion: 'TLSv1.2', ciphers: `${ciphers}:@SECLEVEL=0`,
        }));
        assert.match(err.code ?? '', /HANDSHAKE_FAILURE/, `${ciphers}: ${err.message}`);
      }
    });

    for (const version of ['TLSv1', 'TLSv1.1']) {
      test(`${version} is refused by the server`, async () => {
        // SECLEVEL=0: the client itself is willing, so the refusal is the server's alert.
        const err = await refused(handshake(srv.port, {
          ca, minVersion: version, maxVersion: version, ciphers: 'DEFAULT:@SECLEVEL=0',
        }));
        assert.equal(err.code, 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', err.message);
      });
    }

    test('plain http to the TLS port fails', async () => {
      await refused(new Promise((resolve, reject) => {
        const req = http.get({ host: '127.0.0.1', port: srv.port, path: '/', timeout: 5000 }, (res) => {
          res.resume();
          res.on('end', () => resolve({ status: res.statusCode }));
        });
        req.on('timeout', () => req.destroy(new Error('timeout')));
        req.on('error', reject);
      }));
      // And the server still serves TLS afterwards.
      assert.equal((await httpsRequest(srv.port, '/', { ca })).status, 200);
    });

    test('the official client works over https', async () => {
      // NODE_EXTRA_CA_CERTS makes fetch (undici), which the client uses, trust the test CA.
      const script = `
        import { QdrantClient } from '@qdrant/js-client-rest';
        const client = new QdrantClient({ url: process.env.URL, checkCompatibility: false });
        await client.createCollection('tls', { vectors: { size: 2, distance: 'Dot' } });
        await client.upsert('tls', { wait: true, points: [{ id: 1, vector: [1, 0] }] });
        const found = await client.query('tls', { query: [1, 0], limit: 1 });
        const { collections } = await client.getCollections();
        console.log(JSON.stringify({ names: collections.map((c) => c.name), id: found.points[0].id }));
      `;
      const { stdout } = await promisify(execFile)(process.execPath,
        ['--input-type=module', '-e', script], {
          cwd: E2E_DIR,
          env: { ...process.env, URL: `https://127.0.0.1:${srv.port}`,
            NODE_EXTRA_CA_CERTS: pki.file('ca.crt') },
          timeout: 30_000,
        });
      assert.deepEqual(JSON.parse(stdout), { names: ['tls'], id: 1 });
    });
  });

  describe('private key formats', () => {
    const cases = [
      ['PKCS#1 RSA', 'server-rsa.crt', 'server-rsa-pkcs1.key', '0x1001'],
      ['SEC1 EC (after an EC PARAMETERS block)', 'server-ec.crt', 'server-ec.key', '0x1002'],
    ];
    for (const [name, cert, key, serial] of cases) {
      test(`${name} key`, async () => {
        const srv = new TlsServer({
          QDRANT__TLS__CERT: pki.file(cert),
          QDRANT__TLS__KEY: pki.file(key),
        }, { ca });
        try {
          await srv.start();
          const res = await httpsRequest(srv.port, '/', { ca });
          assert.equal(res.status, 200);
          assert.equal(res.serial, serialOf(serial));
        } finally {
          await srv.stop();
        }
      });
    }

    test('a key that does not match the certificate stops the start with a reason', async () => {
      const srv = new TlsServer({
        QDRANT__TLS__CERT: pki.file('server-rsa.crt'),
        QDRANT__TLS__KEY: pki.file('server-ec.key'),
      }, { ca });
      try {
        await srv.start({ expectReady: false });
        assert.notEqual(await srv.exitCode(), 0);
        assert.match(srv.output, /does not match/);
        assert.ok(srv.output.includes(pki.file('server-ec.key')), srv.output);
      } finally {
        await srv.stop();
      }
    });

    test('a missing certificate file stops the start and is named', async () => {
      const srv = new TlsServer({
        QDRANT__TLS__CERT: pki.file('nope.crt'),
        QDRANT__TLS__KEY: pki.file('server-ec.key'),
      }, { ca });
      try {
        await srv.start({ expectReady: false });
        assert.notEqual(await srv.exitCode(), 0);
        assert.ok(srv.output.includes(pki.file('nope.crt')), srv.output);
      } finally {
        await srv.stop();
      }
    });
  });

  describe('mutual TLS and certificate reload', () => {
    let srv;
    let alice;
    before(async () => {
      // The served files are copies, replaced by the rotation tests.
      fs.copyFileSync(pki.file('server-rsa.crt'), pki.file('live.crt'));
      fs.copyFileSync(pki.file('server-rsa.key'), pki.file('live.key'));
      alice = { ca, cert: pki.read('alice.crt'), key: pki.read('alice.key') };
      srv = await new TlsServer({
        QDRANT__TLS__CERT: pki.file('live.crt'),
        QDRANT__TLS__KEY: pki.file('live.key'),
        QDRANT__TLS__CA_CERT: pki.file('ca.crt'),
        QDRANT__TLS__CERT_TTL: '1',
        QDRANT__SERVICE__VERIFY_HTTPS_CLIENT_CERTIFICATE: 'true',
      }, alice).start();
    });
    after(async () => srv?.stop());

    test('a client certificate signed by the CA is accepted', async () => {
      for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
        const res = await httpsRequest(srv.port, '/collections', { ...alice, maxVersion });
        assert.equal(res.status, 200, res.body);
        assert.equal(JSON.parse(res.body).status, 'ok');
      }
    });

    test('a client without a certificate fails the handshake', async () => {
      for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
        const err = await refused(httpsRequest(srv.port, '/collections', { ca, maxVersion }));
        assert.match(`${err.code} ${err.message}`,
          /handshake failure|certificate required|HANDSHAKE_FAILURE|CERTIFICATE_REQUIRED|ECONNRESET|socket hang up/, err.message);
      }
    });

    test('a client certificate of another CA fails the handshake', async () => {
      const mallory = { ca, cert: pki.read('mallory.crt'), key: pki.read('mallory.key') };
      for (const maxVersion of ['TLSv1.2', 'TLSv1.3']) {
        const err = await refused(httpsRequest(srv.port, '/collections', { ...mallory, maxVersion }));
        assert.match(`${err.code} ${err.message}`, /unknown ca|ECONNRESET|socket hang up/,
          err.message);
      }
    });

    test('a self-signed client certificate fails the handshake', async () => {
      const self = { ca, cert: pki.read('other-ca.crt'), key: pki.read('other-ca.key') };
      await refused(httpsRequest(srv.port, '/collections', self));
    });

    test('a new certificate is served to new connections; open connections keep going', async () => {
      const agent = new https.Agent({ keepAlive: true, maxSockets: 1, ...alice });
      try {
        const before = await httpsRequest(srv.port, '/', { agent });
        assert.equal(before.serial, serialOf('0x1001'));

        // Rotate: a new key and certificate with another serial and subject, moved into place.
        pki.key('rotated', 'ec');
        pki.issue('rotated', 'ca', '/CN=localhost rotated', '0x2002', 'v3_server');
        fs.copyFileSync(pki.file('rotated.crt'), pki.file('live.crt.tmp'));
        fs.copyFileSync(pki.file('rotated.key'), pki.file('live.key.tmp'));
        fs.renameSync(pki.file('live.key.tmp'), pki.file('live.key'));
        fs.renameSync(pki.file('live.crt.tmp'), pki.file('live.crt'));
        await sleep(1300);  // > tls.cert_ttl

        const fresh = await httpsRequest(srv.port, '/', alice);
        assert.equal(fresh.serial, serialOf('0x2002'), 'a new connection gets the new certificate');
        assert.equal(fresh.status, 200);

        const kept = await httpsRequest(srv.port, '/collections', { agent });
        assert.equal(kept.status, 200, kept.body);
        assert.ok(kept.reusedSocket, 'the keep-alive connection was dropped');
        assert.equal(kept.socket, before.socket);
        assert.equal(kept.serial, serialOf('0x1001'), 'the open connection keeps its handshake');
      } finally {
        agent.destroy();
      }
    });

    test('a broken new certificate keeps the previous one in service and is logged', async () => {
      const serving = (await httpsRequest(srv.port, '/', alice)).serial;
      fs.writeFileSync(pki.file('live.crt'),
        '-----BEGIN CERTIFICATE-----\nbroken\n-----END CERTIFICATE-----\n');
      await sleep(1300);
      const res = await httpsRequest(srv.port, '/', alice);
      assert.equal(res.status, 200);
      assert.equal(res.serial, serving);
      // The failure is logged, naming the file.
      const deadline = Date.now() + 2000;
      while (!srv.output.includes(pki.file('live.crt')) && Date.now() < deadline) await sleep(50);
      assert.ok(srv.output.includes(pki.file('live.crt')), `nothing logged:\n${srv.output}`);
      assert.match(srv.output, /reload failed/i);
      if (process.env.E2E_SHOW_TLS_LOG) console.log(srv.output);

      // Repaired: the server picks the certificate up again.
      fs.copyFileSync(pki.file('server-rsa.crt'), pki.file('live.crt'));
      fs.copyFileSync(pki.file('server-rsa.key'), pki.file('live.key'));
      await sleep(1300);
      assert.equal((await httpsRequest(srv.port, '/', alice)).serial, serialOf('0x1001'));
    });
  });
});
