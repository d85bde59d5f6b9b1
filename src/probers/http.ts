// http:// and https:// — one HTTP/1.1 request on a socket we dialled ourselves (https: through
// startTls with ALPN http/1.1), so that connect, TLS and the first byte are timed apart and every
// TLS verdict is the shared one. node:http parses the answer; its HPE_* errors mean "not HTTP".
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { RE2JS } from 're2js';
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import { dialTcp } from '../probe/socket.js';
import { describeVerifyError, expiryWarning, startTls, tlsClientOptionShape, tlsFailure, type TlsFacts } from '../probe/tls.js';
import type { Observation, Prober, Reason } from '../types.js';
import { version } from '../version.js';
import { parseWith, tlsSummary } from './tls.js';

const statusSpec = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5][0-9xX]{2}$/, 'expected a status such as 200, or a class such as 2xx'),
]);

export const httpOptions = z.strictObject({
  ...tlsClientOptionShape,
  method: z.string().regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET').optional().describe('HTTP method (default GET)'),
  expectStatus: z.union([statusSpec, z.array(statusSpec).min(1)]).optional()
    .describe('status(es) that count as success: 200, "2xx", [200, 301]; default: any status below 500'),
  // RE2 syntax, matched in linear time: a profile's pattern such as (a+)+$ must not be able to
  // block the event loop (and with it every deadline and SIGTERM), as a backtracking RegExp can.
  bodyMatch: z.string().refine((s) => {
    try {
      RE2JS.compile(s);
      return true;
    } catch {
      return false;
    }
  }, 'expected a valid regular expression (RE2 syntax)').optional()
    .describe('regular expression (RE2 syntax, linear time) the first 64 KiB of the body must match'),
  headers: z.record(z.string(), z.string()).optional().describe('extra request headers, e.g. { Authorization: "Bearer ${token}" }'),
});

/** Bytes of the body read for bodyMatch and for recognising nginx's own error pages. */
const BODY_LIMIT = 64 * 1024;
/** Bytes of a non-HTTP answer kept in the facts. */
const FIRST_BYTES = 64;

/** Bytes as readable text: printable ASCII kept, the rest escaped (`\r`, `\n`, `\x00`). */
export function printable(buf: Buffer): string {
  return buf.toString('latin1').replace(/[^\x20-\x7e]/g, (c) => (c === '\r' ? '\\r' : c === '\n' ? '\\n' : `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`));
}

function statusMatches(status: number, spec: number | string): boolean {
  if (typeof spec === 'number') return status === spec;
  return new RegExp(`^${spec.replace(/[xX]/g, '[0-9]')}$`).test(String(status));
}

/** The reason for a status that is not the one expected. */
function statusReason(status: number): Reason {
  if (status === 401 || status === 403 || status === 407) return 'auth-rejected';
  if (status >= 500) return 'not-serving';
  return 'wrong-protocol';
}

/**
 * nginx answers TLS problems it finds after the handshake in HTTP: its internal statuses 495 (the
 * client certificate does not verify), 496 (none was sent) and 497 (plain HTTP to an HTTPS port)
 * go out as 400 with its own page, or as themselves when an error_page handles them.
 */
function nginxPage(status: number, body: string): { reason: Reason; detail: string } | undefined {
  const page = (text: string) => status === 400 && body.includes(text);
  const said = (text: string) => `HTTP ${status}${status === 400 ? ` "${text}"` : ''}`;
  if (status === 497 || page('The plain HTTP request was sent to HTTPS port')) {
    const why = said('The plain HTTP request was sent to HTTPS port');
    return { reason: 'wrong-protocol', detail: `the port speaks HTTPS, not plain HTTP (${why}): use https://` };
  }
  if (status === 496 || page('No required SSL certificate was sent')) {
    const why = said('No required SSL certificate was sent');
    return {
      reason: 'auth-rejected',
      detail: `the server requires a client certificate (${why}; the TLS handshake completed without one, `
        + 'the refusal came in HTTP); give one with with.cert and with.key',
    };
  }
  if (status === 495 || page('The SSL certificate error')) {
    const why = said('The SSL certificate error');
    return {
      reason: 'auth-rejected',
      detail: `the server rejected our client certificate (${why}): `
        + 'it does not verify against the CA the server trusts for clients, or it has expired',
    };
  }
  return undefined;
}

