// Shared dial helpers: a TCP connection that honours the check's AbortSignal for its whole life,
// and deadlines that garbage collection cannot lose.
import { createSocket } from 'node:dgram';
import { type Socket, isIP, connect as netConnect } from 'node:net';
import type { AttemptState, Family, LocalSource, ProbeContext, ProxySpec } from '../types.js';
import { type AttemptOf, attemptState } from './attempt-state.js';
import { connectViaProxy } from './proxy.js';

/**
 * Connects TCP to ctx.address:port (through ctx.proxy when set), marks the `connect` phase, and
 * rejects on abort. The socket stays tied to the attempt until it closes: when the row's deadline
 * (or shutdown) fires, it is destroyed even if the prober forgot it, so an abandoned probe never
 * keeps a file descriptor.
 */
export function dialTcp(port: number, ctx: ProbeContext): Promise<Socket> {
  return ctx.proxy ? dialProxied(ctx.proxy, port, ctx) : dialDirect(port, ctx);
}

async function dialProxied(proxy: ProxySpec, port: number, ctx: ProbeContext): Promise<Socket> {
  const state = attemptState(ctx);
  const socket = await connectViaProxy(proxy, ctx.address, port, ctx.signal);
  ctx.phase('connect');
  // Through a proxy this machine's packets go to the proxy: that hop is the opening to request.
  recordSocketSource(state, socket, 'proxy');
  tieToAttempt(socket, state);
  return socket;
}

function tieToAttempt(socket: Socket, state: AttemptState): void {
  // A socket with no 'error' listener turns a reset into an uncaught exception that ends the
  // process (the daemon). Probers may await other work (reading PEM files for TLS) before they
  // attach their own listeners: this one bridges that gap, and keeps the error for the runner.
  socket.on('error', (err) => {
    state.socketError ??= err;
    socket.destroy();
  });
  if (state.aborted) {
    socket.destroy();
    return;
  }
  socket.once(
    'close',
    state.onAbort(() => socket.destroy()),
  );
}

/**
 * A direct connection, tied to the attempt from the start (what tieToAttempt does for a proxied
 * one): one abort hook and one error listener for the socket's whole life rather than a pair for
 * the connect and another pair after it, since every row of a 10,000-row run dials one.
 */
function dialDirect(port: number, ctx: ProbeContext): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const state = attemptState(ctx);
    if (state.aborted) return reject(state.reason);
    const socket = netConnect({ host: ctx.address, port, noDelay: true });
    let connected = false;
    const unwatch = state.onAbort(() => {
      // A SYN left unanswered was still sent from an address: the one a DROP rule sees.
      if (!connected) recordSocketSource(state, socket, 'socket');
      socket.destroy();
      reject(state.reason);
    });
    socket.once('close', unwatch);
    // Once connected, an error is kept for the runner (see tieToAttempt); before, it is the dial's.
    socket.on('error', (err) => {
      if (!connected) reject(err);
      else state.socketError ??= err;
      socket.destroy();
    });
    socket.once('connect', () => {
      connected = true;
      recordSocketSource(state, socket, 'socket');
      ctx.phase('connect');
      resolve(socket);
    });
  });
}

/** Records a source for the attempt; the first one wins (a retry is an attempt of its own). */
function recordSource(state: AttemptState, source: LocalSource): void {
  state.source ??= source;
}

function familyOf(address: string): Family | undefined {
  const f = isIP(address);
  return f === 4 || f === 6 ? f : undefined;
}

/** Records a TCP socket's own side, when the kernel has bound it (connected, or connecting). */
function recordSocketSource(state: AttemptState, socket: Socket, kind: LocalSource['kind']): void {
  const address = socket.localAddress;
  const family = address ? familyOf(address) : undefined;
  if (!address || !family) return;
  const port = socket.localPort;
  recordSource(state, port !== undefined ? { address, port, family, kind } : { address, family, kind });
}

/** Records a connected UDP socket's own side (`socket.address()` after connect()). */
export function recordUdpSource(state: AttemptState, info: { address: string; port: number }): void {
  const family = familyOf(info.address);
  if (family) recordSource(state, { address: info.address, port: info.port, family, kind: 'socket' });
}

/**
 * The source address the kernel would pick to reach `address`, found without sending anything:
 * connect() on a UDP socket only looks up the route and binds the local side; no packet leaves
 * until send(). Undefined when there is no route (ENETUNREACH) or `address` is not an IP address.
 */
