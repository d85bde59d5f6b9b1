// The only hand-made peers: servers whose whole point is to misbehave. Real services (nginx,
// mosquitto, openssl s_server) stand in for everything that behaves.
import { createServer, type Server, type Socket } from 'node:net';

export interface FakeServer {
  port: number;
  close(): Promise<void>;
}

async function listen(onConnection: (s: Socket) => void): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('error', () => {});
    s.on('close', () => sockets.delete(s));
    onConnection(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}

/** Accepts and then says nothing, ever (a hung service, or a port forward to nowhere). */
export const silentServer = () => listen(() => {});

/** Greets every connection with an SSH banner, as sshd does, and ignores what comes back. */
export const sshBannerServer = () => listen((s) => s.write('SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n'));
