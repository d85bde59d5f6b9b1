// discv4:// and rlpx:// against a real @ethereumjs/devp2p node (DPT + RLPx server), and the wrong
// services a port 30303 row can meet.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { checkPong, encodePing, encodePong, newNodeKey, nodeIdOf } from '../../src/probers/discv4-packet.js';
import { rlpDecode, rlpDecodeFirst, rlpEncode, uint } from '../../src/probers/rlp.js';
import {
  ackLength,
  disconnectFrame,
  eciesDecrypt,
  eciesEncrypt,
  frameCodec,
  makeAuth,
  paddedSize,
  parseFirstMessage,
} from '../../src/probers/rlpx.js';
import {
  TEST_CLIENT_ID,
  closingServer,
  refusingRlpxNode,
  startDevp2pNode,
  type Devp2pNode,
  type TestServer,
} from '../helpers/devp2p-node.js';
import { silentServer, sshBannerServer, type FakeServer } from '../helpers/fake-servers.js';
import { probeUrl } from '../helpers/probe.js';
import { freePort } from '../helpers/servers.js';

let node: Devp2pNode;
let echo: Socket, quiet: Socket;
let silent: FakeServer, banner: FakeServer;
let closing: TestServer, refusing: TestServer;
const port = { echo: 0, quiet: 0, closed: 0 };

beforeAll(async () => {
  node = await startDevp2pNode(await freePort(), await freePort());
  echo = createSocket('udp4');
  echo.on('message', (m, r) => echo.send(m, r.port, r.address));
  quiet = createSocket('udp4');
  await new Promise<void>((r) => echo.bind(0, '127.0.0.1', () => r()));
  await new Promise<void>((r) => quiet.bind(0, '127.0.0.1', () => r()));
  port.echo = echo.address().port;
  port.quiet = quiet.address().port;
  port.closed = await freePort();
  silent = await silentServer();
  banner = await sshBannerServer();
  closing = await closingServer();
  refusing = await refusingRlpxNode(0x04);
});
afterAll(async () => {
  node?.stop();
  echo?.close();
  quiet?.close();
  await silent?.close();
  await banner?.close();
  await closing?.close();
  await refusing?.close();
});

describe('discv4:// against an ethereumjs node', () => {
  it('a signed PING gets a PONG: pass, and the node id is learned', async () => {
    const r = await probeUrl(`discv4://127.0.0.1:${node.udpPort}`, {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', facts: { nodeId: node.nodeId } });
  });
  it('the expected node id (as enode): pass', async () => {
    expect(
      await probeUrl(
        `discv4://127.0.0.1:${node.udpPort}`,
        { enode: `enode://${node.nodeId}@127.0.0.1:${node.tcpPort}` },
        { timeoutMs: 2000 },
      ),
    ).toMatchObject({ outcome: 'pass' });
  });
  it('another node id expected: fail, wrong-identity', async () => {
    const other = nodeIdOf(newNodeKey());
    const r = await probeUrl(`discv4://127.0.0.1:${node.udpPort}`, { nodeId: other }, { timeoutMs: 2000 });
    expect(r).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-identity',
      facts: { nodeId: node.nodeId },
    });
  });
  it('no UDP listener: fail, closed, refused, with the Swarm hint', async () => {
    const r = await probeUrl(`discv4://127.0.0.1:${port.closed}`, {}, { timeoutMs: 800 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused' });
    expect(r.detail).toMatch(/TCP only/);
  });
  it('a UDP echo: fail, wrong-protocol (our own PING is not a PONG)', async () => {
    expect(await probeUrl(`discv4://127.0.0.1:${port.echo}`, {}, { timeoutMs: 800 })).toMatchObject({
      outcome: 'fail',
      reason: 'wrong-protocol',
    });
  });
  it('a quiet UDP socket: inconclusive, open|filtered', async () => {
    expect(await probeUrl(`discv4://127.0.0.1:${port.quiet}`, {}, { timeoutMs: 600 })).toMatchObject({
      outcome: 'inconclusive',
      state: 'open|filtered',
      reason: 'no-response',
    });
  });
});

describe('rlpx:// without the node key (TCP level)', () => {
  it('the RLPx server waits silently: pass, proven at the TCP level only', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${node.tcpPort}`, {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', facts: { proof: 'tcp-only' } });
    expect(r.detail).toMatch(/does not prove devp2p: give with.nodeId/);
  });
  it('a server that speaks first (SSH banner): wrong-protocol', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${banner.port}`, {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol' });
    expect(r.detail).toMatch(/SSH-2\.0/);
  });
  it('a listener that closes at once (geth throttling a repeat attempt): fail, reset, with the reasons', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${closing.port}`, {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'reset' });
    expect(r.detail).toMatch(/throttled.*netrestrict.*proxy with no upstream/);
  });
  it('a closed port: fail, closed, refused', async () => {
    expect(await probeUrl(`rlpx://127.0.0.1:${port.closed}`)).toMatchObject({
      outcome: 'fail',
      state: 'closed',
      reason: 'refused',
    });
  });
});

