// Mutual TLS that the handshake does not show. nginx (http) with ssl_verify_client completes the
// handshake without a client certificate and refuses in HTTP; openssl s_server refuses in TLS.
// What fedprobe reports is checked against the wire: in TLS 1.2 the server's CertificateRequest
// (handshake type 13) crosses in clear and a tee sees it; in TLS 1.3 it is encrypted, and the
// fact clientCertRequested still says true (OpenSSL's own record of the request, see startTls).
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/types.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import {
  CERTIFICATE_REQUEST,
  otherCaClient,
  startMtlsNginx,
  startSServer,
  wireHandshake,
  type MtlsPorts,
  type SServer,
} from '../helpers/mtls.js';
import { probeUrl } from '../helpers/probe.js';
import type { Nginx } from '../helpers/servers.js';

let certs: TestCerts;
let stranger: { cert: string; key: string };
let web: { nginx: Nginx; ports: MtlsPorts };
const s: Record<'require12' | 'require13' | 'request12' | 'request13' | 'noCipher', SServer | undefined> = {
  require12: undefined,
  require13: undefined,
  request12: undefined,
  request13: undefined,
  noCipher: undefined,
};

beforeAll(async () => {
  certs = await makeCerts();
  stranger = await otherCaClient(certs.dir);
  web = await startMtlsNginx(certs);
  s.require12 = await startSServer(certs, 'require', 'tls1_2');
  s.require13 = await startSServer(certs, 'require', 'tls1_3');
  s.request12 = await startSServer(certs, 'request', 'tls1_2');
  s.request13 = await startSServer(certs, 'request', 'tls1_3');
  // Camellia only: a cipher suite Node's default list leaves out, so the handshake ends at the ClientHello.
  s.noCipher = await startSServer(certs, 'require', 'tls1_2', ['-cipher', 'CAMELLIA128-SHA']);
});

afterAll(async () => {
  await Promise.all([web?.nginx.stop(), ...Object.values(s).map((p) => p?.stop())]);
  if (certs) await rm(certs.dir, { recursive: true, force: true });
});

const verdict = (r: CheckResult) => ({ outcome: r.outcome, state: r.state, reason: r.reason, code: r.code });
/** The verdict expected of a port that answered. */
const open = (outcome: string, reason: string, code?: string) => ({ outcome, state: 'open', reason, code });
const port = (name: keyof typeof s) => s[name]!.port;
const ca = () => ({ ca: certs.caCert });
const good = () => ({ ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
const wrong = () => ({ ca: certs.caCert, cert: stranger.cert, key: stranger.key });

describe("the wire: what a tee under node:tls sees of the server's handshake", () => {
  it('TLS 1.2 with ssl_verify_client on: a CertificateRequest in clear', async () => {
    const w = await wireHandshake(web.ports.tls12, 'TLSv1.2');
    expect(w).toEqual({ protocol: 'TLSv1.2', clear: [2, 11, 12, CERTIFICATE_REQUEST, 14, 4] });
  });

  it('TLS 1.2 without client verification: no CertificateRequest', async () => {
    expect(await wireHandshake(web.ports.noAsk, 'TLSv1.2')).toEqual({ protocol: 'TLSv1.2', clear: [2, 11, 12, 14, 4] });
  });

  it('TLS 1.3: only the ServerHello is in clear, asked or not', async () => {
    expect(await wireHandshake(web.ports.tls13, 'TLSv1.3')).toEqual({ protocol: 'TLSv1.3', clear: [2] });
    expect(await wireHandshake(web.ports.noAsk, 'TLSv1.3')).toEqual({ protocol: 'TLSv1.3', clear: [2] });
  });
});

describe('tls:// against nginx (http) with ssl_verify_client on', () => {
  it('TLS 1.2, no client certificate: warn auth-rejected, clientCertRequested true', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.tls12}`, ca());
    expect(verdict(r)).toEqual(open('warn', 'auth-rejected', 'CLIENT_CERT_REQUESTED'));
    expect(r.facts).toMatchObject({
      tls: { protocol: 'TLSv1.2', clientCertRequested: true, clientCertOffered: false },
    });
    expect(r.detail).toMatch(
      new RegExp(
        '^127\\.0\\.0\\.1: TLS handshake completed \\(TLSv1\\.2, ' +
          'certificate CN=localhost from CN=fedprobe test CA, valid until [-\\d]+ \\(\\d+ days\\)\\); ' +
          'the server asked for a client certificate and none was offered: ' +
          'it may refuse this client at the application layer \\(give with\\.cert and with\\.key\\)$',
      ),
    );
  });

  it('TLS 1.3, no client certificate: the same verdict, though the request was encrypted', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.tls13}`, ca());
    expect(verdict(r)).toEqual(open('warn', 'auth-rejected', 'CLIENT_CERT_REQUESTED'));
    expect(r.facts).toMatchObject({
      tls: { protocol: 'TLSv1.3', clientCertRequested: true, clientCertOffered: false },
    });
    expect(r.detail).toContain('TLS handshake completed (TLSv1.3, certificate CN=localhost');
  });

  it('TLS 1.2 and 1.3 offered: TLS 1.3 is picked, same verdict', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.both}`, ca());
    expect(verdict(r)).toEqual(open('warn', 'auth-rejected', 'CLIENT_CERT_REQUESTED'));
    expect(r.facts).toMatchObject({ tls: { protocol: 'TLSv1.3', clientCertRequested: true } });
  });

  it('with the right client certificate: pass, in both versions', async () => {
    for (const p of [web.ports.tls12, web.ports.tls13]) {
      const r = await probeUrl(`tls://localhost:${p}`, good());
      expect(verdict(r)).toEqual(open('pass', 'ok'));
      expect(r.facts).toMatchObject({ tls: { clientCertRequested: true, clientCertOffered: true } });
      expect(r.detail).toContain(
        '; the server asked for a client certificate and completed the handshake with ours ' +
          '(it may still refuse it at the application layer)',
      );
    }
  });

  it('a certificate from another CA: nginx completes the handshake; tls:// passes and says so', async () => {
    // nginx judges the certificate after the handshake, in HTTP: only https:// sees the refusal (below).
    const r = await probeUrl(`tls://localhost:${web.ports.tls13}`, wrong());
    expect(verdict(r)).toEqual(open('pass', 'ok'));
    expect(r.detail).toContain('(it may still refuse it at the application layer)');
  });

  it('a server that does not ask: pass, clientCertRequested false', async () => {
    for (const p of [web.ports.noAsk]) {
      const r = await probeUrl(`tls://localhost:${p}`, ca());
      expect(verdict(r)).toEqual(open('pass', 'ok'));
      expect(r.facts).toMatchObject({ tls: { clientCertRequested: false, clientCertOffered: false } });
      expect(r.detail).toMatch(/; no client certificate asked for$/);
    }
  });

  it('ssl_verify_client optional asks too: tls:// warns, since it cannot tell optional from required', async () => {
    const r = await probeUrl(`tls://localhost:${web.ports.optional}`, ca());
    expect(verdict(r)).toEqual(open('warn', 'auth-rejected', 'CLIENT_CERT_REQUESTED'));
  });
});

