// The Swarm SN API rows (SL, SWCI, SWOP; direct and through the reverse proxy) probe the path an SL
// really takes: HTTPS GET /is_up with the site's client certificate (--set swarm_cert/swarm_key/
// swarm_ca). The SN stand-in is nginx with ssl_verify_client on, on the SN API's own port 30304
// (127.0.0.2, inside the test's network namespace); the proxy is an nginx stream routing by SNI, as
// in Swarm's examples, on 127.0.0.3:443.
import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { otherCaClient, startMtlsNginx, type MtlsPorts } from '../helpers/mtls.js';
import { startNginx, type Nginx } from '../helpers/servers.js';

const SN = '127.0.0.2';
const PROXY = '127.0.0.3';
let certs: TestCerts;
let stranger: { cert: string; key: string };
let sn: { nginx: Nginx; ports: MtlsPorts };
let proxy: Nginx;

beforeAll(async () => {
  certs = await makeCerts();
  stranger = await otherCaClient(certs.dir);
  sn = await startMtlsNginx(certs, { host: SN, ports: { both: 30304 } });
  proxy = await startNginx({
    stream: [
      `  map $ssl_preread_server_name $backend { api.sn-1.swarm ${SN}:30304; default ${SN}:1; }`,
      `  server { listen ${PROXY}:443; ssl_preread on; proxy_pass $backend; proxy_connect_timeout 2s; }`,
    ].join('\n'),
    waitFor: [443],
    host: PROXY,
  });
}, 60_000);

afterAll(async () => {
  await Promise.all([sn?.nginx.stop(), proxy?.stop()]);
  if (certs) await rm(certs.dir, { recursive: true, force: true });
});

interface Row {
  id: string;
  outcome: string;
  state: string;
  reason: string;
  code?: string;
  detail: string;
  probe: string;
  facts: Record<string, unknown>;
}

async function check(profile: string, row: string, sets: string[]): Promise<{ code: number; row: Row }> {
  const r = await runCli(['check', profile, '--only', row, ...sets.flatMap((s) => ['--set', s]), '-f', 'json']);
  const results = (JSON.parse(r.stdout) as { results: Row[] }).results;
  expect(results.map((x) => x.id)).toEqual([row]);
  return { code: r.code, row: results[0]! };
}

const verdict = (r: Row) => ({ outcome: r.outcome, state: r.state, reason: r.reason, code: r.code });
// with.insecure: the test CA's certificate is for 127.0.0.1, not for the SN's address; shown, not failed.
const passedInsecure = { outcome: 'pass', state: 'open', reason: 'ok', code: 'ERR_TLS_CERT_ALTNAME_INVALID' };
const siteCert = () => [`swarm_cert=${certs.clientCert}`, `swarm_key=${certs.clientKey}`, `swarm_ca=${certs.caCert}`];
const strangerCert = () => [`swarm_cert=${stranger.cert}`, `swarm_key=${stranger.key}`];

const direct = [
  ['swarm/sl', 'sn-api'],
  ['swarm/swci', 'sn-api'],
  ['swarm/swop', 'sn-api'],
] as const;
const viaProxy = [
  ['swarm/sl-proxy', 'sn-api-service'],
  ['swarm/sn-proxy', 'api-service'],
  ['swarm/swci-proxy', 'sn-api-service'],
  ['swarm/swop-proxy', 'sn-api-service'],
] as const;

describe('Swarm SN API rows, direct (https://${sn_host}:30304/is_up)', () => {
  it.each(direct)("%s %s without the site certificate: warn auth-rejected, nginx's 400 named", async (profile, id) => {
    const { code, row } = await check(profile, id, [`sn_host=${SN}`]);
    expect(row.probe).toBe(`https://${SN}:30304/is_up`);
    expect(verdict(row)).toEqual({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code: 'HTTP_400' });
    expect(row.detail).toContain('requires a client certificate (HTTP 400 "No required SSL certificate was sent"');
    expect(row.facts).toMatchObject({ status: 400, tls: { clientCertRequested: true, clientCertOffered: false } });
    expect(code).toBe(0);
  });

  it.each(direct)('%s %s with the site certificate: pass, /is_up answered OK', async (profile, id) => {
    const { code, row } = await check(profile, id, [`sn_host=${SN}`, ...siteCert()]);
    expect(verdict(row)).toEqual(passedInsecure);
    expect(row.detail).toMatch(/^HTTP\/1\.1 200 OK from nginx\/[\d.]+ over TLSv1\.3, certificate CN=localhost from/);
    expect(row.facts).toMatchObject({ status: 200, credentialsGiven: true });
    expect(row.facts.tls).toMatchObject({ clientCertRequested: true, clientCertOffered: true });
    expect(code).toBe(0);
  });

  it('a certificate from another CA: fail auth-rejected (credentials given), exit code 1', async () => {
    const { code, row } = await check('swarm/sl', 'sn-api', [`sn_host=${SN}`, ...strangerCert()]);
    expect(verdict(row)).toEqual({ outcome: 'fail', state: 'open', reason: 'auth-rejected', code: 'HTTP_400' });
    expect(row.detail).toContain('the server rejected our client certificate (HTTP 400 "The SSL certificate error")');
    expect(code).toBe(1);
  });
});

describe('Swarm SN API rows through the reverse proxy (SNI api.sn-1.swarm on 443)', () => {
  it.each(viaProxy)('%s %s without the site certificate: warn auth-rejected', async (profile, id) => {
    const { row } = await check(profile, id, [`proxy_host=${PROXY}`]);
    expect(row.probe).toBe(`https://${PROXY}:443/is_up`);
    expect(verdict(row)).toEqual({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code: 'HTTP_400' });
    expect(row.facts).toMatchObject({ tls: { servername: 'api.sn-1.swarm', clientCertRequested: true } });
  });

  it.each(viaProxy)('%s %s with the site certificate: pass', async (profile, id) => {
    const { row } = await check(profile, id, [`proxy_host=${PROXY}`, ...siteCert()]);
    expect(verdict(row)).toEqual(passedInsecure);
    expect(row.facts).toMatchObject({ status: 200, tls: { servername: 'api.sn-1.swarm', clientCertOffered: true } });
  });

  it('an SN API service name the proxy does not route: never a pass', async () => {
    const sets = [`proxy_host=${PROXY}`, 'sn_api_service=api.sn-9.swarm', ...siteCert()];
    const { row } = await check('swarm/sl-proxy', 'sn-api-service', sets);
    expect(row.outcome).toBe('fail');
    expect(row.reason).toBe('wrong-protocol');
  });
});
