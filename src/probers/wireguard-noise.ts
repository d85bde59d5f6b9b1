// WireGuard's handshake initiation (Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s) and the checks on its
// answers: a handshake response that decrypts, or a cookie reply. @noble provides what node:crypto
// lacks here: keyed BLAKE2s-128 (mac1/mac2) and XChaCha20-Poly1305 (cookies).
import { randomBytes } from 'node:crypto';
import { chacha20poly1305, xchacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { blake2s } from '@noble/hashes/blake2.js';
import { hmac } from '@noble/hashes/hmac.js';
import { SAY } from './wireguard-text.js';

const CONSTRUCTION = 'Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s';
const IDENTIFIER = 'WireGuard v1 zx2c4 Jason@zx2c4.com';
const LABEL_MAC1 = 'mac1----';
const LABEL_COOKIE = 'cookie--';

const INITIATION_SIZE = 148;
const RESPONSE_SIZE = 92;
const COOKIE_REPLY_SIZE = 64;

const enc = (s: string) => new TextEncoder().encode(s);
const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);
const hash = (...parts: Uint8Array[]) => blake2s(cat(...parts));
const mac = (key: Uint8Array, data: Uint8Array) => blake2s(data, { key, dkLen: 16 });
const hmacB = (key: Uint8Array, data: Uint8Array) => hmac(blake2s, key, data);

/** Noise's HKDF over HMAC-BLAKE2s: up to three 32-byte outputs. */
function kdf(key: Uint8Array, input: Uint8Array, n: 1 | 2 | 3): Uint8Array[] {
  const prk = hmacB(key, input);
  const t1 = hmacB(prk, Uint8Array.of(1));
  const out = [t1];
  if (n >= 2) out.push(hmacB(prk, cat(t1, Uint8Array.of(2))));
  if (n === 3) out.push(hmacB(prk, cat(out[1]!, Uint8Array.of(3))));
  return out;
}

/** ChaCha20-Poly1305 with WireGuard's nonce: 4 zero bytes then a little-endian 64-bit counter (0). */
const ZERO_NONCE = new Uint8Array(12);
const seal = (key: Uint8Array, plaintext: Uint8Array, ad: Uint8Array) =>
  chacha20poly1305(key, ZERO_NONCE, ad).encrypt(plaintext);
const open = (key: Uint8Array, ciphertext: Uint8Array, ad: Uint8Array) =>
  chacha20poly1305(key, ZERO_NONCE, ad).decrypt(ciphertext);

/** TAI64N: the responder rejects a timestamp not greater than the last one it accepted. */
function tai64n(now = Date.now()): Uint8Array {
  const b = Buffer.alloc(12);
  b.writeBigUInt64BE(0x400000000000000an + BigInt(Math.floor(now / 1000)));
  b.writeUInt32BE((now % 1000) * 1_000_000, 8);
  return b;
}

export interface Keys {
  /** This probe peer's static private key. */
  privateKey: Uint8Array;
  /** The server's static public key. */
  serverPublicKey: Uint8Array;
  presharedKey?: Uint8Array | undefined;
}

export interface Initiation {
  packet: Buffer;
  senderIndex: number;
  mac1: Uint8Array;
  /** Handshake state needed to check the response. */
  state: { chain: Uint8Array; hash: Uint8Array; ephemeral: Uint8Array };
}

function publicKeyOf(privateKey: Uint8Array): Uint8Array {
  return x25519.getPublicKey(privateKey);
}

