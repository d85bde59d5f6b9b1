// WireGuard's cookie reply: wireguard-go sends one only under load, which a test cannot cause on
// purpose, so a small responder written from the whitepaper plays that part. It checks the
// probe's mac1, answers with an encrypted cookie, and then checks that the retried initiation
// carries mac2 = MAC(cookie, msg[0:132]).
import { randomBytes } from 'node:crypto';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { blake2s } from '@noble/hashes/blake2.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeUrl } from '../helpers/probe.js';

const serverPriv = x25519.utils.randomSecretKey();
const serverPub = x25519.getPublicKey(serverPriv);
const probePriv = x25519.utils.randomSecretKey();
const cookie = randomBytes(16);
const mac = (key: Uint8Array, data: Uint8Array) => Buffer.from(blake2s(data, { key, dkLen: 16 }));
const hash = (...parts: Uint8Array[]) => blake2s(Buffer.concat(parts));

let server: Socket;
const seen: { mac1ok: boolean; mac2ok: boolean | undefined }[] = [];

beforeAll(async () => {
  server = createSocket('udp4');
  server.on('message', (msg, rinfo) => {
    if (msg.length !== 148 || msg[0] !== 1) return;
    const mac1ok = mac(hash(Buffer.from('mac1----'), serverPub), msg.subarray(0, 116)).equals(msg.subarray(116, 132));
    const mac2 = msg.subarray(132, 148);
    const mac2ok = mac2.equals(Buffer.alloc(16)) ? undefined : mac(cookie, msg.subarray(0, 132)).equals(mac2);
    seen.push({ mac1ok, mac2ok });
    if (mac2ok !== undefined) return; // a real server would now answer the handshake
    const nonce = randomBytes(24);
    const sealed = xchacha20poly1305(hash(Buffer.from('cookie--'), serverPub), nonce, msg.subarray(116, 132)).encrypt(
      cookie,
    );
    const reply = Buffer.alloc(64);
    reply.writeUInt8(3, 0);
    msg.copy(reply, 4, 4, 8); // receiver index = the initiator's sender index
    nonce.copy(reply, 8);
    Buffer.from(sealed).copy(reply, 32);
    server.send(reply, rinfo.port, rinfo.address);
  });
  await new Promise<void>((r) => server.bind(0, '127.0.0.1', () => r()));
});
afterAll(() => server?.close());

describe('wireguard:// and a server under load', () => {
  it('decrypts the cookie reply and retries with a valid mac2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-wgcookie-'));
    const conf = join(dir, 'probe.conf');
    writeFileSync(
      conf,
      `[Interface]\nPrivateKey = ${Buffer.from(probePriv).toString('base64')}\n[Peer]\nPublicKey = ` +
        `${Buffer.from(serverPub).toString('base64')}\n`,
    );
    const r = await probeUrl(`wireguard://127.0.0.1:${server.address().port}`, { config: conf }, { timeoutMs: 800 });
    expect(seen).toEqual([
      { mac1ok: true, mac2ok: undefined },
      { mac1ok: true, mac2ok: true },
    ]);
    // This responder never completes the handshake: the row stays unproven, and says it got a cookie.
    expect(r).toMatchObject({
      outcome: 'inconclusive',
      state: 'open|filtered',
      reason: 'no-response',
      facts: { cookieReply: true },
    });
  });
});