interface Answer {
  res: IncomingMessage;
  body: string;
}

export const probeHttp: Prober = async (check, ctx) => {
  const opts = parseWith(httpOptions, check);
  const https = check.target.scheme === 'https';
  const name = opts.servername ?? check.target.host;
  const raw = await dialTcp(check.target.port, ctx);
  let socket: Socket = raw;
  let tls: TlsFacts | undefined;
  if (https) {
    try {
      ({ socket, facts: tls } = await startTls(raw, check, ctx, { ...opts, alpn: ['http/1.1'] }));
    } catch (e) {
      // Same verdict as tls://, with the certificate facts where https:// keeps them.
      if (e instanceof ProbeError) {
        const { credentialsGiven, ...tlsFacts } = e.facts;
        throw new ProbeError(e.reason, e.message, {
          ...(e.code !== undefined && { code: e.code }), cause: e.cause, ...(e.state && { state: e.state }),
          facts: { tls: tlsFacts, ...(credentialsGiven === true && { credentialsGiven }) },
        });
      }
      throw e;
    }
  }

  const method = (opts.method ?? 'GET').toUpperCase();
  const path = check.target.path || '/';
  const needBody = (status: number) => method !== 'HEAD' && (opts.bodyMatch !== undefined || status === 400);
  const bodyRe = opts.bodyMatch !== undefined ? RE2JS.compile(opts.bodyMatch) : undefined;
  let first = Buffer.alloc(0);
  const tap = (chunk: Buffer) => {
    if (first.length === 0) ctx.phase('firstByte');
    if (first.length < FIRST_BYTES) first = Buffer.concat([first, chunk]).subarray(0, FIRST_BYTES);
  };
  socket.on('data', tap);

  try {
    const answer = await new Promise<Answer>((resolve, reject) => {
      const onAbort = () => {
        socket.destroy();
        reject(ctx.signal.reason);
      };
      if (ctx.signal.aborted) return onAbort();
      ctx.signal.addEventListener('abort', onAbort, { once: true });
      const done = (err: unknown, a?: Answer) => {
        ctx.signal.removeEventListener('abort', onAbort);
        if (err) reject(err);
        else resolve(a!);
      };
      const req = httpRequest({
        // No agent: the request goes on exactly the socket we dialled (and maybe wrapped in TLS).
        createConnection: () => socket,
        protocol: 'http:',
        host: check.target.host,
        port: check.target.port,
        defaultPort: https ? 443 : 80,
        method,
        path,
        headers: { 'user-agent': `fedprobe/${version}`, accept: '*/*', connection: 'close', ...opts.headers },
      });
      req.on('error', (err) => done(notHttp(err, first, tls, opts.cert !== undefined)));
      req.on('response', (res) => {
        if (!needBody(res.statusCode ?? 0)) return done(undefined, { res, body: '' });
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          if (body.length >= BODY_LIMIT || (bodyRe?.test(body) && res.statusCode !== 400)) done(undefined, { res, body: body.slice(0, BODY_LIMIT) });
        });
        res.on('end', () => done(undefined, { res, body }));
        res.on('error', () => done(undefined, { res, body }));
      });
      req.end();
    });
    return judgeAnswer(answer);
  } finally {
    socket.destroy();
  }

  function judgeAnswer({ res, body }: Answer): Observation {
    const status = res.statusCode ?? 0;
    const server = res.headers['server'];
    const facts: Record<string, unknown> = {
      status, statusText: res.statusMessage ?? '', httpVersion: res.httpVersion,
      ...(server !== undefined && { server }),
      ...(res.headers['location'] !== undefined && { location: res.headers['location'] }),
      ...(tls && { tls }),
      // A client certificate is this row's credential: refused, it is a failure, not a warning.
      ...(tls?.clientCertOffered && { credentialsGiven: true }),
    };
    const line = `HTTP/${res.httpVersion} ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${server ? ` from ${server}` : ''}`;
    const timings = { totalMs: 0 };
    const fail = (reason: Reason, detail: string): never => {
      throw new ProbeError(reason, detail, { code: `HTTP_${status}`, facts, state: 'open' });
    };

    const page = nginxPage(status, body);
    if (page) fail(page.reason, page.detail);
    const specs = opts.expectStatus === undefined ? undefined : Array.isArray(opts.expectStatus) ? opts.expectStatus : [opts.expectStatus];
    const ok = specs ? specs.some((s) => statusMatches(status, s)) : status < 500;
    if (status === 400 && (!specs || !ok) && tls?.clientCertRequested === true) {
      // nginx's error_page for 495/496 replaces its own page (the words above) and still says 400;
      // our GET is too plain to be a bad request for any other reason.
      const asked = `${line} for ${method} ${path} from a server that asked for a client certificate`;
      fail('auth-rejected', tls.clientCertOffered
        ? `${asked}: most likely it refused ours (nginx answers that with 400)`
        : `${asked} and got none: most likely the missing certificate (nginx answers it with 400); `
          + 'give one with with.cert and with.key');
    }
    if (!ok) {
      const wanted = specs ? specs.join(' or ') : 'a status below 500';
      fail(statusReason(status), `${line} for ${method} ${path}, expected ${wanted}`);
    }
    if (bodyRe && !bodyRe.matcher(body).find()) fail('wrong-protocol', `${line}, but the body does not match /${opts.bodyMatch}/`);

    // Asked for a certificate, got none, and answered anyway: ssl_verify_client optional.
    const unasked = tls?.clientCertRequested === true && !tls.clientCertOffered
      ? ' (the server asked for a client certificate; none was offered)' : '';
    const over = tls ? ` over ${tlsSummary(tls)}${unasked}` : '';
    const soon = tls && expiryWarning(tls, opts.minDaysValid);
    if (soon) return { state: 'open', reason: 'expiring', detail: `${line}, but ${soon}`, facts, timings };
    const tolerated = tls?.verifyError ? ` — but ${describeVerifyError(tls.verifyError, tls, name, opts.ca !== undefined)} (ignored: with.insecure)` : '';
    return { state: 'open', reason: 'ok', detail: `${line}${over}${tolerated}`, facts, timings, ...(tls?.verifyError !== undefined && { code: tls.verifyError }) };
  }
};

