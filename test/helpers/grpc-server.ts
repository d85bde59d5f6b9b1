// Real gRPC servers (@grpc/grpc-js) for the gRPC prober's tests: with and without the standard
// health service, a service that always demands authentication, over h2c, TLS and mutual TLS; and
// hostile HTTP/2 peers that stream forever.
import { spawn } from 'node:child_process';
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
    path: '/test.Secure/Call',
    requestStream: false,
    responseStream: false,
    requestSerialize: (b: Buffer) => b,
    requestDeserialize: (b: Buffer) => b,
    responseSerialize: (b: Buffer) => b,
    responseDeserialize: (b: Buffer) => b,
  },
};

export interface GrpcServerOptions {
  health?: boolean;
  tls?: { cert: string; key: string; ca?: string; requireClientCert?: boolean };
}

export async function startGrpcServer(opts: GrpcServerOptions): Promise<GrpcServer> {
  const server = new grpc.Server();
  if (opts.health)
    new HealthImplementation({ '': 'SERVING', 'svc.Up': 'SERVING', 'svc.Down': 'NOT_SERVING' }).addToServer(server);
  server.addService(secureService, {
    Call: (_call: unknown, cb: grpc.sendUnaryData<Buffer>) =>
      cb({ code: grpc.status.UNAUTHENTICATED, details: 'token required' }),
  });
  const creds = opts.tls
    ? grpc.ServerCredentials.createSsl(
        opts.tls.ca ? readFileSync(opts.tls.ca) : null,
        [{ cert_chain: readFileSync(opts.tls.cert), private_key: readFileSync(opts.tls.key) }],
        opts.tls.requireClientCert ?? false,
      )
    : grpc.ServerCredentials.createInsecure();
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', creds, (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, stop: () => new Promise<void>((r) => server.tryShutdown(() => r())) };
}

/** A hostile HTTP/2 peer, in its own process so that the test process's memory is the probe's:
 * `flood` answers 200 application/grpc and then streams DATA as fast as the client takes it,
 * forever; `drip` sends one byte every 20 ms and never ends the call. No real server does this. */
export type HostileMode = 'flood' | 'drip';

const HOSTILE_PEER = `
const http2 = require('node:http2');
const mode = process.argv[1];
const chunk = Buffer.alloc(16384, 0x41);
const server = http2.createServer();
server.on('sessionError', () => {});
server.on('stream', (stream) => {
  stream.on('error', () => {});
  stream.respond({ ':status': 200, 'content-type': 'application/grpc' });
  if (mode === 'drip') {
    const t = setInterval(() => stream.closed ? clearInterval(t) : stream.write(Buffer.from([0x41])), 20);
    return;
  }
  const pump = () => { while (!stream.closed && stream.write(chunk)); };
  stream.on('drain', pump);
  pump();
});
server.listen(0, '127.0.0.1', () => console.log('LISTENING ' + server.address().port));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
`;

export async function startHostilePeer(mode: HostileMode): Promise<GrpcServer> {
  const proc = spawn(process.execPath, ['-e', HOSTILE_PEER, mode], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (c: Buffer) => {
      out += String(c);
      const m = /LISTENING (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    proc.once('exit', (code) => reject(new Error(`hostile peer exited (${code})`)));
  });
  return {
    port,
    async stop() {
      proc.stdin.end();
      await exited;
    },
  };
}
