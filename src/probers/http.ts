// http:// and https:// — one HTTP/1.1 request on a socket we dialled ourselves (https: through
// startTls with ALPN http/1.1), so that connect, TLS and the first byte are timed apart and every
// TLS verdict is the shared one. node:http parses the answer; its HPE_* errors mean "not HTTP".
import type { IncomingMessage } from 'node:http';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';
import { RE2JS } from 're2js';
import { ProbeError } from '../errors.js';
import { errorCode } from '../net/error-kind.js';
import { dialTcp } from '../net/socket.js';
import { readTlsFiles, startTls, tlsFailure } from '../net/tls.js';
import { tlsSummary, tlsVerdict } from './tls-verdict.js';
import type { HttpFacts, TlsCarrier, TlsFacts } from '../facts.js';
import type { Observation, Prober, Reason } from '../types.js';
import { version } from '../version.js';
import { FIRST_BYTES, firstBytes, printable } from './first-bytes.js';
import { SAY } from './http-text.js';
import type { SchemeOptions } from './options.js';

export { httpOptions } from './options/http.js';

/** Bytes of the body read for bodyMatch and for recognising nginx's own error pages. */
const BODY_LIMIT = 64 * 1024;
export { printable };

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

/** nginx's own error pages: their words are matched in the body and quoted in the detail. */
const NGINX_PAGES = {
  plainHttp: 'The plain HTTP request was sent to HTTPS port',
  noCert: 'No required SSL certificate was sent',
  badCert: 'The SSL certificate error',
};

/**
 * nginx answers TLS problems it finds after the handshake in HTTP: its internal statuses 495 (the
 * client certificate does not verify), 496 (none was sent) and 497 (plain HTTP to an HTTPS port)
 * go out as 400 with its own page, or as themselves when an error_page handles them.
 */
function nginxPage(status: number, body: string): { reason: Reason; detail: string } | undefined {
  const page = (text: string) => status === 400 && body.includes(text);
  const said = (text: string) => `HTTP ${status}${status === 400 ? ` "${text}"` : ''}`;
  if (status === 497 || page(NGINX_PAGES.plainHttp)) {
    return { reason: 'wrong-protocol', detail: SAY.plainToHttps(said(NGINX_PAGES.plainHttp)) };
  }
  if (status === 496 || page(NGINX_PAGES.noCert)) {
    return { reason: 'auth-rejected', detail: SAY.clientCertRequired(said(NGINX_PAGES.noCert)) };
  }
  if (status === 495 || page(NGINX_PAGES.badCert)) {
    return { reason: 'auth-rejected', detail: SAY.clientCertRejected(said(NGINX_PAGES.badCert)) };
  }
  return undefined;
}

interface Answer {
  res: IncomingMessage;
  body: string;
}

export const probeHttp: Prober<HttpFacts, SchemeOptions['http' | 'https']> = async (check, ctx, opts) => {
  const https = check.target.scheme === 'https';
  const files = https ? await readTlsFiles(opts) : undefined;
  const raw = await dialTcp(check.target.port, ctx);
  let socket: Socket = raw;
  let tls: TlsFacts | undefined;
  // startTls() puts the certificate (and a client certificate's credentialsGiven) here.
  const tlsFacts: TlsCarrier = {};
  if (files) {
    ({ socket, facts: tls } = await startTls(
      raw,
      check,
      ctx,
      { ...opts, alpn: ['http/1.1'] },
      { files, facts: tlsFacts },
    ));
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
      req.on('error', (err) => done(notHttp(err, first, tlsFacts, files?.offeredCert ?? false)));
      req.on('response', (res) => {
        if (!needBody(res.statusCode ?? 0)) return done(undefined, { res, body: '' });
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => {
          body += c;
          if (body.length >= BODY_LIMIT || (bodyRe?.test(body) && res.statusCode !== 400))
            done(undefined, { res, body: body.slice(0, BODY_LIMIT) });
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

  function judgeAnswer({ res, body }: Answer): Observation<HttpFacts> {
    const status = res.statusCode ?? 0;
    const server = res.headers.server;
    const facts: HttpFacts = {
      status,
      statusText: res.statusMessage ?? '',
      httpVersion: res.httpVersion,
      ...(server !== undefined && { server }),
      ...(res.headers.location !== undefined && { location: res.headers.location }),
      // A client certificate is this row's credential (credentialsGiven): refused, it is a failure.
      ...tlsFacts,
    };
    const line =
      `HTTP/${res.httpVersion} ` +
      `${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}${server ? ` from ${server}` : ''}`;
    const fail = (reason: Reason, detail: string): never => {
      throw new ProbeError<HttpFacts>(reason, detail, { code: `HTTP_${status}`, facts, state: 'open' });
    };

    const page = nginxPage(status, body);
    if (page) fail(page.reason, page.detail);
    const specs =
      opts.expectStatus === undefined
        ? undefined
        : Array.isArray(opts.expectStatus)
          ? opts.expectStatus
          : [opts.expectStatus];
    const ok = specs ? specs.some((s) => statusMatches(status, s)) : status < 500;
    if (status === 400 && (!specs || !ok) && tls?.clientCertRequested === true) {
      // nginx's error_page for 495/496 replaces its own page (the words above) and still says 400;
      // our GET is too plain to be a bad request for any other reason.
      const asked = SAY.certAsked(line, method, path);
      fail('auth-rejected', tls.clientCertOffered ? SAY.certAskedOursRefused(asked) : SAY.certAskedNoneGiven(asked));
    }
    if (!ok) {
      const wanted = specs ? specs.join(' or ') : SAY.belowFiveHundred;
      fail(statusReason(status), SAY.unexpectedStatus(line, method, path, wanted));
    }
    if (bodyRe && !bodyRe.matcher(body).find()) fail('wrong-protocol', SAY.bodyMismatch(line, opts.bodyMatch));

    const over = tls ? ` over ${tlsSummary(tls)}` : '';
    const obs: Observation<HttpFacts> = { state: 'open', reason: 'ok', detail: `${line}${over}`, facts };
    return tls ? tlsVerdict(obs, tls, check, opts) : obs;
  }
};

/** A request that got no HTTP answer: the bytes that came back instead, if any, say what it was. */
function notHttp(err: unknown, first: Buffer, tlsFacts: TlsCarrier, offeredCert: boolean): unknown {
  const code = errorCode(err);
  const facts: HttpFacts = { ...firstBytes(first), ...tlsFacts };
  // A TLS alert later than startTls waited for (a slow mTLS server) is still the TLS verdict.
  if (tlsFacts.tls && code?.startsWith('ERR_SSL_'))
    return tlsFailure(err, { offeredCert, facts, afterHandshake: true });
  if (code?.startsWith('HPE_')) {
    return new ProbeError<HttpFacts>('wrong-protocol', SAY.notHttp(printable(first.subarray(0, 40))), {
      code,
      cause: err,
      facts,
      state: 'open',
    });
  }
  if (code === 'ECONNRESET' && first.length === 0) {
    // node:http's "socket hang up": closed (or reset) without a byte; an MQTT broker does this.
    return new ProbeError<HttpFacts>('wrong-protocol', SAY.closedUnanswered, {
      code,
      cause: err,
      facts,
      state: 'open',
    });
  }
  if (code === 'ECONNRESET' || code === 'EPIPE') {
    return new ProbeError<HttpFacts>('reset', SAY.brokeMidAnswer(code), {
      code,
      cause: err,
      facts,
      state: 'open',
    });
  }
  return err;
}
