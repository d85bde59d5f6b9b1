// The shared TLS client step: a handshake over an already-connected TCP socket (so it also works
// inside an HTTP CONNECT tunnel), with our own verdict instead of Node's rejectUnauthorized, so that
// a bad certificate is reported precisely (and can be tolerated with `insecure`) rather than being
// a bare socket error. Used by tls://, https://, mqtts://, mqtt+wss:// and grpcs://; what a
// handshake that worked means for the row is tls-verdict.ts.
import { readFile } from 'node:fs/promises';
import { isIP, type Socket } from 'node:net';
import {
  checkServerIdentity,
  connect as tlsConnect,
  createSecureContext,
  type DetailedPeerCertificate,
  type SecureContext,
  type TLSSocket,
} from 'node:tls';
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import { errorCodeOf, type ErrorCode } from '../error-code.js';
import type { TlsCarrier, TlsFacts } from '../facts.js';
import type { Check, ProbeContext } from '../types.js';
import { deadlinePassed, errorCode } from './error-kind.js';
import { SAY } from './tls-text.js';

/**
 * A PEM file path. Empty means "none", so that a profile can write `cert: "${site_cert}"` with an
 * empty default and a site without that file still loads and probes (without a client certificate).
 */
function pemFile(description: string) {
  return z
    .string()
    .transform((s) => (s === '' ? undefined : s))
    .optional()
    .describe(`${description}; empty: none`);
}

/** Spread into a prober's options: `z.strictObject({ ...tlsClientOptionShape, ... })`. */
export const tlsClientOptionShape = {
  servername: z
    .string()
    .min(1)
    .optional()
    .describe(
      "TLS server name (SNI) and the name the certificate must match; default: the URL's host (an IP address is " +
        'never sent as SNI)',
    ),
  ca: pemFile('PEM file with the CA certificate(s) to trust, instead of the system CA store'),
  cert: pemFile('PEM file with a client certificate, for servers that require mutual TLS'),
  key: pemFile("PEM file with the client certificate's private key (default: the cert file itself)"),
  insecure: z
    .boolean()
    .optional()
    .describe('do not fail on certificate problems; they are still reported in the facts'),
  minDaysValid: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .describe('warn when the server certificate expires in fewer than this many days'),
};

const tlsClientOptions = z.strictObject(tlsClientOptionShape);
export type TlsClientOpts = z.output<typeof tlsClientOptions>;

/** How long to wait after a TLS 1.3 handshake for a late alert (the client-certificate demand). */
const LATE_ALERT_MS = 150;

const DAY_MS = 86_400_000;

const PLAINTEXT_CODES = new Set([
  'ERR_SSL_WRONG_VERSION_NUMBER',
  'ERR_SSL_PACKET_LENGTH_TOO_LONG',
  'ERR_SSL_RECORD_LAYER_FAILURE',
]);
/** Alerts a server sends about *our* client certificate. */
const CLIENT_CERT_ALERTS: Record<string, string> = {
  ERR_SSL_SSLV3_ALERT_BAD_CERTIFICATE: 'bad_certificate',
  ERR_SSL_TLSV1_ALERT_UNKNOWN_CA: 'unknown_ca',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_UNKNOWN: 'certificate_unknown',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_EXPIRED: 'certificate_expired',
  ERR_SSL_SSLV3_ALERT_CERTIFICATE_REVOKED: 'certificate_revoked',
  ERR_SSL_SSLV3_ALERT_UNSUPPORTED_CERTIFICATE: 'unsupported_certificate',
  ERR_SSL_TLSV1_ALERT_ACCESS_DENIED: 'access_denied',
  ERR_SSL_TLSV1_ALERT_DECRYPT_ERROR: 'decrypt_error',
};

async function readPem(what: 'ca' | 'cert' | 'key', file: string): Promise<Buffer> {
  try {
    return await readFile(file);
  } catch (e) {
    const code = errorCode(e);
    const why = code ?? (e as Error).message;
    const message = SAY.unreadablePem(what, file, why);
    throw new ProbeError<TlsCarrier>('error', message, { ...(code && { code }), cause: e });
  }
}

