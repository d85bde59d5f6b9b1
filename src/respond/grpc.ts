// A gRPC stand-in on node:http2: answers grpc.health.v1.Health/Check with SERVING and every other
// method with UNIMPLEMENTED, over h2c, or TLS when given a certificate (grpcs://).
import { createSecureServer, createServer, type Http2Server, type ServerHttp2Stream } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { frame } from '../probers/grpc-wire.js';
import type { RunningStandIn } from './kinds.js';

function answer(stream: ServerHttp2Stream, path: string): void {
  stream.on('error', () => undefined);
  stream.resume();
  stream.on('end', () => {
    if (path === '/grpc.health.v1.Health/Check') {
      stream.respond({ ':status': 200, 'content-type': 'application/grpc+proto' }, { waitForTrailers: true });
      stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK' }));
      stream.end(frame(Buffer.from([0x08, 0x01])));
    } else {
      // Trailers-only response, as gRPC servers send for errors.
      stream.respond(
        {
          ':status': 200,
          'content-type': 'application/grpc+proto',
          'grpc-status': '12',
          'grpc-message': encodeURIComponent(`fedprobe stand-in does not implement ${path}`),
        },
        { endStream: true },
      );
    }
  });
}

export function startGrpcStandIn(
  host: string,
  port: number,
  tls?: { cert: string; key: string },
): Promise<RunningStandIn> {
  const server: Http2Server = tls
    ? createSecureServer({ cert: tls.cert, key: tls.key, ALPNProtocols: ['h2'] })
    : createServer();
  server.on('stream', (stream, headers) => answer(stream, String(headers[':path'] ?? '')));
  server.on('sessionError', () => undefined);
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
