// Recursive Length Prefix, the encoding of every devp2p message: just enough of it for discv4 and
// the RLPx handshake.
import { SAY } from './devp2p-text.js';
export type RlpItem = Uint8Array | RlpItem[];

function lengthPrefix(len: number, offset: number): Buffer {
  if (len < 56) return Buffer.from([offset + len]);
  const hex = len.toString(16);
  const bytes = Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
  return Buffer.concat([Buffer.from([offset + 55 + bytes.length]), bytes]);
}

export function rlpEncode(item: RlpItem): Buffer {
  if (Array.isArray(item)) {
    const body = Buffer.concat(item.map(rlpEncode));
    return Buffer.concat([lengthPrefix(body.length, 0xc0), body]);
  }
  if (item.length === 1 && item[0]! < 0x80) return Buffer.from(item);
  return Buffer.concat([lengthPrefix(item.length, 0x80), Buffer.from(item)]);
}

/** Decodes one item; throws on malformed or truncated input. */
export function rlpDecode(buf: Uint8Array): RlpItem {
  const [item, end] = decodeAt(buf, 0);
  if (end !== buf.length) throw new Error(SAY.rlpTrailing);
  return item;
}

/** Decodes the first item and returns the bytes after it: EIP-8 handshake bodies carry random
 * padding after their RLP list, and an RLPx frame is a message id item followed by the message. */
export function rlpDecodeFirst(buf: Uint8Array): [RlpItem, Uint8Array] {
  const [item, end] = decodeAt(buf, 0);
  return [item, buf.subarray(end)];
}

function readLength(buf: Uint8Array, at: number, n: number): number {
  if (at + n > buf.length) throw new Error('truncated RLP length');
  let v = 0;
  for (let i = 0; i < n; i++) v = v * 256 + buf[at + i]!;
  return v;
}

function decodeAt(buf: Uint8Array, at: number): [RlpItem, number] {
  const b = buf[at];
  if (b === undefined) throw new Error('truncated RLP');
  if (b < 0x80) return [buf.subarray(at, at + 1), at + 1];
  if (b < 0xc0) {
    const short = b < 0xb8;
    const len = short ? b - 0x80 : readLength(buf, at + 1, b - 0xb7);
    const start = at + 1 + (short ? 0 : b - 0xb7);
    if (start + len > buf.length) throw new Error('truncated RLP string');
    return [buf.subarray(start, start + len), start + len];
  }
  const short = b < 0xf8;
  const len = short ? b - 0xc0 : readLength(buf, at + 1, b - 0xf7);
  const start = at + 1 + (short ? 0 : b - 0xf7);
  const end = start + len;
  if (end > buf.length) throw new Error('truncated RLP list');
  const items: RlpItem[] = [];
  for (let p = start; p < end; ) {
    const [item, next] = decodeAt(buf, p);
    items.push(item);
    p = next;
  }
  return [items, end];
}

/** A non-negative integer as RLP wants it: big-endian, no leading zeros, 0 as empty. */
export function uint(n: number | bigint): Uint8Array {
  if (BigInt(n) === 0n) return new Uint8Array(0);
  const hex = BigInt(n).toString(16);
  return Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex');
}