function dn(part: Record<string, string | string[]> | undefined): string | undefined {
  if (!part) return undefined;
  const s = Object.entries(part)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('+') : v}`)
    .join(', ');
  return s || undefined;
}

function certFacts(cert: Partial<DetailedPeerCertificate> | undefined, now = Date.now()): Partial<TlsFacts> {
  if (!cert?.valid_to) return {};
  const notBefore = new Date(cert.valid_from ?? '');
  const notAfter = new Date(cert.valid_to);
  const subject = dn(cert.subject as Record<string, string | string[]> | undefined);
  const issuer = dn(cert.issuer as Record<string, string | string[]> | undefined);
  return {
    ...(subject !== undefined && { subject }),
    ...(issuer !== undefined && { issuer }),
    subjectAltNames: cert.subjectaltname ? cert.subjectaltname.split(/,\s*/) : [],
    ...(!Number.isNaN(notBefore.getTime()) && { notBefore: notBefore.toISOString() }),
    ...(!Number.isNaN(notAfter.getTime()) && {
      notAfter: notAfter.toISOString(),
      daysToExpiry: Math.floor((notAfter.getTime() - now) / DAY_MS),
    }),
  };
}

/** The verification failure in words an operator can act on. */
export function describeVerifyError(code: string, facts: TlsFacts, name: string, caGiven: boolean): string {
  const issuer = facts.issuer ? `"${facts.issuer}"` : 'its issuer';
  const trust = caGiven ? SAY.caFile : SAY.caStore;
  switch (code) {
    case 'CERT_HAS_EXPIRED':
      return SAY.expired(facts.notAfter?.slice(0, 10) ?? '?', -(facts.daysToExpiry ?? 0));
    case 'CERT_NOT_YET_VALID':
      return SAY.notYetValid(facts.notBefore?.slice(0, 10) ?? '?');
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
      return SAY.selfSigned(facts.subject ?? 'no subject', trust);
    case 'SELF_SIGNED_CERT_IN_CHAIN':
      return SAY.selfSignedInChain(trust);
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'UNABLE_TO_GET_ISSUER_CERT':
      return SAY.unknownIssuer(issuer, trust);
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return SAY.wrongName(
        facts.subjectAltNames?.length ? facts.subjectAltNames.join(', ') : (facts.subject ?? 'other names'),
        name,
      );
    case 'CERT_REVOKED':
      return SAY.revoked;
    case 'CERT_SIGNATURE_FAILURE':
    case 'CERT_UNTRUSTED':
    case 'CERT_REJECTED':
      return SAY.untrusted(code);
    default:
      return SAY.doesNotVerify(code);
  }
}

function plaintext(code: ErrorCode | undefined, how: string, cause: unknown, facts: TlsCarrier): ProbeError {
  return new ProbeError<TlsCarrier>('wrong-protocol', SAY.plaintext(how), {
    ...(code && { code }),
    cause,
    facts,
  });
}

/**
 * Maps a TLS failure to its reason: one that ended the handshake, or an alert that arrives later,
 * in the middle of the caller's own exchange (a slow server's certificate_required). Returns
 * errors it does not know unchanged, for classify(). `facts` are the prober's, with the TLS facts
 * (if any yet) in `facts.tls`.
 */
export function tlsFailure(
  err: unknown,
  o: { offeredCert: boolean; alpn?: string[] | undefined; facts?: TlsCarrier; afterHandshake: boolean },
): unknown {
  return handshakeError(err, o.offeredCert, o.alpn, o.facts ?? {}, o.afterHandshake);
}

function handshakeError(
  err: unknown,
  offeredCert: boolean,
  alpn: string[] | undefined,
  facts: TlsCarrier,
  afterHandshake: boolean,
): unknown {
  const code = errorCode(err);
  const tls = facts.tls ?? {};
  const opts = (c = code) => ({ ...(c && { code: c }), cause: err, facts });
  if (code && PLAINTEXT_CODES.has(code)) return plaintext(code, SAY.notTlsRecord, err, facts);
  if (!afterHandshake && (code === 'ECONNRESET' || code === 'EPIPE')) {
    // A plain-text service (MQTT, HTTP) usually just closes on a ClientHello; so does a firewall
    // that filters TLS by name.
    return plaintext(code, SAY.closedOnHello, err, facts);
  }
  // A refused client certificate is an auth rejection; when we offered one, the row's credentials
  // were given and judge() makes it a failure rather than a warning.
  const refused = (message: string) =>
    new ProbeError<TlsCarrier>('auth-rejected', message, {
      ...opts(),
      facts: { ...facts, ...(offeredCert && { credentialsGiven: true }) },
    });
  const giveOne = SAY.giveOne;
  if (code === 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED') {
    return refused(SAY.certificateRequired(giveOne));
  }
  if (code === 'ERR_SSL_SSLV3_ALERT_HANDSHAKE_FAILURE') {
    // Alert 40 means "no agreement" in general; whether the server had asked for a certificate
    // tells a client-certificate refusal apart from no cipher or signature algorithm in common.
    const asked = tls.clientCertRequested;
    if (asked === true) {
      return offeredCert ? refused(SAY.askedRefusedOurs) : refused(SAY.askedEndedWithout(giveOne));
    }
    if (asked === false) {
      return new ProbeError<TlsCarrier>('tls-error', SAY.noCommonAlgorithm, opts());
    }
    return offeredCert
      ? new ProbeError<TlsCarrier>('tls-error', SAY.refusedOursOrCipher, opts())
      : new ProbeError<TlsCarrier>('auth-rejected', SAY.requiresCertOrCipher, opts());
  }
  if (code && code in CLIENT_CERT_ALERTS) {
    return offeredCert
      ? refused(SAY.rejectedOurs(CLIENT_CERT_ALERTS[code]))
      : new ProbeError<TlsCarrier>('tls-error', SAY.endedWithAlert(CLIENT_CERT_ALERTS[code]), opts());
  }
  if (code === 'ERR_SSL_TLSV1_ALERT_NO_APPLICATION_PROTOCOL') {
    return new ProbeError<TlsCarrier>('wrong-protocol', SAY.noAlpnInCommon(alpn?.join(', ') ?? 'none'), opts());
  }
  if (
    code === 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION' ||
    code === 'ERR_SSL_UNSUPPORTED_PROTOCOL' ||
    code === 'ERR_SSL_NO_PROTOCOLS_AVAILABLE'
  ) {
    return new ProbeError<TlsCarrier>('tls-error', SAY.noVersionInCommon, opts());
  }
  if (code === 'ERR_SSL_TLSV1_UNRECOGNIZED_NAME' || code === 'ERR_SSL_TLSV1_ALERT_UNRECOGNIZED_NAME') {
    return new ProbeError<TlsCarrier>('tls-error', SAY.unrecognizedName(tls.servername ?? '(no SNI)'), opts());
  }
  if (code?.startsWith('ERR_SSL_')) {
    const why = (err as { reason?: string }).reason ?? (err as Error).message;
    return new ProbeError<TlsCarrier>('tls-error', SAY.handshakeFailed(why), opts());
  }
  if (afterHandshake && (code === 'ECONNRESET' || code === 'EPIPE')) {
    return new ProbeError<TlsCarrier>('reset', SAY.cutAfterHandshake, opts());
  }
  return err;
}

export interface StartTlsResult {
  socket: TLSSocket;
  facts: TlsFacts;
}

/** The client's keys and trust, read and checked before any byte is sent (see readTlsFiles()). */
export interface TlsFiles {
  context: SecureContext;
  /** with.ca was given: the verdict names that file rather than this machine's CA store. */
  caGiven: boolean;
  /** A client certificate will be offered. */
  offeredCert: boolean;
}

/**
 * Reads with.ca, with.cert and with.key and builds the TLS context from them. Probers call it
 * before they dial: a connection opened first would sit unwatched while the files are read, and
 * a reset in that gap would only surface at the deadline. A missing or unusable file is an
 * `error` that names the option; nothing was sent, so the port's state stays unknown.
 */
export async function readTlsFiles(opts: TlsClientOpts): Promise<TlsFiles> {
  if (opts.key && !opts.cert) throw new ProbeError<TlsCarrier>('error', SAY.keyWithoutCert);
  const [ca, cert, key] = await Promise.all([
    opts.ca ? readPem('ca', opts.ca) : undefined,
    opts.cert ? readPem('cert', opts.cert) : undefined,
    opts.cert ? readPem('key', opts.key ?? opts.cert) : undefined,
  ]);
  try {
    const context = createSecureContext({ ...(ca && { ca }), ...(cert && key && { cert, key }) });
    return { context, caGiven: ca !== undefined, offeredCert: cert !== undefined };
  } catch (e) {
    const code = errorCode(e);
    const which = opts.cert && !opts.key ? SAY.noPrivateKey(opts.cert) : SAY.unusableFiles;
    throw new ProbeError<TlsCarrier>('error', `${which} (${(e as Error).message})`, {
      ...(code && { code }),
      cause: e,
    });
  }
}

export interface StartTlsOptions {
  /** From readTlsFiles(), called before dialling; read here (late) when absent. */
  files?: TlsFiles;
  /**
   * The prober's facts. startTls() records the TLS facts in `facts.tls`, and `credentialsGiven`
   * when a client certificate is offered; its errors carry these facts with the partial TLS facts
   * in `tls`, so a certificate lands in the same place for every scheme, handshake failed or not.
   */
  facts?: TlsCarrier;
}

/**
 * TLS over a connected socket. Throws ProbeError with reason tls-error (verification, unless
 * `insecure`), auth-rejected (client certificate demanded), wrong-protocol (plain text, ALPN
 * refused with alert 120), reset (closed right after a TLS 1.3 handshake), no-response (bytes
 * came but no handshake by the deadline); an ALPN the server ignored or answered differently is
 * left to the caller in `facts.alpn`. Marks the `tls` phase. The verdict on a handshake that
 * worked (expiry, a tolerated certificate problem) is tlsVerdict()'s, after the caller's exchange.
 */
export async function startTls(
  socket: Socket,
  check: Check,
  ctx: ProbeContext,
  opts: TlsClientOpts & { alpn?: string[] | undefined },
  more: StartTlsOptions = {},
): Promise<StartTlsResult> {
  const name = opts.servername ?? check.target.host;
  const sni = isIP(name) ? undefined : name;
  const into = more.facts ?? {};
  let files: TlsFiles;
  try {
    files = more.files ?? (await readTlsFiles(opts));
  } catch (e) {
    socket.destroy();
    throw e;
  }
  const { offeredCert } = files;
  if (offeredCert) into.credentialsGiven = true;
  const base: Partial<TlsFacts> = { ...(sni && { servername: sni }), ...(opts.alpn && { alpnOffered: opts.alpn }) };
  const failed = (tls: Partial<TlsFacts>) => ({ ...into, tls: { ...base, ...tls } });
  // Bytes that came before TLS started (a proxy's CONNECT answer) are not the server's.
  const readBefore = socket.bytesRead;

  const tlsSocket = tlsConnect({
    socket,
    secureContext: files.context,
    ...(sni !== undefined && { servername: sni }),
    ...(opts.alpn && { ALPNProtocols: opts.alpn }),
    // Our own verdict below: a failed check must become a precise reason, not a dead socket.
    rejectUnauthorized: false,
    checkServerIdentity: () => undefined,
  });
  // Errors are taken by the listeners below and then by the caller's; one that arrives between
  // the two (a late alert) must not become an uncaught exception that ends the daemon.
  tlsSocket.on('error', () => {});

  await new Promise<void>((resolve, reject) => {
    const cleanup = () => {
      ctx.signal.removeEventListener('abort', onAbort);
      tlsSocket.off('secureConnect', onSecure);
      tlsSocket.off('error', onError);
      tlsSocket.off('close', onClose);
    };
    const onAbort = () => {
      cleanup();
      const came = socket.bytesRead - readBefore;
      tlsSocket.destroy();
      // A peer that trickles bytes is not silent: say what came (a TLS server sends its whole
      // first flight at once, so a few bytes by the deadline is no TLS server at work).
      if (deadlinePassed(ctx.signal) && came > 0) {
        const message = SAY.trickle(came, ctx.timeoutMs);
        reject(new ProbeError<TlsCarrier>('no-response', message, { state: 'open', facts: failed({}) }));
      } else reject(ctx.signal.reason);
    };
    const onSecure = () => {
      cleanup();
      resolve();
    };
    const onError = (err: Error) => {
      cleanup();
      // Before destroy(): what the server sent before its alert (a CertificateRequest?) says why.
      const asked = certRequested(tlsSocket);
      tlsSocket.destroy();
      const facts = failed({ clientCertRequested: asked, clientCertOffered: offeredCert });
      reject(handshakeError(err, offeredCert, opts.alpn, facts, false));
    };
    const onClose = () => {
      onError(Object.assign(new Error(SAY.closedDuringHandshake), { code: 'ECONNRESET' }));
    };
    if (ctx.signal.aborted) return onAbort();
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    tlsSocket.once('secureConnect', onSecure);
    tlsSocket.once('error', onError);
    tlsSocket.once('close', onClose);
  });
  ctx.phase('tls');

  const peer = tlsSocket.getPeerCertificate(true) as Partial<DetailedPeerCertificate> | undefined;
  const facts: TlsFacts = {
    protocol: tlsSocket.getProtocol(),
    cipher: tlsSocket.getCipher()?.name ?? null,
    alpn: typeof tlsSocket.alpnProtocol === 'string' ? tlsSocket.alpnProtocol : null,
    ...(opts.alpn && { alpnOffered: opts.alpn }),
    ...certFacts(peer),
    authorized: false,
    ...(sni !== undefined && { servername: sni }),
    clientCertRequested: certRequested(tlsSocket),
    clientCertOffered: offeredCert,
  };
  // Node leaves the name check to checkServerIdentity, which we disabled: the chain first, then the name.
  const chainError = tlsSocket.authorizationError as unknown;
  let verifyError: ErrorCode | undefined = chainError
    ? typeof chainError === 'string'
      ? errorCodeOf(chainError)
      : (errorCode(chainError) ?? errorCodeOf(String(chainError)))
    : undefined;
  if (!verifyError) {
    const nameError = peer?.raw
      ? checkServerIdentity(name, peer as DetailedPeerCertificate)
      : new Error('no server certificate');
    if (nameError) verifyError = errorCode(nameError) ?? 'NO_PEER_CERTIFICATE';
  }
  if (verifyError) facts.verifyError = verifyError;
  else facts.authorized = true;
  if (verifyError && !opts.insecure) {
    tlsSocket.destroy();
    const message = describeVerifyError(verifyError, facts, name, files.caGiven);
    throw new ProbeError<TlsCarrier>('tls-error', message, { code: verifyError, facts: failed(facts) });
  }

  // TLS 1.3 finishes the client's side of the handshake before the server has read our (maybe
  // empty) client certificate, so a server that requires one says so only now, with alert 116.
  if (facts.protocol === 'TLSv1.3') {
    let closed: boolean;
    try {
      closed = await lateAlert(tlsSocket, ctx.signal, LATE_ALERT_MS);
    } catch (err) {
      tlsSocket.destroy();
      throw handshakeError(err, offeredCert, opts.alpn, failed(facts), true);
    }
    if (closed) {
      tlsSocket.destroy();
      throw closedAfterHandshake(facts, offeredCert, failed(facts));
    }
  }
  into.tls = facts;
  return { socket: tlsSocket, facts };
}

/**
 * nginx checks client certificates after the handshake and just closes (stream) or answers
 * HTTP 400 (http); a TLS-terminating proxy whose backend is down closes too.
 */
function closedAfterHandshake(tls: TlsFacts, offeredCert: boolean, facts: TlsCarrier): ProbeError {
  const eof = { code: 'EOF_AFTER_HANDSHAKE' as const, state: 'open' as const, facts };
  const closedWhy = SAY.closedAfterHandshake;
  if (tls.clientCertRequested === true) {
    const why = offeredCert ? SAY.askedRefusedOursLikely : SAY.askedNoneOffered;
    return new ProbeError<TlsCarrier>('auth-rejected', closedWhy(why), eof);
  }
  const proxy = SAY.proxyNoBackend;
  const why =
    tls.clientCertRequested === false
      ? SAY.notAskedSoProxy(proxy)
      : offeredCert
        ? SAY.mayHaveRejectedOurs(proxy)
        : SAY.mayRequireCert(proxy);
  return new ProbeError<TlsCarrier>('reset', closedWhy(why), eof);
}

/**
 * Did the server send a CertificateRequest? OpenSSL fills a client's list of shared signature
 * algorithms in one place only: while it processes the server's CertificateRequest
 * (ssl/statem/statem_clnt.c, tls_process_cert_req → tls1_process_sigalgs), for TLS 1.2 and 1.3
 * alike, and Node hands that list out as getSharedSigalgs(). So the list is non-empty exactly when
 * the server asked, even in TLS 1.3, where the request travels encrypted. (A request whose
 * algorithms share none with ours would read as false; OpenSSL then cannot sign with any key.)
 */
function certRequested(socket: TLSSocket): boolean | 'unknown' {
  try {
    return socket.getSharedSigalgs().length > 0;
  } catch {
    return 'unknown';
  }
}

/**
 * Waits up to `ms` for an alert. Resolves false when the time passes or data arrives (the server
 * talks, so it accepted us), true when the server closed without a word; rejects on an error.
 * Buffered data stays in the socket for the caller.
 */
function lateAlert(socket: TLSSocket, signal: AbortSignal, ms: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const finish = (err: unknown, closed = false) => {
      clearTimeout(timer);
      socket.off('readable', onReadable);
      socket.off('error', onError);
      socket.off('close', onClose);
      signal.removeEventListener('abort', onAbort);
      if (err) reject(err);
      else resolve(closed);
    };
    // 'readable' fires for data and for EOF alike; an empty buffer means EOF.
    const onReadable = () => finish(undefined, socket.readableLength === 0);
    const onError = (err: Error) => finish(err);
    const onClose = () => finish(undefined, true);
    const onAbort = () => finish(signal.reason);
    const timer = setTimeout(() => finish(undefined), ms);
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    socket.on('readable', onReadable);
    socket.once('error', onError);
    socket.once('close', onClose);
  });
}
