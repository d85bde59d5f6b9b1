// mqtt://, mqtts://, mqtt+ws://, mqtt+wss:// — CONNECT, read the CONNACK, DISCONNECT. A CONNACK
// proves an MQTT broker; its code says whether this client would be let in. A broker that closes
// an MQTT 5 CONNECT without a word (RabbitMQ 3.10 speaks 3.1.1 only) gets one 3.1.1 CONNECT on a
// new connection, and the report says what each attempt saw.
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { ProbeError } from '../errors.js';
import { deadlinePassed, errorCode } from '../net/error-kind.js';
import { attemptState } from '../net/attempt-state.js';
import { dialTcp } from '../net/socket.js';
import { readTlsFiles, startTls, tlsFailure, type TlsFiles } from '../net/tls.js';
import { tlsVerdict } from './tls-verdict.js';
import type { ErrorCode } from '../error-code.js';
import type { MqttFacts, TlsFacts } from '../facts.js';
import type { Check, Observation, ProbeContext, Prober } from '../types.js';
import {
  DISCONNECT,
  MALFORMED_CONNACK,
  connackMeaning,
  decodeConnack,
  decodeLength,
  describeForeignBytes,
  encodeConnect,
  type Connack,
  type MqttVersion,
} from './mqtt-packets.js';
import { firstBytes } from './first-bytes.js';
import { SAY } from './mqtt-text.js';
import type { SchemeOptions } from './options.js';

export { mqttOptions } from './options/mqtt.js';

type MqttOpts = SchemeOptions['mqtt' | 'mqtts' | 'mqtt+ws' | 'mqtt+wss'];

const VERSION_TEXT: Record<MqttVersion, MqttFacts['protocolVersion']> = { 4: '3.1.1', 5: '5.0' };

/** The most a probe reads before deciding: a CONNACK is 4 bytes plus v5 properties. Also the
 * WebSocket message limit (`ws` would otherwise take in 100 MiB frames). */
const MAX_READ = 64 * 1024;

/** How a peer went away before a byte of answer: a close, a reset, or a WebSocket close frame. */
interface Closed {
  kind: 'closed';
  reset: boolean;
  error?: Error;
  ws?: { code: number; reason: string };
}

/** A byte pipe over TCP, TLS or WebSocket frames, so the MQTT exchange is written once. */
interface Pipe {
  write(b: Buffer): void;
  onData(cb: (b: Buffer) => void): void;
  /** Once: an error, or the close (with the WebSocket close code and reason when there is one). */
  onEnd(cb: (end: { error: Error } | Closed) => void): void;
  /** Sends a last packet (DISCONNECT), then closes once it is out: the broker logs a clean goodbye. */
  end(last: Buffer): void;
  close(): void;
}

function socketPipe(s: Socket): Pipe {
  return {
    write: (b) => s.write(b),
    onData: (cb) => s.on('data', cb),
    onEnd: (cb) => {
      s.on('error', (error) => cb({ error }));
      s.on('close', () => cb({ kind: 'closed', reset: false }));
    },
    end: (last) => {
      s.end(last, () => s.destroy());
    },
    close: () => s.destroy(),
  };
}

/** A failed upgrade in words: the port answered, but not as an HTTP/WebSocket server would. */
function upgradeFailure(e: Error, path: string): unknown {
  const code = errorCode(e);
  if (code?.startsWith('ERR_SSL_')) return e; // TLS (a late alert): the caller's tlsFailure() says which
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    // "socket hang up": closed before any HTTP answer, as a plain MQTT port does with our GET.
    return new ProbeError('wrong-protocol', SAY.upgradeHungUp(path), { code, cause: e });
  }
  if (code?.startsWith('HPE_')) {
    return new ProbeError('wrong-protocol', SAY.upgradeNotHttp(code), { code, cause: e });
  }
  if (code === undefined || code.startsWith('WS_ERR_')) {
    // ws's own protocol complaints: bad Sec-WebSocket-Accept, a subprotocol we did not ask for …
    return new ProbeError('wrong-protocol', SAY.upgradeFailed(e.message), { ...(code && { code }), cause: e });
  }
  return e;
}

