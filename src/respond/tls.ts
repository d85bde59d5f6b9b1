// A TLS stand-in: completes the handshake (ALPN h2 and http/1.1 offered) and closes, so a tls://
// row proves the path and that TLS is spoken.
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:tls';
import type { RunningStandIn } from './kinds.js';

export function startTlsStandIn(
  host: string,
  port: number,
  tls: { cert: string; key: string },
): Promise<RunningStandIn> {
  const server = createServer({ cert: tls.cert, key: tls.key, ALPNProtocols: ['h2', 'http/1.1'] }, (s) => {
    s.on('error', () => s.destroy());
    s.setTimeout(5000, () => s.destroy());
    s.resume();
  });
  server.on('tlsClientError', () => undefined);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () =>
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () => new Promise<void>((r) => server.close(() => r())),
      }),
    );
  });
}