describe('rlpx:// with the node key (auth → ack → HELLO)', () => {
  it("the right node id: pass, the node's HELLO read (client id, p2p version, capabilities)", async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${node.tcpPort}`, { nodeId: node.nodeId }, { timeoutMs: 2000 });
    expect(r).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: {
        proof: 'rlpx-hello',
        nodeId: node.nodeId,
        clientId: TEST_CLIENT_ID,
        protocolVersion: 5,
        capabilities: ['eth/68'],
        listenPort: node.tcpPort,
      },
    });
    expect(r.facts).not.toHaveProperty('helloNodeId');
    expect(r.detail).toContain(TEST_CLIENT_ID);
  });
  it('the right node as an enode URL (0x-less, upper case accepted): pass', async () => {
    const r = await probeUrl(
      `rlpx://127.0.0.1:${node.tcpPort}`,
      { enode: `enode://${node.nodeId.toUpperCase()}@127.0.0.1:${node.tcpPort}` },
      { timeoutMs: 2000 },
    );
    expect(r).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
      facts: { proof: 'rlpx-hello', clientId: TEST_CLIENT_ID },
    });
  });
  it('another node id: no ack, fail, no-response, naming the wrong key', async () => {
    const r = await probeUrl(
      `rlpx://127.0.0.1:${node.tcpPort}`,
      { nodeId: nodeIdOf(newNodeKey()) },
      { timeoutMs: 1000 },
    );
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'no-response' });
    expect(r.detail).toMatch(/no RLPx ack .*another key/);
  });
  it('a node that completes the handshake and refuses (DISCONNECT too many peers): warn, auth-rejected', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${refusing.port}`, { nodeId: refusing.nodeId }, { timeoutMs: 2000 });
    expect(r).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      facts: { proof: 'rlpx-ack', disconnect: 'too many peers' },
    });
    expect(r.detail).toMatch(/key proven.*too many peers/);
  });
  it('an SSH server with a node id given: fail, wrong-protocol', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${banner.port}`, { nodeId: node.nodeId }, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol' });
    expect(r.detail).toMatch(/SSH-2\.0/);
  });
  it('a silent non-devp2p listener with a node id given: fail, no-response', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${silent.port}`, { nodeId: node.nodeId }, { timeoutMs: 600 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'no-response' });
    expect(r.detail).toMatch(/nothing came back within 600 ms/);
  });
  it('a listener that closes at once with a node id given: fail, no-response, naming the throttle', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${closing.port}`, { nodeId: node.nodeId }, { timeoutMs: 2000 });
    // A close or a reset, depending on whether our auth reached the peer first: both are "no ack".
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'no-response' });
    expect(r.detail).toMatch(/closed after our auth.*repeat attempt within 30 s/);
  });
  it('a closed port with a node id given: fail, closed, refused', async () => {
    expect(await probeUrl(`rlpx://127.0.0.1:${port.closed}`, { nodeId: node.nodeId })).toMatchObject({
      outcome: 'fail',
      state: 'closed',
      reason: 'refused',
    });
  });
});

describe('discv4 packets', () => {
  it('RLP round trip', () => {
    const item = [
      uint(4),
      [Uint8Array.of(127, 0, 0, 1), uint(30303), uint(0)],
      new Uint8Array(60).fill(7),
      uint(1_700_000_000),
    ];
    const decoded = rlpDecode(rlpEncode(item));
    expect(rlpEncode(decoded)).toEqual(rlpEncode(item));
    expect(rlpEncode(uint(0)).toString('hex')).toBe('80');
    expect(rlpEncode(uint(15)).toString('hex')).toBe('0f');
    expect(rlpEncode([]).toString('hex')).toBe('c0');
  });
  it('a PONG signed by a key recovers to that key and must echo our PING hash', () => {
    const key = newNodeKey();
    const ping = encodePing(newNodeKey(), { address: '127.0.0.1', port: 30303 });
    expect(checkPong(encodePong(key, ping.hash), ping)).toEqual({ ok: true, nodeId: nodeIdOf(key) });
    const other = encodePing(newNodeKey(), { address: '::1', port: 30303 });
    expect(checkPong(encodePong(key, other.hash), ping)).toEqual({ ok: false, why: 'a PONG for another PING' });
  });
});

