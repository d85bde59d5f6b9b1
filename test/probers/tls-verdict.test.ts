// The one TLS verdict (src/probers/tls-verdict.ts), scheme by scheme, against real servers: nginx
// (tls:// and https://, grpcs:// through grpc_pass to a @grpc/grpc-js health service) and
// mosquitto (mqtts://, and mqtt+wss:// on its WebSocket TLS listener). Each serves a certificate
// that expires in 10 days, a self-signed one, and (nginx) one that asks for a client certificate
// without requiring it. Every scheme must give the same verdict and keep the facts in facts.tls.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/types.js';
import { startTcpPeer, type HostilePeer } from '../hostile/peers.js';
import { makeCerts, makeShortLivedCert, type TestCerts } from '../helpers/certs.js';
import { startGrpcServer, type GrpcServer } from '../helpers/grpc-server.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { probeUrl } from '../helpers/probe.js';
import { freePort, startNginx, type Nginx } from '../helpers/servers.js';

const SCHEMES = ['tls', 'https', 'mqtts', 'mqtt+wss', 'grpcs'] as const;
type Scheme = (typeof SCHEMES)[number];
/** soon: expires in 10 days; self: self-signed; ask: asks for a client certificate, optional. */
type Kind = 'soon' | 'self' | 'ask';
const VALID_DAYS = 10;

let certs: TestCerts;
let backend: GrpcServer;
let nginx: Nginx;
let broker: Mosquitto<'soonMqtts' | 'selfMqtts' | 'soonWss' | 'selfWss'>;
const web = { soonHttps: 0, selfHttps: 0, askHttps: 0, soonGrpcs: 0, selfGrpcs: 0, askGrpcs: 0 };

beforeAll(async () => {
  certs = await makeCerts();
  const soon = await makeShortLivedCert(certs, VALID_DAYS);
  backend = await startGrpcServer({ health: true });
  for (const k of Object.keys(web) as (keyof typeof web)[]) web[k] = await freePort();
  const tlsWith = (c: { cert: string; key: string }) => `ssl_certificate ${c.cert}; ssl_certificate_key ${c.key};`;
  const self = { cert: certs.selfSignedCert, key: certs.selfSignedKey };
  const good = { cert: certs.serverCert, key: certs.serverKey };
  const ask = `ssl_client_certificate ${certs.caCert}; ssl_verify_client optional;`;
  const page = 'location / { return 200 "ok\\n"; }';
  const grpc = `location / { grpc_pass grpc://127.0.0.1:${backend.port}; }`;
  nginx = await startNginx({
    http: [
      `server { listen 127.0.0.1:${web.soonHttps} ssl; ${tlsWith(soon)} ${page} }`,
      `server { listen 127.0.0.1:${web.selfHttps} ssl; ${tlsWith(self)} ${page} }`,
      `server { listen 127.0.0.1:${web.askHttps} ssl; ${tlsWith(good)} ${ask} ${page} }`,
      `server { listen 127.0.0.1:${web.soonGrpcs} ssl http2; ${tlsWith(soon)} ${grpc} }`,
      `server { listen 127.0.0.1:${web.selfGrpcs} ssl http2; ${tlsWith(self)} ${grpc} }`,
      `server { listen 127.0.0.1:${web.askGrpcs} ssl http2; ${tlsWith(good)} ${ask} ${grpc} }`,
    ].join('\n'),
    waitFor: Object.values(web),
  });
  broker = await startMosquitto({
    soonMqtts: { tls: soon },
    selfMqtts: { tls: self },
    soonWss: { protocol: 'websockets', tls: soon },
    selfWss: { protocol: 'websockets', tls: self },
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([nginx?.stop(), broker?.stop(), backend?.stop()]);
  if (certs) await rm(certs.dir, { recursive: true, force: true });
});

function url(scheme: Scheme, kind: Kind): string {
  const port: Record<Scheme, Partial<Record<Kind, number>>> = {
    tls: { soon: web.soonHttps, self: web.selfHttps, ask: web.askHttps },
    https: { soon: web.soonHttps, self: web.selfHttps, ask: web.askHttps },
    mqtts: { soon: broker.ports.soonMqtts, self: broker.ports.selfMqtts },
    'mqtt+wss': { soon: broker.ports.soonWss, self: broker.ports.selfWss },
    grpcs: { soon: web.soonGrpcs, self: web.selfGrpcs, ask: web.askGrpcs },
  };
  return `${scheme}://localhost:${port[scheme][kind]}${scheme === 'https' ? '/' : ''}`;
}

const verdict = (r: CheckResult) => ({ outcome: r.outcome, state: r.state, reason: r.reason, code: r.code });
const tlsOf = (r: CheckResult) => r.facts.tls as Record<string, unknown>;

/** The facts every TLS scheme keeps about a handshake that completed. */
const HANDSHAKE_KEYS = [
  'protocol',
  'cipher',
  'alpn',
  'subject',
  'issuer',
  'subjectAltNames',
  'notBefore',
  'notAfter',
  'daysToExpiry',
  'authorized',
  'servername',
  'clientCertRequested',
  'clientCertOffered',
];

describe.each(SCHEMES)('%s://', (scheme) => {
  it(`a certificate that expires in ${VALID_DAYS} days with minDaysValid 30: warn, expiring`, async () => {
    const r = await probeUrl(url(scheme, 'soon'), { ca: certs.caCert, minDaysValid: 30 });
    expect(verdict(r)).toEqual({ outcome: 'warn', state: 'open', reason: 'expiring', code: undefined });
    const day = '\\d{4}-\\d\\d-\\d\\d';
    const soon = `, but the server certificate expires on ${day}, in (9|10) days `;
    expect(r.detail).toMatch(new RegExp(`${soon}\\(fewer than the 30 required by with\\.minDaysValid\\)$`));
    expect(Object.keys(tlsOf(r))).toEqual(expect.arrayContaining(HANDSHAKE_KEYS));
    expect(tlsOf(r)).toMatchObject({
      protocol: 'TLSv1.3',
      subject: 'CN=localhost',
      issuer: 'CN=fedprobe test CA',
      authorized: true,
      servername: 'localhost',
      clientCertOffered: false,
    });
    expect(tlsOf(r).daysToExpiry).toBeGreaterThanOrEqual(VALID_DAYS - 1);
    // Nothing of the certificate outside facts.tls.
    expect(r.facts).not.toHaveProperty('subject');
    expect(r.facts).not.toHaveProperty('notAfter');
  });

  it('the same certificate with minDaysValid 5: pass', async () => {
    const r = await probeUrl(url(scheme, 'soon'), { ca: certs.caCert, minDaysValid: 5 });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.detail).not.toMatch(/expires/);
  });

  it('a self-signed certificate with insecure: pass, the problem named and kept as the code', async () => {
    const r = await probeUrl(url(scheme, 'self'), { insecure: true, minDaysValid: 30 });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
    const note =
      ' — but the server certificate is self-signed (CN=localhost), not issued by a CA in this ' +
      "machine's CA store (give the CA with with.ca) (ignored: with.insecure)";
    expect(r.detail.slice(-note.length)).toBe(note);
    expect(tlsOf(r)).toMatchObject({ authorized: false, verifyError: 'DEPTH_ZERO_SELF_SIGNED_CERT' });
  });

  it('without the CA: tls-error, and the certificate facts in facts.tls all the same', async () => {
    const r = await probeUrl(url(scheme, 'soon'));
    const code = 'UNABLE_TO_VERIFY_LEAF_SIGNATURE';
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'open', reason: 'tls-error', code });
    expect(tlsOf(r)).toMatchObject({ verifyError: code, subject: 'CN=localhost', authorized: false });
    expect(tlsOf(r).notAfter).toEqual(expect.any(String));
    expect(r.facts).not.toHaveProperty('verifyError');
  });

  it('a CA file that does not exist: error before any connection (state unknown, no connect time)', async () => {
    const missing = join(certs.dir, 'missing.crt');
    const r = await probeUrl(url(scheme, 'soon'), { ca: missing });
    expect(verdict(r)).toEqual({ outcome: 'fail', state: 'unknown', reason: 'error', code: 'ENOENT' });
    expect(r.detail).toBe(`127.0.0.1: cannot read the with.ca file "${missing}" (ENOENT)`);
    expect(r.timings.connectMs).toBeUndefined();
  });
});

