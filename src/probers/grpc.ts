// grpc:// (h2c, prior knowledge) and grpcs:// (TLS, ALPN h2) over node:http2: by default one
// unary grpc.health.v1.Health/Check; with expectService, calls that prove which framework's
// service is registered (fingerprints.ts). Only a real grpc-status header with an
// application/grpc content type counts as gRPC. A reply body is read up to MAX_BODY bytes, then
// the stream is cancelled: a peer that streams forever costs neither memory nor the deadline.
import { connect as h2connect, constants as h2, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import { ProbeError } from '../errors.js';
import { deadlinePassed, errorCode } from '../net/error-kind.js';
import { attemptState } from '../net/attempt-state.js';
import { dialTcp } from '../net/socket.js';
import { readTlsFiles, startTls, tlsFailure } from '../net/tls.js';
import { tlsVerdict } from './tls-verdict.js';
import type { GrpcFacts, TlsFacts } from '../facts.js';
import type { Observation, ProbeContext, Prober } from '../types.js';
import { proveService, said, type Reply } from './fingerprints.js';
import { decodeGrpcMessage, decodeHealthResponse, frame, healthRequest } from './grpc-wire.js';
import { SAY } from './grpc-text.js';
import type { SchemeOptions } from './options.js';

/** Response bytes read per call. A health answer is 7 bytes; framework error answers have none. */
export const MAX_BODY = 64 * 1024;

interface Answer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: Buffer;
  /** More than MAX_BODY bytes came: reading stopped and the stream was cancelled. */
  truncated: boolean;
}

/** What the call saw so far, for a report when the deadline ends it. */
interface Seen {
  headers?: IncomingHttpHeaders;
  bytes: number;
}

function call(
  session: ClientHttp2Session,
  path: string,
  authority: string,
  message: Buffer,
  extra: Record<string, string>,
  ctx: ProbeContext,
  seen: Seen,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      ':authority': authority,
      ...extra,
      'content-type': 'application/grpc',
      te: 'trailers',
      'grpc-timeout': `${Math.max(1, Math.floor(ctx.timeoutMs))}m`,
      'user-agent': 'fedprobe',
    });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    let kept = 0;
    stream.on('response', (h) => {
      headers = h;
      seen.headers = h;
      ctx.phase('firstByte');
    });
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => {
      seen.bytes += c.length;
      if (kept + c.length <= MAX_BODY) {
        chunks.push(c);
        kept += c.length;
        return;
      }
      stream.removeAllListeners('data');
      stream.close(h2.NGHTTP2_CANCEL);
      resolve({ headers, trailers, body: Buffer.concat(chunks), truncated: true });
    });
    // A stream cancelled because the session died carries the real error as its cause.
    stream.on('error', (e) => reject((e as Error).cause ?? e));
    stream.on('close', () => resolve({ headers, trailers, body: Buffer.concat(chunks), truncated: false }));
    stream.end(frame(message));
  });
}

function contentType(h: IncomingHttpHeaders): string {
  return String(h['content-type'] ?? '');
}

type GrpcOpts = SchemeOptions['grpc' | 'grpcs'];

/** What one call records: the row's facts for the first call, a scratch object for the others. */
type CallFacts = Pick<GrpcFacts, 'httpStatus' | 'bodyBytesRead'>;

