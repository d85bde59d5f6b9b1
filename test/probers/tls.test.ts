// tls:// against real TLS servers: nginx with one port per certificate case (and an SNI router),
// mosquitto requiring a client certificate over TLS 1.3, openssl s_server requiring one over
// TLS 1.2, an nginx stream server that checks client certificates after the handshake; hand-made
// fakes only for a silent port and an SSH banner.
import { rm, writeFile } from 'node:fs/promises';
import { connect as h2connect } from 'node:http2';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { startTls, tlsFailure } from '../../src/net/tls.js';
import { ProbeError } from '../../src/errors.js';
import { tlsOptions } from '../../src/probers/tls.js';
import type { Check, ProbeContext } from '../../src/types.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { silentServer, sshBannerServer, type FakeServer } from '../helpers/fake-servers.js';
import { probeUrl } from '../helpers/probe.js';
import {
  freePort,
  startNginx,
  startProcess,
  startWebFixture,
  type Nginx,
  type ServerProcess,
  type WebPorts,
} from '../helpers/servers.js';

let certs: TestCerts;
let web: { nginx: Nginx; ports: WebPorts };
let stream: Nginx;
let mosquitto: ServerProcess;
let sServer: ServerProcess;
let silent: FakeServer;
let ssh: FakeServer;
const port = { mqtt: 0, mqtts: 0, tls12: 0, stream: 0 };

beforeAll(async () => {
  certs = await makeCerts();
  web = await startWebFixture(certs);
  for (const k of Object.keys(port) as (keyof typeof port)[]) port[k] = await freePort();
  const conf = join(certs.dir, 'mosquitto.conf');
  await writeFile(
    conf,
    `${[
      'per_listener_settings true',
      'log_dest stderr',
      `listener ${port.mqtt} 127.0.0.1`,
      'allow_anonymous true',
      `listener ${port.mqtts} 127.0.0.1`,
      'allow_anonymous true',
      `cafile ${certs.caCert}`,
      `certfile ${certs.serverCert}`,
      `keyfile ${certs.serverKey}`,
      'require_certificate true',
    ].join('\n')}\n`,
  );
  mosquitto = await startProcess('mosquitto', ['-c', conf], [port.mqtts, port.mqtt]);
  // -Verify (capital): a client certificate is required; -tls1_2 makes that an alert 40 in the handshake.
  sServer = await startProcess(
    'openssl',
    [
      's_server',
      '-quiet',
      '-accept',
      `127.0.0.1:${port.tls12}`,
      '-cert',
      certs.serverCert,
      '-key',
      certs.serverKey,
      '-CAfile',
      certs.caCert,
      '-Verify',
      '1',
      '-tls1_2',
      '-www',
    ],
    [port.tls12],
  );
  stream = await startNginx({
    stream:
      `  server { listen 127.0.0.1:${port.stream} ssl; ssl_protocols TLSv1.2 TLSv1.3; ssl_certificate ` +
      `${certs.serverCert}; ssl_certificate_key ${certs.serverKey}; ssl_client_certificate ${certs.caCert}; ` +
      `ssl_verify_client on; return "hello\\n"; }`,
    waitFor: [port.stream],
  });
  silent = await silentServer();
  ssh = await sshBannerServer();
});

afterAll(async () => {
  await Promise.all([
    web?.nginx.stop(),
    stream?.stop(),
    mosquitto?.stop(),
    sServer?.stop(),
    silent?.close(),
    ssh?.close(),
  ]);
  if (certs) await rm(certs.dir, { recursive: true, force: true });
});

const verdict = (r: { outcome: string; state: string; reason: string; code?: string }) => ({
  outcome: r.outcome,
  state: r.state,
  reason: r.reason,
  code: r.code,
});

