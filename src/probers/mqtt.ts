// mqtt://, mqtts://, mqtt+ws://, mqtt+wss:// — CONNECT, read the CONNACK, DISCONNECT. A CONNACK
// proves an MQTT broker; its code says whether this client would be let in.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import { dialTcp } from '../probe/socket.js';
import { startTls, tlsClientOptionShape, tlsFailure, type TlsFacts } from '../probe/tls.js';
import type { Check, ProbeContext, Prober } from '../types.js';
import { DISCONNECT, connackMeaning, decodeConnack, describeForeignBytes, encodeConnect, type MqttVersion } from './mqtt-packets.js';
import { parseWith } from './tls.js';

export const mqttOptions = z.strictObject({
  ...tlsClientOptionShape,
  version: z.union([z.literal('3.1.1'), z.literal('5'), z.literal(4), z.literal(5), z.literal('5.0')]).optional()
    .describe('MQTT protocol version: 3.1.1 (default) or 5'),
  username: z.string().optional().describe('user name for the CONNECT'),
  password: z.string().optional().describe('password; use a secret variable ("${mqtt_password}"), passwordFile or passwordEnv, never plain text in a profile'),
  passwordFile: z.string().optional().describe('file holding the password'),
  passwordEnv: z.string().optional().describe('environment variable holding the password'),
  clientId: z.string().max(23).optional().describe('client identifier (default: fedprobe-<random>)'),
  path: z.string().startsWith('/').optional().describe('WebSocket path for mqtt+ws(s):// (default /mqtt; mosquitto ignores it, other brokers need it)'),
});

type MqttOpts = z.output<typeof mqttOptions>;

function password(o: MqttOpts): string | undefined {
  if (o.password !== undefined) return o.password;
  if (o.passwordFile !== undefined) {
    try {
      return readFileSync(o.passwordFile, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ProbeError('error', `with.passwordFile "${o.passwordFile}" cannot be read (${code ?? 'error'})`, { ...(code && { code }) });
    }
  }
  if (o.passwordEnv !== undefined) {
    const v = process.env[o.passwordEnv];
    if (v === undefined) throw new ProbeError('error', `with.passwordEnv: the environment variable ${o.passwordEnv} is not set`);
    return v;
  }
  return undefined;
}

/** A byte pipe over TCP, TLS or WebSocket frames, so the MQTT exchange is written once. */
interface Pipe {
  write(b: Buffer): void;
  onData(cb: (b: Buffer) => void): void;
  onEnd(cb: (err?: Error) => void): void;
  /** Sends a last packet (DISCONNECT), then closes once it is out, so the broker logs a clean goodbye. */
  end(last: Buffer): void;
  close(): void;
}

function socketPipe(s: Socket): Pipe {
  return {
    write: (b) => s.write(b),
    onData: (cb) => s.on('data', cb),
    onEnd: (cb) => {
      s.on('error', cb);
      s.on('close', () => cb());
    },
    end: (last) => {
      s.end(last, () => s.destroy());
    },
    close: () => s.destroy(),
  };
}

/** A failed upgrade in words: the port answered, but not as an HTTP/WebSocket server would. */
function upgradeFailure(e: Error, path: string): unknown {
  const code = (e as NodeJS.ErrnoException).code;
  if (code?.startsWith('ERR_SSL_')) return e; // TLS (a late alert): the caller's tlsFailure() says which
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    // "socket hang up": closed before any HTTP answer, as a plain MQTT port does with our GET.
    return new ProbeError('wrong-protocol', `the port closed the connection on our WebSocket upgrade request (GET ${path}) without an HTTP answer: not a WebSocket endpoint (a plain MQTT port? then use mqtt://)`, { code, cause: e });
  }
  if (code?.startsWith('HPE_')) {
    return new ProbeError('wrong-protocol', `the answer to our WebSocket upgrade request is not HTTP (${code})`, { code, cause: e });
  }
  if (code === undefined || code.startsWith('WS_ERR_')) {
    // ws's own protocol complaints: bad Sec-WebSocket-Accept, a subprotocol we did not ask for …
    return new ProbeError('wrong-protocol', `the WebSocket upgrade failed: ${e.message}`, { ...(code && { code }), cause: e });
  }
  return e;
}

