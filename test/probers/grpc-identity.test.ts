// expectService against real Python grpcio servers (Debian python3-grpcio 1.51) serving the method
// tables generated from Flower's and Fed-BioMed's own .proto files, with Flower-like interceptors
// (test/helpers/grpcio/server.py): the expected service passes, every other one, and an empty
// server, fail with wrong-identity naming what answered, and no probe ever runs a handler.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { FINGERPRINT_NAMES, type FingerprintName } from '../../src/probers/fingerprints.js';
import { startGrpcio, type Grpcio, type GrpcioOptions } from '../helpers/grpcio.js';
import { probeUrl } from '../helpers/probe.js';

const SERVERS = {
  // Flower >= 1.23 SuperLink: node auth always on the Fleet API, account auth on the Control API.
  fleet: { services: ['fleet'], interceptors: ['node-auth'] },
  control: { services: ['control'], interceptors: ['control-auth'] },
  serverappio: { services: ['serverappio'] },
  clientappio: { services: ['clientappio'] },
  // Fed-BioMed's researcher runs grpc.aio.
  fedbiomed: { services: ['fedbiomed'], aio: true },
  empty: { services: [] },
  // Older and newer shapes of the same services.
  fleetOpen: { services: ['fleet'] },
  fleetLegacyAuth: { services: ['fleet'], interceptors: ['node-auth-legacy'] },
  controlOpen: { services: ['control'] },
  serverappioToken: { services: ['serverappio'], interceptors: ['appio-token'] },
  healthOnly: { services: [], health: true },
  // Flower 1.15-1.20: the Control API was the Exec API (flwr.proto.Exec).
  exec120: { services: ['exec'], protos: 'flower-1.20' },
  // A SuperLink whose clock is a minute behind this machine's.
  fleetSkewed: { services: ['fleet'], interceptors: ['node-auth'], clockSkew: -60 },
  // An authentication layer that refuses every call before the method table.
  authOnly: { services: [], interceptors: ['appio-token'] },
} satisfies Record<string, GrpcioOptions>;
type ServerName = keyof typeof SERVERS;

const running = {} as Record<ServerName, Grpcio>;

