// A real devp2p node for tests: @ethereumjs/devp2p's DPT (discv4 over UDP) and RLPx server (TCP),
// with a known node key, on loopback. Plus two peers ethereumjs cannot play: a geth-like node that
// completes the handshake and then refuses with DISCONNECT before its HELLO (as geth does when
// full), and a listener that closes every connection at once (geth's 30 s inbound throttle).
import { createServer, type Server, type Socket } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Common, Mainnet } from '@ethereumjs/common';
import { DPT, ETH, RLPx } from '@ethereumjs/devp2p';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { newNodeKey, nodeIdOf } from '../../src/probers/discv4-packet.js';
import { rlpDecodeFirst, rlpEncode, uint } from '../../src/probers/rlp.js';
import { eciesDecrypt, eciesEncrypt, frameCodec, publicKeyOf } from '../../src/probers/rlpx.js';

export const TEST_CLIENT_ID = 'fedprobe-test-node/v1.0';

export interface Devp2pNode {
  nodeId: string;
  udpPort: number;
  tcpPort: number;
  stop(): void;
}

export async function startDevp2pNode(udpPort: number, tcpPort: number): Promise<Devp2pNode> {
  const key = newNodeKey();
  const dpt = new DPT(key, {
    endpoint: { address: '127.0.0.1', udpPort, tcpPort },
    shouldFindNeighbours: false,
    shouldGetDnsPeers: false,
    refreshInterval: 3_600_000,
  });
  dpt.events.on('error', () => undefined);
  dpt.bind(udpPort, '127.0.0.1');
  const common = new Common({ chain: Mainnet });
  const rlpx = new RLPx(key, {
    dpt: null,
    maxPeers: 5,
    capabilities: [ETH.eth68],
    common,
    listenPort: tcpPort,
    clientId: Buffer.from(TEST_CLIENT_ID),
  });
  rlpx.events.on('error', () => undefined);
  rlpx.events.on('peer:error', () => undefined);
  rlpx.listen(tcpPort, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 100));
  return {
    nodeId: nodeIdOf(key),
    udpPort,
    tcpPort,
    stop() {
      dpt.destroy();
      rlpx.destroy();
    },
  };
}

export interface TestServer {
  port: number;
  nodeId: string;
  close(): Promise<void>;
}

async function serve(onConnection: (s: Socket) => void, nodeId = ''): Promise<TestServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    nodeId,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Accepts, then closes at once: what geth does to a repeat inbound attempt within 30 s. */
export const closingServer = () => serve((s) => s.destroy());

const ecdhX = (sk: Uint8Array, pk: Uint8Array) => secp256k1.getSharedSecret(sk, pk, true).subarray(1);
const xor = (a: Uint8Array, b: Uint8Array) => Buffer.from(a.map((v, i) => v ^ b[i]!));
const keccak = (...parts: Uint8Array[]) => {
  const h = keccak_256.create();
  for (const p of parts) h.update(p);
  return h.digest();
};

/** The responder side of the RLPx handshake (EIP-8), then DISCONNECT(reason) as the first frame,
 * written from the spec (rlpx.md), as geth behaves when it has no free peer slot. */
export async function refusingRlpxNode(reason = 0x04): Promise<TestServer> {
  const key = newNodeKey();
  return serve((s) => {
    let buf = Buffer.alloc(0);
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      if (buf.length < 2) return;
      const len = 2 + buf.readUInt16BE(0);
      if (buf.length < len) return;
      const auth = buf.subarray(0, len);
      const [fields] = rlpDecodeFirst(eciesDecrypt(key, auth.subarray(2), auth.subarray(0, 2)));
      const [sig, initPub, initNonce] = fields as Uint8Array[];
      const staticShared = ecdhX(key, publicKeyOf(initPub!));
      const recovered = secp256k1.recoverPublicKey(
        Buffer.concat([sig!.subarray(64), sig!.subarray(0, 64)]),
        xor(staticShared, initNonce!),
        { prehash: false },
      );
      const eph = newNodeKey();
      const nonce = randomBytes(32);
      const plain = Buffer.concat([
        rlpEncode([secp256k1.getPublicKey(eph, false).subarray(1), nonce, uint(4)]),
        randomBytes(50),
      ]);
      const prefix = Buffer.alloc(2);
      prefix.writeUInt16BE(plain.length + 113);
      const ack = Buffer.concat([prefix, eciesEncrypt(publicKeyOf(initPub!), plain, prefix)]);
      const ephShared = ecdhX(eph, recovered);
      const shared = keccak(ephShared, keccak(nonce, initNonce!));
      const aes = keccak(ephShared, shared);
      const mac = keccak(ephShared, aes);
      const codec = frameCodec(
        aes,
        mac,
        keccak_256.create().update(xor(mac, initNonce!)).update(ack),
        keccak_256.create().update(xor(mac, nonce)).update(auth),
      );
      s.write(Buffer.concat([ack, codec.seal(Buffer.concat([rlpEncode(uint(1)), rlpEncode([uint(reason)])]))]));
      buf = Buffer.alloc(0);
    });
  }, nodeIdOf(key));
}
