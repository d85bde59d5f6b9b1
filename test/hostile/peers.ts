// Hostile peers: TCP and UDP servers whose only purpose is to misbehave, in ways no real service
// can be made to (a tarpit, a drip, garbage, an endless stream). Each listens on 127.0.0.1:0 in
// the test's own (private) network namespace and keeps its accepted sockets so close() ends them.
import { createSocket } from 'node:dgram';
import { createServer, type Socket } from 'node:net';

export interface HostilePeer {
  port: number;
  /** Accepted connections so far (a peer that never saw one proves nothing). */
  accepted(): number;
  /** Resets (RST) every connection open now. */
  resetAll(): void;
  close(): Promise<void>;
}

export type TcpPeerKind = 'silent' | 'drip' | 'reset' | 'garbage' | 'flood' | 'half-open';

/** What each peer does once it has accepted a connection. */
export const TCP_PEERS: Record<TcpPeerKind, string> = {
  silent: 'accepts, reads, never answers',
  drip: 'accepts, then sends one byte every 200 ms, forever',
  reset: 'accepts, then resets at once (RST)',
  garbage: 'accepts, answers 4 KiB of bytes no protocol starts with, then stays silent',
  flood: 'accepts, then sends bytes as fast as they are taken, forever',
  'half-open': 'accepts, then closes its sending side (FIN) and keeps reading',
};

/** Bytes that start no protocol fedprobe speaks: not TLS (0x16), not HTTP, MQTT, HTTP/2 or RLPx. */
function garbage(n: number): Buffer {
  const b = Buffer.alloc(n);
  let x = 0x9e3779b9;
  for (let i = 0; i < n; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    b[i] = (x >>> 16) & 0xff;
  }
  b[0] = 0xff; // not a TLS record type, not an ASCII letter, not an MQTT CONNACK (0x20)
  return b;
}

const FLOOD_CHUNK = garbage(64 * 1024);

function behave(kind: TcpPeerKind, s: Socket): void {
  switch (kind) {
    case 'silent':
      s.resume();
      return;
    case 'drip': {
      s.resume();
      const t = setInterval(() => s.write(Buffer.from([0xff])), 200);
      s.once('close', () => clearInterval(t));
      return;
    }
    case 'reset':
      s.resetAndDestroy();
      return;
    case 'garbage':
      s.resume();
      s.write(garbage(4096));
      return;
    case 'flood': {
      s.resume();
      const pump = () => {
        while (!s.destroyed && s.write(FLOOD_CHUNK));
      };
      s.on('drain', pump);
      pump();
      return;
    }
    case 'half-open':
      s.resume();
      s.end();
      return;
  }
}

export async function startTcpPeer(kind: TcpPeerKind): Promise<HostilePeer> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server = createServer({ allowHalfOpen: kind === 'half-open' }, (s) => {
    accepted++;
    sockets.add(s);
    s.on('error', () => undefined);
    s.on('close', () => sockets.delete(s));
    behave(kind, s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    accepted: () => accepted,
    resetAll: () => {
      for (const s of sockets) s.resetAndDestroy();
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** A bound UDP socket that reads every datagram and answers none (no ICMP error either). */
export async function startSilentUdpPeer(): Promise<HostilePeer> {
  const socket = createSocket('udp4');
  let received = 0;
  socket.on('message', () => received++);
  await new Promise<void>((r) => socket.bind(0, '127.0.0.1', r));
  return {
    port: socket.address().port,
    accepted: () => received,
    resetAll: () => undefined,
    close: () => new Promise<void>((r) => socket.close(() => r())),
  };
}

/** Descriptors this process holds right now. */
export async function openFds(): Promise<number> {
  const { readdir } = await import('node:fs/promises');
  return (await readdir('/proc/self/fd')).length;
}
