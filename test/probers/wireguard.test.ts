// wireguard:// against a real wireguard-go with a dedicated probe peer: the right keys complete a
// handshake; a wrong key is silence (inconclusive, as WireGuard never answers what it cannot
// authenticate); a wrong preshared key is an answer we cannot decrypt (auth-rejected).
import { createSocket, type Socket } from 'node:dgram';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseWgQuick } from '../../src/probers/wireguard-keys.js';
import { freePort } from '../helpers/servers.js';
import { probeUrl } from '../helpers/probe.js';
import { genKey, genPsk, startWireguard, type WgServer } from '../helpers/wireguard.js';

const probePeer = genKey();
const otherPeer = genKey();
const psk = genPsk();
let plain: WgServer, withPsk: WgServer;
let echo: Socket;
let echoPort = 0;
let closedPort = 0;
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-wgkeys-'));

function config(file: string, privateKey: string, serverPublicKey: string, presharedKey?: string): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    `[Interface]\nPrivateKey = ${privateKey}\nAddress = 10.200.0.50/32\n\n[Peer]\nPublicKey = ` +
      `${serverPublicKey}\n${presharedKey ? `PresharedKey = ${presharedKey}\n` : ''}Endpoint = vpn.example.org:51820\n`,
    { mode: 0o600 },
  );
  return path;
}

beforeAll(async () => {
  plain = await startWireguard(await freePort(), { publicKey: probePeer.publicKey });
  withPsk = await startWireguard(await freePort(), { publicKey: probePeer.publicKey, presharedKey: psk });
  echo = createSocket('udp4');
  echo.on('message', (m, r) => echo.send(m, r.port, r.address));
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  echoPort = echo.address().port;
  closedPort = await freePort();
}, 30_000);
afterAll(async () => {
  await Promise.all([plain?.stop(), withPsk?.stop()]);
  echo?.close();
});

const url = (port: number, host = '127.0.0.1') => `wireguard://${host}:${port}`;

describe('wireguard:// against wireguard-go', () => {
  // wireguard-go drops an initiation that comes within 20 ms of the last one it took from the same
  // peer (flood protection): back-to-back tests would read as silence.
  beforeEach(() => new Promise((r) => setTimeout(r, 60)));

  it("the probe peer's keys: the handshake completes, pass", async () => {
    const r = await probeUrl(
      url(plain.port),
      { config: config('ok.conf', probePeer.privateKey, plain.publicKey) },
      { timeoutMs: 2000 },
    );
    expect(r).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { handshake: 'verified', keys: 'probe peer' },
    });
    expect(typeof r.timings.handshakeMs).toBe('number');
  });

  it('keys from environment variables, over IPv6', async () => {
    process.env.FEDPROBE_TEST_WG_KEY = probePeer.privateKey;
    const r = await probeUrl(
      url(plain.port, '[::1]'),
      { privateKeyEnv: 'FEDPROBE_TEST_WG_KEY', publicKey: plain.publicKey },
      { timeoutMs: 2000 },
    );
    delete process.env.FEDPROBE_TEST_WG_KEY;
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok' });
  });

  it('a key the server does not know: silence, inconclusive', async () => {
    const r = await probeUrl(
      url(plain.port),
      { config: config('unknown.conf', otherPeer.privateKey, plain.publicKey) },
      { timeoutMs: 800 },
    );
    expect(r).toMatchObject({ outcome: 'inconclusive', state: 'open|filtered', reason: 'no-response' });
    expect(r.detail).toMatch(/not configured on the server/);
  });

  it('the wrong server public key: silence (mac1 fails), inconclusive', async () => {
    const r = await probeUrl(
      url(plain.port),
      { config: config('wrongserver.conf', probePeer.privateKey, otherPeer.publicKey) },
      { timeoutMs: 800 },
    );
    expect(r).toMatchObject({ outcome: 'inconclusive', state: 'open|filtered', reason: 'no-response' });
  });

  it('the right preshared key: pass; a wrong one: an answer we cannot decrypt, auth-rejected', async () => {
    const ok = await probeUrl(
      url(withPsk.port),
      { config: config('psk.conf', probePeer.privateKey, withPsk.publicKey, psk) },
      { timeoutMs: 2000 },
    );
    expect(ok).toMatchObject({ outcome: 'pass', reason: 'ok' });
    await new Promise((r) => setTimeout(r, 60));
    const bad = await probeUrl(
      url(withPsk.port),
      { config: config('badpsk.conf', probePeer.privateKey, withPsk.publicKey, genPsk()) },
      { timeoutMs: 2000 },
    );
    expect(bad).toMatchObject({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code: 'WG_PSK_MISMATCH' });
    await new Promise((r) => setTimeout(r, 60));
    // No preshared key at all against a server that has one: the same.
    const none = await probeUrl(
      url(withPsk.port),
      { config: config('nopsk.conf', probePeer.privateKey, withPsk.publicKey) },
      { timeoutMs: 2000 },
    );
    expect(none).toMatchObject({ reason: 'auth-rejected' });
  });

  it('no keys: silence, inconclusive, with a hint to give keys', async () => {
    const r = await probeUrl(url(plain.port), {}, { timeoutMs: 800 });
    expect(r).toMatchObject({
      outcome: 'inconclusive',
      state: 'open|filtered',
      reason: 'no-response',
      facts: { keys: 'none' },
    });
    expect(r.detail).toMatch(/give a probe peer's keys/);
  });

  it('a closed port: fail, closed, refused (ICMP on a connected socket)', async () => {
    expect(await probeUrl(url(closedPort), {}, { timeoutMs: 800 })).toMatchObject({
      outcome: 'fail',
      state: 'closed',
      reason: 'refused',
    });
  });

  it('a UDP echo service: fail, wrong-protocol (WireGuard never answers without keys)', async () => {
    expect(await probeUrl(url(echoPort), {}, { timeoutMs: 800 })).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
    });
  });

  it('keys never appear in the result', async () => {
    const r = await probeUrl(
      url(withPsk.port),
      { config: config('secret.conf', probePeer.privateKey, withPsk.publicKey, psk) },
      { timeoutMs: 2000 },
    );
    const text = JSON.stringify(r);
    expect(text).not.toContain(probePeer.privateKey);
    expect(text).not.toContain(psk);
  });

  it('reads wg-quick files', () => {
    expect(
      parseWgQuick(
        '[Interface]\nPrivateKey = a # comment\n[Peer]\nPublicKey=b\nPresharedKey = c\n[Peer]\nPublicKey = d\n',
      ),
    ).toEqual({ privateKey: 'a', publicKey: 'b', presharedKey: 'c' });
  });
});
