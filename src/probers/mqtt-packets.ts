// MQTT CONNECT / CONNACK by hand (3.1.1 and 5.0): a probe needs only these two packets and must
// say exactly what came back, which a client library hides behind retries and generic errors.
import type { Reason } from '../types.js';

export type MqttVersion = 4 | 5;

function utf8Field(s: string): Buffer {
  const b = Buffer.from(s, 'utf8');
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

function binaryField(b: Buffer): Buffer {
  const len = Buffer.alloc(2);
  len.writeUInt16BE(b.length);
  return Buffer.concat([len, b]);
}

/** MQTT's variable-length integer: 7 bits a byte, high bit = more. */
export function encodeLength(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

/** Returns [value, bytes used], or undefined when more bytes are needed. */
export function decodeLength(buf: Buffer, offset: number): [number, number] | undefined {
  let value = 0;
  for (let i = 0; i < 4; i++) {
    const b = buf[offset + i];
    if (b === undefined) return undefined;
    value += (b & 0x7f) * 128 ** i;
    if ((b & 0x80) === 0) return [value, i + 1];
  }
  throw new Error('malformed remaining length');
}

export interface ConnectOptions {
  version: MqttVersion;
  clientId: string;
  keepalive: number;
  username?: string | undefined;
  password?: string | undefined;
}

export function encodeConnect(o: ConnectOptions): Buffer {
  let flags = 0x02; // clean session / clean start: leave nothing behind on the broker
  if (o.username !== undefined) flags |= 0x80;
  if (o.password !== undefined) flags |= 0x40;
  const keepalive = Buffer.alloc(2);
  keepalive.writeUInt16BE(o.keepalive);
  const header = Buffer.concat([utf8Field('MQTT'), Buffer.from([o.version, flags]), keepalive, ...(o.version === 5 ? [Buffer.from([0])] : [])]);
  const payload = Buffer.concat([
    utf8Field(o.clientId),
    ...(o.username !== undefined ? [utf8Field(o.username)] : []),
    ...(o.password !== undefined ? [binaryField(Buffer.from(o.password, 'utf8'))] : []),
  ]);
  const body = Buffer.concat([header, payload]);
  return Buffer.concat([Buffer.from([0x10]), encodeLength(body.length), body]);
}

export const DISCONNECT = Buffer.from([0xe0, 0x00]);

export interface Connack {
  sessionPresent: boolean;
  code: number;
  /** MQTT 5 reason string property, when the broker sent one. */
  reasonString?: string;
  /** MQTT 5 server reference: where a "use another server" / "server moved" answer points. */
  serverReference?: string;
}

// CONNACK property ids and how long their values are: a number of bytes, or a string/binary
// (2-byte length first), or a user property (two strings). Needed to skip those we don't keep.
const PROPERTY_SIZE: Record<number, number | 'str' | 'pair'> = {
  0x11: 4, 0x12: 'str', 0x13: 2, 0x15: 'str', 0x16: 'str', 0x1a: 'str', 0x1c: 'str', 0x1f: 'str',
  0x21: 2, 0x22: 2, 0x24: 1, 0x25: 1, 0x26: 'pair', 0x27: 4, 0x28: 1, 0x29: 1, 0x2a: 1,
};

/** Reason string (0x1F) and server reference (0x1C, for "use another server"); stops at anything unknown. */
function readProperties(rest: Buffer, ack: Connack): void {
  const plen = decodeLength(rest, 0);
  if (!plen) return;
  const end = Math.min(rest.length, plen[1] + plen[0]);
  let p = plen[1];
  const str = () => {
    const n = rest.readUInt16BE(p);
    const v = rest.subarray(p + 2, p + 2 + n).toString('utf8');
    p += 2 + n;
    return v;
  };
  try {
    while (p < end) {
      const id = rest[p++]!;
      const size = PROPERTY_SIZE[id];
      if (size === undefined) return;
      if (typeof size === 'number') p += size;
      else if (size === 'pair') (str(), str());
      else if (id === 0x1f) ack.reasonString = str();
      else if (id === 0x1c) ack.serverReference = str();
      else str();
    }
  } catch {
    // Truncated properties: the reason code, already read, is what the probe needs.
  }
}

/**
 * Parses a CONNACK from the start of `buf`. Returns undefined while incomplete; throws an Error
 * whose message describes the bytes when they are not a CONNACK.
 */
export function decodeConnack(buf: Buffer, version: MqttVersion): Connack | undefined {
  if (buf.length === 0) return undefined;
  if (buf[0] !== 0x20) throw new Error(`the first byte is 0x${buf[0]!.toString(16).padStart(2, '0')}, not a CONNACK (0x20)`);
  const len = decodeLength(buf, 1);
  if (!len) return undefined;
  const [remaining, used] = len;
  if (remaining < 2 || remaining > 65_535) throw new Error(`a CONNACK of ${remaining} bytes is malformed`);
  const start = 1 + used;
  if (buf.length < start + remaining) return undefined;
  const flags = buf[start]!;
  if (flags & 0xfe) throw new Error('the CONNACK has reserved flag bits set');
  const ack: Connack = { sessionPresent: (flags & 1) === 1, code: buf[start + 1]! };
  if (version === 5 && remaining > 2) readProperties(buf.subarray(start + 2, start + remaining), ack);
  return ack;
}

interface CodeMeaning {
  reason: Reason;
  text: string;
}

const V4: Record<number, CodeMeaning> = {
  0: { reason: 'ok', text: 'connection accepted' },
  1: { reason: 'not-serving', text: 'unacceptable protocol version' },
  2: { reason: 'not-serving', text: 'client identifier rejected' },
  3: { reason: 'not-serving', text: 'server unavailable' },
  4: { reason: 'auth-rejected', text: 'bad user name or password' },
  5: { reason: 'auth-rejected', text: 'not authorized' },
};

const V5: Record<number, CodeMeaning> = {
  0x00: { reason: 'ok', text: 'success' },
  0x80: { reason: 'not-serving', text: 'unspecified error' },
  0x81: { reason: 'not-serving', text: 'malformed packet' },
  0x82: { reason: 'not-serving', text: 'protocol error' },
  0x83: { reason: 'not-serving', text: 'implementation specific error' },
  0x84: { reason: 'not-serving', text: 'unsupported protocol version' },
  0x85: { reason: 'not-serving', text: 'client identifier not valid' },
  0x86: { reason: 'auth-rejected', text: 'bad user name or password' },
  0x87: { reason: 'auth-rejected', text: 'not authorized' },
  0x88: { reason: 'not-serving', text: 'server unavailable' },
  0x89: { reason: 'not-serving', text: 'server busy' },
  0x8a: { reason: 'auth-rejected', text: 'banned' },
  0x8c: { reason: 'auth-rejected', text: 'bad authentication method' },
  0x90: { reason: 'not-serving', text: 'topic name invalid' },
  0x95: { reason: 'not-serving', text: 'packet too large' },
  0x97: { reason: 'not-serving', text: 'quota exceeded' },
  0x99: { reason: 'not-serving', text: 'payload format invalid' },
  0x9a: { reason: 'not-serving', text: 'retain not supported' },
  0x9b: { reason: 'not-serving', text: 'QoS not supported' },
  0x9c: { reason: 'not-serving', text: 'use another server' },
  0x9d: { reason: 'not-serving', text: 'server moved' },
  0x9f: { reason: 'not-serving', text: 'connection rate exceeded' },
};

export function connackMeaning(code: number, version: MqttVersion): CodeMeaning {
  if (version === 5 && code === 1) {
    // The spec lets a broker that does not speak 5 answer in 3.1.1 form: `20 02 00 01`.
    return { reason: 'not-serving', text: 'unacceptable protocol version: the broker does not speak MQTT 5, probe with version 3.1.1' };
  }
  return (version === 5 ? V5 : V4)[code] ?? { reason: 'not-serving', text: `unknown return code ${code}` };
}

/** First bytes of a non-MQTT answer, as something a person can read. */
export function describeForeignBytes(buf: Buffer): string {
  const text = buf.subarray(0, 48).toString('latin1');
  if (/^HTTP\/\d/.test(text)) return `an HTTP server answered (${text.split('\r\n')[0]})`;
  if (/^SSH-/.test(text)) return `an SSH server answered (${text.split(/\r?\n/)[0]})`;
  if (buf[0] === 0x15 || buf[0] === 0x16) return 'a TLS server answered (use mqtts://)';
  const printable = text.replace(/[^\x20-\x7e]/g, '.');
  return `unexpected bytes ${buf.subarray(0, 8).toString('hex')} ("${printable.slice(0, 24)}")`;
}