describe('tls:// certificate verdicts (nginx)', () => {
  it('a good certificate with its CA passes, with the certificate facts', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.good}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    // Under facts.tls, as for every TLS scheme.
    expect(Object.keys(r.facts)).toEqual(['tls']);
    const tls = r.facts.tls as Record<string, unknown>;
    expect(tls).toMatchObject({
      protocol: 'TLSv1.3',
      alpn: null,
      subject: 'CN=localhost',
      issuer: 'CN=fedprobe test CA',
      authorized: true,
      servername: 'localhost',
      subjectAltNames: [
        'DNS:localhost',
        'DNS:mqtt.test',
        'DNS:grpc.test',
        'DNS:web.test',
        'IP Address:127.0.0.1',
        'IP Address:0:0:0:0:0:0:0:1',
      ],
    });
    expect(tls.cipher).toMatch(/^TLS_/);
    expect(tls.daysToExpiry).toBeGreaterThan(800);
    expect(Date.parse(tls.notAfter as string)).toBeGreaterThan(Date.now());
    expect(r.detail).toMatch(
      /TLS handshake OK: TLSv1\.3, certificate CN=localhost from CN=fedprobe test CA, valid until \d{4}-\d\d-\d\d/,
    );
    expect(r.timings.connectMs).toBeDefined();
    expect(r.timings.tlsMs).toBeGreaterThanOrEqual(r.timings.connectMs!);
  });

  it('without the CA: tls-error UNABLE_TO_VERIFY_LEAF_SIGNATURE, naming the issuer', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.good}`);
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'tls-error',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
    expect(r.detail).toContain(
      `the certificate's issuer "CN=fedprobe test CA" is not in this machine's CA store (give the CA with with.ca)`,
    );
    expect(r.facts).toMatchObject({
      tls: { authorized: false, verifyError: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', subject: 'CN=localhost' },
    });
  });

  it('an expired certificate: tls-error CERT_HAS_EXPIRED with the date', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.expired}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'tls-error', code: 'CERT_HAS_EXPIRED' });
    expect(r.detail).toMatch(/the server certificate expired on 2020-02-01 \(\d+ days ago\)/);
    expect(r.facts).toMatchObject({ tls: { notAfter: '2020-02-01T00:00:00.000Z', verifyError: 'CERT_HAS_EXPIRED' } });
    expect((r.facts.tls as { daysToExpiry: number }).daysToExpiry).toBeLessThan(0);
  });

  it('a self-signed certificate: tls-error DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.selfSigned}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'tls-error',
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(r.detail).toBe(
      '127.0.0.1: the server certificate is self-signed (CN=localhost), not issued by a CA in the with.ca file',
    );
  });

  it('a certificate for another name: tls-error ERR_TLS_CERT_ALTNAME_INVALID', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.wrongName}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'tls-error',
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(r.detail).toContain('the server certificate is for DNS:wrong.test, not for localhost');
  });

  it('insecure: true passes an expired certificate but still reports it', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.expired}`, { ca: certs.caCert, insecure: true });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: 'CERT_HAS_EXPIRED' });
    expect(r.facts).toMatchObject({ tls: { authorized: false, verifyError: 'CERT_HAS_EXPIRED' } });
    expect(r.detail).toMatch(
      new RegExp(
        /expired 2020-02-01; no client certificate asked for — /.source +
          /but the server certificate expired on 2020-02-01 .* \(ignored: with\.insecure\)$/.source,
      ),
    );
  });

  it('minDaysValid above the days left: TLS works but the row says the certificate is expiring', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.good}`, { ca: certs.caCert, minDaysValid: 5000 });
    expect(verdict(r)).toEqual({ outcome: 'warn', state: 'open', reason: 'expiring', code: undefined });
    expect(r.detail).toMatch(
      new RegExp(
        /TLS handshake OK: TLSv1\.3, .*; no client certificate asked for, /.source +
          /but the server certificate expires on \d{4}-\d\d-\d\d, in \d+ days /.source +
          /\(fewer than the 5000 required by with\.minDaysValid\)$/.source,
      ),
    );
    const ok = await probeUrl(`tls://localhost:${web.ports.good}`, { ca: certs.caCert, minDaysValid: 30 });
    expect(verdict(ok)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
  });

  it('a CA file that does not exist is an error naming the option, found before dialling (state unknown)', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.good}`, { ca: join(certs.dir, 'nope.crt') });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'unknown', reason: 'error', code: 'ENOENT' });
    expect(r.timings.connectMs).toBeUndefined();
    expect(r.detail).toContain(`cannot read the with.ca file "${join(certs.dir, 'nope.crt')}" (ENOENT)`);
  });
});

describe('tls:// SNI', () => {
  it('sends the URL host as SNI: nginx picks the server_name localhost certificate', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.sni}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.facts).toMatchObject({ tls: { servername: 'localhost', subject: 'CN=localhost' } });
  });

  it('sends no SNI for an IP address: nginx falls back to its default (wrong-name) certificate', async () => {
    const r = await probeUrl(`tls://127.0.0.1:${web.ports.sni}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'tls-error',
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
    });
    expect(r.facts.tls).not.toHaveProperty('servername');
    expect(r.facts).toMatchObject({ tls: { subject: 'CN=wrong.test' } });
    expect(r.detail).toContain('not for 127.0.0.1');
  });

  it('servername overrides the SNI and the name checked', async () => {
    const r = await probeUrl(`tls://127.0.0.1:${web.ports.sni}`, { ca: certs.caCert, servername: 'web.test' });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.facts).toMatchObject({ tls: { servername: 'web.test', subject: 'CN=localhost' } });
  });
});

