// http:// and https:// against a real nginx (plain, HTTPS with good / expired / mTLS / http2 / SNI
// ports) and a real mosquitto (a non-HTTP service that just closes); hand-made fakes only for a
// silent port and an SSH banner.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpOptions, printable } from '../../src/probers/http.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { silentServer, sshBannerServer, type FakeServer } from '../helpers/fake-servers.js';
import { probeUrl } from '../helpers/probe.js';
import {
  freePort,
  startProcess,
  startWebFixture,
  type Nginx,
  type ServerProcess,
  type WebPorts,
} from '../helpers/servers.js';
import { startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js';

let certs: TestCerts;
let web: { nginx: Nginx; ports: WebPorts };
let mosquitto: ServerProcess;
let mqttPort = 0;
let silent: FakeServer;
let ssh: FakeServer;
let proxy: Tinyproxy;

beforeAll(async () => {
  certs = await makeCerts();
  web = await startWebFixture(certs);
  mqttPort = await freePort();
  mosquitto = await startProcess('mosquitto', ['-p', String(mqttPort)], [mqttPort]);
  silent = await silentServer();
  ssh = await sshBannerServer();
  proxy = await startTinyproxy({ port: await freePort(), connectPorts: [web.ports.sni, web.ports.expired] });
});

afterAll(async () => {
  await Promise.all([web?.nginx.stop(), mosquitto?.stop(), silent?.close(), ssh?.close(), proxy?.stop()]);
  if (certs) await rm(certs.dir, { recursive: true, force: true });
});

const verdict = (r: { outcome: string; state: string; reason: string; code?: string }) => ({
  outcome: r.outcome,
  state: r.state,
  reason: r.reason,
  code: r.code,
});
const plain = (path = '/') => `http://localhost:${web.ports.plain}${path}`;

describe('http://', () => {
  it('GET 200: pass, with status, server and HTTP version, and phase timings', async () => {
    const r = await probeUrl(plain());
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.facts).toEqual({ status: 200, statusText: 'OK', httpVersion: '1.1', server: 'nginx/1.22.1' });
    expect(r.detail).toBe('127.0.0.1: HTTP/1.1 200 OK from nginx/1.22.1');
    expect(r.timings.connectMs).toBeDefined();
    expect(r.timings.firstByteMs).toBeGreaterThanOrEqual(r.timings.connectMs!);
  });

  it('by default any status below 500 proves HTTP (404 passes)', async () => {
    const r = await probeUrl(plain('/missing'));
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.facts.status).toBe(404);
  });

  it('a 5xx is not-serving', async () => {
    const r = await probeUrl(plain('/down'));
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'not-serving', code: 'HTTP_503' });
    expect(r.detail).toBe(
      '127.0.0.1: HTTP/1.1 503 Service Temporarily Unavailable from nginx/1.22.1 for GET /down, expected a status ' +
        'below 500',
    );
  });

  it('expectStatus mismatch: fail wrong-protocol, saying what was expected', async () => {
    const r = await probeUrl(plain('/missing'), { expectStatus: '2xx' });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'HTTP_404' });
    expect(r.detail).toBe('127.0.0.1: HTTP/1.1 404 Not Found from nginx/1.22.1 for GET /missing, expected 2xx');
  });

  it('expectStatus as a number, a class, or a list', async () => {
    expect((await probeUrl(plain('/missing'), { expectStatus: 404 })).outcome).toBe('pass');
    expect((await probeUrl(plain(), { expectStatus: [301, '2xx'] })).outcome).toBe('pass');
    expect((await probeUrl(plain(), { expectStatus: [301, 302] })).outcome).toBe('fail');
  });

  it('a 401 where 200 was expected: auth-rejected (warn without credentials)', async () => {
    const r = await probeUrl(plain('/private'), { expectStatus: 200 });
    expect(verdict(r)).toEqual({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code: 'HTTP_401' });
  });

  it('bodyMatch: pass when the body matches, wrong-protocol when it does not', async () => {
    const ok = await probeUrl(plain(), { bodyMatch: 'fedprobe web \\w+' });
    expect(verdict(ok)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    const bad = await probeUrl(plain(), { bodyMatch: '^<html>' });
    expect(verdict(bad)).toEqual({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'HTTP_200' });
    expect(bad.detail).toBe('127.0.0.1: HTTP/1.1 200 OK from nginx/1.22.1, but the body does not match /^<html>/');
  });

  it('sends the method, extra headers, and Host with the URL host and port', async () => {
    const r = await probeUrl(plain('/echo'), {
      method: 'post',
      headers: { 'X-Fedprobe': 'hello' },
      bodyMatch: `^x=\\[hello\\] host=\\[localhost:${web.ports.plain}\\] method=\\[POST\\]$`,
    });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
  });

  it('HEAD works too', async () => {
    const r = await probeUrl(plain(), { method: 'HEAD', expectStatus: 200 });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
  });

  it('to an HTTPS port: nginx answers 400 "plain HTTP request was sent to HTTPS port" → wrong-protocol', async () => {
    const r = await probeUrl(`http://localhost:${web.ports.good}/`);
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'HTTP_400' });
    expect(r.detail).toContain('the port speaks HTTPS, not plain HTTP');
  });

  it('to an SSH server: wrong-protocol, with the banner in the facts', async () => {
    const r = await probeUrl(`http://127.0.0.1:${ssh.port}/`);
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
      code: 'HPE_INVALID_CONSTANT',
    });
    // The one encoding of foreign bytes (first-bytes.ts): hex, and the text with escapes.
    expect(r.facts.firstText).toBe('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n');
    expect(r.facts.firstBytes).toBe(Buffer.from('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n').toString('hex'));
    expect(r.detail).toBe('the answer is not HTTP: "SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\\r\\n"');
  });

  it('to an MQTT broker (closes without a byte): wrong-protocol', async () => {
    const r = await probeUrl(`http://127.0.0.1:${mqttPort}/`);
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'ECONNRESET' });
    expect(r.detail).toBe('the server closed the connection without answering our HTTP request (not an HTTP service?)');
  });

  it('to a port that accepts and stays silent: no-response', async () => {
    const r = await probeUrl(`http://127.0.0.1:${silent.port}/`, {}, { timeoutMs: 500 });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'no-response', code: undefined });
  });
});

