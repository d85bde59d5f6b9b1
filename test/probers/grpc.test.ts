// grpc:// and grpcs:// against real @grpc/grpc-js servers (health, no health, auth, TLS, mTLS),
// nginx grpc_pass, and the wrong-protocol matrix. Python grpcio (Flower, Fed-BioMed) and
// expectService: grpc-identity.test.ts; peers that never end an answer: grpc-bounded.test.ts.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createH2Server, type Http2Server } from 'node:http2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpcStandIn } from '../../src/respond/grpc.js';
import type { RunningStandIn } from '../../src/respond/kinds.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { silentServer, type FakeServer } from '../helpers/fake-servers.js';
import { startGrpcServer, type GrpcServer } from '../helpers/grpc-server.js';
import { probeUrl } from '../helpers/probe.js';
import { freePort, startNginx, type Nginx } from '../helpers/servers.js';

let certs: TestCerts;
let health: GrpcServer, bare: GrpcServer, tls: GrpcServer, mtls: GrpcServer;
let http1: HttpServer, h2web: Http2Server;
let silent: FakeServer;
let nginx: Nginx;
let standIn: RunningStandIn;
const port = { nginxTls: 0, nginxDown: 0, closed: 0, http1: 0, h2web: 0 };

function listen(server: HttpServer | Http2Server, p: number) {
  return new Promise<void>((r) => server.listen(p, '127.0.0.1', () => r()));
}

beforeAll(async () => {
  certs = await makeCerts();
  for (const k of Object.keys(port) as (keyof typeof port)[]) port[k] = await freePort();
  health = await startGrpcServer({ health: true });
  bare = await startGrpcServer({});
  tls = await startGrpcServer({ health: true, tls: { cert: certs.serverCert, key: certs.serverKey } });
  mtls = await startGrpcServer({
    health: true,
    tls: { cert: certs.serverCert, key: certs.serverKey, ca: certs.caCert, requireClientCert: true },
  });
  http1 = createHttpServer((_q, s) => s.end('not grpc'));
  await listen(http1, port.http1);
  h2web = createH2Server((_q, s) => {
    s.writeHead(404, { 'content-type': 'text/plain' });
    s.end('not found');
  });
  await listen(h2web, port.h2web);
  silent = await silentServer();
  nginx = await startNginx({
    http: [
      `server { listen 127.0.0.1:${port.nginxTls} ssl http2; ssl_certificate ${certs.serverCert}; ` +
        `ssl_certificate_key ${certs.serverKey}; location / { grpc_pass grpc://127.0.0.1:${health.port}; } }`,
      `server { listen 127.0.0.1:${port.nginxDown} ssl http2; ssl_certificate ${certs.serverCert}; ` +
        `ssl_certificate_key ${certs.serverKey}; location / { grpc_pass grpc://127.0.0.1:${port.closed}; } }`,
    ].join('\n'),
    waitFor: [port.nginxTls, port.nginxDown],
  });
  standIn = await startGrpcStandIn('127.0.0.1', 0);
}, 30_000);

afterAll(async () => {
  await Promise.all([health, bare, tls, mtls].map((s) => s?.stop()));
  for (const s of [http1, h2web]) s?.close();
  await silent?.close();
  await nginx?.stop();
  await standIn?.close();
});

describe('grpc:// (h2c) against @grpc/grpc-js', () => {
  it('health SERVING: pass', async () => {
    const r = await probeUrl(`grpc://127.0.0.1:${health.port}`);
    expect(r).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { grpcStatus: 0, servingStatus: 'SERVING' },
    });
    expect(typeof r.timings.handshakeMs).toBe('number');
  });
  it('a service NOT_SERVING: fail, not-serving', async () => {
    expect(await probeUrl(`grpc://127.0.0.1:${health.port}`, { service: 'svc.Down' })).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'not-serving',
      code: 'HEALTH_NOT_SERVING',
    });
  });
  it('an unknown service name: fail, not-serving, grpc-status 5', async () => {
    expect(await probeUrl(`grpc://127.0.0.1:${health.port}`, { service: 'svc.Nope' })).toMatchObject({
      outcome: 'fail',
      reason: 'not-serving',
      code: 'GRPC_5',
    });
  });
  it('no health service: pass (UNIMPLEMENTED proves gRPC)', async () => {
    const r = await probeUrl(`grpc://127.0.0.1:${bare.port}`);
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { grpcStatus: 12 } });
    expect(r.detail).toMatch(/no health service/);
  });
  it('a method that wants authentication: warn, auth-rejected', async () => {
    expect(await probeUrl(`grpc://127.0.0.1:${bare.port}`, { method: '/test.Secure/Call' })).toMatchObject({
      outcome: 'warn',
      reason: 'auth-rejected',
      code: 'GRPC_16',
    });
  });
});

