// Shared dial helpers: a TCP connection that honours the check's AbortSignal.
import { Socket, connect as netConnect } from 'node:net';
import type { ProbeContext } from '../types.js';
import { connectViaProxy } from './proxy.js';

/** Connects TCP to ctx.address:port (through ctx.proxy when set), marks the `connect` phase,
 * and rejects on abort. */
export async function dialTcp(port: number, ctx: ProbeContext): Promise<Socket> {
  if (ctx.proxy) {
    const socket = await connectViaProxy(ctx.proxy, ctx.address, port, ctx.signal);
    ctx.phase('connect');
    return socket;
  }
  return dialDirect(port, ctx);
}

function dialDirect(port: number, ctx: ProbeContext): Promise<Socket> {
  return new Promise((resolve, reject) => {
    if (ctx.signal.aborted) return reject(ctx.signal.reason);
    const socket = netConnect({ host: ctx.address, port, noDelay: true });
    const onAbort = () => {
      socket.destroy();
      reject(ctx.signal.reason);
    };
    ctx.signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => {
      ctx.signal.removeEventListener('abort', onAbort);
      socket.removeAllListeners('error');
      ctx.phase('connect');
      resolve(socket);
    });
    socket.once('error', (err) => {
      ctx.signal.removeEventListener('abort', onAbort);
      socket.destroy();
      reject(err);
    });
  });
}

/** Resolves when the signal aborts; used by probers that wait for silence to end. */
export function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