/** An error from `ws` after the upgrade: a frame the WebSocket protocol forbids, or one too big. */
function frameFailure(e: Error): Error {
  const code = errorCode(e);
  if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
    return new ProbeError('wrong-protocol', SAY.messageTooBig(MAX_READ / 1024), { code, cause: e });
  }
  if (code?.startsWith('WS_ERR_')) {
    return new ProbeError('wrong-protocol', SAY.brokeWebSocket(e.message), { code, cause: e });
  }
  return e;
}

async function openWebSocket(
  check: Check,
  ctx: ProbeContext,
  pathOpt: string | undefined,
  socket: Socket,
  secure: boolean,
): Promise<Pipe> {
  const host = check.target.host.includes(':') ? `[${check.target.host}]` : check.target.host;
  const path = pathOpt ?? (check.target.path && check.target.path !== '/' ? check.target.path : '/mqtt');
  // Brokers require the `mqtt` subprotocol: without it mosquitto leaves the upgrade hanging.
  const ws = new WebSocket(`${secure ? 'wss' : 'ws'}://${host}:${check.target.port}${path}`, ['mqtt'], {
    createConnection: () => socket,
    perMessageDeflate: false,
    maxPayload: MAX_READ,
  });
  ws.binaryType = 'nodebuffer';
  await new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      ws.terminate();
      reject(ctx.signal.reason);
    };
    ws.once('open', () => {
      ctx.signal.removeEventListener('abort', onAbort);
      resolve();
    });
    ws.once('unexpected-response', (_req, res) => {
      const status = `HTTP ${res.statusCode} ${peerText(res.statusMessage ?? '')}`;
      reject(
        new ProbeError('wrong-protocol', SAY.upgradeAnswered(path, status), { code: `HTTP_${res.statusCode ?? 0}` }),
      );
      ws.terminate();
    });
    ws.once('error', (e) => reject(upgradeFailure(e, path)));
    ctx.signal.addEventListener('abort', onAbort, { once: true });
  });
  if (ws.protocol !== 'mqtt') {
    throw new ProbeError('wrong-protocol', SAY.noMqttSubprotocol(peerText(ws.protocol)));
  }
  return {
    write: (b) => ws.send(b),
    onData: (cb) => ws.on('message', (d: Buffer) => cb(d)),
    onEnd: (cb) => {
      ws.on('error', (e) => cb({ error: frameFailure(e) }));
      // 1006: the connection ended without a close frame (ws's name for it).
      ws.on('close', (code: number, reason: Buffer) =>
        cb({ kind: 'closed', reset: code === 1006, ws: { code, reason: reason.toString('utf8') } }),
      );
    },
    end: (last) => ws.send(last, () => ws.terminate()),
    close: () => ws.terminate(),
  };
}

/** Whether a WebSocket close reason names an auth refusal ("unauthenticated", "not authorized"). */
function closeNamesAuth(reason: string): boolean {
  return /auth|credential|password|login|denied|forbidden|banned/i.test(reason);
}

/** Peer text (a v5 reason string, a WebSocket close reason) without control characters. */
function peerText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '.');
}

/** A ProbeError with the probe's facts (version, transport) added, its own kept. */
function withFacts(e: unknown, facts: MqttFacts): unknown {
  if (!(e instanceof ProbeError)) return e;
  const merged = Object.assign({}, facts, e.facts);
  return new ProbeError<MqttFacts>(e.reason, e.message, {
    ...(e.code !== undefined && { code: e.code }),
    cause: e.cause,
    facts: merged,
    ...(e.state && { state: e.state }),
  });
}

type Answer = { kind: 'connack'; ack: Connack } | Closed;
/** What the exchange alone saw of a failure; withFacts() adds the rest of MqttFacts as it leaves. */
type ExchangeFacts = Pick<MqttFacts, 'firstBytes' | 'firstText'>;

