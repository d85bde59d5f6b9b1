// The one error table: every socket, DNS, TLS and HTTP/2 error code maps to a state and reason
// here, and nowhere else. The raw code is kept in the result too.
import { ProbeError } from '../errors.js';
import type { Observation, PortState, Reason } from '../types.js';

export interface Classified {
  state: PortState;
  reason: Reason;
  detail: string;
  code?: string;
}

export interface ClassifyContext {
  /** TCP (and TLS) came up before the error: the network path works, the service misbehaved. */
  connected: boolean;
  protocol: 'tcp' | 'udp';
  timeoutMs: number;
}

const DNS_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME']);

function errorCode(e: unknown): string | undefined {
  if (e && typeof e === 'object' && 'code' in e && typeof (e as { code: unknown }).code === 'string')
    return (e as { code: string }).code;
  return undefined;
}

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
      ? { state: 'open', reason: 'no-response', detail: `connected, then no answer within ${ctx.timeoutMs} ms` }
      : {
          state: 'filtered',
          reason: 'timeout',
          detail:
            `no answer to the connection attempt within ${ctx.timeoutMs} ms (a firewall dropping packets, or ` +
            `no host at that address)`,
        };
  }
  if (code && DNS_CODES.has(code)) {
    return withCode({
      state: 'unknown',
      reason: 'dns-error',
      detail: message.startsWith('no DNS answer')
        ? `${message} (the resolver did not answer)`
        : code === 'ENOTFOUND'
          ? 'the name does not resolve: it does not exist in DNS'
          : `the name does not resolve (${code}: no usable answer from DNS)`,
    });
  }
  switch (code) {
    case 'ECONNREFUSED':
      return withCode({
        state: 'closed',
        reason: 'refused',
        detail:
          ctx.protocol === 'udp'
            ? 'ICMP port unreachable: nothing listens on this UDP port'
            : 'connection refused: the host answered but nothing listens on this port',
      });
    case 'ECONNRESET':
      return withCode(
        ctx.connected
          ? { state: 'open', reason: 'reset', detail: 'the connection was reset after it was accepted' }
          : { state: 'closed', reason: 'reset', detail: 'the connection was reset while connecting' },
      );
    case 'EPIPE':
      return withCode({
        state: 'open',
        reason: 'reset',
        detail: 'the peer closed the connection while we were writing',
      });
    case 'EHOSTUNREACH':
      return withCode({
        state: 'filtered',
        reason: 'unreachable',
        detail: 'host unreachable: an ICMP error came back (often a firewall REJECT rule, or no route)',
      });
    case 'ENETUNREACH':
      return withCode({
        state: 'filtered',
        reason: 'unreachable',
        detail: 'network unreachable: no route to that network from here',
      });
    case 'EACCES':
    case 'EPERM':
      return withCode({
        state: 'filtered',
        reason: 'unreachable',
        detail: 'administratively prohibited: a firewall rejected the packet',
      });
    case 'EADDRNOTAVAIL':
    case 'EAFNOSUPPORT':
      return withCode({
        state: 'unknown',
        reason: 'unreachable',
        detail: `this machine cannot send to that address (${code})`,
      });
    case 'EINVAL':
      return withCode({ state: 'filtered', reason: 'unreachable', detail: 'the route to that address is a blackhole' });
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
      detail: `the service does not speak the expected protocol (${message})`,
    });
  }
  return withCode({ state: ctx.connected ? 'open' : 'unknown', reason: 'error', detail: message });
}

export function observationFromError(
  error: unknown,
  ctx: ClassifyContext,
  timings: Observation['timings'],
): Observation {
  const c = classify(error, ctx);
  return { ...c, facts: {}, timings };
}