describe('https:// against nginx mTLS: the HTTP answer proves what TLS cannot', () => {
  it('no client certificate: HTTP 400 "No required SSL certificate was sent" → warn auth-rejected', async () => {
    for (const p of [web.ports.tls12, web.ports.tls13]) {
      const r = await probeUrl(`https://localhost:${p}/is_up`, ca());
      expect(verdict(r)).toEqual(open('warn', 'auth-rejected', 'HTTP_400'));
      expect(r.detail).toBe(
        '127.0.0.1: the server requires a client certificate ' +
          '(HTTP 400 "No required SSL certificate was sent"; the TLS handshake completed without one, ' +
          'the refusal came in HTTP); give one with with.cert and with.key',
      );
      expect(r.facts).toMatchObject({ status: 400, tls: { clientCertRequested: true, clientCertOffered: false } });
      expect(r.facts.credentialsGiven).toBeUndefined();
    }
  });

  it('the right client certificate: pass, GET /is_up answers OK', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.both}/is_up`, { ...good(), bodyMatch: '^OK$' });
    expect(verdict(r)).toEqual(open('pass', 'ok'));
    expect(r.facts).toMatchObject({ status: 200, credentialsGiven: true });
    expect(r.facts.tls).toMatchObject({ clientCertRequested: true, clientCertOffered: true });
  });

  it('another CA\'s certificate: 400 "The SSL certificate error" → fail auth-rejected (credentials)', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.both}/is_up`, wrong());
    expect(verdict(r)).toEqual(open('fail', 'auth-rejected', 'HTTP_400'));
    expect(r.detail).toContain('the server rejected our client certificate (HTTP 400 "The SSL certificate error")');
    expect(r.facts).toMatchObject({ credentialsGiven: true });
  });

  it("a site's own page for 495/496 (still 400, no nginx words): auth-rejected from the request it made", async () => {
    const r = await probeUrl(`https://localhost:${web.ports.customPage}/is_up`, ca());
    expect(verdict(r)).toEqual(open('warn', 'auth-rejected', 'HTTP_400'));
    expect(r.detail).toBe(
      '127.0.0.1: HTTP/1.1 400 Bad Request from nginx/1.22.1 for GET /is_up ' +
        'from a server that asked for a client certificate and got none: ' +
        'most likely the missing certificate (nginx answers it with 400); ' +
        'give one with with.cert and with.key',
    );
    const bad = await probeUrl(`https://localhost:${web.ports.customPage}/is_up`, { ...wrong(), expectStatus: 200 });
    expect(verdict(bad)).toEqual(open('fail', 'auth-rejected', 'HTTP_400'));
    expect(bad.detail).toContain('a client certificate: most likely it refused ours (nginx answers that with 400)');
    const good400 = await probeUrl(`https://localhost:${web.ports.customPage}/is_up`, { ...good(), bodyMatch: '^OK$' });
    expect(verdict(good400)).toEqual(open('pass', 'ok'));
  });

  it('nginx statuses 496 and 495 when an error_page lets them out (=496, =495): auth-rejected as well', async () => {
    const none = await probeUrl(`https://localhost:${web.ports.statuses}/is_up`, ca());
    expect(verdict(none)).toEqual(open('warn', 'auth-rejected', 'HTTP_496'));
    expect(none.detail).toContain('requires a client certificate (HTTP 496; the TLS handshake completed without one');
    const bad = await probeUrl(`https://localhost:${web.ports.statuses}/is_up`, wrong());
    expect(verdict(bad)).toEqual(open('fail', 'auth-rejected', 'HTTP_495'));
    expect(bad.detail).toContain('the server rejected our client certificate (HTTP 495)');
  });

  it('ssl_verify_client optional: a page without a certificate; https:// passes and notes the request', async () => {
    const r = await probeUrl(`https://localhost:${web.ports.optional}/`, { ...ca(), expectStatus: 200 });
    expect(verdict(r)).toEqual(open('pass', 'ok'));
    expect(r.detail).toContain('(the server asked for a client certificate; none was offered)');
  });
});

