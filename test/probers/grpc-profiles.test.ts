// The shipped Flower profiles' gRPC rows (and Fed-BioMed v5's researcher row), run with the CLI (built bin/, as an
// operator runs it)
// against real Python grpcio servers on the ports the profiles name, each run in a network
// namespace of its own. grpcs rows trust the test CA through NODE_EXTRA_CA_CERTS, as a site whose
// SuperLink certificate comes from a private CA can.
import { beforeAll, describe, expect, it } from 'vitest';
import type { RunReport } from '../../src/types.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { cliInPrivateNetns, type GrpcioOptions } from '../helpers/grpcio.js';

let certs: TestCerts;
let tls: { cert: string; key: string };

beforeAll(async () => {
  certs = await makeCerts();
  tls = { cert: certs.serverCert, key: certs.serverKey };
});

type Server = GrpcioOptions & { port: number };
// A Flower >= 1.23 SuperLink (Fleet 9092, Control 9093, ServerAppIo 9091) and SuperNode (ClientAppIo 9094).
const fleet = (o: Partial<Server> = {}): Server => ({
  services: ['fleet'],
  interceptors: ['node-auth'],
  port: 9092,
  ...o,
});
const control = (o: Partial<Server> = {}): Server => ({
  services: ['control'],
  interceptors: ['control-auth'],
  port: 9093,
  ...o,
});
const serverappio = (o: Partial<Server> = {}): Server => ({ services: ['serverappio'], port: 9091, ...o });
const clientappio = (o: Partial<Server> = {}): Server => ({ services: ['clientappio'], port: 9094, ...o });

/** The host variables each profile declares. */
const HOSTS: Record<string, string[]> = {
  'flower/cli': ['superlink_host'],
  'flower/cli-insecure': ['superlink_host'],
  'flower/supernode': ['superlink_host'],
  'flower/supernode-insecure': ['superlink_host'],
  'flower/process': ['superlink_host', 'supernode_host'],
  'flower/superlink': [],
  'fedbiomed/node-v5': ['researcher_host'],
};

async function check(profile: string, servers: Server[], only: string): Promise<RunReport> {
  const sets = HOSTS[profile]!.flatMap((v) => ['--set', `${v}=127.0.0.1`]);
  const r = await cliInPrivateNetns(
    servers,
    ['check', profile, ...sets, '--only', only, '-f', 'json', '--timeout', '5s'],
    { NODE_EXTRA_CA_CERTS: certs.caCert },
  );
  expect(r.serverOutput).not.toMatch(/^HANDLER /m);
  expect(r.stderr).toBe('');
  return JSON.parse(r.stdout) as RunReport;
}

const row = (run: RunReport, id: string) => run.results.find((x) => x.id === id)!;

describe('flower/cli and flower/cli-insecure: the Control API (Flower >= 1.23, account interceptor on)', () => {
  it('flower/cli (grpcs): pass', async () => {
    const run = await check('flower/cli', [control({ tls })], 'control');
    expect(row(run, 'control')).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(row(run, 'control').detail).toMatch(/^Flower Control API: \/flwr\.proto\.Control\/ListRuns is registered/);
    expect(run.exitCode).toBe(0);
  });
  it('flower/cli-insecure (grpc): pass', async () => {
    const run = await check('flower/cli-insecure', [control()], 'control');
    expect(row(run, 'control')).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(run.exitCode).toBe(0);
  });
  it('flower/cli-insecure with the Fleet API on 9093: fail, wrong-identity naming it, exit 1', async () => {
    const run = await check('flower/cli-insecure', [fleet({ port: 9093 })], 'control');
    expect(row(run, 'control')).toMatchObject({ outcome: 'fail', reason: 'wrong-identity', code: 'GRPC_12' });
    expect(row(run, 'control').detail).toBe(
      'not Flower Control API: /flwr.proto.Control/ListRuns, /flwr.proto.Exec/ListRuns → ' +
        'grpc-status 12 UNIMPLEMENTED "Method not found!" (not registered); this port serves Flower Fleet API',
    );
    expect(row(run, 'control').hint).toBe(
      'TCP/9093 at 127.0.0.1 (SuperLink) answers gRPC, but not as gRPC (Exec API): the detail names what answers ' +
        'instead. Check the port number (another API of the same server?) and what a proxy in front routes it to.',
    );
    expect(run.exitCode).toBe(1);
  });
});

