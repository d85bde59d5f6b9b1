// The byte pipe an MQTT exchange runs over (TCP, TLS, or WebSocket frames: mqtt-websocket.ts), and
// what both sides of it share: the read bound and how peer text is shown.
import type { Socket } from 'node:net';

/** The most a probe reads before deciding: a CONNACK is 4 bytes plus v5 properties. Also the
 * WebSocket message limit (`ws` would otherwise take in 100 MiB frames). */
export const MAX_READ = 64 * 1024;

/** How a peer went away before a byte of answer: a close, a reset, or a WebSocket close frame. */
export interface Closed {
  kind: 'closed';
  reset: boolean;
  error?: Error;
  ws?: { code: number; reason: string };
}

/** A byte pipe over TCP, TLS or WebSocket frames, so the MQTT exchange is written once. */
export interface Pipe {
  write(b: Buffer): void;
  onData(cb: (b: Buffer) => void): void;
  /** Once: an error, or the close (with the WebSocket close code and reason when there is one). */
  onEnd(cb: (end: { error: Error } | Closed) => void): void;
  /** Sends a last packet (DISCONNECT), then closes once it is out: the broker logs a clean goodbye. */
  end(last: Buffer): void;
  close(): void;
}

export function socketPipe(s: Socket): Pipe {
  return {
    write: (b) => s.write(b),
    onData: (cb) => s.on('data', cb),
    onEnd: (cb) => {
      s.on('error', (error) => cb({ error }));
      s.on('close', () => cb({ kind: 'closed', reset: false }));
    },
    end: (last) => {
      s.end(last, () => s.destroy());
    },
    close: () => s.destroy(),
  };
}

/** Peer text (a v5 reason string, a WebSocket close reason) without control characters. */
export function peerText(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '.');
}