describe('a peer that resets at once, with TLS files to read', () => {
  const DEADLINE_MS = 3000;
  let peer: HostilePeer;
  beforeAll(async () => {
    peer = await startTcpPeer('reset');
  });
  afterAll(() => peer?.close());

  // The files are read before dialling: the reset is the answer, not a deadline spent waiting.
  it.each(SCHEMES)('%s://: reset, long before the deadline', async (scheme) => {
    const t0 = performance.now();
    const files = { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey };
    const r = await probeUrl(`${scheme}://127.0.0.1:${peer.port}`, files, { timeoutMs: DEADLINE_MS });
    expect({ state: r.state, reason: r.reason }).toEqual({ state: 'closed', reason: 'reset' });
    // Half the deadline: loopback answers in milliseconds; the margin is for a loaded machine.
    expect(performance.now() - t0).toBeLessThan(DEADLINE_MS / 2);
  });
});

describe('a server that asks for a client certificate without requiring one (nginx ssl_verify_client optional)', () => {
  it('tls:// (the handshake is all it sees): warn, auth-rejected', async () => {
    const r = await probeUrl(url('tls', 'ask'), { ca: certs.caCert });
    const code = 'CLIENT_CERT_REQUESTED';
    expect(verdict(r)).toEqual({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code });
    expect(tlsOf(r)).toMatchObject({ clientCertRequested: true, clientCertOffered: false });
  });

  const ANSWERING = ['https', 'grpcs'] as const;
  it.each(ANSWERING)('%s:// (the service answered): pass, saying that none was offered', async (scheme) => {
    const r = await probeUrl(url(scheme, 'ask'), { ca: certs.caCert });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.detail).toMatch(/ \(the server asked for a client certificate; none was offered\)$/);
    expect(tlsOf(r)).toMatchObject({ clientCertRequested: true, clientCertOffered: false });
  });

  it.each(ANSWERING)('%s:// with a client certificate: pass, credentials given, no note', async (scheme) => {
    const r = await probeUrl(url(scheme, 'ask'), { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
    expect(verdict(r)).toEqual({ outcome: 'pass', state: 'open', reason: 'ok', code: undefined });
    expect(r.detail).not.toMatch(/none was offered/);
    const tls = { clientCertRequested: true, clientCertOffered: true };
    expect(r.facts).toMatchObject({ credentialsGiven: true, tls });
  });
});