describe('openssl s_server: refusals on the TLS layer', () => {
  it('-Verify 1, TLS 1.2, no certificate: warn auth-rejected on alert 40, after a CertificateRequest', async () => {
    expect((await wireHandshake(port('require12'), 'TLSv1.2')).clear).toContain(CERTIFICATE_REQUEST);
    const r = await probeUrl(`tls://localhost:${port('require12')}`, ca());
    expect(verdict(r)).toEqual(open('warn', 'auth-rejected', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'));
    expect(r.detail).toBe(
      '127.0.0.1: the server asked for a client certificate and ended the handshake without one ' +
        '(TLS alert 40 handshake_failure); give one with with.cert and with.key',
    );
    expect(r.facts).toMatchObject({ tls: { clientCertRequested: true, clientCertOffered: false } });
  });

  it('alert 40 before any CertificateRequest (no cipher in common): tls-error, not a certificate demand', async () => {
    expect((await wireHandshake(port('noCipher'), 'TLSv1.2')).clear).toEqual([]);
    const r = await probeUrl(`tls://localhost:${port('noCipher')}`, ca());
    expect(verdict(r)).toEqual(open('fail', 'tls-error', 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE'));
    expect(r.detail).toBe(
      '127.0.0.1: the server refused the handshake (TLS alert 40 handshake_failure) without asking ' +
        'for a client certificate: no cipher, group or signature algorithm in common',
    );
    expect(r.facts).toMatchObject({ tls: { clientCertRequested: false, clientCertOffered: false } });
  });

  it('-Verify 1, TLS 1.3, no certificate: warn auth-rejected on the late alert 116', async () => {
    const r = await probeUrl(`tls://localhost:${port('require13')}`, ca());
    expect(verdict(r)).toEqual(open('warn', 'auth-rejected', 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED'));
    expect(r.facts).toMatchObject({
      tls: { protocol: 'TLSv1.3', clientCertRequested: true, clientCertOffered: false },
    });
  });

  it('-Verify 1, a certificate from another CA: fail auth-rejected on alert unknown_ca, in both versions', async () => {
    for (const name of ['require12', 'require13'] as const) {
      const r = await probeUrl(`tls://localhost:${port(name)}`, wrong());
      expect(verdict(r)).toEqual(open('fail', 'auth-rejected', 'ERR_SSL_TLSV1_ALERT_UNKNOWN_CA'));
      expect(r.detail).toBe('127.0.0.1: the server rejected our client certificate (TLS alert unknown_ca)');
      expect(r.facts).toMatchObject({
        credentialsGiven: true,
        tls: { clientCertRequested: true, clientCertOffered: true },
      });
    }
  });

  it('-Verify 1 with the right certificate: pass, in both versions', async () => {
    for (const name of ['require12', 'require13'] as const) {
      const r = await probeUrl(`tls://localhost:${port(name)}`, good());
      expect(verdict(r)).toEqual(open('pass', 'ok'));
      expect(r.facts).toMatchObject({ tls: { clientCertRequested: true, clientCertOffered: true } });
    }
  });

  it('-verify 1 (asks, does not insist): tls:// warns that it was asked; https:// gets the page, pass', async () => {
    for (const name of ['request12', 'request13'] as const) {
      const t = await probeUrl(`tls://localhost:${port(name)}`, ca());
      expect(verdict(t)).toEqual(open('warn', 'auth-rejected', 'CLIENT_CERT_REQUESTED'));
      expect(t.facts).toMatchObject({ tls: { clientCertRequested: true } });
      const h = await probeUrl(`https://localhost:${port(name)}/`, { ...ca(), expectStatus: 200 });
      expect(verdict(h)).toEqual(open('pass', 'ok'));
    }
  });
});