describe('flower/supernode and flower/supernode-insecure: the Fleet API (node auth on)', () => {
  it('flower/supernode (grpcs): pass', async () => {
    const run = await check('flower/supernode', [fleet({ tls })], 'fleet');
    expect(row(run, 'fleet')).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(row(run, 'fleet').detail).toMatch(/^Flower Fleet API: \/flwr\.proto\.Fleet\/GetRun is registered/);
  });
  it('flower/supernode-insecure (grpc): pass; the Control API there instead: wrong-identity', async () => {
    expect(row(await check('flower/supernode-insecure', [fleet()], 'fleet'), 'fleet')).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
    });
    const wrong = row(await check('flower/supernode-insecure', [control({ port: 9092 })], 'fleet'), 'fleet');
    expect(wrong).toMatchObject({ outcome: 'fail', reason: 'wrong-identity' });
    expect(wrong.detail).toBe(
      'not Flower Fleet API: /flwr.proto.Fleet/GetRun → ' +
        'grpc-status 12 UNIMPLEMENTED "Method not found!" (not registered); this port serves Flower Control API',
    );
  });
});

describe('flower/process: ServerAppIo and ClientAppIo', () => {
  it('on their own ports: both pass', async () => {
    const run = await check('flower/process', [serverappio(), clientappio()], 'serverappio,clientappio');
    expect(run.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ['serverappio', 'pass', 'ok'],
      ['clientappio', 'pass', 'ok'],
    ]);
  });
  it('swapped (9091 <-> 9094): both fail with wrong-identity, each naming the other', async () => {
    const run = await check(
      'flower/process',
      [serverappio({ port: 9094 }), clientappio({ port: 9091 })],
      'serverappio,clientappio',
    );
    expect(run.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ['serverappio', 'fail', 'wrong-identity'],
      ['clientappio', 'fail', 'wrong-identity'],
    ]);
    expect(row(run, 'serverappio').detail).toMatch(/; this port serves Flower ClientAppIo API$/);
    expect(row(run, 'clientappio').detail).toMatch(/; this port serves Flower ServerAppIo API$/);
  });
});

describe('flower/superlink: its listen rows with the real servers up', () => {
  it('fleet, control and serverappio listen', async () => {
    const run = await check('flower/superlink', [fleet(), control(), serverappio()], 'fleet,control,serverappio');
    expect(run.results.map((r) => [r.id, r.outcome, r.state])).toEqual([
      ['fleet', 'pass', 'open'],
      ['control', 'pass', 'open'],
      ['serverappio', 'pass', 'open'],
    ]);
  });
});

describe('fedbiomed/node-v5: the researcher (grpc.aio over TLS, as Fed-BioMed runs it)', () => {
  it('pass; a Flower Fleet API on 50051 instead: wrong-identity naming it', async () => {
    const researcher: Server = { services: ['fedbiomed'], aio: true, tls, port: 50051 };
    const ok = row(await check('fedbiomed/node-v5', [researcher], 'researcher'), 'researcher');
    expect(ok).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(ok.detail).toMatch(
      /^Fed-BioMed researcher gRPC server: \/researcher\.ResearcherService\/Feedback is registered/,
    );
    const wrong = row(await check('fedbiomed/node-v5', [fleet({ tls, port: 50051 })], 'researcher'), 'researcher');
    expect(wrong).toMatchObject({ outcome: 'fail', reason: 'wrong-identity' });
    expect(wrong.detail).toMatch(/; this port serves Flower Fleet API$/);
  });
});
