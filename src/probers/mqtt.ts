// mqtt://, mqtts://, mqtt+ws://, mqtt+wss:// — CONNECT, read the CONNACK, DISCONNECT. A CONNACK
// proves an MQTT broker; its code says whether this client would be let in. A broker that closes
// an MQTT 5 CONNECT without a word (RabbitMQ 3.10 speaks 3.1.1 only) gets one 3.1.1 CONNECT on a
// new connection, and the report says what each attempt saw. TLS and WebSocket come in through
// MqttExtras (mqtt-secure.ts), so a plain mqtt:// row loads neither (nor `ws`).
import { randomBytes } from 'node:crypto';
import type { Socket } from 'node:net';
import { ProbeError } from '../errors.js';
import { deadlinePassed, errorCode } from '../net/error-kind.js';
import { attemptState } from '../net/attempt-state.js';
import { dialTcp } from '../net/socket.js';
import type { readTlsFiles, startTls, tlsFailure, TlsFiles } from '../net/tls.js';
import type { tlsVerdict } from './tls-verdict.js';
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
import { type Closed, MAX_READ, type Pipe, peerText, socketPipe } from './mqtt-pipe.js';
import { SAY } from './mqtt-text.js';
import type { openWebSocket } from './mqtt-websocket.js';
import type { SchemeOptions } from './options.js';

export { mqttOptions } from './options/mqtt.js';

export type MqttOpts = SchemeOptions['mqtt' | 'mqtts' | 'mqtt+ws' | 'mqtt+wss'];

/** What the secure and WebSocket schemes add to the exchange (mqtt-secure.ts gives them). */
export interface MqttExtras {
  tls?: {
    readFiles: typeof readTlsFiles;
    start: typeof startTls;
    failure: typeof tlsFailure;
    verdict: typeof tlsVerdict;
  };
  webSocket?: typeof openWebSocket;
}

const VERSION_TEXT: Record<MqttVersion, MqttFacts['protocolVersion']> = { 4: '3.1.1', 5: '5.0' };

/** The part a scheme needs, or a programming error: registry.ts gives each scheme its extras. */
function need<T>(part: T | undefined, what: string, scheme: string): T {
  if (part === undefined) throw new Error(SAY.builtWithout(scheme, what));
  return part;
}

/** Whether a WebSocket close reason names an auth refusal ("unauthenticated", "not authorized"). */
function closeNamesAuth(reason: string): boolean {
  return /auth|credential|password|login|denied|forbidden|banned/i.test(reason);
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
  x: MqttExtras,
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
      const start = need(x.tls, 'TLS', scheme).start;
      ({ socket, facts: tls } = await start(raw, check, ctx, { ...o, ...alpn }, { files, facts }));
    }
    // A TLS 1.3 server's client-certificate alert arrives after the handshake, during the upgrade
    // or the MQTT exchange: on secure transports both pass through tlsFailure().
    const late = (e: unknown): unknown =>
      files && !(e instanceof ProbeError)
        ? need(x.tls, 'TLS', scheme).failure(e, { offeredCert: files.offeredCert, facts, afterHandshake: true })
        : e;
    pipe = scheme.includes('+ws')
      ? await need(x.webSocket, 'WebSocket', scheme)(check, ctx, o.path, socket, files !== undefined).catch(
          (e: unknown) => {
            throw withFacts(late(e), facts);
          },
        )
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
  failure: typeof tlsFailure | undefined,
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
    const tls = need(failure, 'TLS', facts.transport);
    return withFacts(tls(c.error, { offeredCert: false, facts, afterHandshake: true }), facts);
  }
  return new ProbeError<MqttFacts>('no-response', SAY.closedOnConnect(tried), {
    code: 'MQTT_CLOSED_WITHOUT_ANSWER',
    facts,
  });
}

/** The MQTT prober with these extras: none for mqtt://, TLS and/or WebSocket for the others. */
export const mqttProber =
  (x: MqttExtras): Prober<MqttFacts, MqttOpts> =>
  async (check, ctx, o) => {
    const asked: MqttVersion = o.version === 5 || o.version === '5' || o.version === '5.0' ? 5 : 4;
    const scheme = check.target.scheme;
    const secure = scheme === 'mqtts' || scheme === 'mqtt+wss';
    // Read before dialling (see readTlsFiles), and once for both attempts.
    const files = secure ? await need(x.tls, 'TLS', scheme).readFiles(o) : undefined;
    // A client certificate is a credential too: a broker that refuses its holder is no anonymous refusal.
    const credentialsGiven = Boolean(o.username) || o.password !== undefined || files?.offeredCert === true;
    const facts: MqttFacts = { protocolVersion: VERSION_TEXT[asked], transport: scheme, credentialsGiven };

    let version = asked;
    let result = await attempt(check, ctx, o, version, facts, files, x);
    // The v5 attempt's silence, told beside the 3.1.1 answer ("" when there was no retry).
    let retryNote = '';
    let tried = '';
    if (result.answer.kind === 'closed' && asked === 5) {
      const first = silence(result.answer);
      facts.mqtt5Attempt = first + (result.answer.ws ? '' : SAY.withoutAnswer);
      version = 4;
      facts.protocolVersion = VERSION_TEXT[4];
      result = await attempt(check, ctx, o, version, facts, files, x);
      retryNote = SAY.v5Retry(first);
      tried = SAY.v5Tried(first);
    }
    const answer = result.answer;
    if (answer.kind === 'closed') {
      throw refusedWithoutConnack(answer, secure, credentialsGiven, tried, facts, x.tls?.failure);
    }

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
      return result.tls ? need(x.tls, 'TLS', scheme).verdict(obs, result.tls, check, o) : obs;
    }
    const why =
      meaning.reason === 'auth-rejected'
        ? SAY.brokerRefused(SAY.refusedWho(credentialsGiven), codeText)
        : SAY.refusedConnection(codeText);
    throw new ProbeError<MqttFacts>(meaning.reason, why + retryNote, { code: `CONNACK_${ack.code}`, facts });
  };

/** mqtt://: plain TCP, no TLS, no WebSocket. */
export const probeMqtt = mqttProber({});
