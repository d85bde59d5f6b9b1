// The profiles checked against the frameworks' current sources (issue 8, item 5): Fed-BioMed's
// Docker-without-VPN matrix, the ports where Fed-BioMed's own pages differ from the seed (a variable
// each, the seed's value by default), Flower's calls home (update check, telemetry, Hub), the
// SuperExec sources of process isolation, and ServerAppIo/ClientAppIo held to loopback.
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { runCheck } from '../../src/probe/run.js';
import { expand } from '../../src/profile/expand.js';
import { loadProfile } from '../../src/profile/load.js';
import type { Check, Profile, RunReport } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';

const HOST = 'fbm.example.org';

function checksOf(profile: Profile, set: Record<string, string> = {}): Map<string, Check> {
  const checks = expand(profile, { timeoutMs: 1000, retries: 0, env: {}, set });
  return new Map(checks.map((c) => [c.row.id, c]));
}

const matrixColumns = (p: Profile) =>
  p.rows.map((r) => [r.dir, r.source, r.destination, r.port.toUpperCase(), r.service, r.type, r.status]);

// Servers the tests start, closed after each test.
const servers: { close(cb: () => void): unknown }[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function listenOn(server: Server | ReturnType<typeof createTcpServer>, host: string): Promise<number> {
  servers.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return (server.address() as AddressInfo).port;
}

/** A port nothing listens on: bound once by the kernel's choice, then released. */
async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await new Promise<number>((r) => s.listen(0, '127.0.0.1', () => r((s.address() as AddressInfo).port)));
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

async function checkJson(args: string[]): Promise<{ code: number; run: RunReport }> {
  const r = await runCli(['check', ...args, '--format', 'json', '--retries', '0']);
  return { code: r.code, run: JSON.parse(r.stdout) as RunReport };
}

describe('Fed-BioMed, Docker containers without VPN (develop matrix.md l.110-143)', () => {
  // The rows of Fed-BioMed's own table, as written there (the seed predates this scenario).
  it('fedbiomed/node-docker: node container → researcher container 50051, GUI 8484 on the host', async () => {
    const p = await loadProfile('fedbiomed/node-docker');
    expect(p.scenario).toBe('Docker containers without VPN');
    expect(matrixColumns(p)).toEqual([
      ['out', 'node container', 'researcher container', 'TCP/50051', 'gRPC', 'backend', 'mandatory'],
      ['in', 'localhost (host)', 'node container', 'TCP/8484', 'HTTP', 'user', 'optional'],
    ]);
    expect(p.rows[0]!.comment).toContain('via Docker bridge network, using researcher container name');
    expect(p.rows[1]!.comment).toContain('Node GUI (published to host)');
    const checks = checksOf(p, { researcher_host: 'fbm-researcher' });
    const grpc = checks.get('researcher')!;
    expect([grpc.target.scheme, grpc.target.host, grpc.target.port]).toEqual(['grpcs', 'fbm-researcher', 50051]);
    // researcher_ca is empty by default: no CA (the prober reads "" as none).
    expect(grpc.with).toEqual({ expectService: 'fedbiomed-researcher', insecure: true, ca: '' });
    const gui = checks.get('gui')!;
    expect([gui.target.scheme, gui.target.port, gui.with]).toEqual(['listen', 8484, { localOnly: true }]);
    // A second node container on the same host publishes its GUI elsewhere (matrix.md l.130).
    expect(checksOf(p, { researcher_host: 'fbm-researcher', gui_port: '8485' }).get('gui')!.target.port).toBe(8485);
  });

  it('fedbiomed/researcher-docker: 50051 in, Jupyter 8888 and TensorBoard 6007 (not 6006) local only', async () => {
    const p = await loadProfile('fedbiomed/researcher-docker');
    expect(matrixColumns(p)).toEqual([
      ['in', 'node containers', 'researcher container', 'TCP/50051', 'gRPC', 'backend', 'mandatory'],
      ['in', 'localhost (host)', 'researcher container', 'TCP/8888', 'HTTP', 'user', 'optional'],
      ['in', 'localhost (host)', 'researcher container', 'TCP/6007', 'HTTP', 'user', 'optional'],
    ]);
    expect(p.rows[2]!.comment).toContain('TensorBoard listens internally on TCP/6006');
    const checks = checksOf(p);
    const seen = [...checks.values()].map((c) => [c.row.id, c.target.scheme, c.target.port, c.with.localOnly]);
    expect(seen).toEqual([
      ['grpc', 'listen', 50051, undefined],
      ['jupyter', 'listen', 8888, true],
      ['tensorboard', 'listen', 6007, true],
    ]);
  });
});

describe('ports where Fed-BioMed differs from the seed are variables, the seed value by default', () => {
  const restful = [
    ['fedbiomed/node', 'http://fbm.example.org:8080/', 'http://fbm.example.org:8844/'],
    ['fedbiomed/researcher', 'http://fbm.example.org:8080/', 'http://fbm.example.org:8844/'],
    ['fedbiomed/network', 'listen://tcp/8080', 'listen://tcp/8844'],
  ] as const;

  it.each(restful)('%s: restful_port 8080 by default, --set restful_port=8844 probes 8844', async (id, seed, url) => {
    const p = await loadProfile(id);
    expect(p.vars.restful_port).toMatchObject({ default: '8080' });
    expect(p.vars.restful_port!.description).toContain('--set restful_port=8844');
    const row = p.rows.find((r) => r.id === 'restful')!;
    expect(row.comment).toContain('8844');
    const byDefault = checksOf(p, { network_host: HOST }).get('restful')!;
    expect([byDefault.row.probe, byDefault.target.port]).toEqual([seed, 8080]);
    const real = checksOf(p, { network_host: HOST, restful_port: '8844' }).get('restful')!;
    expect([real.row.probe, real.target.port]).toEqual([url, 8844]);
  });

  it('fedbiomed/node-vpn: gui_port is 8484 by default, --set gui_port=8443 checks the HTTPS GUI', async () => {
    const p = await loadProfile('fedbiomed/node-vpn');
    expect(p.vars.gui_port).toMatchObject({ default: '8484' });
    expect(p.vars.gui_port!.description).toContain('--set gui_port=8443');
    expect(checksOf(p, { vpn_server: HOST }).get('gui')!.row.probe).toBe('listen://tcp/8484');
    const gui = checksOf(p, { vpn_server: HOST, gui_port: '8443' }).get('gui')!;
    expect([gui.row.probe, gui.target.port, gui.with]).toEqual(['listen://tcp/8443', 8443, { localOnly: true }]);
  });

  it('`check fedbiomed/node --set restful_port=N` probes a real HTTP server on N, and only there', async () => {
    const port = await listenOn(
      createServer((_req, res) => res.end('[]')),
      '127.0.0.1',
    );
    const node = (p: number) => [
      'fedbiomed/node',
      '--set',
      'network_host=127.0.0.1',
      '--set',
      `restful_port=${p}`,
      '--only',
      'restful',
    ];
    const ok = await checkJson(node(port));
    expect(ok.run.results.map((r) => [r.id, r.probe, r.outcome, r.state, r.reason])).toEqual([
      ['restful', `http://127.0.0.1:${port}/`, 'pass', 'open', 'ok'],
    ]);
    expect(ok.code).toBe(0);
    const closed = await closedPort();
    const refused = await checkJson(node(closed));
    expect(refused.run.results.map((r) => [r.probe, r.outcome, r.state, r.reason])).toEqual([
      [`http://127.0.0.1:${closed}/`, 'fail', 'closed', 'refused'],
    ]);
    expect(refused.code).toBe(1);
  });

  it('--set restful_port=N turns the port column into TCP/N in every output; show prints the default', async () => {
    const closed = await closedPort();
    const args = [
      'fedbiomed/node',
      '--set',
      'network_host=127.0.0.1',
      '--set',
      `restful_port=${closed}`,
      '--only',
      'restful',
    ];
    const { run } = await checkJson(args);
    expect(run.results.map((r) => [r.id, r.port, r.probe, r.reason])).toEqual([
      ['restful', `tcp/${closed}`, `http://127.0.0.1:${closed}/`, 'refused'],
    ]);
    const junit = await runCli(['check', ...args, '--format', 'junit']);
    expect(junit.stdout).toContain(`TCP/${closed}`);
    expect(junit.stdout).not.toContain('TCP/8080');
    // The profile as loaded shows the documented default in its matrix; the variable says how to change it.
    const show = await runCli(['show', 'fedbiomed/node']);
    expect(show.stdout).toMatch(/^restful\s+out\s+node\s+restful\s+TCP\/8080\s+HTTP/m);
    expect(show.stdout).toMatch(/^ {2}restful_port\s+default 8080\s+restful port;/m);
    expect((await loadProfile('fedbiomed/node')).rows.find((r) => r.id === 'restful')!.port).toBe('tcp/8080');
  });

  it('`check fedbiomed/network --set restful_port=N` reads the listener on N from /proc/net', async () => {
    const port = await listenOn(createTcpServer(), '127.0.0.1');
    const { code, run } = await checkJson(['fedbiomed/network', '--set', `restful_port=${port}`, '--only', 'restful']);
    expect(run.results.map((r) => [r.probe, r.outcome, r.state, r.reason, r.facts.listeningOn])).toEqual([
      [`listen://tcp/${port}`, 'pass', 'open', 'ok', [`127.0.0.1:${port}`]],
    ]);
    expect(code).toBe(0);
  });
});

describe("Flower's calls home: optional outbound HTTPS rows naming the setting that turns each off", () => {
  const UPDATE = { probe: 'https://api.flower.ai/v1/update-check/flwr', off: 'FLWR_DISABLE_UPDATE_CHECK=1' };
  const TELEMETRY = { probe: 'https://telemetry.flower.ai/api/v1/event', off: 'FLWR_TELEMETRY_ENABLED=0' };

  it.each([
    ['flower/superlink', ['update-check', 'telemetry', 'hub']],
    ['flower/supernode', ['update-check', 'telemetry']],
    ['flower/supernode-insecure', ['update-check', 'telemetry']],
    ['flower/process', ['update-check', 'telemetry']],
    ['flower/cli', ['update-check', 'hub']],
    ['flower/cli-insecure', ['update-check', 'hub']],
  ])('%s has %j, all optional, out, HTTPS on 443', async (id, ids) => {
    const p = await loadProfile(id);
    const home = p.rows.filter((r) => r.port === 'tcp/443' && r.id !== 'oidc');
    expect(home.map((r) => r.id)).toEqual(ids);
    for (const r of home) {
      expect([r.dir, r.status, r.service, r.type], `${id} ${r.id}`).toEqual(['out', 'optional', 'HTTPS', 'backend']);
      // Each cites the Flower source it was read from.
      expect(r.comment, `${id} ${r.id}`).toMatch(/\.py l\.\d+/);
    }
    const update = home.find((r) => r.id === 'update-check')!;
    expect(update.probe).toBe(UPDATE.probe);
    expect(update.comment).toContain(`off with ${UPDATE.off}`);
    const telemetry = home.find((r) => r.id === 'telemetry');
    if (ids.includes('telemetry')) {
      expect(telemetry!.probe).toBe(TELEMETRY.probe);
      expect(telemetry!.comment).toContain(`off with ${TELEMETRY.off}`);
    }
    // The mandatory rows stay the framework's own: a blocked call home never fails a run.
    expect(p.rows.filter((r) => r.status === 'mandatory').every((r) => r.port !== 'tcp/443')).toBe(true);
  });

  it('the SuperLink fetches FABs from the Hub only for `flwr run @account/app`; no setting turns it off', async () => {
    const hub = (await loadProfile('flower/superlink')).rows.find((r) => r.id === 'hub')!;
    const fetchFab = 'https://api.flower.ai/v1/hub/fetch-fab';
    expect(hub).toMatchObject({ dir: 'out', source: 'SuperLink', destination: 'Flower Hub', probe: fetchFab });
    expect(hub.comment).toContain('no setting turns it off');
    expect(hub.comment).toContain('flwr run @account/app');
    expect(hub.comment).toContain('control_servicer.py l.153-156, l.1005');
  });
});

// ref-flower-network-communication.rst l.157-168 (flower main@fdef7afb1d)
describe('Flower process isolation: SuperExec/ServerApp and SuperExec/ClientApp', () => {
  it('flower/process, flower/superlink and flower/supernode name the SuperExec as a source', async () => {
    const proc = await loadProfile('flower/process');
    const grpcRows = proc.rows.filter((r) => r.port !== 'tcp/443');
    expect(grpcRows.map((r) => [r.id, r.source, r.destination, r.port])).toEqual([
      ['serverappio', 'SuperExec/ServerApp', 'SuperLink', 'tcp/9091'],
      ['clientappio', 'SuperExec/ClientApp', 'SuperNode', 'tcp/9094'],
    ]);
    const superlink = await loadProfile('flower/superlink');
    expect(superlink.rows.find((r) => r.id === 'serverappio')!.source).toBe('SuperExec/ServerApp');
    for (const id of ['flower/supernode', 'flower/supernode-insecure']) {
      expect((await loadProfile(id)).rows.find((r) => r.id === 'clientappio')!.source).toBe('SuperExec/ClientApp');
    }
  });
});

// flower main@fdef7afb1d framework/py/flwr/common/constant.py l.45, l.48
describe('ServerAppIo and ClientAppIo bind 0.0.0.0 by default: the rows hold them to loopback', () => {
  // The shipped row, run for real against this namespace's /proc/net; only its port is moved to one
  // the kernel picked, so that no fixed port is taken from other tests.
  async function runRowOn(id: string, rowId: string, bindHost: string) {
    const p = await loadProfile(id);
    const check = checksOf(p, { superlink_host: HOST }).get(rowId)!;
    const port = await listenOn(createTcpServer(), bindHost);
    const moved: Check = { ...check, target: { ...check.target, port } };
    return runCheck(moved, { concurrency: 1, log: silentLogger });
  }

  it.each([
    ['flower/superlink', 'serverappio', 'listen://tcp/9091', 'serverappio_api_port'],
    ['flower/supernode', 'clientappio', 'listen://tcp/9094', 'clientappio_api_port'],
    ['flower/supernode-insecure', 'clientappio', 'listen://tcp/9094', 'clientappio_api_port'],
  ])('%s %s: %s with localOnly', async (id, rowId, probe, port) => {
    const p = await loadProfile(id);
    const row = p.rows.find((r) => r.id === rowId)!;
    expect([row.dir, row.probe, row.with]).toEqual(['in', `listen://tcp/\${${port}}`, { localOnly: true }]);
    expect(row.comment).toContain('127.0.0.1');
    expect(checksOf(p, { superlink_host: HOST }).get(rowId)!.row.probe).toBe(probe);
  });

  it('bound to all addresses (the default) is `exposed`; bound to 127.0.0.1 passes', async () => {
    const all = await runRowOn('flower/superlink', 'serverappio', '0.0.0.0');
    expect([all.outcome, all.state, all.reason]).toEqual(['fail', 'open', 'exposed']);
    expect(all.detail).toContain('all addresses (0.0.0.0)');
    const local = await runRowOn('flower/superlink', 'serverappio', '127.0.0.1');
    expect([local.outcome, local.state, local.reason]).toEqual(['pass', 'open', 'ok']);
  });
});