/**
 * Sends CONNECT and resolves with the CONNACK, or with how the peer closed before sending a byte
 * (the caller decides what a silent close means); rejects with what came instead. Reads at most
 * MAX_READ bytes: a CONNACK is 4 bytes plus v5 properties, so more is not an MQTT answer.
 */
function exchange(pipe: Pipe, connect: Buffer, version: MqttVersion, ctx: ProbeContext): Promise<Answer> {
  // The attempt's own abort hook rather than ctx.signal: no AbortController for a row that ends in time.
  const attempt = attemptState(ctx);
  return new Promise<Answer>((resolve, reject) => {
    let buf = Buffer.alloc(0);
    let done = false;
    let unwatch: (() => void) | undefined;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      unwatch?.();
      f();
    };
    const onAbort = () =>
      finish(() => {
        // On the row's deadline (not a shutdown), say what had come so far.
        if (buf.length && deadlinePassed(attempt)) {
          // Only the start of a CONNACK can be waiting here: anything else was refused at once.
          let len: [number, number] | undefined;
          try {
            len = decodeLength(buf, 1);
          } catch {
            /* the decoder refuses a bad length before we get here */
          }
          const of = len ? SAY.ofAnnounced(1 + len[1] + len[0]) : '';
          const message = SAY.partialConnack(buf.length, of, ctx.timeoutMs, buf.subarray(0, 8).toString('hex'));
          reject(new ProbeError<ExchangeFacts>('no-response', message, { facts: firstBytes(buf) }));
        } else reject(attempt.reason);
      });
    const fail = (message: string, code?: ErrorCode) =>
      finish(() =>
        reject(
          new ProbeError<ExchangeFacts>('wrong-protocol', message, { ...(code && { code }), facts: firstBytes(buf) }),
        ),
      );
    pipe.onData((chunk) => {
      if (done) return; // after the CONNACK or a failure: nothing more is kept
      buf = Buffer.concat([buf, chunk]);
      try {
        const ack = decodeConnack(buf, version);
        if (ack) return finish(() => resolve({ kind: 'connack', ack }));
      } catch (e) {
        if (e instanceof ProbeError && e.code === MALFORMED_CONNACK) {
          return fail(SAY.malformedConnack(e.message), MALFORMED_CONNACK);
        }
        return fail(SAY.notMqtt(describeForeignBytes(buf)));
      }
      // The decoder ends any CONNACK within 64 KiB + 5 bytes; this bounds whatever it lets wait.
      if (buf.length > MAX_READ) {
        const what = describeForeignBytes(buf);
        fail(SAY.answerTooLong(MAX_READ / 1024, what), 'MQTT_ANSWER_TOO_LONG');
      }
    });
    pipe.onEnd((end) =>
      finish(() => {
        if ('error' in end) {
          const code = errorCode(end.error);
          // A reset before any byte is a silent refusal, like a close; after bytes it is an error.
          if (!buf.length && (code === 'ECONNRESET' || code === 'EPIPE')) {
            resolve({ kind: 'closed', reset: true, error: end.error });
          } else reject(end.error);
        } else if (buf.length) {
          const message = SAY.closedMidAnswer(describeForeignBytes(buf));
          reject(new ProbeError<ExchangeFacts>('wrong-protocol', message, { facts: firstBytes(buf) }));
        } else resolve(end);
      }),
    );
    if (attempt.aborted) return onAbort();
    unwatch = attempt.onAbort(onAbort);
    pipe.write(connect);
  });
}

interface Attempt {
  answer: Answer;
  tls?: TlsFacts;
}

