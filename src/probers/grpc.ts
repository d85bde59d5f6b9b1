// grpc:// (h2c, prior knowledge) and grpcs:// (TLS, ALPN h2) — one unary call over node:http2:
// grpc.health.v1.Health/Check by default, or a method that proves which framework answers. Only a
// real grpc-status header with an application/grpc content type counts as gRPC.
import { connect as h2connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import type { Socket } from 'node:net';
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import { dialTcp } from '../probe/socket.js';
import { startTls, tlsClientOptionShape, tlsFailure } from '../probe/tls.js';
import type { ProbeContext, Prober } from '../types.js';
import { FINGERPRINT_NAMES, judgeFingerprint, probeMethod, type FingerprintName } from './fingerprints.js';
import { codeName, decodeGrpcMessage, decodeHealthResponse, frame, healthRequest } from './grpc-wire.js';
import { parseWith } from './tls.js';

export const grpcOptions = z.strictObject({
  ...tlsClientOptionShape,
  service: z.string().optional().describe('service name for grpc.health.v1.Health/Check (default "": the whole server)'),
  method: z.string().regex(/^\/[^/]+\/[^/]+$/).optional().describe('call this full method path (/package.Service/Method) with an empty message instead of the health check'),
  expectService: z.enum(FINGERPRINT_NAMES as [FingerprintName, ...FingerprintName[]]).optional()
    .describe(`prove which framework service answers: ${FINGERPRINT_NAMES.join(', ')} (calls an unregistered method: no side effects)`),
});

interface Answer {
  headers: IncomingHttpHeaders;
  trailers: IncomingHttpHeaders;
  body: Buffer;
}

function call(session: ClientHttp2Session, path: string, authority: string, message: Buffer, ctx: ProbeContext): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ':method': 'POST', ':path': path, ':authority': authority,
      'content-type': 'application/grpc', te: 'trailers', 'grpc-timeout': `${Math.max(1, Math.floor(ctx.timeoutMs))}m`, 'user-agent': 'fedprobe',
    });
    let headers: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    stream.on('response', (h) => {
      headers = h;
      ctx.phase('firstByte');
    });
    stream.on('trailers', (t) => (trailers = t));
    stream.on('data', (c: Buffer) => chunks.push(c));
    // A stream cancelled because the session died carries the real error as its cause.
    stream.on('error', (e) => reject((e as Error).cause ?? e));
    stream.on('close', () => resolve({ headers, trailers, body: Buffer.concat(chunks) }));
    stream.end(frame(message));
  });
}

