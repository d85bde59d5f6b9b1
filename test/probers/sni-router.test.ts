// Swarm's reverse-proxy deployment: one TLS port (443) in front of several backends, routed by
// SNI without terminating TLS (a real nginx `stream` + `ssl_preread`, as in Swarm's examples).
// The shipped swarm/*-proxy profiles send each service's FQDN as SNI and must reach that backend.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { selfSignedCert } from '../../src/respond/tls-cert.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { freePort, startNginx, type Nginx } from '../helpers/servers.js';

let certs: TestCerts;
let nginx: Nginx;
let snApi: Server, slFs: Server;

function backend(name: string, requireClientCert: boolean): Promise<Server> {
  const c = selfSignedCert({ names: [name] });
  const server = createServer(
    {
      cert: c.cert,
      key: c.key,
      ...(requireClientCert && { requestCert: true, rejectUnauthorized: true, ca: readFileSync(certs.caCert) }),
    },
    (s) => s.end('OK\n'),
  );
  server.on('tlsClientError', () => undefined);
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r(server)));
}
const portOf = (s: Server) => (s.address() as { port: number }).port;

beforeAll(async () => {
  certs = await makeCerts();
  // The SN API requires client certificates (mutual TLS), the SL file server here does not.
  snApi = await backend('api.sn-1.swarm', true);
  slFs = await backend('fs.sl-2.swarm', false);
  nginx = await startNginx({
    stream: [
      '  map $ssl_preread_server_name $backend {',
      `    api.sn-1.swarm 127.0.0.1:${portOf(snApi)};`,
      `    fs.sl-2.swarm 127.0.0.1:${portOf(slFs)};`,
      `    default 127.0.0.1:${await freePort()};`,
      '  }',
      '  server { listen 127.0.0.1:443; ssl_preread on; proxy_pass $backend; proxy_connect_timeout 2s; }',
    ].join('\n'),
    waitFor: [443],
  });
}, 30_000);
afterAll(async () => {
  await nginx?.stop();
  snApi?.close();
  slFs?.close();
});

describe('swarm reverse proxy (nginx ssl_preread SNI routing)', () => {
  it('each service FQDN reaches its own backend through 443', async () => {
    const r = await runCli([
      'check',
      'swarm/sl-proxy',
      '--set',
      'proxy_host=127.0.0.1',
      '--only',
      'sn-api-service,fs-service-out',
      '-f',
      'json',
    ]);
    const [api, fs] = JSON.parse(r.stdout).results;
    // The SN API wants a client certificate: reachable, and says so (a warning, not a failure).
    expect(api).toMatchObject({ id: 'sn-api-service', outcome: 'warn', state: 'open', reason: 'auth-rejected' });
    expect(fs).toMatchObject({
      id: 'fs-service-out',
      outcome: 'pass',
      reason: 'ok',
      facts: { tls: { servername: 'fs.sl-2.swarm', subject: 'CN=fs.sl-2.swarm' } },
    });
    expect(r.code).toBe(0);
  });

  it('with the Swarm client certificate the SN API row passes, showing the backend certificate', async () => {
    const r = await runCli([
      'probe',
      'tls://127.0.0.1:443',
      '--with',
      'servername=api.sn-1.swarm',
      '--with',
      'insecure=true',
      '--with',
      `cert=${certs.clientCert}`,
      '--with',
      `key=${certs.clientKey}`,
      '-f',
      'json',
    ]);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
      facts: { tls: { subject: 'CN=api.sn-1.swarm' } },
    });
  });

  it('an FQDN the proxy does not route: the connection dies, never a pass', async () => {
    const r = await runCli([
      'probe',
      'tls://127.0.0.1:443',
      '--with',
      'servername=fs.unknown.swarm',
      '--with',
      'insecure=true',
      '-f',
      'json',
    ]);
    const row = JSON.parse(r.stdout).results[0];
    expect(row.outcome).toBe('fail');
    expect(['wrong-protocol', 'reset', 'tls-error']).toContain(row.reason);
  });
});
