// classify(): the one table from an error (socket, DNS, TLS, HTTP/2, a prober's own ProbeError) to
// a port state and reason. Every branch, with the raw code kept.
import { describe, expect, it } from 'vitest';
import { errorCodeOf } from '../../src/error-code.js';
import { ProbeError } from '../../src/errors.js';
import { classify, observationFromError, type ClassifyContext } from '../../src/probe/classify.js';

const tcp: ClassifyContext = { connected: false, protocol: 'tcp', timeoutMs: 1234 };
const tcpConnected: ClassifyContext = { ...tcp, connected: true };
const udp: ClassifyContext = { connected: false, protocol: 'udp', timeoutMs: 800 };

/** An error as Node's net/dgram/dns modules make them: an Error with a string `code`. */
const sysError = (code: string, message = `connect ${code} 10.77.1.2:7001`) =>
  Object.assign(new Error(message), { code });

describe('timeouts', () => {
  const deadline = () => AbortSignal.timeout(0);
  async function timeoutReason(): Promise<unknown> {
    const s = deadline();
    await new Promise((r) => setTimeout(r, 5));
    return s.reason;
  }

  it('the deadline (AbortSignal.timeout, a DOMException TimeoutError) before connect: filtered, timeout', async () => {
    const reason = await timeoutReason();
    expect((reason as Error).name).toBe('TimeoutError');
    expect(classify(reason, tcp)).toEqual({
      state: 'filtered',
      reason: 'timeout',
      detail:
        'no answer to the connection attempt within 1234 ms (a firewall dropping packets, or no host at that address)',
    });
  });

  it('the deadline after connect: open, no-response (the network works, the service is silent)', async () => {
    expect(classify(await timeoutReason(), tcpConnected)).toEqual({
      state: 'open',
      reason: 'no-response',
      detail: 'connected, then no answer within 1234 ms',
    });
  });

  it('ETIMEDOUT (the kernel gave up) counts as a timeout too, and no code is kept', () => {
    const c = classify(sysError('ETIMEDOUT'), tcp);
    expect(c).toMatchObject({ state: 'filtered', reason: 'timeout' });
    expect(c.code).toBeUndefined();
    expect(classify(sysError('ETIMEDOUT'), tcpConnected)).toMatchObject({ state: 'open', reason: 'no-response' });
  });

  it('any Error named TimeoutError', () => {
    const e = new Error('slow');
    e.name = 'TimeoutError';
    expect(classify(e, tcp)).toMatchObject({ state: 'filtered', reason: 'timeout' });
  });

  it('an AbortError (shutdown, not the deadline) is not a timeout', () => {
    const c = new AbortController();
    c.abort();
    expect(classify(c.signal.reason, tcp)).toMatchObject({ state: 'unknown', reason: 'error' });
  });
});

describe('DNS', () => {
  it.each(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA', 'ESERVFAIL', 'ENONAME'])(
    '%s: unknown, dns-error, code kept',
    (code) => {
      expect(classify(sysError(code, `getaddrinfo ${code} nowhere.invalid`), tcp)).toEqual({
        state: 'unknown',
        reason: 'dns-error',
        detail:
          code === 'ENOTFOUND'
            ? 'the name does not resolve: it does not exist in DNS'
            : code === 'ENODATA'
              ? 'the name exists but has no address (no A or AAAA record)'
              : `the name does not resolve (${code}: no usable answer from DNS)`,
        code,
      });
    },
  );
});

describe('socket errors', () => {
  it('ECONNREFUSED over TCP: closed, refused (a RST)', () => {
    expect(classify(sysError('ECONNREFUSED'), tcp)).toEqual({
      state: 'closed',
      reason: 'refused',
      code: 'ECONNREFUSED',
      detail: 'connection refused: the host answered but nothing listens on this port',
    });
  });

  it('ECONNREFUSED over UDP: closed, refused (ICMP port unreachable)', () => {
    expect(classify(sysError('ECONNREFUSED', 'recvmsg ECONNREFUSED'), udp)).toEqual({
      state: 'closed',
      reason: 'refused',
      code: 'ECONNREFUSED',
      detail: 'ICMP port unreachable: nothing listens on this UDP port',
    });
  });

  it('ECONNRESET while connecting: closed, reset; after connect: open, reset', () => {
    expect(classify(sysError('ECONNRESET'), tcp)).toMatchObject({
      state: 'closed',
      reason: 'reset',
      code: 'ECONNRESET',
    });
    expect(classify(sysError('ECONNRESET'), tcpConnected)).toMatchObject({
      state: 'open',
      reason: 'reset',
      code: 'ECONNRESET',
      detail: 'the connection was reset after it was accepted',
    });
  });

  it('EPIPE: open, reset', () => {
    expect(classify(sysError('EPIPE'), tcpConnected)).toMatchObject({ state: 'open', reason: 'reset', code: 'EPIPE' });
  });

  it.each([
    ['EHOSTUNREACH', /^host unreachable/],
    ['ENETUNREACH', /^network unreachable/],
    ['EACCES', /^administratively prohibited/],
    ['EPERM', /^administratively prohibited/],
    ['EINVAL', /blackhole/],
  ])('%s: filtered, unreachable', (code, detail) => {
    const c = classify(sysError(code), tcp);
    expect(c).toMatchObject({ state: 'filtered', reason: 'unreachable', code });
    expect(c.detail).toMatch(detail);
    // The same for a UDP socket's ICMP error.
    expect(classify(sysError(code, `recvmsg ${code}`), udp)).toMatchObject({
      state: 'filtered',
      reason: 'unreachable',
      code,
    });
  });

  it.each(['EADDRNOTAVAIL', 'EAFNOSUPPORT'])('%s (this machine cannot send there): unknown, unreachable', (code) => {
    expect(classify(sysError(code), tcp)).toEqual({
      state: 'unknown',
      reason: 'unreachable',
      code,
      detail: `this machine cannot send to that address (${code})`,
    });
  });
});