export function buildInitiation(keys: Keys, cookie?: Uint8Array, now = Date.now()): Initiation {
  const sPub = publicKeyOf(keys.privateKey);
  let chain: Uint8Array = hash(enc(CONSTRUCTION));
  let h: Uint8Array = hash(chain, enc(IDENTIFIER));
  h = hash(h, keys.serverPublicKey);
  const ephemeral = x25519.utils.randomSecretKey();
  const ePub = x25519.getPublicKey(ephemeral);
  [chain] = kdf(chain, ePub, 1) as [Uint8Array];
  h = hash(h, ePub);
  let k: Uint8Array;
  [chain, k] = kdf(chain, x25519.getSharedSecret(ephemeral, keys.serverPublicKey), 2) as [Uint8Array, Uint8Array];
  const encStatic = seal(k, sPub, h);
  h = hash(h, encStatic);
  [chain, k] = kdf(chain, x25519.getSharedSecret(keys.privateKey, keys.serverPublicKey), 2) as [Uint8Array, Uint8Array];
  const encTime = seal(k, tai64n(now), h);
  h = hash(h, encTime);

  const senderIndex = randomBytes(4).readUInt32LE();
  const packet = Buffer.alloc(INITIATION_SIZE);
  packet.writeUInt8(1, 0);
  packet.writeUInt32LE(senderIndex, 4);
  Buffer.from(ePub).copy(packet, 8);
  Buffer.from(encStatic).copy(packet, 40);
  Buffer.from(encTime).copy(packet, 88);
  const mac1 = mac(hash(enc(LABEL_MAC1), keys.serverPublicKey), packet.subarray(0, 116));
  Buffer.from(mac1).copy(packet, 116);
  if (cookie) Buffer.from(mac(cookie, packet.subarray(0, 132))).copy(packet, 132);
  return { packet, senderIndex, mac1, state: { chain, hash: h, ephemeral } };
}

/** A datagram shaped like an initiation but with random content: its mac1 is wrong for any server. */
export function keylessInitiation(): Buffer {
  const b = randomBytes(INITIATION_SIZE);
  b.writeUInt32LE(1, 0);
  return b;
}

export type ResponseCheck =
  | { kind: 'handshake'; responderIndex: number }
  | { kind: 'psk-mismatch' }
  | { kind: 'not-ours'; why: string };

/** Checks a type-2 response against our initiation: index, mac1, and the empty AEAD payload. */
export function checkResponse(msg: Buffer, init: Initiation, keys: Keys): ResponseCheck {
  if (msg.length !== RESPONSE_SIZE || msg[0] !== 2)
    return { kind: 'not-ours', why: SAY.notAResponse(msg.length, msg[0]) };
  if (msg.readUInt32LE(8) !== init.senderIndex) return { kind: 'not-ours', why: SAY.otherInitiation };
  const expectedMac1 = mac(hash(enc(LABEL_MAC1), publicKeyOf(keys.privateKey)), msg.subarray(0, 60));
  if (!Buffer.from(expectedMac1).equals(msg.subarray(60, 76))) return { kind: 'not-ours', why: SAY.wrongMac1 };
  const eR = msg.subarray(12, 44);
  let h = hash(init.state.hash, eR);
  let [chain] = kdf(init.state.chain, eR, 1) as [Uint8Array];
  [chain] = kdf(chain, x25519.getSharedSecret(init.state.ephemeral, eR), 1) as [Uint8Array];
  [chain] = kdf(chain, x25519.getSharedSecret(keys.privateKey, eR), 1) as [Uint8Array];
  const [, tau, k] = kdf(chain, keys.presharedKey ?? new Uint8Array(32), 3) as [Uint8Array, Uint8Array, Uint8Array];
  h = hash(h, tau);
  try {
    open(k, msg.subarray(44, 60), h);
  } catch {
    // Everything up to here was keyed by both static keys: only the preshared key can differ.
    return { kind: 'psk-mismatch' };
  }
  return { kind: 'handshake', responderIndex: msg.readUInt32LE(4) };
}

/** Decrypts a type-3 cookie reply (sent by a server under load) to the cookie for mac2. */
export function openCookieReply(msg: Buffer, init: Initiation, keys: Keys): Uint8Array | undefined {
  if (msg.length !== COOKIE_REPLY_SIZE || msg[0] !== 3 || msg.readUInt32LE(4) !== init.senderIndex) return undefined;
  try {
    return xchacha20poly1305(hash(enc(LABEL_COOKIE), keys.serverPublicKey), msg.subarray(8, 32), init.mac1).decrypt(
      msg.subarray(32, 64),
    );
  } catch {
    return undefined;
  }
}
