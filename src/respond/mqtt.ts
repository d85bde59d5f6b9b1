// An MQTT stand-in: reads a CONNECT, answers CONNACK 0 in the client's protocol version, closes on
// DISCONNECT, in clear text or over TLS. Enough for a peer's mqtt:// row to prove the path and the protocol; it relays
// nothing.
import { createServer, type AddressInfo, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { decodeLength } from '../probers/mqtt-packets.js';
import type { RunningStandIn } from './kinds.js';

const CONNACK_V4 = Buffer.from([0x20, 0x02, 0x00, 0x00]);
// v5: reason 0x00 and an empty property list.
const CONNACK_V5 = Buffer.from([0x20, 0x03, 0x00, 0x00, 0x00]);
const PINGRESP = Buffer.from([0xd0, 0x00]);

function serve(socket: Socket): void {
  let buf = Buffer.alloc(0);
  let connected = false;
  socket.setTimeout(10_000, () => socket.destroy());
  socket.on('error', () => socket.destroy());
  socket.on('data', (chunk) => {
    buf = Buffer.concat([buf, chunk]);
    if (buf.length > 4096) return socket.destroy();
    // Whole packets only; CONNECT and DISCONNECT may arrive in one chunk.
    while (buf.length > 0) {
      // Anything but CONNECT first is not MQTT: close without a word, as mosquitto does.
      if (!connected && buf[0] !== 0x10) return socket.destroy();
      let len: [number, number] | undefined;
      try {
        len = decodeLength(buf, 1);
      } catch {
        return socket.destroy();
      }
      if (!len || buf.length < 1 + len[1] + len[0]) return;
      const type = buf[0]! >> 4;
      const body = buf.subarray(1 + len[1], 1 + len[1] + len[0]);
      buf = buf.subarray(1 + len[1] + len[0]);
      if (type === 1) {
        connected = true;
        // The protocol level follows the length-prefixed name "MQTT" (2 + 4 bytes).
        socket.write(body[6] === 5 ? CONNACK_V5 : CONNACK_V4);
      } else if (type === 12) {
        socket.write(PINGRESP);
      } else if (type === 14) {
        return void socket.end(); // DISCONNECT
      }
    }
  });
}

/** `tls` (PEM cert and key): MQTT over TLS, for mqtts:// rows. */
export function startMqttStandIn(
  host: string,
  port: number,
  tls?: { cert: string; key: string },
): Promise<RunningStandIn> {
  const sockets = new Set<Socket>();
  const onSocket = (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    serve(s);
  };
  const server = tls ? createTlsServer({ cert: tls.cert, key: tls.key }, onSocket) : createServer(onSocket);
  // A client that gives up mid-handshake is not the stand-in's problem.
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      }),
    );
  });
}