async function openWebSocket(check: Check, ctx: ProbeContext, o: MqttOpts, socket: Socket, secure: boolean): Promise<Pipe> {
  const host = check.target.host.includes(':') ? `[${check.target.host}]` : check.target.host;
  const path = o.path ?? (check.target.path && check.target.path !== '/' ? check.target.path : '/mqtt');
  // Brokers require the `mqtt` subprotocol: without it mosquitto leaves the upgrade hanging.
  const ws = new WebSocket(`${secure ? 'wss' : 'ws'}://${host}:${check.target.port}${path}`, ['mqtt'], {
    createConnection: () => socket,
    perMessageDeflate: false,
  });
  ws.binaryType = 'nodebuffer';
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('unexpected-response', (_req, res) => {
      reject(new ProbeError('wrong-protocol', `the WebSocket upgrade on ${path} was answered with HTTP ${res.statusCode} ${res.statusMessage ?? ''}: not an MQTT WebSocket endpoint (check with.path)`, { code: `HTTP_${res.statusCode}` }));
      ws.terminate();
    });
    ws.once('error', (e) => reject(upgradeFailure(e, path)));
    ctx.signal.addEventListener('abort', () => {
      ws.terminate();
      reject(ctx.signal.reason);
    }, { once: true });
  });
  if (ws.protocol !== 'mqtt') throw new ProbeError('wrong-protocol', `the WebSocket server did not accept the mqtt subprotocol (got "${ws.protocol}")`);
  return {
    write: (b) => ws.send(b),
    onData: (cb) => ws.on('message', (d: Buffer) => cb(d)),
    onEnd: (cb) => {
      ws.on('error', cb);
      ws.on('close', () => cb());
    },
    end: (last) => ws.send(last, () => ws.terminate()),
    close: () => ws.terminate(),
  };
}

/** What came back, for the report: hex, and the printable part as text ("HTTP/1.1 400 Bad…"). */
function firstBytes(buf: Buffer): Record<string, string> {
  const head = buf.subarray(0, 32);
  return head.length ? { firstBytes: head.toString('hex'), firstText: head.toString('latin1').replace(/[^\x20-\x7e]/g, '.') } : {};
}

/** A ProbeError with the probe's own facts (version, transport) added; its own kept, or nested `under` a key. */
function withFacts(e: unknown, facts: Record<string, unknown>, under?: string): unknown {
  if (!(e instanceof ProbeError)) return e;
  const merged = under ? { ...facts, [under]: e.facts } : { ...facts, ...e.facts };
  return new ProbeError(e.reason, e.message, { ...(e.code !== undefined && { code: e.code }), cause: e.cause, facts: merged, ...(e.state && { state: e.state }) });
}

/** Sends CONNECT and resolves with the CONNACK, or rejects with what came instead. */
function exchange(pipe: Pipe, connect: Buffer, version: MqttVersion, ctx: ProbeContext) {
  return new Promise<ReturnType<typeof decodeConnack> & object>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let done = false;
    const finish = (f: () => void) => {
      if (!done) {
        done = true;
        f();
      }
    };
    pipe.onData((chunk) => {
      buf = Buffer.concat([buf, chunk]);
      try {
        const ack = decodeConnack(buf, version);
        if (ack) finish(() => resolve(ack));
      } catch {
        finish(() => reject(new ProbeError('wrong-protocol', `the port does not speak MQTT: ${describeForeignBytes(buf)}`, { facts: firstBytes(buf) })));
      }
    });
    pipe.onEnd((err) => finish(() => reject(err ?? new ProbeError('wrong-protocol', buf.length
      ? `the connection closed in the middle of an answer: ${describeForeignBytes(buf)}`
      : 'the port accepted the connection but closed it without an MQTT answer (not an MQTT broker, or one that refuses this client)', { facts: firstBytes(buf) }))));
    ctx.signal.addEventListener('abort', () => finish(() => reject(ctx.signal.reason)), { once: true });
    pipe.write(connect);
  });
}

