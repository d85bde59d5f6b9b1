// The one UDP dial: a *connected* datagram socket, because only a connected socket is told about
// the ICMP port-unreachable (ECONNREFUSED) and admin-prohibited errors that tell "closed" and
// "filtered" apart from silence. Used by udp://, wireguard:// and discv4://.
import type { Socket } from 'node:dgram';
import DgramAsPromised from 'dgram-as-promised';
import { isIP } from 'node:net';
import type { ProbeContext } from '../types.js';
import { attemptState } from './attempt-state.js';
import { recordUdpSource } from './socket.js';

export interface UdpLink {
  /** The node:dgram socket, connected to the target. */
  socket: Socket;
  /** Our side of the exchange, as the kernel picked it. */
  local(): { address: string; port: number };
  send(b: Buffer): Promise<void>;
  /**
   * The next datagram (queued ones first); one caller at a time. Rejects with an ICMP error
   * (ECONNREFUSED, EHOSTUNREACH ...) or with the signal's reason.
   */
  next(): Promise<Buffer>;
  /** The same, or undefined when `withinMs` passes first. */
  next(withinMs: number): Promise<Buffer | undefined>;
  /** Idempotent; also done when the signal aborts, so an abandoned probe keeps no descriptor. */
  close(): void;
}

interface Waiter {
  resolve(b: Buffer | undefined): void;
  reject(e: unknown): void;
}

/** Connects a fresh UDP socket to ctx.address:port, in the address's own family. */
export function dialUdp(port: number, ctx: ProbeContext): Promise<UdpLink> {
  // The address decides (the runner resolved it); ctx.family is the runner's word for the same.
  const family = isIP(ctx.address) === 6 || ctx.family === 6 ? 'udp6' : 'udp4';
  // dgram-as-promised owns the socket's life (create, and close as a promise that settles on the
  // 'close' event); the raw node:dgram socket underneath is connect()ed, which its send() cannot do.
  const state = attemptState(ctx);
  const wrapper = DgramAsPromised.createSocket(family);
  const socket = wrapper.socket;
  const queue: Buffer[] = [];
  let waiter: Waiter | undefined;
  let failure: { error: unknown } | undefined;
  let closed = false;
  let unwatch: (() => void) | undefined;

  const settle = (f: (w: Waiter) => void) => {
    const w = waiter;
    waiter = undefined;
    if (w) f(w);
  };
  const close = () => {
    if (closed) return;
    closed = true;
    unwatch?.();
    // Rejects when never bound, or already closed by node:dgram after an error: nothing to do then.
    wrapper.close().catch(() => undefined);
  };
  const onAbort = () => {
    failure ??= { error: state.reason };
    settle((w) => w.reject(state.reason));
    close();
  };
  socket.on('message', (m: Buffer) => (waiter ? settle((w) => w.resolve(m)) : queue.push(m)));
  // Always listened to: an ICMP error with no listener would be an uncaught exception.
  socket.on('error', (e) => {
    failure ??= { error: e };
    settle((w) => w.reject(e));
  });

  function next(): Promise<Buffer>;
  function next(withinMs: number): Promise<Buffer | undefined>;
  function next(withinMs?: number): Promise<Buffer | undefined> {
    return new Promise<Buffer | undefined>((resolve, reject) => {
      const queued = queue.shift();
      if (queued) return resolve(queued);
      if (failure) return reject(failure.error);
      if (withinMs === undefined) {
        waiter = { resolve, reject };
        return;
      }
      const timer = setTimeout(() => settle((w) => w.resolve(undefined)), withinMs);
      const done = (f: () => void) => {
        clearTimeout(timer);
        f();
      };
      waiter = { resolve: (b) => done(() => resolve(b)), reject: (e) => done(() => reject(e)) };
    });
  }

  const link: UdpLink = {
    socket,
    local: () => {
      const a = socket.address();
      return { address: a.address, port: a.port };
    },
    send: (b) => new Promise((resolve, reject) => socket.send(b, (e) => (e ? reject(e) : resolve()))),
    next,
    close,
  };

  return new Promise((resolve, reject) => {
    if (state.aborted) {
      close();
      return reject(state.reason);
    }
    unwatch = state.onAbort(onAbort);
    const onConnectError = (e: unknown) => {
      close();
      reject(e);
    };
    socket.once('error', onConnectError);
    // An abort while connecting closes the socket; the error then never comes, so say it here.
    const unwatchEarly = state.onAbort(() => reject(state.reason));
    socket.connect(port, ctx.address, () => {
      socket.off('error', onConnectError);
      unwatchEarly();
      // Where the row's datagrams come from (connect() bound our side): the source a rule must allow.
      recordUdpSource(state, link.local());
      resolve(link);
    });
  });
}
