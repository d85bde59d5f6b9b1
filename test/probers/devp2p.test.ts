// discv4:// and rlpx:// against a real @ethereumjs/devp2p node (DPT + RLPx server), and the wrong
// services a port 30303 row can meet.
import { createSocket, type Socket } from 'node:dgram';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkPong, encodePing, encodePong, newNodeKey, nodeIdOf } from '../../src/probers/discv4-packet.js';
import { rlpDecode, rlpEncode, uint } from '../../src/probers/rlp.js';
import { startDevp2pNode, type Devp2pNode } from '../helpers/devp2p-node.js';
import { silentServer, sshBannerServer, type FakeServer } from '../helpers/fake-servers.js';
import { probeUrl } from '../helpers/probe.js';
import { freePort } from '../helpers/servers.js';

let node: Devp2pNode;
let echo: Socket, quiet: Socket;
let silent: FakeServer, banner: FakeServer;
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
});
afterAll(async () => {
  node?.stop();
  echo?.close();
  quiet?.close();
  await silent?.close();
  await banner?.close();
});

describe('discv4:// against an ethereumjs node', () => {
  it('a signed PING gets a PONG: pass, and the node id is learned', async () => {
    const r = await probeUrl(`discv4://127.0.0.1:${node.udpPort}`, {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', facts: { nodeId: node.nodeId } });
  });
  it('the expected node id (as enode): pass', async () => {
    expect(await probeUrl(`discv4://127.0.0.1:${node.udpPort}`, { enode: `enode://${node.nodeId}@127.0.0.1:${node.tcpPort}` }, { timeoutMs: 2000 })).toMatchObject({ outcome: 'pass' });
  });
  it('another node id expected: fail, wrong-identity', async () => {
    const other = nodeIdOf(newNodeKey());
    const r = await probeUrl(`discv4://127.0.0.1:${node.udpPort}`, { nodeId: other }, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-identity', facts: { nodeId: node.nodeId } });
  });
  it('no UDP listener: fail, closed, refused, with the Swarm hint', async () => {
    const r = await probeUrl(`discv4://127.0.0.1:${port.closed}`, {}, { timeoutMs: 800 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused' });
    expect(r.detail).toMatch(/TCP only/);
  });
  it('a UDP echo: fail, wrong-protocol (our own PING is not a PONG)', async () => {
    expect(await probeUrl(`discv4://127.0.0.1:${port.echo}`, {}, { timeoutMs: 800 })).toMatchObject({ outcome: 'fail', reason: 'wrong-protocol' });
  });
  it('a quiet UDP socket: inconclusive, open|filtered', async () => {
    expect(await probeUrl(`discv4://127.0.0.1:${port.quiet}`, {}, { timeoutMs: 600 })).toMatchObject({ outcome: 'inconclusive', state: 'open|filtered', reason: 'no-response' });
  });
});

describe('rlpx:// (TCP)', () => {
  it('the RLPx server waits silently: pass, proven at the TCP level only', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${node.tcpPort}`, {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', facts: { proof: 'tcp-only' } });
    expect(r.detail).toMatch(/does not prove devp2p/);
  });
  it('a server that speaks first (SSH banner): wrong-protocol', async () => {
    const r = await probeUrl(`rlpx://127.0.0.1:${banner.port}`, {}, { timeoutMs: 2000 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol' });
    expect(r.detail).toMatch(/SSH-2\.0/);
  });
  it('a closed port: fail, closed, refused', async () => {
    expect(await probeUrl(`rlpx://127.0.0.1:${port.closed}`)).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused' });
  });
});

describe('discv4 packets', () => {
  it('RLP round trip', () => {
    const item = [uint(4), [Uint8Array.of(127, 0, 0, 1), uint(30303), uint(0)], new Uint8Array(60).fill(7), uint(1_700_000_000)];
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