export const probeMqtt: Prober = async (check, ctx) => {
  const o = parseWith(mqttOptions, check);
  const version: MqttVersion = o.version === 5 || o.version === '5' || o.version === '5.0' ? 5 : 4;
  const scheme = check.target.scheme;
  const secure = scheme === 'mqtts' || scheme === 'mqtt+wss';
  const pass = password(o);
  const facts: Record<string, unknown> = { protocolVersion: version === 5 ? '5.0' : '3.1.1', transport: scheme, credentialsGiven: Boolean(o.username) || Boolean(pass) };

  const raw = await dialTcp(check.target.port, ctx);
  let pipe: Pipe | undefined;
  let ended = false;
  try {
    let socket: Socket = raw;
    let tlsFacts: TlsFacts | undefined;
    if (secure) {
      const t = await startTls(raw, check, ctx, { ...o, ...(scheme === 'mqtt+wss' && { alpn: ['http/1.1'] }) }).catch((e: unknown) => {
        // Certificate facts go under facts.tls, where a successful probe puts them.
        throw withFacts(e, facts, 'tls');
      });
      socket = t.socket;
      tlsFacts = t.facts;
      facts['tls'] = t.facts;
    }
    // A TLS 1.3 server's client-certificate alert arrives after the handshake, during the upgrade
    // or the MQTT exchange: on secure transports both pass through tlsFailure().
    const late = (e: unknown): unknown => (secure && !(e instanceof ProbeError) ? tlsFailure(e, { offeredCert: o.cert !== undefined, facts, afterHandshake: true }) : e);
    pipe = scheme.includes('+ws')
      ? await openWebSocket(check, ctx, o, socket, secure).catch((e: unknown) => {
        throw withFacts(late(e), facts);
      })
      : socketPipe(socket);
    const connect = encodeConnect({ version, clientId: o.clientId ?? `fedprobe-${randomBytes(6).toString('hex')}`, keepalive: 30, username: o.username, password: pass });
    const ack = await exchange(pipe, connect, version, ctx).catch((e: unknown) => {
      const code = (e as NodeJS.ErrnoException).code;
      if (!secure && (code === 'ECONNRESET' || code === 'EPIPE')) {
        // Our CONNECT answered by a reset, nothing read: what a TLS port does with plain bytes
        // (mosquitto's 8883 does exactly this), so MQTT is not what listens here in clear text.
        throw new ProbeError('wrong-protocol', 'the port reset the connection on our MQTT CONNECT without an answer (a TLS port? then use mqtts://)', { code, cause: e, facts });
      }
      throw withFacts(late(e), facts);
    });
    ctx.phase('handshake');
    const meaning = connackMeaning(ack.code, version);
    Object.assign(facts, { returnCode: ack.code, sessionPresent: ack.sessionPresent, ...(ack.reasonString && { reasonString: ack.reasonString }), ...(ack.serverReference && { serverReference: ack.serverReference }) });
    const codeText = `CONNACK ${version === 5 ? `0x${ack.code.toString(16).padStart(2, '0')}` : ack.code} (${meaning.text}${ack.reasonString ? `: ${ack.reasonString}` : ''})${ack.serverReference ? `, server reference ${ack.serverReference}` : ''}`;
    if (meaning.reason === 'ok') {
      pipe.end(DISCONNECT);
      ended = true;
      setTimeout(() => raw.destroy(), 1000).unref(); // in case the peer never acknowledges the close
      const via = tlsFacts ? ` over ${tlsFacts.protocol ?? 'TLS'}` : '';
      return { state: 'open', reason: 'ok', detail: `MQTT ${facts['protocolVersion']} broker accepted the connection${via}: ${codeText}`, facts, timings: { totalMs: 0 } };
    }
    const why = meaning.reason === 'auth-rejected'
      ? `the MQTT broker refused ${facts['credentialsGiven'] ? 'these credentials' : 'an anonymous client'}: ${codeText}`
      : `the MQTT broker answered but refused the connection: ${codeText}`;
    throw new ProbeError(meaning.reason, why, { code: `CONNACK_${ack.code}`, facts });
  } finally {
    if (!ended) {
      pipe?.close();
      raw.destroy();
    }
  }
};
