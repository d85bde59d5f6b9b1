// An MQTT stand-in: reads a CONNECT, answers CONNACK 0 in the client's protocol version, closes on
// DISCONNECT. Enough for a peer's mqtt:// row to prove the path and the protocol; it relays nothing.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { decodeLength } from '../probers/mqtt-packets.js';
import type { RunningStandIn } from './kinds.js';

function serve(socket: Socket): void {
  let buf = Buffer.alloc(0);
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length > 4096) return socket.destroy();
    if (buf[0] === 0xe0) return socket.end(); // DISCONNECT
    if (buf[0] !== 0x10) return socket.destroy(); // not MQTT: close, as a broker does
    let len: [number, number] | undefined;
    try {
      len = decodeLength(buf, 1);
    } catch {
      return socket.destroy();
    }
    if (!len || buf.length < 1 + len[1] + len[0]) return;
    // Protocol level sits after the 2-byte name length and the 4-byte name "MQTT".
    const level = buf[1 + len[1] + 6];
    socket.write(level === 5 ? Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]) : Buffer.from([0x20, 0x02, 0x00, 0x00]));
    buf = buf.subarray(1 + len[1] + len[0]);
  });
}

export function startMqttStandIn(host: string, port: number): Promise<RunningStandIn> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    serve(s);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => {
          for (const s of sockets) s.destroy();
          server.close(() => r());
        }),
      }),
    );
  });
}