describe('grpcs:// (TLS, ALPN h2)', () => {
  it('with the CA: pass, ALPN h2', async () => {
    expect(await probeUrl(`grpcs://localhost:${tls.port}`, { ca: certs.caCert })).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
      facts: { servingStatus: 'SERVING', tls: { alpn: 'h2', authorized: true } },
    });
  });
  it('without the CA: tls-error', async () => {
    expect(await probeUrl(`grpcs://localhost:${tls.port}`)).toMatchObject({ outcome: 'fail', reason: 'tls-error' });
  });
  it('mutual TLS without a client certificate: warn, auth-rejected; with one: pass', async () => {
    expect(await probeUrl(`grpcs://localhost:${mtls.port}`, { ca: certs.caCert })).toMatchObject({
      outcome: 'warn',
      reason: 'auth-rejected',
    });
    expect(
      await probeUrl(`grpcs://localhost:${mtls.port}`, {
        ca: certs.caCert,
        cert: certs.clientCert,
        key: certs.clientKey,
      }),
    ).toMatchObject({ outcome: 'pass', reason: 'ok' });
  });
  it(
    'through nginx grpc_pass: pass; with the backend down: not-serving ' + '(nginx answers HTTP 502, no grpc-status)',
    async () => {
      expect(await probeUrl(`grpcs://localhost:${port.nginxTls}`, { ca: certs.caCert })).toMatchObject({
        outcome: 'pass',
        facts: { servingStatus: 'SERVING' },
      });
      const down = await probeUrl(`grpcs://localhost:${port.nginxDown}`, { ca: certs.caCert });
      expect(down).toMatchObject({ outcome: 'fail', state: 'open', reason: 'not-serving', code: 'HTTP_502' });
      expect(down.detail).toMatch(/proxy answered 502/);
    },
  );
});

describe('the wrong protocol on a gRPC row', () => {
  it('an HTTP/1.1 server: wrong-protocol', async () => {
    expect(await probeUrl(`grpc://127.0.0.1:${port.http1}`)).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
    });
  });
  it('an HTTP/2 web server (404 text/plain): wrong-protocol, HTTP/2 but not gRPC', async () => {
    const r = await probeUrl(`grpc://127.0.0.1:${port.h2web}`);
    expect(r).toMatchObject({ outcome: 'fail', reason: 'wrong-protocol', code: 'HTTP_404' });
    expect(r.detail).toMatch(/HTTP\/2 but not gRPC/);
  });
  it('plaintext gRPC to a TLS port: wrong-protocol; TLS to the plaintext port: wrong-protocol', async () => {
    expect(await probeUrl(`grpc://127.0.0.1:${tls.port}`)).toMatchObject({ outcome: 'fail', reason: 'wrong-protocol' });
    expect(await probeUrl(`grpcs://127.0.0.1:${health.port}`)).toMatchObject({
      outcome: 'fail',
      reason: 'wrong-protocol',
    });
  });
  it('a silent port: fail, open, no-response', async () => {
    expect(await probeUrl(`grpc://127.0.0.1:${silent.port}`, {}, { timeoutMs: 500 })).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'no-response',
    });
  });
  it('a closed port: fail, closed, refused', async () => {
    expect(await probeUrl(`grpc://127.0.0.1:${port.closed}`)).toMatchObject({
      outcome: 'fail',
      state: 'closed',
      reason: 'refused',
    });
  });
});

describe(
  'expectService against a server that is not grpcio (real Python ' + 'grpcio servers: grpc-identity.test.ts)',
  () => {
    it('a grpc-js server where Flower is expected: fail, wrong-identity', async () => {
      const r = await probeUrl(`grpc://127.0.0.1:${bare.port}`, { expectService: 'flower-serverappio' });
      expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-identity', code: 'GRPC_12' });
      expect(r.detail).toBe(
        'not Flower ServerAppIo API: /flwr.proto.ServerAppIo/GetRun → grpc-status 12 UNIMPLEMENTED ' +
          '"The server does not implement the method /flwr.proto.ServerAppIo/GetRun" (not grpcio\'s answer for a ' +
          'registered method); ' +
          'none of the other framework APIs fedprobe knows answers here either',
      );
    });
    it('the stand-in answers the health check', async () => {
      expect(await probeUrl(`grpc://127.0.0.1:${standIn.port}`)).toMatchObject({
        outcome: 'pass',
        facts: { servingStatus: 'SERVING' },
      });
    });
  },
);
