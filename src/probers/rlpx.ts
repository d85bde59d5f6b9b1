// The RLPx handshake (devp2p over TCP), initiator side, hand-rolled on @noble and node:crypto:
// EIP-8 auth → ack (ECIES: ECDH + concat-KDF SHA-256 + AES-128-CTR + HMAC-SHA256), then the
// frame layer (AES-256-CTR, keccak MACs) far enough to read the node's first message, HELLO or
// DISCONNECT. The auth is encrypted to the node's public key, so an ack that decrypts, and a
// frame whose MAC verifies, prove that the peer holds the node key.
// Spec: github.com/ethereum/devp2p rlpx.md, EIP-8. Why not @ethereumjs/devp2p: its RLPx owns the
// socket and server, has no per-connection deadline, and cannot take a socket dialled through an
// HTTP CONNECT proxy; the initiator side needed here is small.
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  createHmac,
  randomBytes,
  timingSafeEqual,
  type Cipher,
  type Decipher,
} from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { SAY } from './devp2p-text.js';
import { rlpDecode, rlpDecodeFirst, rlpEncode, uint, type RlpItem } from './rlp.js';

type Keccak = ReturnType<typeof keccak_256.create>;

const ECIES_OVERHEAD = 65 + 16 + 32; // ephemeral public key, IV, HMAC
/** A pre-EIP-8 ack: ECIES over pubkey(64) ‖ nonce(32) ‖ 0x00. */
const LEGACY_ACK_LENGTH = ECIES_OVERHEAD + 97;

/** The x coordinate of the ECDH point, as devp2p uses it. */
function ecdh(secretKey: Uint8Array, publicKey: Uint8Array): Buffer {
  return Buffer.from(secp256k1.getSharedSecret(secretKey, publicKey, true).subarray(1));
}

function keccak(...parts: Uint8Array[]): Buffer {
  const h = keccak_256.create();
  for (const p of parts) h.update(p);
  return Buffer.from(h.digest());
}

function xor(a: Uint8Array, b: Uint8Array): Buffer {
  return Buffer.from(a.map((v, i) => v ^ b[i]!));
}

/** The 65-byte uncompressed point from a 64-byte node id (or a 65-byte key, unchanged). */
export function publicKeyOf(nodeId: Uint8Array): Uint8Array {
  return nodeId.length === 64 ? Buffer.concat([Buffer.from([4]), nodeId]) : nodeId;
}

/** kE ‖ kM from NIST SP 800-56 concatenation KDF with SHA-256 (no shared info), as devp2p's ECIES. */
function eciesKeys(shared: Uint8Array): { kE: Buffer; kM: Buffer } {
  const k = createHash('sha256')
    .update(Buffer.from([0, 0, 0, 1]))
    .update(shared)
    .digest();
  return { kE: k.subarray(0, 16), kM: createHash('sha256').update(k.subarray(16, 32)).digest() };
}

export function eciesEncrypt(
  publicKey: Uint8Array,
  plain: Uint8Array,
  macData: Uint8Array = new Uint8Array(0),
): Buffer {
  const eph = secp256k1.utils.randomSecretKey();
  const { kE, kM } = eciesKeys(ecdh(eph, publicKey));
  const iv = randomBytes(16);
  const c = createCipheriv('aes-128-ctr', kE, iv).update(plain);
  const d = createHmac('sha256', kM).update(iv).update(c).update(macData).digest();
  return Buffer.concat([secp256k1.getPublicKey(eph, false), iv, c, d]);
}

/** Throws when the message was not encrypted to `secretKey` (the HMAC does not verify). */
export function eciesDecrypt(secretKey: Uint8Array, data: Uint8Array, macData: Uint8Array = new Uint8Array(0)): Buffer {
  if (data.length < ECIES_OVERHEAD || data[0] !== 4) throw new Error(SAY.notEcies);
  const buf = Buffer.from(data);
  let shared: Buffer;
  try {
    shared = ecdh(secretKey, buf.subarray(0, 65));
  } catch {
    throw new Error(SAY.eciesNoPoint);
  }
  const { kE, kM } = eciesKeys(shared);
  const iv = buf.subarray(65, 81);
  const c = buf.subarray(81, buf.length - 32);
  const d = createHmac('sha256', kM).update(iv).update(c).update(macData).digest();
  if (!timingSafeEqual(d, buf.subarray(buf.length - 32))) throw new Error(SAY.eciesBadMac);
  return createDecipheriv('aes-128-ctr', kE, iv).update(c);
}

