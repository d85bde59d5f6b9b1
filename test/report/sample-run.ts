// A fixed RunReport with one row of each kind, for the golden-file tests of every format.
import { buildReport } from '../../src/report/build.js';
import type { CheckResult } from '../../src/types.js';

const base = { dir: 'out', source: 'node', type: 'backend', status: 'mandatory', expect: 'reachable', via: 'direct', facts: {} } as const;

export const sampleResults: CheckResult[] = [
  {
    ...base, id: 'mqtt', destination: 'mqtt', port: 'tcp/1883', service: 'MQTT', probe: 'mqtt://fbm.example.org:1883',
    outcome: 'pass', state: 'open', reason: 'ok', detail: 'CONNACK 0: connection accepted', hint: '',
    addresses: [{ address: '192.0.2.10', family: 4, outcome: 'pass', state: 'open', reason: 'ok', detail: 'CONNACK 0', attempts: 1, timings: { connectMs: 1.5, handshakeMs: 3, totalMs: 3.2 }, facts: {} }],
    timings: { dnsMs: 0.4, connectMs: 1.5, handshakeMs: 3, totalMs: 3.6 },
  },
  {
    ...base, id: 'restful', destination: 'restful', port: 'tcp/8080', service: 'HTTP', probe: 'http://fbm.example.org:8080/',
    comment: 'the restful container really publishes 8844', outcome: 'fail', state: 'filtered', reason: 'timeout',
    detail: 'no answer to the connection attempt within 3000 ms', hint: 'Ask the network team to allow TCP/8080 from this machine to fbm.example.org (restful).',
    addresses: [{ address: '192.0.2.10', family: 4, outcome: 'fail', state: 'filtered', reason: 'timeout', detail: 'no answer', attempts: 1, timings: { totalMs: 3000 }, facts: {} }],
    timings: { dnsMs: 0.4, totalMs: 3000.4 },
  },
  {
    ...base, id: 'researcher', destination: 'researcher', port: 'tcp/50051', service: 'gRPC/TLS', probe: 'tls://researcher.example.org:50051',
    outcome: 'warn', state: 'open', reason: 'auth-rejected', detail: 'the server wants a client certificate (TLS alert 116) <&>', hint: 'Give a client certificate.', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    addresses: [{ address: '2001:db8::5', family: 6, outcome: 'warn', state: 'open', reason: 'auth-rejected', detail: 'alert 116', attempts: 1, timings: { connectMs: 2, tlsMs: 9, totalMs: 160 }, facts: {} }],
    timings: { dnsMs: 1, connectMs: 2, tlsMs: 9, totalMs: 161 }, facts: { tls: { notAfter: '2027-01-01T00:00:00.000Z' } },
  },
  {
    ...base, id: 'vpn', destination: 'vpnserver', port: 'udp/51820', service: 'WireGuard', probe: 'udp://vpn.example.org:51820', status: 'optional',
    outcome: 'inconclusive', state: 'open|filtered', reason: 'no-response', detail: 'no reply and no ICMP error within 3000 ms', hint: 'UDP silence on UDP/51820: open or dropped.',
    addresses: [{ address: '192.0.2.20', family: 4, outcome: 'inconclusive', state: 'open|filtered', reason: 'no-response', detail: 'silence', attempts: 1, timings: { totalMs: 3000 }, facts: {} }],
    timings: { totalMs: 3000 },
  },
  {
    ...base, id: 'gui', dir: 'in', source: 'localhost', destination: 'gui', port: 'tcp/8484', service: 'HTTP', type: 'user', status: 'optional', probe: 'listen://tcp/8484',
    outcome: 'fail', state: 'open', reason: 'exposed', detail: 'should be reachable from this machine only, but listens on all addresses (0.0.0.0)', hint: 'Bind this service to 127.0.0.1.',
    addresses: [{ address: 'local', family: 0, outcome: 'fail', state: 'open', reason: 'exposed', detail: 'exposed', attempts: 1, timings: { totalMs: 0.3 }, facts: {} }],
    timings: { totalMs: 0.3 }, facts: { listeningOn: ['0.0.0.0:8484'], localOnly: true },
  },
];

export const sampleProfile = { id: 'fedbiomed/node', framework: 'Fed-BioMed', component: 'node', scenario: 'without VPN/containers', reference: 'Fed-BioMed "Network communication matrix"' };

export function sampleRun(strict = false) {
  const run = buildReport(sampleProfile, sampleResults, new Date('2026-11-24T10:00:00.000Z'), 3012.4, strict);
  run.tool.version = '0.0.0-test';
  return run;
}
