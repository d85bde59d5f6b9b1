// Stand-in listeners for `fedprobe respond` and `fedprobe demo`: they let a peer prove its
// firewall path before the real service is installed. TCP stand-ins accept and idle; the UDP
// stand-in answers only a fedprobe probe datagram, and never with more bytes than it got, so it
// cannot be used to amplify traffic.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import { UDP_PROBE_PAYLOAD } from '../probers/udp.js';

export interface StandInSpec {
  id: string;
  protocol: 'tcp' | 'udp';
  port: number;
  host: string;
}

interface StandIn extends StandInSpec {
  /** The port actually bound (differs from `port` when 0 was asked for). */
  boundPort: number;
}

export interface StandIns {
  listening: StandIn[];
  close(): Promise<void>;
}

const IDLE_MS = 10_000;

function listenTcp(spec: StandInSpec): Promise<{ server: Server; port: number; sockets: Set<Socket> }> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.setTimeout(IDLE_MS, () => s.destroy());
    s.on('error', () => s.destroy());
    s.on('close', () => sockets.delete(s));
    s.resume();
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port: spec.port, host: spec.host }, () => {
      const addr = server.address();
      resolve({ server, port: typeof addr === 'object' && addr ? addr.port : spec.port, sockets });
    });
  });
}

function isProbeDatagram(msg: Buffer): boolean {
  return msg.equals(UDP_PROBE_PAYLOAD);
}

function listenUdp(spec: StandInSpec): Promise<{ socket: UdpSocket; port: number }> {
  const socket = createSocket({ type: spec.host.includes(':') ? 'udp6' : 'udp4', ipv6Only: false });
  socket.on('message', (msg, rinfo) => {
    if (isProbeDatagram(msg)) socket.send(msg, rinfo.port, rinfo.address);
  });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(spec.port, spec.host, () => resolve({ socket, port: socket.address().port }));
  });
}

export async function startStandIns(specs: StandInSpec[]): Promise<StandIns> {
  const closers: (() => Promise<void>)[] = [];
  const listening: StandIn[] = [];
  const close = async () => {
    await Promise.all(closers.map((c) => c()));
  };
  try {
    for (const spec of specs) {
      if (spec.protocol === 'tcp') {
        const { server, port, sockets } = await listenTcp(spec);
        closers.push(
          () =>
            new Promise((r) => {
              for (const s of sockets) s.destroy();
              server.close(() => r());
            }),
        );
        listening.push({ ...spec, boundPort: port });
      } else {
        const { socket, port } = await listenUdp(spec);
        closers.push(() => new Promise((r) => socket.close(() => r())));
        listening.push({ ...spec, boundPort: port });
      }
    }
  } catch (e) {
    await close();
    throw e;
  }
  return { listening, close };
}