describe('https://', () => {
  it('a good certificate with its CA: pass, TLS facts under facts.tls, ALPN http/1.1', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.good}/`, { ca: certs.caCert, expectStatus: 200 });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.facts).toMatchObject({
      status: 200,
      httpVersion: '1.1',
      server: 'nginx/1.22.1',
      tls: { protocol: 'TLSv1.3', alpn: 'http/1.1', subject: 'CN=localhost', authorized: true },
    });
    expect(r.detail).toMatch(
      new RegExp(
        /^127\.0\.0\.1: HTTP\/1\.1 200 OK from nginx\/1\.22\.1 over TLSv1\.3, /.source +
          /certificate CN=localhost from CN=fedprobe test CA, valid until .*, ALPN http\/1\.1$/.source,
      ),
    );
    const t = r.timings;
    expect(t.connectMs! <= t.tlsMs! && t.tlsMs! <= t.firstByteMs!).toBe(true);
  });

  it('an expired certificate: tls-error CERT_HAS_EXPIRED, as for tls://', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.expired}/`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'tls-error', code: 'CERT_HAS_EXPIRED' });
    expect((r.facts.tls as Record<string, unknown>).verifyError).toBe('CERT_HAS_EXPIRED');
  });

  it('without the CA: tls-error UNABLE_TO_VERIFY_LEAF_SIGNATURE; insecure passes and keeps the error', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.good}/`);
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'tls-error',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    const i = await probeUrl(`https://localhost:${web.ports.good}/`, { insecure: true });
    expect(verdict(i)).toEqual({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(i.detail).toContain('(ignored: with.insecure)');
  });

  it(
    'nginx mTLS, no client certificate: HTTP 400 "No required SSL ' + 'certificate was sent" → warn auth-rejected',
    async () => {
      const r = await probeUrl(`https://localhost:${web.ports.mtls}/`, { ca: certs.caCert });
      expect(verdict(r)).toEqual({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code: 'HTTP_400' });
      expect(r.detail).toContain(
        'the server requires a client certificate (HTTP 400 "No required SSL ' +
          'certificate was sent"; the TLS handshake ' +
          'completed without one',
      );
      expect(r.facts).toMatchObject({ tls: { clientCertRequested: true, clientCertOffered: false } });
    },
  );

  it(
    'nginx mTLS with the client certificate: pass; with an untrusted one: fail auth-rejected (credentials were ' +
      'given)',
    async () => {
      const ok = await probeUrl(`https://localhost:${web.ports.mtls}/`, {
        ca: certs.caCert,
        cert: certs.clientCert,
        key: certs.clientKey,
      });
      expect(verdict(ok)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
      const bad = await probeUrl(`https://localhost:${web.ports.mtls}/`, {
        ca: certs.caCert,
        cert: certs.selfSignedCert,
        key: certs.selfSignedKey,
      });
      expect(verdict(bad)).toEqual({ outcome: 'fail', state: 'open', reason: 'auth-rejected', code: 'HTTP_400' });
      expect(bad.detail).toContain('the server rejected our client certificate (HTTP 400 "The SSL certificate error")');
      expect(bad.facts.credentialsGiven).toBe(true);
    },
  );

  it('an http2 port still answers HTTP/1.1 over ALPN http/1.1', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.h2}/`, { ca: certs.caCert, expectStatus: 200 });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.facts).toMatchObject({ httpVersion: '1.1', tls: { alpn: 'http/1.1' } });
  });

  it('to a plain HTTP port: wrong-protocol ERR_SSL_WRONG_VERSION_NUMBER', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.plain}/`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
      code: 'ERR_SSL_WRONG_VERSION_NUMBER',
    });
  });

  it(
    'SNI is the URL host, never an IP address, and servername overrides ' + 'it (nginx echoes $ssl_server_name)',
    async () => {
      const byName = await probeUrl(`https://localhost:${web.ports.sni}/sni`, {
        ca: certs.caCert,
        bodyMatch: '^sni=\\[localhost\\]$',
      });
      expect(verdict(byName)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
      const byIp = await probeUrl(`https://127.0.0.1:${web.ports.sni}/sni`, {
        ca: certs.caCert,
        insecure: true,
        bodyMatch: '^sni=\\[\\]$',
      });
      expect(verdict(byIp)).toEqual({
        outcome: 'pass',
        state: 'open',
        reason: 'ok',
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
      const named = await probeUrl(`https://127.0.0.1:${web.ports.sni}/sni`, {
        ca: certs.caCert,
        servername: 'web.test',
        bodyMatch: '^sni=\\[web\\.test\\]$',
      });
      expect(verdict(named)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    },
  );
});

describe('https:// through an HTTP CONNECT proxy (tinyproxy)', () => {
  it('TLS runs inside the tunnel, with the URL host as SNI', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.sni}/sni`, {
      ca: certs.caCert,
      proxy: `http://127.0.0.1:${proxy.port}`,
      bodyMatch: '^sni=\\[localhost\\]$',
    });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.via).toBe(`proxy http://127.0.0.1:${proxy.port}`);
    expect(r.facts).toMatchObject({
      status: 200,
      tls: { servername: 'localhost', subject: 'CN=localhost', authorized: true },
    });
  });

  it("a certificate problem behind the proxy is still the target's tls-error", async () => {
    const r = await probeUrl(`https://localhost:${web.ports.expired}/`, {
      ca: certs.caCert,
      proxy: `http://127.0.0.1:${proxy.port}`,
    });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'tls-error', code: 'CERT_HAS_EXPIRED' });
  });

  it('proxy: direct goes straight to the target', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.good}/`, { ca: certs.caCert, proxy: 'direct' });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.via).toBe('direct');
  });
});

describe('http options', () => {
  it('are strict, check the regex and the status forms', () => {
    expect(
      httpOptions.safeParse({ expectStatus: ['2xx', 404], bodyMatch: 'ok', headers: { a: 'b' }, method: 'GET' })
        .success,
    ).toBe(true);
    expect(httpOptions.safeParse({ expectStatus: '2xxx' }).success).toBe(false);
    expect(httpOptions.safeParse({ bodyMatch: '(' }).success).toBe(false);
    expect(httpOptions.safeParse({ expect: 200 }).success).toBe(false);
  });

  it('printable() escapes what is not printable ASCII', () => {
    expect(printable(Buffer.from([0x20, 0x02, 0x00, 0x00, 0x41, 0x0d, 0x0a]))).toBe(' \\x02\\x00\\x00A\\r\\n');
  });
});