export async function routeSource(address: string, port: number): Promise<LocalSource | undefined> {
  const now = Date.now();
  let entry = routeCache.get(address);
  if (!entry || now - entry.at > ROUTE_CACHE_MS) {
    routeCache.delete(address);
    if (routeCache.size >= ROUTE_CACHE_MAX) routeCache.delete(routeCache.keys().next().value!);
    entry = { at: now, source: lookUpRoute(address, port) };
    routeCache.set(address, entry);
  }
  const source = await entry.source;
  return source && { ...source };
}

/**
 * Route lookups by destination address. A refused row never connected, so without this each one
 * opens a UDP socket of its own (10,000 rows to one host: 10,000 sockets for one answer). Concurrent
 * rows share the pending lookup. Kept for a few seconds, about one run, so a daemon still sees a route
 * that changes between runs; bounded, oldest first out.
 */
const ROUTE_CACHE_MS = 5_000;
const ROUTE_CACHE_MAX = 1024;
const routeCache = new Map<string, { at: number; source: Promise<LocalSource | undefined> }>();

async function lookUpRoute(address: string, port: number): Promise<LocalSource | undefined> {
  const family = familyOf(address);
  if (!family) return undefined;
  const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
  try {
    return await new Promise<LocalSource | undefined>((resolve) => {
      socket.once('error', () => resolve(undefined));
      socket.connect(port, address, () => {
        const local = socket.address();
        const f = familyOf(local.address);
        // Some kernels (gVisor) connect without a route and leave the wildcard: no source known.
        const unspecified = local.address === '0.0.0.0' || local.address === '::';
        resolve(f && !unspecified ? { address: local.address, family: f, kind: 'route' } : undefined);
      });
    });
  } finally {
    socket.close();
  }
}

/**
 * Where one attempt's traffic came from: what its socket recorded, else (refused before we could
 * read it, a prober that never dialled) the route's source towards the address or, through a
 * proxy, towards the proxy (kind proxy).
 */
export async function sourceFor(
  of: AttemptOf,
  address: string,
  port: number,
  proxy?: ProxySpec,
): Promise<LocalSource | undefined> {
  const recorded = attemptState(of).source;
  if (recorded) return recorded;
  if (proxy) {
    const hop = await routeSource(proxy.host, proxy.port);
    return hop && { ...hop, kind: 'proxy' };
  }
  return routeSource(address, port);
}

/** Resolves when the signal aborts; used by probers that wait for silence to end. */
export function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export interface HeldDeadline {
  /** Aborts with a TimeoutError when the time is up, or with the parent's reason. */
  signal: AbortSignal;
  /** Stops the timer and lets go of the parent; call it once the guarded work has settled. */
  dispose(): void;
}

/**
 * A deadline that is held strongly. `AbortSignal.timeout()` joined through `AbortSignal.any()` is
 * only weakly referenced on Node 20: a garbage collection can drop it, and then it never fires and
 * a probe waits forever. Here a plain, referenced timer owns the controller until dispose().
 */
export function holdDeadline(ms: number, parent?: AbortSignal, message = `deadline of ${ms} ms reached`): HeldDeadline {
  const controller = new AbortController();
  const onParent = () => controller.abort(parent!.reason);
  const timer = setTimeout(() => controller.abort(new DOMException(message, 'TimeoutError')), ms);
  if (parent?.aborted) onParent();
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      parent?.removeEventListener('abort', onParent);
    },
  };
}

/**
 * Rejects `graceMs` after the signal aborts, with the signal's reason: raced against work that
 * should have stopped at the abort, it ends the wait even when that work ignores its signal.
 * The grace timer is referenced (it must fire) and cleared by the returned cancel().
 */
export function afterAbort(signal: AbortSignal, graceMs: number): { promise: Promise<never>; cancel(): void } {
  let timer: NodeJS.Timeout | undefined;
  let onAbort: (() => void) | undefined;
  const promise = new Promise<never>((_, reject) => {
    onAbort = () => {
      timer = setTimeout(() => reject(signal.reason), graceMs);
    };
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  return {
    promise,
    cancel() {
      clearTimeout(timer);
      if (onAbort) signal.removeEventListener('abort', onAbort);
    },
  };
}
