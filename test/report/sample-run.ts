// A fixed RunReport with one row of each kind, for the golden-file tests of every format. Each row's
// facts have the shape its prober really produces (captured from real runs against mosquitto, a
// node:tls server asking for a client certificate, a silent UDP socket, a listener on 0.0.0.0), and,
// as the runner does, the row carries the facts of the address that decided it.
import { buildReport } from '../../src/report/build.js';
import type { CheckResult } from '../../src/types.js';

/** mqtt:// accepted (probers/mqtt.ts). */
const mqttFacts = {
  protocolVersion: '3.1.1',
  transport: 'mqtt',
  credentialsGiven: false,
  returnCode: 0,
  sessionPresent: false,
};

/** Every TLS scheme's facts.tls (net/tls.ts startTls), here for a TLS 1.3 server that wants a
 * client certificate none was given for (the alert 116 comes after the handshake). */
const researcherTls = {
  tls: {
    servername: 'researcher.example.org',
    protocol: 'TLSv1.3',
    cipher: 'TLS_AES_256_GCM_SHA384',
    alpn: null,
    subject: 'CN=researcher.example.org',
    issuer: 'CN=Example Federation CA',
    subjectAltNames: ['DNS:researcher.example.org'],
    notBefore: '2026-01-01T00:00:00.000Z',
    notAfter: '2027-01-01T00:00:00.000Z',
    daysToExpiry: 38,
    authorized: true,
    clientCertRequested: true,
    clientCertOffered: false,
  },
};

/** listen:// (probers/listen.ts): where the port listens, and the row's localOnly. */
const guiFacts = { listeningOn: ['0.0.0.0:8484'], localOnly: true };

const base = {
  dir: 'out',
  source: 'node',
  type: 'backend',
  status: 'mandatory',
  comment: '',
  expect: 'reachable',
  via: 'direct',
  facts: {},
} as const;

export const sampleResults: CheckResult[] = [
  {
    ...base,
    id: 'mqtt',
    destination: 'mqtt',
    port: 'tcp/1883',
    service: 'MQTT',
    probe: 'mqtt://fbm.example.org:1883',
    purpose: 'the node receives its training requests from the researcher through the broker and sends replies back',
    outcome: 'pass',
    state: 'open',
    reason: 'ok',
    detail: 'CONNACK 0: connection accepted',
    hint: '',
    addresses: [
      {
        address: '192.0.2.10',
        family: 4,
        localAddress: { address: '198.51.100.7', port: 40100, family: 4, kind: 'socket' },
        outcome: 'pass',
        state: 'open',
        reason: 'ok',
        detail: 'CONNACK 0',
        attempts: 1,
        timings: { connectMs: 1.5, handshakeMs: 3, totalMs: 3.2 },
        facts: mqttFacts,
      },
    ],
    timings: { dnsMs: 0.4, connectMs: 1.5, handshakeMs: 3, totalMs: 3.6 },
    facts: mqttFacts,
  },
  {
    ...base,
    id: 'restful',
    destination: 'restful',
    port: 'tcp/8080',
    service: 'HTTP',
    probe: 'http://fbm.example.org:8080/',
    comment: 'the restful container really publishes 8844',
    purpose: 'The node downloads the models and training plans it is asked to run, and uploads its results.',
    outcome: 'fail',
    state: 'filtered',
    reason: 'timeout',
    detail: 'no answer to the connection attempt within 3000 ms',
    hint: 'Ask the network team to allow TCP/8080 from this machine to fbm.example.org (restful).',
    addresses: [
      {
        address: '192.0.2.10',
        family: 4,
        localAddress: { address: '198.51.100.7', port: 40102, family: 4, kind: 'socket' },
        outcome: 'fail',
        state: 'filtered',
        reason: 'timeout',
        detail: 'no answer',
        attempts: 1,
        timings: { totalMs: 3000 },
        facts: {},
      },
    ],
    timings: { dnsMs: 0.4, totalMs: 3000.4 },
  },
  {
    ...base,
    id: 'researcher',
    destination: 'researcher',
    port: 'tcp/50051',
    service: 'gRPC/TLS',
    probe: 'tls://researcher.example.org:50051',
    outcome: 'warn',
    state: 'open',
    reason: 'auth-rejected',
    detail: 'the server wants a client certificate (TLS alert 116) <&>',
    hint: 'Give a client certificate.',
    code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
    addresses: [
      {
        address: '2001:db8::5',
        family: 6,
        localAddress: { address: '2001:db8:1::7', port: 40104, family: 6, kind: 'socket' },
        outcome: 'warn',
        state: 'open',
        reason: 'auth-rejected',
        detail: 'alert 116',
        attempts: 1,
        timings: { connectMs: 2, tlsMs: 9, totalMs: 160 },
        facts: researcherTls,
      },
    ],
    timings: { dnsMs: 1, connectMs: 2, tlsMs: 9, totalMs: 161 },
    facts: researcherTls,
  },
  {
    ...base,
    id: 'vpn',
    destination: 'vpnserver',
    port: 'udp/51820',
    service: 'WireGuard',
    probe: 'udp://vpn.example.org:51820',
    status: 'optional',
    outcome: 'inconclusive',
    state: 'open|filtered',
    reason: 'no-response',
    detail: 'no reply and no ICMP error within 3000 ms',
    hint: 'UDP silence on UDP/51820: open or dropped.',
    addresses: [
      {
        address: '192.0.2.20',
        family: 4,
        localAddress: { address: '198.51.100.7', port: 40106, family: 4, kind: 'socket' },
        outcome: 'inconclusive',
        state: 'open|filtered',
        reason: 'no-response',
        detail: 'silence',
        attempts: 1,
        timings: { totalMs: 3000 },
        facts: {},
      },
    ],
    timings: { totalMs: 3000 },
  },
  {
    ...base,
    id: 'gui',
    dir: 'in',
    source: 'localhost',
    destination: 'gui',
    port: 'tcp/8484',
    service: 'HTTP',
    type: 'user',
    status: 'optional',
    probe: 'listen://tcp/8484',
    outcome: 'fail',
    state: 'open',
    reason: 'exposed',
    detail: 'should be reachable from this machine only, but listens on all addresses (0.0.0.0)',
    hint: 'Bind this service to 127.0.0.1.',
    addresses: [
      {
        address: 'local',
        family: 0,
        outcome: 'fail',
        state: 'open',
        reason: 'exposed',
        detail: 'exposed',
        attempts: 1,
        timings: { totalMs: 0.3 },
        facts: guiFacts,
      },
    ],
    timings: { totalMs: 0.3 },
    facts: guiFacts,
  },
];