describe('RLPx crypto', () => {
  it('ECIES round trip; another key or other MAC data does not decrypt', () => {
    const key = newNodeKey();
    const pub = secp256k1.getPublicKey(key, false);
    const sealed = eciesEncrypt(pub, Buffer.from('hello node'), Buffer.from([1, 2]));
    expect(sealed.length).toBe(65 + 16 + 10 + 32);
    expect(eciesDecrypt(key, sealed, Buffer.from([1, 2])).toString()).toBe('hello node');
    expect(() => eciesDecrypt(key, sealed, Buffer.from([1, 3]))).toThrow(/MAC/);
    expect(() => eciesDecrypt(newNodeKey(), sealed, Buffer.from([1, 2]))).toThrow(/MAC/);
  });
  it('an EIP-8 auth: size prefix, decrypts for the node only, RLP [sig, pubkey, nonce, 4] then padding', () => {
    const nodeKey = newNodeKey();
    const init = makeAuth(Buffer.from(nodeIdOf(nodeKey), 'hex'));
    expect(ackLength(init.auth)).toBe(init.auth.length);
    const [fields, padding] = rlpDecodeFirst(eciesDecrypt(nodeKey, init.auth.subarray(2), init.auth.subarray(0, 2)));
    expect(Array.isArray(fields) && fields.map((f) => (f as Uint8Array).length)).toEqual([65, 64, 32, 1]);
    expect(Buffer.from((fields as Uint8Array[])[1]!).toString('hex')).toBe(nodeIdOf(init.key));
    expect(padding.length).toBeGreaterThanOrEqual(100);
    expect(() => eciesDecrypt(newNodeKey(), init.auth.subarray(2), init.auth.subarray(0, 2))).toThrow();
    expect(ackLength(Uint8Array.of(4, 0))).toBe(210);
  });
  it('frames: what one side seals the other opens (MACs chained across frames); a flipped bit fails', () => {
    const aes = keccak_256(Buffer.from('aes')),
      mac = keccak_256(Buffer.from('mac'));
    const a2b = () => keccak_256.create().update(Buffer.from('a→b')),
      b2a = () => keccak_256.create().update(Buffer.from('b→a'));
    const a = frameCodec(aes, mac, a2b(), b2a());
    const b = frameCodec(aes, mac, b2a(), a2b());
    for (const msg of [disconnectFrame(4), Buffer.alloc(40, 7)]) {
      const wire = a.seal(msg);
      expect(wire.length).toBe(32 + paddedSize(msg.length) + 16);
      const size = b.openHeader(wire.subarray(0, 32));
      expect(size).toBe(msg.length);
      expect(b.openBody(wire.subarray(32), size)).toEqual(msg);
    }
    const pair = () => [frameCodec(aes, mac, a2b(), b2a()), frameCodec(aes, mac, b2a(), a2b())] as const;
    const [a1, b1] = pair();
    const body = a1.seal(disconnectFrame());
    body[40]! ^= 1;
    expect(() => b1.openBody(body.subarray(32), b1.openHeader(body.subarray(0, 32)))).toThrow(/frame MAC/);
    const [a2, b2] = pair();
    const head = a2.seal(disconnectFrame());
    head[3]! ^= 1;
    expect(() => b2.openHeader(head.subarray(0, 32))).toThrow(/header MAC/);
  });
  it('first messages: HELLO fields, DISCONNECT as geth ([reason]) and as ethereumjs (bare reason)', () => {
    const id = Buffer.alloc(64, 0xab);
    const hello = Buffer.concat([
      rlpEncode(uint(0)),
      rlpEncode([
        uint(5),
        Buffer.from('Geth/v1.13.15'),
        [
          [Buffer.from('eth'), uint(68)],
          [Buffer.from('snap'), uint(1)],
        ],
        uint(30303),
        id,
      ]),
    ]);
    expect(parseFirstMessage(hello)).toEqual({
      kind: 'hello',
      hello: {
        protocolVersion: 5,
        clientId: 'Geth/v1.13.15',
        capabilities: ['eth/68', 'snap/1'],
        listenPort: 30303,
        nodeId: id.toString('hex'),
      },
    });
    expect(parseFirstMessage(disconnectFrame(4))).toEqual({ kind: 'disconnect', reason: 4, name: 'too many peers' });
    expect(parseFirstMessage(Buffer.concat([rlpEncode(uint(1)), rlpEncode(uint(3))]))).toEqual({
      kind: 'disconnect',
      reason: 3,
      name: 'useless peer',
    });
    expect(parseFirstMessage(Buffer.concat([rlpEncode(uint(2)), rlpEncode([])]))).toEqual({ kind: 'other', id: 2 });
  });
});