describe('TLS and HTTP', () => {
  it.each([
    'ERR_SSL_WRONG_VERSION_NUMBER',
    'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    'ERR_TLS_CERT_ALTNAME_INVALID',
    'CERT_HAS_EXPIRED',
    'DEPTH_ZERO_SELF_SIGNED_CERT',
  ])('%s: open, tls-error, the message as detail', (code) => {
    expect(classify(sysError(code, `tls said ${code}`), tcpConnected)).toEqual({
      state: 'open',
      reason: 'tls-error',
      detail: `tls said ${code}`,
      code,
    });
  });

  it.each(['ERR_HTTP2_STREAM_CANCEL', 'ERR_HTTP2_ERROR', 'HPE_INVALID_CONSTANT', 'HPE_INVALID_VERSION'])(
    '%s: open, wrong-protocol',
    (code) => {
      const c = classify(sysError(code, 'Parse Error'), tcpConnected);
      expect(c).toEqual({
        state: 'open',
        reason: 'wrong-protocol',
        code,
        detail: 'the service does not speak the expected protocol (Parse Error)',
      });
    },
  );
});

describe('wrapped errors and ProbeError', () => {
  it('an error with a cause (an HTTP/2 cancel, fetch) is classified by its cause', () => {
    const wrapped = new Error('stream cancelled', { cause: sysError('ECONNREFUSED') });
    expect(classify(wrapped, tcp)).toMatchObject({ state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
  });

  it("a ProbeError is the prober's own verdict: its reason, message and code", () => {
    const e = new ProbeError('wrong-protocol', 'not an MQTT broker', { code: errorCodeOf('NO_CONNACK') });
    expect(classify(e, tcpConnected)).toEqual({
      state: 'open',
      reason: 'wrong-protocol',
      detail: 'not an MQTT broker',
      code: 'NO_CONNACK',
    });
  });

  it('a ProbeError without a state: open once connected, unknown before', () => {
    const e = new ProbeError('auth-rejected', 'bad user name or password');
    expect(classify(e, tcpConnected)).toEqual({
      state: 'open',
      reason: 'auth-rejected',
      detail: 'bad user name or password',
    });
    expect(classify(e, tcp)).toEqual({
      state: 'unknown',
      reason: 'auth-rejected',
      detail: 'bad user name or password',
    });
  });

  it('a ProbeError with a state keeps it', () => {
    expect(classify(new ProbeError('proxy-error', 'proxy said 403', { state: 'filtered' }), tcp)).toMatchObject({
      state: 'filtered',
      reason: 'proxy-error',
    });
  });

  it('a ProbeError with a cause is not unwrapped: its own reason wins', () => {
    const e = new ProbeError('tls-error', 'handshake failed', { cause: sysError('ECONNRESET'), code: 'ECONNRESET' });
    expect(classify(e, tcpConnected)).toMatchObject({
      state: 'open',
      reason: 'tls-error',
      detail: 'handshake failed',
      code: 'ECONNRESET',
    });
  });

  it('a ProbeError as the cause of another error is used', () => {
    const e = new Error('outer', { cause: new ProbeError('not-serving', 'grpc health NOT_SERVING') });
    expect(classify(e, tcpConnected)).toEqual({
      state: 'open',
      reason: 'not-serving',
      detail: 'grpc health NOT_SERVING',
    });
  });
});

describe('everything else', () => {
  it('an unknown code: error, open if connected else unknown, code kept', () => {
    expect(classify(sysError('EWHATEVER', 'odd'), tcpConnected)).toEqual({
      state: 'open',
      reason: 'error',
      detail: 'odd',
      code: 'EWHATEVER',
    });
    expect(classify(sysError('EWHATEVER', 'odd'), tcp)).toEqual({
      state: 'unknown',
      reason: 'error',
      detail: 'odd',
      code: 'EWHATEVER',
    });
  });

  it('an Error without a code, and a thrown non-Error', () => {
    expect(classify(new Error('boom'), tcp)).toEqual({ state: 'unknown', reason: 'error', detail: 'boom' });
    expect(classify('a string', tcpConnected)).toEqual({ state: 'open', reason: 'error', detail: 'a string' });
    expect(classify(undefined, tcp)).toEqual({ state: 'unknown', reason: 'error', detail: 'undefined' });
  });

  it('a numeric code (a DOMException) is not a code', () => {
    const e = Object.assign(new Error('numeric'), { code: 20 });
    expect(classify(e, tcp)).toEqual({ state: 'unknown', reason: 'error', detail: 'numeric' });
  });

  it('observationFromError: the classification plus empty facts and the given timings', () => {
    expect(observationFromError(sysError('ECONNREFUSED'), tcp, { totalMs: 3 })).toEqual({
      state: 'closed',
      reason: 'refused',
      code: 'ECONNREFUSED',
      detail: 'connection refused: the host answered but nothing listens on this port',
      facts: {},
      timings: { totalMs: 3 },
    });
  });
});