/** r ‖ s ‖ recovery id, as devp2p writes signatures (noble puts the recovery id first). */
function signRaw(digest: Uint8Array, secretKey: Uint8Array): Buffer {
  const rec = secp256k1.sign(digest, secretKey, { prehash: false, format: 'recovered' });
  return Buffer.concat([rec.subarray(1), rec.subarray(0, 1)]);
}

export interface Initiator {
  /** Our static (per-probe) key, ephemeral key and nonce. */
  key: Uint8Array;
  ephKey: Uint8Array;
  nonce: Buffer;
  /** The auth packet as sent, size prefix included (it seeds the egress MAC). */
  auth: Buffer;
}

/** An EIP-8 auth for the node whose 64-byte id is given. */
export function makeAuth(remoteId: Uint8Array, key = secp256k1.utils.randomSecretKey()): Initiator {
  const ephKey = secp256k1.utils.randomSecretKey();
  const nonce = randomBytes(32);
  const sig = signRaw(xor(ecdh(key, publicKeyOf(remoteId)), nonce), ephKey);
  const body = rlpEncode([sig, secp256k1.getPublicKey(key, false).subarray(1), nonce, uint(4)]);
  // EIP-8 random padding: also keeps the auth longer than a pre-EIP-8 one, whatever its RLP size.
  const plain = Buffer.concat([body, randomBytes(100 + Math.floor(Math.random() * 100))]);
  const prefix = Buffer.alloc(2);
  prefix.writeUInt16BE(plain.length + ECIES_OVERHEAD);
  return { key, ephKey, nonce, auth: Buffer.concat([prefix, eciesEncrypt(publicKeyOf(remoteId), plain, prefix)]) };
}

/** How many bytes the ack takes, from its first two: EIP-8 has a size prefix, a legacy ack starts 0x04. */
export function ackLength(head: Uint8Array): number {
  return head[0] === 4 ? LEGACY_ACK_LENGTH : 2 + head[0]! * 256 + head[1]!;
}

/** The frame layer of one direction pair. */
export interface FrameCodec {
  /** Encrypts and MACs one frame (message id and RLP data, already concatenated). */
  seal(frame: Uint8Array): Buffer;
  /** Checks and decrypts a 32-byte frame header; returns the frame size. */
  openHeader(header: Uint8Array): number;
  /** Checks and decrypts a body: ceil16(size) bytes of ciphertext then a 16-byte MAC. */
  openBody(body: Uint8Array, size: number): Buffer;
}

export const paddedSize = (n: number): number => Math.ceil(n / 16) * 16;

export function frameCodec(
  aesSecret: Uint8Array,
  macSecret: Uint8Array,
  egressMac: Keccak,
  ingressMac: Keccak,
): FrameCodec {
  const iv = Buffer.alloc(16);
  const enc: Cipher = createCipheriv('aes-256-ctr', aesSecret, iv);
  const dec: Decipher = createDecipheriv('aes-256-ctr', aesSecret, iv);
  const aesBlock = (b: Uint8Array) => createCipheriv('aes-256-ecb', macSecret, null).setAutoPadding(false).update(b);
  const digest16 = (m: Keccak) => Buffer.from(m.clone().digest().subarray(0, 16));
  const headerMac = (m: Keccak, headerCipher: Uint8Array) => {
    m.update(xor(aesBlock(digest16(m)), headerCipher));
    return digest16(m);
  };
  const bodyMac = (m: Keccak, bodyCipher: Uint8Array) => {
    m.update(bodyCipher);
    const seed = digest16(m);
    m.update(xor(aesBlock(seed), seed));
    return digest16(m);
  };
  return {
    seal(frame) {
      const header = Buffer.alloc(16);
      header.writeUIntBE(frame.length, 0, 3);
      header.set([0xc2, 0x80, 0x80], 3); // header-data = [capability-id 0, context-id 0]
      const hc = enc.update(header);
      const hm = headerMac(egressMac, hc);
      const body = Buffer.alloc(paddedSize(frame.length));
      body.set(frame);
      const bc = enc.update(body);
      return Buffer.concat([hc, hm, bc, bodyMac(egressMac, bc)]);
    },
    openHeader(header) {
      const hc = header.subarray(0, 16);
      if (!timingSafeEqual(headerMac(ingressMac, hc), header.subarray(16, 32))) throw new Error(SAY.headerBadMac);
      return dec.update(hc).readUIntBE(0, 3);
    },
    openBody(body, size) {
      const n = paddedSize(size);
      const bc = body.subarray(0, n);
      if (!timingSafeEqual(bodyMac(ingressMac, bc), body.subarray(n, n + 16))) throw new Error(SAY.frameBadMac);
      return dec.update(bc).subarray(0, size);
    },
  };
}