/** Checks that the answer is gRPC and returns its status; throws what it is otherwise. */
function grpcReply(answer: Answer, secure: boolean, facts: CallFacts): Reply {
  const h = answer.headers;
  if (h[':status'] !== undefined) facts.httpStatus = h[':status'];
  if (h[':status'] === undefined) {
    throw new ProbeError<CallFacts>('wrong-protocol', secure ? SAY.noHeadersTls : SAY.noHeadersPlain, { facts });
  }
  const httpStatus = Number(h[':status']);
  const type = contentType(h);
  if (answer.truncated) {
    facts.bodyBytesRead = answer.body.length;
    const detail = SAY.bodyLimit(MAX_BODY / 1024, httpStatus, type);
    throw new ProbeError<CallFacts>('wrong-protocol', detail, { code: 'BODY_LIMIT', facts });
  }
  const statusHeader = answer.trailers['grpc-status'] ?? h['grpc-status'];
  if (statusHeader === undefined && [502, 503, 504].includes(httpStatus)) {
    // A gRPC-aware proxy (nginx grpc_pass, Envoy, a cloud load balancer) whose backend is gone.
    throw new ProbeError<CallFacts>('not-serving', SAY.proxyBackendDown(httpStatus), {
      code: `HTTP_${httpStatus}`,
      facts,
    });
  }
  if (statusHeader === undefined || !type.startsWith('application/grpc')) {
    throw new ProbeError<CallFacts>('wrong-protocol', SAY.notGrpc(httpStatus, type), {
      code: `HTTP_${httpStatus}`,
      facts,
    });
  }
  return {
    status: Number(statusHeader),
    message: decodeGrpcMessage(String(answer.trailers['grpc-message'] ?? h['grpc-message'] ?? '')),
  };
}

/** The deadline ended a call that had already answered: say what it sent. */
function lateFailure(seen: Seen, ctx: ProbeContext, facts: GrpcFacts): ProbeError | undefined {
  if (!seen.headers || !deadlinePassed(attemptState(ctx))) return undefined;
  const type = contentType(seen.headers);
  facts.bodyBytesRead = seen.bytes;
  const detail = SAY.unfinishedCall(String(seen.headers[':status']), type, seen.bytes, ctx.timeoutMs);
  return new ProbeError<GrpcFacts>('no-response', detail, { code: 'ETIMEDOUT', facts });
}

function judgeUnary(reply: Reply, answer: Answer, path: string, o: GrpcOpts, facts: GrpcFacts): Observation<GrpcFacts> {
  const isHealth = path === '/grpc.health.v1.Health/Check';
  const ok = (detail: string): Observation<GrpcFacts> => ({ state: 'open', reason: 'ok', detail, facts });
  switch (reply.status) {
    case 0: {
      if (!isHealth) return ok(SAY.answered(path, said(reply)));
      const serving = decodeHealthResponse(answer.body);
      facts.servingStatus = serving;
      if (serving === 'SERVING') return ok(SAY.serving(o.service));
      throw new ProbeError<GrpcFacts>('not-serving', SAY.notServing(serving, o.service), {
        code: `HEALTH_${serving}`,
        facts,
      });
    }
    case 12:
      return ok(SAY.unimplemented(isHealth, said(reply)));
    case 5:
      throw new ProbeError<GrpcFacts>('not-serving', SAY.unknownServiceName(o.service ?? '', said(reply)), {
        code: 'GRPC_5',
        facts,
      });
    case 7:
    case 16:
      throw new ProbeError<GrpcFacts>('auth-rejected', SAY.wantsAuth(said(reply)), {
        code: `GRPC_${reply.status}`,
        facts,
      });
    case 14:
      throw new ProbeError<GrpcFacts>('not-serving', SAY.noHealthyUpstream(said(reply)), {
        code: 'GRPC_14',
        facts,
      });
    default:
      throw new ProbeError<GrpcFacts>('not-serving', SAY.refusedCall(said(reply)), {
        code: `GRPC_${reply.status}`,
        facts,
      });
  }
}

/**
 * The deadline passed before the server's SETTINGS, yet `n` bytes came (a trickle): say so,
 * rather than "no answer".
 */
function noSettings(n: number, settings: boolean, ctx: ProbeContext, facts: GrpcFacts): ProbeError | undefined {
  if (settings || !deadlinePassed(attemptState(ctx)) || n <= 0) return undefined;
  return new ProbeError<GrpcFacts>('no-response', SAY.noSettings(n, ctx.timeoutMs), { state: 'open', facts });
}