export const probeGrpc: Prober = async (check, ctx) => {
  const o = parseWith(grpcOptions, check);
  const secure = check.target.scheme === 'grpcs';
  const facts: Record<string, unknown> = { transport: secure ? 'h2 over TLS' : 'h2c (plaintext)' };
  let socket: Socket = await dialTcp(check.target.port, ctx);
  if (secure) {
    const t = await startTls(socket, check, ctx, { ...o, alpn: ['h2'] });
    facts['tls'] = t.facts;
    if (t.facts.alpn !== 'h2') {
      t.socket.destroy();
      throw new ProbeError('wrong-protocol', `the TLS server did not agree to HTTP/2 (ALPN ${t.facts.alpn ?? 'none'}): gRPC needs h2`, { code: 'ALPN_MISMATCH', facts });
    }
    socket = t.socket;
  }
  const host = check.target.host.includes(':') ? `[${check.target.host}]` : check.target.host;
  const authority = `${o.servername ?? host}:${check.target.port}`;
  const session = h2connect(`${secure ? 'https' : 'http'}://${authority}`, { createConnection: () => socket });
  let settings = false;
  session.on('remoteSettings', () => {
    if (!settings) ctx.phase('handshake');
    settings = true;
  });
  const sessionError = new Promise<never>((_, reject) => {
    session.on('error', reject);
    session.on('close', () => reject(Object.assign(new Error('session closed'), { code: 'ERR_SESSION_CLOSED' })));
    ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
  });
  sessionError.catch(() => undefined);

  const fingerprint = o.expectService;
  const path = o.method ?? (fingerprint ? probeMethod(fingerprint) : '/grpc.health.v1.Health/Check');
  const isHealth = path === '/grpc.health.v1.Health/Check';
  facts['method'] = path;
  let answer: Answer;
  try {
    answer = await Promise.race([call(session, path, authority, isHealth ? healthRequest(o.service ?? '') : Buffer.alloc(0), ctx), sessionError]);
  } catch (e) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const late = tlsFailure(e, { offeredCert: o.cert !== undefined, facts, afterHandshake: true });
    if (late !== e) throw late;
    const code = (e as NodeJS.ErrnoException).code;
    if (!settings) {
      throw new ProbeError('wrong-protocol', secure
        ? `the TLS server closed or broke the HTTP/2 connection before its SETTINGS (${code ?? (e as Error).message}): not a gRPC server`
        : `no HTTP/2 answer to the connection preface (${code ?? (e as Error).message}): not a gRPC server, or a TLS port (try grpcs://)`, { ...(code && { code }), facts, cause: e });
    }
    throw new ProbeError('wrong-protocol', `the HTTP/2 server broke the call: ${(e as Error).message}`, { ...(code && { code }), facts, cause: e });
  } finally {
    session.destroy();
  }

  const h = answer.headers;
  const statusHeader = answer.trailers['grpc-status'] ?? h['grpc-status'];
  const contentType = String(h['content-type'] ?? '');
  facts['httpStatus'] = h[':status'];
  if (h[':status'] === undefined) {
    throw new ProbeError('wrong-protocol', secure ? 'the HTTP/2 stream ended without any response headers' : 'the stream ended without response headers: is this a TLS port? (try grpcs://)', { facts });
  }
  const httpStatus = Number(h[':status']);
  if (statusHeader === undefined && [502, 503, 504].includes(httpStatus)) {
    // A gRPC-aware proxy (nginx grpc_pass, Envoy, a cloud load balancer) whose backend is gone.
    throw new ProbeError('not-serving', `an HTTP/2 proxy answered ${httpStatus} instead of the gRPC service: its backend is down or unreachable from the proxy`, { code: `HTTP_${httpStatus}`, facts });
  }
  if (statusHeader === undefined || !contentType.startsWith('application/grpc')) {
    throw new ProbeError('wrong-protocol', `HTTP/2 but not gRPC: status ${h[':status']}${contentType ? ` ${contentType}` : ''} and no grpc-status (a web server or proxy page)`, { code: `HTTP_${h[':status']}`, facts });
  }
  const grpcStatus = Number(statusHeader);
  const grpcMessage = decodeGrpcMessage(String(answer.trailers['grpc-message'] ?? h['grpc-message'] ?? ''));
  Object.assign(facts, { grpcStatus, grpcMessage });
  const said = `grpc-status ${grpcStatus} ${codeName(grpcStatus)}${grpcMessage ? ` "${grpcMessage}"` : ''}`;
  const ok = (detail: string) => ({ state: 'open' as const, reason: 'ok' as const, detail, facts, timings: { totalMs: 0 } });

  if (fingerprint) {
    const v = judgeFingerprint(fingerprint, grpcStatus, grpcMessage);
    facts['fingerprint'] = v.says;
    if (v.proven) return ok(`gRPC answered: ${v.says}`);
    if (grpcStatus === 14) throw new ProbeError('not-serving', `a gRPC proxy answered that it has no healthy upstream (${said})`, { code: 'GRPC_14', facts });
    throw new ProbeError('wrong-identity', v.says, { code: `GRPC_${grpcStatus}`, facts });
  }
  switch (grpcStatus) {
    case 0: {
      if (!isHealth) return ok(`gRPC answered ${path}: ${said}`);
      const serving = decodeHealthResponse(answer.body);
      facts['servingStatus'] = serving;
      if (serving === 'SERVING') return ok(`gRPC health: SERVING${o.service ? ` (${o.service})` : ''}`);
      throw new ProbeError('not-serving', `gRPC health says ${serving}${o.service ? ` for ${o.service}` : ''}`, { code: `HEALTH_${serving}`, facts });
    }
    case 12:
      return ok(`gRPC server answered (${isHealth ? 'it has no health service' : 'it does not know this method'}: ${said})`);
    case 5:
      throw new ProbeError('not-serving', `the health service does not know the service name "${o.service ?? ''}" (${said})`, { code: 'GRPC_5', facts });
    case 7:
    case 16:
      throw new ProbeError('auth-rejected', `the gRPC server wants authentication (${said})`, { code: `GRPC_${grpcStatus}`, facts });
    case 14:
      throw new ProbeError('not-serving', `a gRPC proxy answered that it has no healthy upstream (${said})`, { code: 'GRPC_14', facts });
    default:
      throw new ProbeError('not-serving', `the gRPC server refused the call: ${said}`, { code: `GRPC_${grpcStatus}`, facts });
  }
};