/** Decrypts the ack (throws when it does not decrypt: not to us, so not from the node) and
 * derives the session's frame codec. */
export function readAck(init: Initiator, ack: Uint8Array): { codec: FrameCodec; remoteEphemeral: Buffer } {
  let remoteEph: Uint8Array, respNonce: Uint8Array;
  if (ack[0] === 4) {
    const plain = eciesDecrypt(init.key, ack);
    remoteEph = plain.subarray(0, 64);
    respNonce = plain.subarray(64, 96);
  } else {
    const plain = eciesDecrypt(init.key, ack.subarray(2), ack.subarray(0, 2));
    const [fields] = rlpDecodeFirst(plain);
    if (!Array.isArray(fields) || !(fields[0] instanceof Uint8Array) || !(fields[1] instanceof Uint8Array))
      throw new Error(SAY.ackNoFields);
    remoteEph = fields[0];
    respNonce = fields[1];
  }
  if (remoteEph.length !== 64 || respNonce.length !== 32) throw new Error(SAY.ackBadFields);
  const ephShared = ecdh(init.ephKey, publicKeyOf(remoteEph));
  const shared = keccak(ephShared, keccak(respNonce, init.nonce));
  const aesSecret = keccak(ephShared, shared);
  const macSecret = keccak(ephShared, aesSecret);
  const egress = keccak_256.create().update(xor(macSecret, respNonce)).update(init.auth);
  const ingress = keccak_256.create().update(xor(macSecret, init.nonce)).update(ack);
  return { codec: frameCodec(aesSecret, macSecret, egress, ingress), remoteEphemeral: Buffer.from(remoteEph) };
}

const DISCONNECT_REASONS: Record<number, string> = {
  0x00: 'disconnect requested',
  0x01: 'TCP sub-system error',
  0x02: 'breach of protocol',
  0x03: 'useless peer',
  0x04: 'too many peers',
  0x05: 'already connected',
  0x06: 'incompatible p2p protocol version',
  0x07: 'invalid node identity',
  0x08: 'client quitting',
  0x09: 'unexpected identity',
  0x0a: 'connected to self',
  0x0b: 'read timeout',
  0x10: 'subprotocol error',
};

interface Hello {
  protocolVersion: number;
  clientId: string;
  capabilities: string[];
  listenPort: number;
  nodeId: string;
}

export type FirstMessage =
  | { kind: 'hello'; hello: Hello }
  | { kind: 'disconnect'; reason: number; name: string }
  | { kind: 'other'; id: number };

const toInt = (b: RlpItem | undefined): number => (b instanceof Uint8Array ? b.reduce((v, x) => v * 256 + x, 0) : NaN);
const toText = (b: RlpItem | undefined): string => (b instanceof Uint8Array ? Buffer.from(b).toString('utf8') : '');

/** The node's first message: HELLO (0x00) or DISCONNECT (0x01). Before HELLO nothing is
 * snappy-compressed, so both are plain RLP. */
export function parseFirstMessage(frame: Uint8Array): FirstMessage {
  const [idItem, rest] = rlpDecodeFirst(frame);
  const id = toInt(idItem);
  if (id === 0x01) {
    // geth sends [reason]; ethereumjs sends the bare integer.
    const data = rest.length ? rlpDecode(rest) : uint(0);
    const reason = toInt(Array.isArray(data) ? data[0] : data);
    return { kind: 'disconnect', reason, name: DISCONNECT_REASONS[reason] ?? `reason ${reason}` };
  }
  if (id !== 0x00) return { kind: 'other', id };
  const data = rlpDecodeFirst(rest)[0];
  if (!Array.isArray(data) || data.length < 5) throw new Error(SAY.helloNoFields);
  const caps = Array.isArray(data[2]) ? data[2] : [];
  return {
    kind: 'hello',
    hello: {
      protocolVersion: toInt(data[0]),
      clientId: toText(data[1]),
      capabilities: caps.map((c) => (Array.isArray(c) ? `${toText(c[0])}/${toInt(c[1])}` : '?')),
      listenPort: toInt(data[3]),
      nodeId: data[4] instanceof Uint8Array ? Buffer.from(data[4]).toString('hex') : '',
    },
  };
}

/** A DISCONNECT frame, for leaving politely once the node has said its first word. */
export function disconnectFrame(reason = 0x08): Buffer {
  return Buffer.concat([rlpEncode(uint(1)), rlpEncode([uint(reason)])]);
}