/** One connection: TCP, TLS and WebSocket as the scheme asks, one CONNECT, the answer. */
async function attempt(
  check: Check,
  ctx: ProbeContext,
  o: MqttOpts,
  version: MqttVersion,
  facts: MqttFacts,
  files: TlsFiles | undefined,
): Promise<Attempt> {
  const scheme = check.target.scheme;
  const raw = await dialTcp(check.target.port, ctx);
  // Until the stream is ours to use, an error on it must not be an uncaught 'error' event.
  raw.on('error', () => undefined);
  let pipe: Pipe | undefined;
  let graceful = false;
  try {
    let socket: Socket = raw;
    let tls: TlsFacts | undefined;
    if (files) {
      const alpn = scheme === 'mqtt+wss' ? { alpn: ['http/1.1'] } : {};
      // Certificate facts land in facts.tls, handshake failed or not.
      ({ socket, facts: tls } = await startTls(raw, check, ctx, { ...o, ...alpn }, { files, facts }));
    }
    // A TLS 1.3 server's client-certificate alert arrives after the handshake, during the upgrade
    // or the MQTT exchange: on secure transports both pass through tlsFailure().
    const late = (e: unknown): unknown =>
      files && !(e instanceof ProbeError)
        ? tlsFailure(e, { offeredCert: files.offeredCert, facts, afterHandshake: true })
        : e;
    pipe = scheme.includes('+ws')
      ? await openWebSocket(check, ctx, o.path, socket, files !== undefined).catch((e: unknown) => {
          throw withFacts(late(e), facts);
        })
      : socketPipe(socket);
    const clientId = o.clientId ?? `fedprobe-${randomBytes(6).toString('hex')}`;
    const connect = encodeConnect({ version, clientId, keepalive: 30, username: o.username, password: o.password });
    const answer = await exchange(pipe, connect, version, ctx).catch((e: unknown) => {
      throw withFacts(late(e), facts);
    });
    if (answer.kind === 'connack' && connackMeaning(answer.ack.code, version).reason === 'ok') {
      pipe.end(DISCONNECT);
      graceful = true;
      setTimeout(() => raw.destroy(), 1000).unref(); // in case the peer never acknowledges the close
    }
    return { answer, ...(tls && { tls }) };
  } finally {
    if (!graceful) {
      pipe?.close();
      raw.destroy();
    }
  }
}

/** How an attempt ended without a byte: "closed the connection", "closed the WebSocket (code 1011)". */
function silence(c: Closed): string {
  if (c.ws) return SAY.closedWebSocket(c.ws.code, c.ws.reason ? peerText(c.ws.reason) : '');
  return c.reset ? SAY.resetConnection : SAY.closedConnection;
}

/**
 * Both attempts (or the only one) ended without a CONNACK. What the evidence supports:
 * - plain TCP reset: what a TLS port does with clear text (mosquitto's 8883 does exactly this);
 * - plain TCP close: nothing proves MQTT, nothing proves another service — no-response, said so;
 * - WebSocket: the server upgraded and accepted the `mqtt` subprotocol, which only an MQTT-over-
 *   WebSocket endpoint does, then closed before a CONNACK. That is an MQTT broker refusing this
 *   client, not "another service". RabbitMQ's Web MQTT closes 1002 "unauthenticated" for a
 *   missing or wrong password instead of sending CONNACK 4/5, so the refusal is `auth-rejected`
 *   when the close reason speaks of authentication, or when no credentials were sent (the usual
 *   cause of such a close, and the detail says it is inferred); with credentials sent and no such
 *   words there is no evidence of an auth refusal: `reset` for a close without a close frame
 *   (1006), else `no-response`.
 */
