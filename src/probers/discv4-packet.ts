// discv4 PING and PONG (Ethereum node discovery v4, UDP): hash(32) ‖ signature(65) ‖ type(1) ‖
// RLP data, signed with secp256k1 over keccak256(type ‖ data). A PONG that echoes our PING's hash
// and whose signature recovers proves a devp2p node, and names it (the recovered public key).
import { isIP } from 'node:net';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { SAY } from './devp2p-text.js';
import { rlpDecode, rlpEncode, uint, type RlpItem } from './rlp.js';

const PING = 0x01;
const PONG = 0x02;

function ipBytes(address: string): Uint8Array {
  if (isIP(address) === 4) return Uint8Array.from(address.split('.').map(Number));
  if (isIP(address) === 6) {
    const full = new URL(`http://[${address}]/`).hostname.slice(1, -1);
    const parts = full.split('::');
    const head = parts[0] ? parts[0].split(':') : [];
    const tail = parts[1] ? parts[1].split(':') : [];
    const groups = [...head, ...Array(8 - head.length - tail.length).fill('0'), ...tail];
    return Buffer.from(groups.map((g) => g.padStart(4, '0')).join(''), 'hex');
  }
  return new Uint8Array(4);
}

export interface Ping {
  packet: Buffer;
  hash: Buffer;
}

export function newNodeKey(): Uint8Array {
  return secp256k1.utils.randomSecretKey();
}

export function nodeIdOf(secretKey: Uint8Array): string {
  return Buffer.from(secp256k1.getPublicKey(secretKey, false).subarray(1)).toString('hex');
}

function seal(type: number, data: RlpItem, key: Uint8Array): { packet: Buffer; hash: Buffer } {
  const body = Buffer.concat([Buffer.from([type]), rlpEncode(data)]);
  const rec = secp256k1.sign(keccak_256(body), key, { prehash: false, format: 'recovered' });
  // noble writes the recovery id first; Ethereum wants r ‖ s ‖ v.
  const sig = Buffer.concat([Buffer.from(rec.subarray(1)), Buffer.from([rec[0]!])]);
  const hash = Buffer.from(keccak_256(Buffer.concat([sig, body])));
  return { packet: Buffer.concat([hash, sig, body]), hash };
}

export function encodePing(key: Uint8Array, to: { address: string; port: number }, now = Date.now()): Ping {
  const expiration = Math.floor(now / 1000) + 20;
  // Our own endpoint is unknown (and irrelevant for a probe): 0.0.0.0, port 0.
  const from: RlpItem = [new Uint8Array(4), uint(0), uint(0)];
  const toEp: RlpItem = [ipBytes(to.address), uint(to.port), uint(to.port)];
  return seal(PING, [uint(4), from, toEp, uint(expiration)], key);
}

/** Only for tests: a PONG as a node would send it. */
export function encodePong(key: Uint8Array, pingHash: Uint8Array, now = Date.now()): Buffer {
  return seal(PONG, [[new Uint8Array(4), uint(0), uint(0)], pingHash, uint(Math.floor(now / 1000) + 20)], key).packet;
}

export type PongCheck = { ok: true; nodeId: string; enrSeq?: string } | { ok: false; why: string };

export function checkPong(msg: Buffer, ping: Ping): PongCheck {
  if (msg.length < 98) return { ok: false, why: SAY.tooShort(msg.length) };
  const hash = msg.subarray(0, 32);
  if (!Buffer.from(keccak_256(msg.subarray(32))).equals(hash)) return { ok: false, why: SAY.badHash };
  const type = msg[97];
  if (type !== PONG) return { ok: false, why: SAY.notPong(type) };
  let data: RlpItem;
  try {
    data = rlpDecode(msg.subarray(98));
  } catch (e) {
    return { ok: false, why: SAY.pongBadRlp((e as Error).message) };
  }
  if (!Array.isArray(data) || data.length < 3 || Array.isArray(data[1])) return { ok: false, why: SAY.pongNoFields };
  if (!Buffer.from(data[1] as Uint8Array).equals(ping.hash)) return { ok: false, why: SAY.pongOtherPing };
  const sig = msg.subarray(32, 97);
  const rec = Buffer.concat([Buffer.from([sig[64]!]), sig.subarray(0, 64)]);
  let pub: Uint8Array;
  try {
    pub = secp256k1.recoverPublicKey(rec, keccak_256(msg.subarray(97)), { prehash: false });
  } catch {
    return { ok: false, why: SAY.pongBadSignature };
  }
  const nodeId = Buffer.from(secp256k1.Point.fromBytes(pub).toBytes(false).subarray(1)).toString('hex');
  const seq = data[3];
  return {
    ok: true,
    nodeId,
    ...(seq &&
      !Array.isArray(seq) &&
      seq.length && { enrSeq: BigInt(`0x${Buffer.from(seq).toString('hex')}`).toString() }),
  };
}