export const probeGrpc: Prober<GrpcFacts, GrpcOpts> = async (check, ctx, o) => {
  const secure = check.target.scheme === 'grpcs';
  const facts: GrpcFacts = { transport: secure ? 'h2 over TLS' : 'h2c (plaintext)' };
  const files = secure ? await readTlsFiles(o) : undefined;
  const attempt = attemptState(ctx);
  let socket: Socket = await dialTcp(check.target.port, ctx);
  let tls: TlsFacts | undefined;
  if (files) {
    // Certificate facts land in facts.tls, handshake failed or not.
    const t = await startTls(socket, check, ctx, { ...o, alpn: ['h2'] }, { files, facts });
    tls = t.facts;
    if (t.facts.alpn !== 'h2') {
      t.socket.destroy();
      throw new ProbeError<GrpcFacts>('wrong-protocol', SAY.noH2(t.facts.alpn ?? 'none'), {
        code: 'ALPN_MISMATCH',
        facts,
      });
    }
    socket = t.socket;
  }
  const host = check.target.host.includes(':') ? `[${check.target.host}]` : check.target.host;
  const authority = `${o.servername ?? host}:${check.target.port}`;
  // What came before the HTTP/2 preface (a proxy's answer, the TLS handshake) is not the server's HTTP/2.
  const readBefore = socket.bytesRead;
  // No server push: a peer could otherwise open streams of its own without end.
  const session = h2connect(`${secure ? 'https' : 'http'}://${authority}`, {
    createConnection: () => socket,
    settings: { enablePush: false },
  });
  let settings = false;
  session.on('remoteSettings', () => {
    if (!settings) ctx.phase('handshake');
    settings = true;
  });
  const sessionError = new Promise<never>((_, reject) => {
    session.on('error', reject);
    session.on('close', () => reject(Object.assign(new Error('session closed'), { code: 'ERR_SESSION_CLOSED' })));
    // The attempt's own abort hook rather than ctx.signal: no AbortController for a row that ends in time.
    attempt.onAbort(() => reject(attempt.reason));
  });
  sessionError.catch(() => undefined);

  const seen: Seen = { bytes: 0 };
  const verdict = (obs: Observation<GrpcFacts>): Observation<GrpcFacts> => (tls ? tlsVerdict(obs, tls, check, o) : obs);
  const raced = (path: string, body: Buffer, extra: Record<string, string> = {}) =>
    Promise.race([call(session, path, authority, body, extra, ctx, seen), sessionError]);
  const failure = (e: unknown): unknown => {
    if (e instanceof ProbeError) return e;
    if (attempt.aborted) {
      const came = socket.bytesRead - readBefore;
      return lateFailure(seen, ctx, facts) ?? noSettings(came, settings, ctx, facts) ?? attempt.reason;
    }
    const late = tlsFailure(e, { offeredCert: files?.offeredCert ?? false, facts, afterHandshake: true });
    if (late !== e) return late;
    const code = errorCode(e);
    if (!settings) {
      return new ProbeError<GrpcFacts>(
        'wrong-protocol',
        secure
          ? SAY.brokeBeforeSettingsTls(code ?? (e as Error).message)
          : SAY.noPrefaceAnswer(code ?? (e as Error).message),
        { ...(code && { code }), facts, cause: e },
      );
    }
    return new ProbeError<GrpcFacts>('wrong-protocol', SAY.brokeCall((e as Error).message), {
      ...(code && { code }),
      facts,
      cause: e,
    });
  };

  try {
    if (o.expectService) {
      // The first call's answer is checked with the row's facts: a non-gRPC answer is the row's result.
      let first = true;
      const caller = async (path: string, body: Buffer, extra: Record<string, string>) => {
        const own: CallFacts = first ? facts : {};
        first = false;
        return grpcReply(await raced(path, body, extra), secure, own);
      };
      return verdict({ ...(await proveService(o.expectService, caller, facts)), facts });
    }
    const path = o.method ?? '/grpc.health.v1.Health/Check';
    facts.method = path;
    const body = path === '/grpc.health.v1.Health/Check' ? healthRequest(o.service ?? '') : Buffer.alloc(0);
    const answer = await raced(path, body);
    const reply = grpcReply(answer, secure, facts);
    Object.assign(facts, { grpcStatus: reply.status, grpcMessage: reply.message });
    return verdict(judgeUnary(reply, answer, path, o, facts));
  } catch (e) {
    throw failure(e);
  } finally {
    session.destroy();
  }
};
