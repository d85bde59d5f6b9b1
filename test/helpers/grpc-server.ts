// Real gRPC servers (@grpc/grpc-js) for the gRPC prober's tests: with and without the standard
// health service, a service that always demands authentication, over h2c, TLS and mutual TLS.
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';

export interface GrpcServer {
  port: number;
  stop(): Promise<void>;
}

/** A service with one unary method that takes and returns raw bytes (no .proto needed). */
const secureService: grpc.ServiceDefinition = {
  Call: {
    path: '/test.Secure/Call', requestStream: false, responseStream: false,
    requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
  },
};

export interface GrpcServerOptions {
  health?: boolean;
  tls?: { cert: string; key: string; ca?: string; requireClientCert?: boolean };
}

export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const server = new grpc.Server();
  if (opts.health) new HealthImplementation({ '': 'SERVING', 'svc.Up': 'SERVING', 'svc.Down': 'NOT_SERVING' }).addToServer(server);
  server.addService(secureService, {
    Call: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) => cb({ code: grpc.status.UNAUTHENTICATED, details: 'token required' }),
  });
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(
        opts.tls.ca ? readFileSync(opts.tls.ca) : null,
        [{ cert_chain: readFileSync(opts.tls.cert), private_key: readFileSync(opts.tls.key) }],
        opts.tls.requireClientCert ?? false,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))));
  return { port, stop: () => new Promise<void>((r) => server.tryShutdown(() => r())) };
}
