// MQTT CONNECT / CONNACK by hand (3.1.1 and 5.0): a probe needs only these two packets and must
// say exactly what came back, which a client library hides behind retries and generic errors.
import { ProbeError } from '../errors.js';
import type { Reason } from '../types.js';
import { SAY } from './mqtt-text.js';

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
function encodeLength(n: number): Buffer {
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
  const noProperties = o.version === 5 ? [Buffer.from([0])] : [];
  const header = Buffer.concat([utf8Field('MQTT'), Buffer.from([o.version, flags]), keepalive, ...noProperties]);
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

export const MALFORMED_CONNACK = 'MQTT_MALFORMED_CONNACK';

const hexByte = (b: number) => `0x${b.toString(16).padStart(2, '0')}`;

/** Bytes that start like a CONNACK (0x20) but break its rules: never a pass, always said why. */
function malformed(message: string): ProbeError {
  return new ProbeError('wrong-protocol', message, { code: MALFORMED_CONNACK });
}

/** Peer text kept for the report: at most this many characters (a reason string may be 64 KiB). */
const MAX_TEXT = 200;

// CONNACK property ids (MQTT 5.0 §3.2.2.3) and their value types. Anything else in a CONNACK is a
// malformed packet (§2.2.2.2), so an unknown id ends the parse instead of being skipped.
type PropertyType = 'bool' | 'u16' | 'u32' | 'str' | 'bin' | 'pair';
const CONNACK_PROPERTIES: Record<number, { name: string; type: PropertyType }> = {
  0x11: { name: 'session expiry interval', type: 'u32' },
  0x12: { name: 'assigned client identifier', type: 'str' },
  0x13: { name: 'server keep alive', type: 'u16' },
  0x15: { name: 'authentication method', type: 'str' },
  0x16: { name: 'authentication data', type: 'bin' },
  0x1a: { name: 'response information', type: 'str' },
  0x1c: { name: 'server reference', type: 'str' },
  0x1f: { name: 'reason string', type: 'str' },
  0x21: { name: 'receive maximum', type: 'u16' },
  0x22: { name: 'topic alias maximum', type: 'u16' },
  0x24: { name: 'maximum QoS', type: 'bool' },
  0x25: { name: 'retain available', type: 'bool' },
  0x26: { name: 'user property', type: 'pair' },
  0x27: { name: 'maximum packet size', type: 'u32' },
  0x28: { name: 'wildcard subscription available', type: 'bool' },
  0x29: { name: 'subscription identifiers available', type: 'bool' },
  0x2a: { name: 'shared subscription available', type: 'bool' },
};

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Reads the property block that fills `props` exactly; throws (malformed) on any breach. */
function readProperties(props: Buffer, ack: Connack): void {
  let p = 0;
  const need = (n: number, what: string) => {
    if (p + n > props.length) throw malformed(SAY.propertyPastEnd(what));
  };
  const str = (what: string): string => {
    need(2, what);
    const n = props.readUInt16BE(p);
    need(2 + n, what);
    const raw = props.subarray(p + 2, p + 2 + n);
    p += 2 + n;
    try {
      const text = utf8.decode(raw);
      return text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT)}…` : text;
    } catch {
      throw malformed(SAY.propertyNotUtf8(what));
    }
  };
  const seen = new Set<number>();
  while (p < props.length) {
    const id = props[p++]!;
    const prop = CONNACK_PROPERTIES[id];
    if (!prop) {
      throw malformed(SAY.propertyUnknown(hexByte(id)));
    }
    // Only the user property may repeat (§3.2.2.3).
    if (id !== 0x26 && seen.has(id)) throw malformed(SAY.propertyRepeated(prop.name));
    seen.add(id);
    switch (prop.type) {
      case 'bool': {
        need(1, prop.name);
        const v = props[p++]!;
        if (v > 1) throw malformed(SAY.propertyNotBool(prop.name, v));
        break;
      }
      case 'u16': {
        need(2, prop.name);
        if (id === 0x21 && props.readUInt16BE(p) === 0) throw malformed(SAY.receiveMaximumZero);
        p += 2;
        break;
      }
      case 'u32': {
        need(4, prop.name);
        if (id === 0x27 && props.readUInt32BE(p) === 0) throw malformed(SAY.maximumPacketSizeZero);
        p += 4;
        break;
      }
      case 'bin': {
        need(2, prop.name);
        const n = props.readUInt16BE(p);
        need(2 + n, prop.name);
        p += 2 + n;
        break;
      }
      case 'pair':
        str(prop.name);
        str(prop.name);
        break;
      case 'str': {
        const v = str(prop.name);
        if (id === 0x1f) ack.reasonString = v;
        else if (id === 0x1c) ack.serverReference = v;
      }
    }
  }
}

/**
 * Parses a CONNACK from the start of `buf`. Returns undefined while incomplete. Throws a plain
 * Error whose message describes the bytes when they are not a CONNACK at all, and a ProbeError
 * coded MALFORMED_CONNACK when they start as one but break its rules (length, flags, properties).
 */
export function decodeConnack(buf: Buffer, version: MqttVersion): Connack | undefined {
  if (buf.length === 0) return undefined;
  if (buf[0] !== 0x20) throw new Error(SAY.notConnack(hexByte(buf[0]!)));
  let len: [number, number] | undefined;
  try {
    len = decodeLength(buf, 1);
  } catch {
    throw malformed(SAY.badRemainingLength);
  }
  if (!len) return undefined;
  const [remaining, used] = len;
  // 3.1.1: exactly 2 bytes (§3.2). 5.0: 2 + a property length + properties, at most what a probe
  // reads (64 KiB); 2 alone is the 3.1.1-form refusal a broker may send a v5 client (§3.1.2.2).
  if (version === 4 ? remaining !== 2 : remaining < 2 || remaining > 65_535) {
    throw malformed(SAY.badConnackLength(version === 4, remaining));
  }
  const start = 1 + used;
  if (buf.length < start + remaining) return undefined;
  const flags = buf[start]!;
  if (flags & 0xfe) throw malformed(SAY.reservedFlags);
  const ack: Connack = { sessionPresent: (flags & 1) === 1, code: buf[start + 1]! };
  if (version === 5) {
    if (remaining === 2) {
      if (ack.code === 0) throw malformed(SAY.noPropertyLength);
      return ack;
    }
    const body = buf.subarray(start + 2, start + remaining);
    let plen: [number, number] | undefined;
    try {
      plen = decodeLength(body, 0);
    } catch {
      throw malformed(SAY.badPropertyLength);
    }
    if (!plen || plen[1] + plen[0] !== body.length) {
      const size = plen ? `${plen[0]} bytes` : SAY.truncatedLength;
      throw malformed(SAY.propertiesMismatch(size, body.length));
    }
    readProperties(body.subarray(plen[1]), ack);
  }
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
    return { reason: 'not-serving', text: SAY.v5AnsweredAsV4 };
  }
  return (version === 5 ? V5 : V4)[code] ?? { reason: 'not-serving', text: SAY.unknownReturnCode(code) };
}

/** First bytes of a non-MQTT answer, as something a person can read. */
export function describeForeignBytes(buf: Buffer): string {
  const text = buf.subarray(0, 48).toString('latin1');
  if (/^HTTP\/\d/.test(text)) return SAY.httpAnswered(text.split('\r\n')[0]);
  if (/^SSH-/.test(text)) return SAY.sshAnswered(text.split(/\r?\n/)[0]);
  if (buf[0] === 0x15 || buf[0] === 0x16) return SAY.tlsAnswered;
  const printable = text.replace(/[^\x20-\x7e]/g, '.');
  return SAY.unexpectedBytes(buf.subarray(0, 8).toString('hex'), printable.slice(0, 24));
}