/** A request that got no HTTP answer: the bytes that came back instead, if any, say what it was. */
function notHttp(err: unknown, first: Buffer, tls: TlsFacts | undefined, offeredCert: boolean): unknown {
  const code = (err as { code?: string }).code;
  const facts = { ...(first.length > 0 && { firstBytes: printable(first) }), ...(tls && { tls }) };
  // A TLS alert later than startTls waited for (a slow mTLS server) is still the TLS verdict.
  if (tls && code?.startsWith('ERR_SSL_')) return tlsFailure(err, { offeredCert, facts, afterHandshake: true });
  if (code?.startsWith('HPE_')) {
    return new ProbeError('wrong-protocol', `the answer is not HTTP: "${printable(first.subarray(0, 40))}"`, { code, cause: err, facts, state: 'open' });
  }
  if (code === 'ECONNRESET' && first.length === 0) {
    // node:http's "socket hang up": closed (or reset) without a byte; an MQTT broker does this.
    return new ProbeError('wrong-protocol', 'the server closed the connection without answering our HTTP request (not an HTTP service?)', { code, cause: err, facts, state: 'open' });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new ProbeError('reset', `the connection broke in the middle of the HTTP answer (${code})`, { code, cause: err, facts, state: 'open' });
  }
  return err;
}
