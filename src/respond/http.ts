// HTTP and HTTPS stand-ins: answer every request with 200 and a line saying what they are, so a
// peer's http(s):// row proves the path and the protocol before the real service exists.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import type { RunningStandIn } from './kinds.js';

function answer(_req: IncomingMessage, res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', server: 'fedprobe-respond' });
  res.end('fedprobe stand-in: the path to this port works\n');
}

export function startHttpStandIn(
  host: string,
  port: number,
  tls?: { cert: string; key: string },
): Promise<RunningStandIn> {
  const server = tls ? createHttpsServer({ cert: tls.cert, key: tls.key }, answer) : createHttpServer(answer);
  server.keepAliveTimeout = 1000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      resolve({
        port: (server.address() as AddressInfo).port,
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
