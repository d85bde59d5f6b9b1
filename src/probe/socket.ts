// Shared dial helpers: a TCP connection that honours the check's AbortSignal for its whole life,
// and deadlines that garbage collection cannot lose.
import { Socket, connect as netConnect } from 'node:net';
import type { ProbeContext } from '../types.js';
import { connectViaProxy } from './proxy.js';

/**
 * Connects TCP to ctx.address:port (through ctx.proxy when set), marks the `connect` phase, and
 * rejects on abort. The socket stays tied to ctx.signal until it closes: when the row's deadline
 * (or shutdown) fires, it is destroyed even if the prober forgot it, so an abandoned probe never
 * keeps a file descriptor.
 */
export async function dialTcp(port: number, ctx: ProbeContext): Promise<Socket> {
  const socket = ctx.proxy
    ? await connectViaProxy(ctx.proxy, ctx.address, port, ctx.signal)
    : await dialDirect(port, ctx);
  if (ctx.proxy) ctx.phase('connect');
  tieToSignal(socket, ctx.signal);
  return socket;
}

/** The first error of any socket dialled under a row attempt's signal (see socketError()). */
const firstErrors = new WeakMap<AbortSignal, Error>();

/**
 * The first error a socket dialled under `signal` met, if any. A prober that attached its own
 * listeners only after that error (it was reading PEM files) never hears of it and waits out its
 * deadline; the runner then reports this error instead of "no answer", because it is what the
 * wire said.
 */
export function socketError(signal: AbortSignal): Error | undefined {
  return firstErrors.get(signal);
}

function tieToSignal(socket: Socket, signal: AbortSignal): void {
  // A socket with no 'error' listener turns a reset into an uncaught exception that ends the
  // process (the daemon). Probers may await other work (reading PEM files for TLS) before they
  // attach their own listeners: this one bridges that gap, and keeps the error for the runner.
  socket.on('error', (err) => {
    if (!firstErrors.has(signal)) firstErrors.set(signal, err);
    socket.destroy();
  });
  if (signal.aborted) {
    socket.destroy();
    return;
  }
  const onAbort = () => socket.destroy();
  signal.addEventListener('abort', onAbort, { once: true });
  socket.once('close', () => signal.removeEventListener('abort', onAbort));
}

function dialDirect(port: number, ctx: ProbeContext): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(ctx.signal.reason);
    const socket = netConnect({ host: ctx.address, port, noDelay: true });
    const onAbort = () => {
      socket.destroy();
      reject(ctx.signal.reason);
    };
    const onError = (err: Error) => {
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      ctx.signal.removeEventListener('abort', onAbort);
      socket.off('error', onError);
      ctx.phase('connect');
      resolve(socket);
    });
    socket.once('error', onError);
  });
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
export function holdDeadline(ms: number, parent?: AbortSignal, message = `deadline of ${ms} ms reached`):
  HeldDeadline {
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