describe('tls:// client certificates (mTLS)', () => {
  it('TLS 1.3 server requiring one (mosquitto), none given: warn auth-rejected on the late alert 116', async () => {
    const r = await probeUrl(`tls://localhost:${port.mqtts}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    });
    expect(r.detail).toContain('the server requires a client certificate (TLS alert 116 certificate_required)');
    expect(r.facts).toMatchObject({ tls: { protocol: 'TLSv1.3', subject: 'CN=localhost' } });
  });

  it('TLS 1.3 with the client certificate: pass', async () => {
    const r = await probeUrl(`tls://localhost:${port.mqtts}`, {
      ca: certs.caCert,
      cert: certs.clientCert,
      key: certs.clientKey,
    });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
  });

  it(
    'TLS 1.3 with a client certificate the server does not trust: fail ' + 'auth-rejected on alert unknown_ca',
    async () => {
      const r = await probeUrl(`tls://localhost:${port.mqtts}`, {
        ca: certs.caCert,
        cert: certs.selfSignedCert,
        key: certs.selfSignedKey,
      });
      expect(verdict(r)).toEqual({
        outcome: 'fail',
        state: 'open',
        reason: 'auth-rejected',
        code: 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA',
      });
      expect(r.facts).toMatchObject({
        credentialsGiven: true,
        tls: { clientCertRequested: true, clientCertOffered: true },
      });
      expect(r.detail).toContain('the server rejected our client certificate (TLS alert unknown_ca)');
    },
  );

  it('TLS 1.2 server requiring one (openssl s_server), none given: warn auth-rejected on alert 40', async () => {
    const r = await probeUrl(`tls://localhost:${port.tls12}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE',
    });
    // It asked first (a CertificateRequest), so alert 40 is about the certificate, not the ciphers.
    expect(r.detail).toContain(
      'the server asked for a client certificate and ended the handshake without one (TLS alert 40 handshake_failure)',
    );
    expect(r.facts).toMatchObject({ tls: { clientCertRequested: true, clientCertOffered: false } });
  });

  it('TLS 1.2 with the client certificate: pass', async () => {
    const r = await probeUrl(`tls://localhost:${port.tls12}`, {
      ca: certs.caCert,
      cert: certs.clientCert,
      key: certs.clientKey,
    });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.facts).toMatchObject({ tls: { protocol: 'TLSv1.2' } });
  });

  it('a cert file without its key: an error that says to give with.key', async () => {
    const r = await probeUrl(`tls://localhost:${port.tls12}`, { ca: certs.caCert, cert: certs.clientCert });
    expect(verdict(r)).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'error' });
    expect(r.detail).toContain('holds no usable private key: give it with with.key');
  });

  it('nginx stream (asks, checks the certificate after the handshake, then closes): warn auth-rejected', async () => {
    const r = await probeUrl(`tls://localhost:${port.stream}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'EOF_AFTER_HANDSHAKE',
    });
    expect(r.detail).toContain(
      'closed the connection right after the TLS handshake: it asked for a client certificate and none was offered',
    );
    const bad = await probeUrl(`tls://localhost:${port.stream}`, {
      ca: certs.caCert,
      cert: certs.selfSignedCert,
      key: certs.selfSignedKey,
    });
    expect(verdict(bad)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'auth-rejected',
      code: 'EOF_AFTER_HANDSHAKE',
    });
    expect(bad.detail).toContain('it asked for a client certificate and most likely refused ours');
    const ok = await probeUrl(`tls://localhost:${port.stream}`, {
      ca: certs.caCert,
      cert: certs.clientCert,
      key: certs.clientKey,
    });
    expect(verdict(ok)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
  });

  it(
    'nginx http (answers the missing certificate with an HTTP 400 page, not on the TLS layer): warn, from the ' +
      'request it made',
    async () => {
      // No alert, no close: only the server's CertificateRequest says a certificate is wanted; https:// sees the 400
      // page.
      const r = await probeUrl(`tls://localhost:${web.ports.mtls}`, { ca: certs.caCert });
      expect(verdict(r)).toEqual({
        outcome: 'warn',
        state: 'open',
        reason: 'auth-rejected',
        code: 'CLIENT_CERT_REQUESTED',
      });
      expect(r.detail).toContain(
        'the server asked for a client certificate and none was offered: it may refuse this client at the ' +
          'application ' +
          'layer',
      );
    },
  );
});