export const sampleProfile = {
  id: 'fedbiomed/node',
  framework: 'Fed-BioMed',
  component: 'node',
  scenario: 'without VPN/containers',
  reference: 'Fed-BioMed "Network communication matrix"',
};

export function sampleRun(strict = false) {
  const run = buildReport(sampleProfile, sampleResults, new Date('2026-11-24T10:00:00.000Z'), 3012.4, strict);
  run.tool.version = '0.0.0-test';
  run.host = 'node01.example.org';
  return run;
}

// A planned request (`check --all`): nothing probed, names resolved, sources from the routes.
const planned = {
  dir: 'out',
  type: 'backend',
  status: 'mandatory',
  comment: '',
  expect: 'reachable',
  via: 'direct',
  facts: {},
  outcome: 'skip',
  state: 'unknown',
  reason: 'not-checked',
  detail: 'not checked: the request was planned (--all), no traffic was sent',
  hint: '',
  timings: { totalMs: 0 },
} as const;
const notChecked = {
  outcome: 'skip',
  state: 'unknown',
  reason: 'not-checked',
  detail: 'not checked',
  attempts: 0,
  timings: { totalMs: 0 },
  facts: {},
} as const;

const samplePlanResults: CheckResult[] = [
  {
    ...planned,
    id: 'fleet',
    source: 'SuperNode',
    destination: 'SuperLink',
    port: 'tcp/9092',
    service: 'gRPC/TLS (Fleet API)',
    probe: 'grpcs://superlink.example.org:9092',
    purpose: 'The SuperNode pulls its training tasks from the SuperLink and pushes the results back (Fleet API).',
    addresses: [
      {
        ...notChecked,
        address: '192.0.2.30',
        family: 4,
        localAddress: { address: '198.51.100.7', family: 4, kind: 'route' },
      },
      {
        ...notChecked,
        address: '2001:db8::30',
        family: 6,
        localAddress: { address: '2001:db8:1::7', family: 6, kind: 'route' },
      },
    ],
  },
  {
    ...planned,
    id: 'update-check',
    source: 'SuperNode',
    destination: 'Flower update check',
    port: 'tcp/443',
    service: 'HTTPS',
    status: 'optional',
    probe: 'https://api.flower.ai/v1/update-check/flwr',
    via: 'proxy http://proxy.example.org:3128',
    comment: 'off with FLWR_DISABLE_UPDATE_CHECK=1',
    addresses: [
      {
        ...notChecked,
        address: 'api.flower.ai',
        family: 0,
        localAddress: { address: '198.51.100.7', family: 4, kind: 'proxy' },
      },
    ],
  },
  {
    ...planned,
    id: 'clientappio',
    dir: 'in',
    source: 'SuperExec/ClientApp',
    destination: 'SuperNode',
    port: 'tcp/9094',
    service: 'gRPC (ClientAppIo API)',
    status: 'optional',
    probe: 'listen://tcp/9094',
    facts: { localOnly: true },
    purpose: 'the SuperExec and the ClientApp processes fetch their work from the SuperNode on this machine',
    addresses: [{ ...notChecked, address: 'local', family: 0 }],
  },
  {
    ...planned,
    id: 'admin',
    source: 'SuperNode',
    destination: 'SuperLink',
    port: 'tcp/9093',
    service: 'gRPC (Control API)',
    status: 'optional',
    probe: 'tcp://superlink.example.org:9093',
    expect: 'blocked',
    addresses: [
      {
        ...notChecked,
        address: '192.0.2.30',
        family: 4,
        localAddress: { address: '198.51.100.7', family: 4, kind: 'route' },
      },
    ],
  },
  {
    ...planned,
    id: 'typo',
    source: 'SuperNode',
    destination: 'SuperLink',
    port: 'tcp/9095',
    service: 'gRPC',
    probe: 'grpc://superlnk.example.org:9095',
    outcome: 'fail',
    state: 'unknown',
    reason: 'dns-error',
    code: 'ENOTFOUND',
    detail: 'superlnk.example.org: the name does not resolve: it does not exist in DNS',
    hint:
      "Check the name superlnk.example.org given for SuperLink (a typo? a name only the site's internal DNS " +
      'knows?), or use an IP address instead of the name (with --set, or in the URL of `fedprobe probe`).',
    addresses: [],
  },
];

export function samplePlan() {
  const profile = {
    id: 'flower/supernode',
    framework: 'Flower',
    component: 'SuperNode',
    scenario: 'TLS',
    reference: 'Flower "Network Communication"',
  };
  const run = buildReport(profile, samplePlanResults, new Date('2026-11-24T10:00:00.000Z'), 41.6, false);
  run.tool.version = '0.0.0-test';
  run.host = 'node01.example.org';
  return run;
}
