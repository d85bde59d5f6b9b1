// The one error table: every socket, DNS, TLS and HTTP/2 error code maps to a state and reason
// here, and nowhere else. The raw code is kept in the result too.
import type { ErrorCode } from '../error-code.js';
import { ProbeError } from '../errors.js';
import { errorCode } from '../net/error-kind.js';
import type { Observation, PortState, Reason, Timings } from '../types.js';

export interface Classified {
  state: PortState;
  reason: Reason;
  detail: string;
  code?: ErrorCode;
}

export interface ClassifyContext {
  /** TCP (and TLS) came up before the error: the network path works, the service misbehaved. */
  connected: boolean;
  protocol: 'tcp' | 'udp';
  timeoutMs: number;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME']);

/** What the error table says (the rule in src/messages.ts: sentences in one table beside their code). */
const SAY = {
  nameDoesNotExist: 'the name does not resolve: it does not exist in DNS',
  nameHasNoAddress: 'the name exists but has no address (no A or AAAA record)',
  noUsableAnswer: (code: string) => `the name does not resolve (${code}: no usable answer from DNS)`,
  noAnswerConnected: (ms: number) => `connected, then no answer within ${ms} ms`,
  noAnswer: (ms: number) =>
    `no answer to the connection attempt within ${ms} ms (a firewall dropping packets, or ` +
    `no host at that address)`,
  udpRefused: 'ICMP port unreachable: nothing listens on this UDP port',
  tcpRefused: 'connection refused: the host answered but nothing listens on this port',
  resetAfterAccept: 'the connection was reset after it was accepted',
  resetWhileConnecting: 'the connection was reset while connecting',
  closedWhileWriting: 'the peer closed the connection while we were writing',
  hostUnreachable: 'host unreachable: an ICMP error came back (often a firewall REJECT rule, or no route)',
  netUnreachable: 'network unreachable: no route to that network from here',
  prohibited: 'administratively prohibited: a firewall rejected the packet',
  cannotSend: (code: string | undefined) => `this machine cannot send to that address (${code})`,
  blackhole: 'the route to that address is a blackhole',
  wrongProtocol: (message: string) => `the service does not speak the expected protocol (${message})`,
};

function isTimeout(e: unknown): boolean {
  return e instanceof Error && (e.name === 'TimeoutError' || errorCode(e) === 'ETIMEDOUT');
}

export function classify(error: unknown, ctx: ClassifyContext): Classified {
  // Errors wrapped by another layer (HTTP/2 stream cancel, fetch) carry the real one as cause.
  const inner =
    error instanceof Error && error.cause instanceof Error && !(error instanceof ProbeError) ? error.cause : error;
  if (inner instanceof ProbeError) {
    const state = inner.state ?? (ctx.connected ? 'open' : 'unknown');
    return {
      state,
      reason: inner.reason,
      detail: inner.message,
      ...(inner.code !== undefined && { code: inner.code }),
    };
  }
  const code = errorCode(inner);
  const message = inner instanceof Error ? inner.message : String(inner);
  const withCode = (c: Omit<Classified, 'code'>): Classified => (code ? { ...c, code } : c);

  if (isTimeout(inner)) {
    return ctx.connected
      ? { state: 'open', reason: 'no-response', detail: SAY.noAnswerConnected(ctx.timeoutMs) }
      : {
          state: 'filtered',
          reason: 'timeout',
          detail: SAY.noAnswer(ctx.timeoutMs),
        };
  }
  if (code && DNS_CODES.has(code)) {
    return withCode({
      state: 'unknown',
      reason: 'dns-error',
      // A resolver that did not answer by the deadline is a typed ProbeError (net/resolve.ts), above.
      detail:
        code === 'ENOTFOUND'
          ? SAY.nameDoesNotExist
          : code === 'ENODATA'
            ? SAY.nameHasNoAddress
            : SAY.noUsableAnswer(code),
    });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return withCode({
        state: 'closed',
        reason: 'refused',
        detail: ctx.protocol === 'udp' ? SAY.udpRefused : SAY.tcpRefused,
      });
    case 'ECONNRESET':
      return withCode(
        ctx.connected
          ? { state: 'open', reason: 'reset', detail: SAY.resetAfterAccept }
          : { state: 'closed', reason: 'reset', detail: SAY.resetWhileConnecting },
      );
    case 'EPIPE':
      return withCode({
        state: 'open',
        reason: 'reset',
        detail: SAY.closedWhileWriting,
      });
    case 'EHOSTUNREACH':
      return withCode({
        state: 'filtered',
        reason: 'unreachable',
        detail: SAY.hostUnreachable,
      });
    case 'ENETUNREACH':
      return withCode({
        state: 'filtered',
        reason: 'unreachable',
        detail: SAY.netUnreachable,
      });
    case 'EACCES':
    case 'EPERM':
      return withCode({
        state: 'filtered',
        reason: 'unreachable',
        detail: SAY.prohibited,
      });
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return withCode({
        state: 'unknown',
        reason: 'unreachable',
        detail: SAY.cannotSend(code),
      });
    case 'EINVAL':
      return withCode({ state: 'filtered', reason: 'unreachable', detail: SAY.blackhole });
  }
  if (
    code?.startsWith('ERR_SSL_') ||
    code?.startsWith('ERR_TLS_') ||
    code?.includes('CERT') ||
    code?.startsWith('UNABLE_TO_')
  ) {
    return withCode({ state: 'open', reason: 'tls-error', detail: message });
  }
  if (code?.startsWith('ERR_HTTP2_') || code === 'HPE_INVALID_CONSTANT' || code?.startsWith('HPE_')) {
    return withCode({
      state: 'open',
      reason: 'wrong-protocol',
      detail: SAY.wrongProtocol(message),
    });
  }
  return withCode({ state: ctx.connected ? 'open' : 'unknown', reason: 'error', detail: message });
}

export function observationFromError(error: unknown, ctx: ClassifyContext, timings: Partial<Timings>): Observation {
  const c = classify(error, ctx);
  return { ...c, facts: {}, timings };
}