describe('tls:// ALPN', () => {
  it('h2 offered to an http2 port: pass, alpn h2', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.h2}`, { ca: certs.caCert, alpn: ['h2'] });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.facts).toMatchObject({ tls: { alpn: 'h2', alpnOffered: ['h2'] } });
  });

  it('h2 offered to an HTTP/1.1-only nginx port: wrong-protocol on alert 120', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.good}`, { ca: certs.caCert, alpn: 'h2' });
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
      code: 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL',
    });
    expect(r.detail).toContain(
      'none of the application protocols we offered (ALPN h2; TLS alert 120 no_application_protocol)',
    );
  });

  it('h2 offered to a server that ignores ALPN (mosquitto): wrong-protocol ALPN_MISMATCH', async () => {
    const r = await probeUrl(`tls://localhost:${port.mqtts}`, {
      ca: certs.caCert,
      cert: certs.clientCert,
      key: certs.clientKey,
      alpn: ['h2'],
    });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'ALPN_MISMATCH' });
    expect(r.detail).toContain('the TLS server picked no application protocol, not h2');
    expect(r.facts).toMatchObject({ tls: { alpn: null } });
  });
});

describe('tls:// to something that is not TLS', () => {
  it('a plain HTTP port: wrong-protocol ERR_SSL_WRONG_VERSION_NUMBER', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.plain}`, { ca: certs.caCert });
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
      code: 'ERR_SSL_WRONG_VERSION_NUMBER',
    });
    expect(r.detail).toBe(
      '127.0.0.1: the port speaks plain text, not TLS (its answer to our ClientHello is not a TLS record)',
    );
  });

  it('a plain MQTT broker (closes on the ClientHello): wrong-protocol ECONNRESET', async () => {
    const r = await probeUrl(`tls://localhost:${port.mqtt}`);
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'ECONNRESET' });
    expect(r.detail).toContain('the port speaks plain text, not TLS (it closed the connection on our TLS ClientHello');
  });

  it('an SSH banner: wrong-protocol ERR_SSL_WRONG_VERSION_NUMBER', async () => {
    const r = await probeUrl(`tls://127.0.0.1:${ssh.port}`);
    expect(verdict(r)).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
      code: 'ERR_SSL_WRONG_VERSION_NUMBER',
    });
  });

  it('a port that accepts and stays silent: no-response at the deadline', async () => {
    const r = await probeUrl(`tls://127.0.0.1:${silent.port}`, {}, { timeoutMs: 500 });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'no-response', code: undefined });
    expect(r.detail).toBe('connected, then no answer within 500 ms');
  });

  it('a closed port: refused, as for tcp://', async () => {
    const closed = await freePort();
    const r = await probeUrl(`tls://127.0.0.1:${closed}`);
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
  });
});