beforeAll(async () => {
  await Promise.all(
    (Object.keys(SERVERS) as ServerName[]).map(async (k) => (running[k] = await startGrpcio(SERVERS[k]))),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all(Object.values(running).map((s) => s?.stop()));
});

const probe = (server: ServerName, expectService: FingerprintName) =>
  probeUrl(`grpc://127.0.0.1:${running[server].port}`, { expectService });

const RIGHT: Record<FingerprintName, ServerName> = {
  'flower-fleet': 'fleet',
  'flower-control': 'control',
  'flower-serverappio': 'serverappio',
  'flower-clientappio': 'clientappio',
  'fedbiomed-researcher': 'fedbiomed',
};

const INTERNAL = 'grpc-status 13 INTERNAL "Exception deserializing request!"';
const AIO_DECODE =
  "grpc-status 2 UNKNOWN \"Unexpected <class 'google.protobuf.message.DecodeError'>: " +
  "Error parsing message with type 'researcher.FeedbackMessage'\"";
const registered = (label: string, path: string, said = INTERNAL) =>
  `${label}: ${path} is registered (an undecodable request was refused before any handler ran: ${said})`;
const PASS_DETAIL: Record<FingerprintName, string> = {
  'flower-fleet': registered('Flower Fleet API', '/flwr.proto.Fleet/GetRun'),
  'flower-control': registered('Flower Control API', '/flwr.proto.Control/ListRuns'),
  'flower-serverappio': registered('Flower ServerAppIo API', '/flwr.proto.ServerAppIo/GetRun'),
  'flower-clientappio': registered('Flower ClientAppIo API', '/flwr.proto.ClientAppIo/GetRun'),
  'fedbiomed-researcher': registered(
    'Fed-BioMed researcher gRPC server',
    '/researcher.ResearcherService/Feedback',
    AIO_DECODE,
  ),
};

const NOT_FOUND = 'grpc-status 12 UNIMPLEMENTED "Method not found!" (not registered)';
const CLIENTAPPIO_METHODS = '/flwr.proto.ClientAppIo/GetRun, /flwr.proto.ClientAppIo/GetToken';
const RESEARCHER_METHOD = '/researcher.ResearcherService/Feedback';
const ASKED: Record<FingerprintName, string> = {
  'flower-fleet': `not Flower Fleet API: /flwr.proto.Fleet/GetRun → ${NOT_FOUND}`,
  'flower-control': `not Flower Control API: /flwr.proto.Control/ListRuns, /flwr.proto.Exec/ListRuns → ${NOT_FOUND}`,
  'flower-serverappio': `not Flower ServerAppIo API: /flwr.proto.ServerAppIo/GetRun → ${NOT_FOUND}`,
  'flower-clientappio': `not Flower ClientAppIo API: ${CLIENTAPPIO_METHODS} → ${NOT_FOUND}`,
  'fedbiomed-researcher': `not Fed-BioMed researcher gRPC server: ${RESEARCHER_METHOD} → ${NOT_FOUND}`,
};
const SERVES: Record<ServerName, string> = {
  fleet: 'this port serves Flower Fleet API',
  control: 'this port serves Flower Control API',
  serverappio: 'this port serves Flower ServerAppIo API',
  clientappio: 'this port serves Flower ClientAppIo API',
  fedbiomed: 'this port serves Fed-BioMed researcher gRPC server',
  empty: 'none of the other framework APIs fedprobe knows answers here either',
} as Record<ServerName, string>;

describe.each(FINGERPRINT_NAMES)('expectService: %s', (name) => {
  it(`passes on the ${RIGHT[name]} server, naming the method and the evidence`, async () => {
    const r = await probe(RIGHT[name], name);
    expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(r.detail).toBe(PASS_DETAIL[name]);
  });

  const wrong = (['fleet', 'control', 'serverappio', 'clientappio', 'fedbiomed', 'empty'] as const).filter(
    (s) => s !== RIGHT[name],
  );
  it.each(wrong)('fails with wrong-identity on the %s server, naming what answered', async (server) => {
    const r = await probe(server, name);
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-identity', code: 'GRPC_12' });
    expect(r.detail).toBe(`${ASKED[name]}; ${SERVES[server]}`);
    expect(r.hint).toBe(
      `TCP/${running[server].port} at 127.0.0.1 (svc) answers gRPC, but not as GRPC: the detail names what ` +
        'answers instead. Check the port number (another API of the same server?) and what a proxy in front routes ' +
        'it to.',
    );
  });
});

describe('other shapes of the services', () => {
  it('a Fleet API without node auth (Flower <= 1.22 default) passes', async () => {
    const r = await probe('fleetOpen', 'flower-fleet');
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(r.detail).toBe(PASS_DETAIL['flower-fleet']);
  });
  it(
    'a Fleet API with opt-in node auth (Flower 1.9-1.22) passes on its ' + "interceptor's refusal, said as such",
    async () => {
      const r = await probe('fleetLegacyAuth', 'flower-fleet');
      expect(r).toMatchObject({
        outcome: 'pass',
        reason: 'ok',
        facts: { grpcStatus: 16, grpcMessage: 'Public key not recognized' },
      });
      expect(r.detail).toBe(
        "Flower Fleet API: Flower's node-authentication interceptor guards /flwr.proto.Fleet/GetRun " +
          '(grpc-status 16 UNAUTHENTICATED "Public key not recognized"); it answers before the method table, so this ' +
          'proves ' +
          'the Fleet server, not the method',
      );
    },
  );
  it('a Control API without the account interceptor (Flower 1.21-1.22) passes', async () => {
    const r = await probe('controlOpen', 'flower-control');
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(r.detail).toBe(PASS_DETAIL['flower-control']);
  });
  it(
    'a Fleet API whose clock is a minute off: warn, auth-rejected (a ' + 'SuperNode here would be refused too)',
    async () => {
      const r = await probe('fleetSkewed', 'flower-fleet');
      expect(r).toMatchObject({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code: 'GRPC_16' });
      expect(r.detail).toBe(
        "Flower Fleet API, but its node-authentication interceptor refused this machine's clock " +
          '(grpc-status 16 UNAUTHENTICATED "Invalid timestamp"): clocks more than a few seconds apart make a ' +
          'SuperNode here fail too',
      );
    },
  );
  it('a server that refuses every call before the method table: warn, auth-rejected, identity not proven', async () => {
    const r = await probe('authOnly', 'flower-serverappio');
    expect(r).toMatchObject({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code: 'GRPC_16' });
    expect(r.detail).toBe(
      'the gRPC server refused before looking up /flwr.proto.ServerAppIo/GetRun (grpc-status 16 ' +
        'UNAUTHENTICATED "Authentication failed."): whether it serves Flower ServerAppIo API is not proven',
    );
  });
  it('the Exec API of Flower 1.15-1.20 passes as flower-control, said as such', async () => {
    const r = await probe('exec120', 'flower-control');
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { method: '/flwr.proto.Exec/ListRuns' } });
    expect(r.detail).toBe(
      registered('Flower Exec API (the Control API before Flower 1.21)', '/flwr.proto.Exec/ListRuns'),
    );
  });
  it('the Exec API where the Fleet API is expected: wrong-identity naming it', async () => {
    const r = await probe('exec120', 'flower-fleet');
    expect(r).toMatchObject({ outcome: 'fail', reason: 'wrong-identity' });
    expect(r.detail).toBe(
      `${ASKED['flower-fleet']}; this port serves Flower Exec API (the Control API before Flower 1.21)`,
    );
  });
  it("the Control API's interceptor breaks on a method it does not know: UNKNOWN, not a pass", async () => {
    const r = await probeUrl(`grpc://127.0.0.1:${running.control.port}`, {
      method: '/flwr.proto.Control/FedprobeProbe',
    });
    expect(r).toMatchObject({
      outcome: 'fail',
      reason: 'not-serving',
      facts: { grpcStatus: 2, grpcMessage: 'Error in service handler!' },
    });
  });
  it("ServerAppIo behind Flower's AppIo token interceptor passes (GetRun needs no token)", async () => {
    const r = await probe('serverappioToken', 'flower-serverappio');
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(r.detail).toBe(PASS_DETAIL['flower-serverappio']);
  });
  it(
    'the AppIo token interceptor refuses every other method: Fleet expected there is wrong-identity, naming ' +
      'ServerAppIo',
    async () => {
      const r = await probe('serverappioToken', 'flower-fleet');
      expect(r).toMatchObject({ outcome: 'fail', reason: 'wrong-identity', code: 'GRPC_16' });
      expect(r.detail).toBe(
        'not Flower Fleet API: /flwr.proto.Fleet/GetRun → grpc-status 16 UNAUTHENTICATED ' +
          '"Authentication failed." (not grpcio\'s answer for a registered method); this port serves Flower ' +
          'ServerAppIo API',
      );
    },
  );
  it('a server with only the health service: plain probe passes SERVING, expectService fails', async () => {
    expect(await probeUrl(`grpc://127.0.0.1:${running.healthOnly.port}`)).toMatchObject({
      outcome: 'pass',
      facts: { servingStatus: 'SERVING' },
    });
    const r = await probe('healthOnly', 'flower-serverappio');
    expect(r).toMatchObject({ outcome: 'fail', reason: 'wrong-identity' });
    expect(r.detail).toBe(`${ASKED['flower-serverappio']}; ${SERVES.empty}`);
  });
});

describe('no probe changes server state', () => {
  it('no handler ran on any server', () => {
    for (const [name, s] of Object.entries(running)) expect([name, s.handlerCalls()]).toEqual([name, []]);
  });
});

describe('the handler trap works', () => {
  it('a decodable request (the method option sends an empty message) does run the handler', async () => {
    const r = await probeUrl(`grpc://127.0.0.1:${running.controlOpen.port}`, {
      method: '/flwr.proto.Control/ListRuns',
    });
    expect(r).toMatchObject({ outcome: 'fail', reason: 'not-serving', facts: { grpcStatus: 9 } });
    // The server writes its HANDLER line before it answers; the pipe may deliver it a little later.
    await vi.waitFor(() => expect(running.controlOpen.handlerCalls()).toEqual(['/flwr.proto.Control/ListRuns']), {
      timeout: 5000,
    });
  });
});
