// mqtt+ws:// and mqtt+wss://: the WebSocket upgrade (with the `mqtt` subprotocol brokers require)
// and its frames as a Pipe. A module of its own so that plain mqtt:// rows never load `ws`
// (≈ 30 ms of start-up with its http, https and zlib): only mqtt-secure.ts imports it, for those schemes.
import type { Socket } from 'node:net';
import WebSocket from 'ws';
import { ProbeError } from '../errors.js';
import { errorCode } from '../net/error-kind.js';
import type { Check, ProbeContext } from '../types.js';
import { MAX_READ, type Pipe, peerText } from './mqtt-pipe.js';
import { SAY } from './mqtt-text.js';

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

export async function openWebSocket(
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