describe('tls:// options', () => {
  it('are strict and coerce a number given as text (the CLI gives --with minDaysValid=30)', () => {
    expect(tlsOptions.parse({ minDaysValid: '30', alpn: 'h2,http/1.1' })).toEqual({
      minDaysValid: 30,
      alpn: 'h2,http/1.1',
    });
    expect(tlsOptions.safeParse({ insecure: true, cafile: 'x' }).success).toBe(false);
    expect(tlsOptions.safeParse({ minDaysValid: -1 }).success).toBe(false);
  });
});

describe('startTls() for the probers built on it', () => {
  it('hands back a socket that node:http2 can use at once (grpcs://, ALPN h2), after the late-alert wait', async () => {
    const phases: string[] = [];
    const ctx: ProbeContext = {
      address: '127.0.0.1',
      family: 4,
      signal: AbortSignal.timeout(3000),
      timeoutMs: 3000,
      log: silentLogger,
      phase: (p) => phases.push(p),
    };
    const check = {
      target: { scheme: 'tls', url: '', host: 'localhost', port: web.ports.h2, protocol: 'tcp', path: '' },
      with: {},
    } as unknown as Check;
    const raw = netConnect({ host: '127.0.0.1', port: web.ports.h2 });
    await new Promise((r) => raw.once('connect', r));
    const { socket, facts } = await startTls(raw, check, ctx, { ca: certs.caCert, alpn: ['h2'] });
    expect(facts).toMatchObject({ alpn: 'h2', authorized: true, servername: 'localhost' });
    expect(phases).toEqual(['tls']);
    const session = h2connect('https://localhost', { createConnection: () => socket });
    const status = await new Promise<number>((resolve, reject) => {
      const req = session.request({ ':path': '/' });
      req.on('response', (h) => resolve(Number(h[':status'])));
      req.on('error', reject);
      req.end();
    });
    session.destroy();
    expect(status).toBe(200);
  });
});

describe("tlsFailure() for alerts that arrive during a prober's own exchange", () => {
  const err = (code: string) => Object.assign(new Error(code), { code });
  it('maps certificate_required and a refused client certificate to auth-rejected, and leaves others alone', () => {
    const late = tlsFailure(err('ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'), {
      offeredCert: false,
      afterHandshake: true,
    });
    expect(late).toBeInstanceOf(ProbeError);
    expect((late as ProbeError).reason).toBe('auth-rejected');
    expect((late as ProbeError).facts.credentialsGiven).toBeUndefined();
    const refused = tlsFailure(err('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), {
      offeredCert: true,
      afterHandshake: true,
      facts: { tls: {} },
    }) as ProbeError;
    expect(refused.reason).toBe('auth-rejected');
    // The prober's own facts, with the flag that makes judge() fail the row rather than warn.
    expect(refused.facts).toEqual({ tls: {}, credentialsGiven: true });
    expect(
      (tlsFailure(err('ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'), { offeredCert: false, afterHandshake: true }) as ProbeError)
        .reason,
    ).toBe('tls-error');
    expect((tlsFailure(err('ECONNRESET'), { offeredCert: false, afterHandshake: true }) as ProbeError).reason).toBe(
      'reset',
    );
    const other = err('EHOSTUNREACH');
    expect(tlsFailure(other, { offeredCert: false, afterHandshake: true })).toBe(other);
  });
});
