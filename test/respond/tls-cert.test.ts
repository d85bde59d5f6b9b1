// The in-process self-signed certificate: openssl parses it as we meant it, Node's TLS serves it,
// and tls:// trusts it when it is given as the CA (and names it self-signed when it is not).
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../src/respond/tls-cert.js';
import { probeUrl } from '../helpers/probe.js';

const dir = mkdtempSync(join(tmpdir(), 'fedprobe-selfsigned-'));
const made = selfSignedCert({ names: ['localhost', 'web.test', '127.0.0.1', '::1'], days: 10 });
const certFile = join(dir, 'cert.pem');
writeFileSync(certFile, made.cert);
let server: Server;
let port = 0;

beforeAll(async () => {
  // Idles like a real service: a server that closes at once is reported as such (EOF_AFTER_HANDSHAKE).
  server = createServer({ cert: made.cert, key: made.key }, (s) =>
    s.on('error', () => {}).setTimeout(2000, () => s.destroy()),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r())); // waits for the idle sockets' 2 s timeout at most
  rmSync(dir, { recursive: true, force: true });
});

describe('selfSignedCert()', () => {
  it('is a v3 certificate openssl reads back with the names, dates and key usage asked for', () => {
    const text = execFileSync('openssl', ['x509', '-in', certFile, '-noout', '-text'], { encoding: 'utf8' });
    expect(text).toContain('Version: 3 (0x2)');
    expect(text).toContain('Signature Algorithm: ecdsa-with-SHA256');
    expect(text).toMatch(/Subject: CN ?= ?localhost/);
    expect(text).toContain('DNS:localhost, DNS:web.test, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    expect(text).toContain('TLS Web Server Authentication');
    expect(text).toContain('CA:FALSE');
    // Self-signed: it verifies against itself.
    expect(
      execFileSync('openssl', ['verify', '-CAfile', certFile, '-partial_chain', certFile], { encoding: 'utf8' }),
    ).toContain('OK');
    const x = new X509Certificate(made.cert);
    expect(x.checkHost('web.test')).toBe('web.test');
    expect(x.checkIP('::1')).toBe('::1');
    const days = (Date.parse(x.validTo) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(9.9);
    expect(days).toBeLessThan(10.1);
  });

  it('tls:// with the certificate itself as ca: pass; without: tls-error DEPTH_ZERO_SELF_SIGNED_CERT', async () => {
    const ok = await probeUrl(`tls://localhost:${port}`, { ca: certFile });
    expect([ok.outcome, ok.reason, ok.code]).toEqual(['pass', 'ok', undefined]);
    expect(ok.facts).toMatchObject({ tls: { notAfter: made.notAfter } });
    const bad = await probeUrl(`tls://localhost:${port}`);
    expect([bad.outcome, bad.reason, bad.code]).toEqual(['fail', 'tls-error', 'DEPTH_ZERO_SELF_SIGNED_CERT']);
  });
});