function refusedWithoutConnack(
  c: Closed,
  secure: boolean,
  credentialsGiven: boolean,
  tried: string,
  facts: MqttFacts,
): unknown {
  if (c.ws) {
    facts.webSocketClose = { code: c.ws.code, reason: peerText(c.ws.reason) };
    const seen = SAY.wsClosedSeen(silence(c), tried);
    const code = `WS_CLOSE_${c.ws.code}` as const;
    if (closeNamesAuth(c.ws.reason)) {
      return new ProbeError<MqttFacts>('auth-rejected', SAY.brokerRefused(SAY.refusedWho(credentialsGiven), seen), {
        code,
        facts,
      });
    }
    if (!credentialsGiven) {
      return new ProbeError<MqttFacts>('auth-rejected', SAY.anonymousRefusedLikely(seen), { code, facts });
    }
    const message = SAY.refusedDespiteCredentials(seen);
    return new ProbeError<MqttFacts>(c.ws.code === 1006 ? 'reset' : 'no-response', message, { code, facts });
  }
  if (c.reset) {
    if (!secure) {
      const code = errorCode(c.error) ?? 'ECONNRESET';
      return new ProbeError<MqttFacts>('wrong-protocol', SAY.resetOnConnect(tried), { code, cause: c.error, facts });
    }
    return withFacts(tlsFailure(c.error, { offeredCert: false, facts, afterHandshake: true }), facts);
  }
  return new ProbeError<MqttFacts>('no-response', SAY.closedOnConnect(tried), {
    code: 'MQTT_CLOSED_WITHOUT_ANSWER',
    facts,
  });
}

export const probeMqtt: Prober<MqttFacts, MqttOpts> = async (check, ctx, o) => {
  const asked: MqttVersion = o.version === 5 || o.version === '5' || o.version === '5.0' ? 5 : 4;
  const scheme = check.target.scheme;
  const secure = scheme === 'mqtts' || scheme === 'mqtt+wss';
  // Read before dialling (see readTlsFiles), and once for both attempts.
  const files = secure ? await readTlsFiles(o) : undefined;
  // A client certificate is a credential too: a broker that refuses its holder is no anonymous refusal.
  const credentialsGiven = Boolean(o.username) || o.password !== undefined || files?.offeredCert === true;
  const facts: MqttFacts = { protocolVersion: VERSION_TEXT[asked], transport: scheme, credentialsGiven };

  let version = asked;
  let result = await attempt(check, ctx, o, version, facts, files);
  // The v5 attempt's silence, told beside the 3.1.1 answer ("" when there was no retry).
  let retryNote = '';
  let tried = '';
  if (result.answer.kind === 'closed' && asked === 5) {
    const first = silence(result.answer);
    facts.mqtt5Attempt = first + (result.answer.ws ? '' : SAY.withoutAnswer);
    version = 4;
    facts.protocolVersion = VERSION_TEXT[4];
    result = await attempt(check, ctx, o, version, facts, files);
    retryNote = SAY.v5Retry(first);
    tried = SAY.v5Tried(first);
  }
  const answer = result.answer;
  if (answer.kind === 'closed') throw refusedWithoutConnack(answer, secure, credentialsGiven, tried, facts);

  ctx.phase('handshake');
  const ack = answer.ack;
  const meaning = connackMeaning(ack.code, version);
  const reasonString = ack.reasonString === undefined ? undefined : peerText(ack.reasonString);
  const serverReference = ack.serverReference === undefined ? undefined : peerText(ack.serverReference);
  Object.assign(facts, {
    returnCode: ack.code,
    sessionPresent: ack.sessionPresent,
    ...(reasonString && { reasonString }),
    ...(serverReference && { serverReference }),
  });
  const shownCode = version === 5 ? `0x${ack.code.toString(16).padStart(2, '0')}` : String(ack.code);
  const codeText =
    `CONNACK ${shownCode} (${meaning.text}${reasonString ? `: ${reasonString}` : ''})` +
    (serverReference ? `, server reference ${serverReference}` : '');
  if (meaning.reason === 'ok') {
    const via = result.tls ? ` over ${result.tls.protocol ?? 'TLS'}` : '';
    const detail = SAY.accepted(VERSION_TEXT[version], via, codeText, retryNote);
    const obs: Observation<MqttFacts> = { state: 'open', reason: 'ok', detail, facts };
    return result.tls ? tlsVerdict(obs, result.tls, check, o) : obs;
  }
  const why =
    meaning.reason === 'auth-rejected'
      ? SAY.brokerRefused(SAY.refusedWho(credentialsGiven), codeText)
      : SAY.refusedConnection(codeText);
  throw new ProbeError<MqttFacts>(meaning.reason, why + retryNote, { code: `CONNACK_${ack.code}`, facts });
};
