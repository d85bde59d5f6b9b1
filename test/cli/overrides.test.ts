// Row overrides (`--with ROW.OPTION=VALUE`, a site file's `rows:`) and the found values that land:
// a shipped profile takes a site's CA without being copied, and `check --from` a SuperNode's own
// systemd unit checks the SuperLink on the port and with the CA the unit names. The SuperLink is a
// real Python grpcio server serving Flower's Fleet API over TLS, on a port the kernel picked.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand } from '../../src/profile/expand.js';
import { loadProfile, loadSiteFile } from '../../src/profile/load.js';
import { SITE_ROWS, parseWithFlags } from '../../src/profile/overrides.js';
import type { CheckResult, RunReport } from '../../src/types.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { startGrpcio, type Grpcio } from '../helpers/grpcio.js';

let certs: TestCerts;
let superlink: Grpcio;
let dir: string;

beforeAll(async () => {
  certs = await makeCerts();
  superlink = await startGrpcio({
    services: ['fleet'],
    interceptors: ['node-auth'],
    tls: { cert: certs.serverCert, key: certs.serverKey },
    host: '127.0.0.1',
    port: 0,
  });
  dir = mkdtempSync(join(tmpdir(), 'fedprobe-overrides-'));
}, 60_000);

afterAll(async () => {
  await superlink?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const seen = (r: CheckResult) => [r.id, r.port, r.probe, r.outcome, r.state, r.reason];

/** `check flower/supernode` of the fleet row against the grpcio SuperLink, as JSON. */
async function fleet(args: string[]): Promise<{ code: number; stderr: string; run: RunReport }> {
  const r = await runCli([
    'check',
    'flower/supernode',
    '--set',
    'superlink_host=127.0.0.1',
    '--set',
    `superlink_port=${superlink.port}`,
    '--only',
    'fleet',
    '-f',
    'json',
    '--timeout',
    '5s',
    ...args,
  ]);
  expect(superlink.handlerCalls()).toEqual([]);
  return { code: r.code, stderr: r.stderr, run: JSON.parse(r.stdout || '{"results":[]}') as RunReport };
}

async function usage(args: string[]): Promise<string> {
  const r = await runCli(args);
  expect(r.stdout).toBe('');
  expect(r.code).toBe(2);
  return r.stderr.trim();
}

describe("a shipped TLS profile takes the site's CA without being copied", () => {
  const pass = () => ['fleet', `tcp/${superlink.port}`, `grpcs://127.0.0.1:${superlink.port}`, 'pass', 'open', 'ok'];

  it('without the CA the SuperLink is not trusted', async () => {
    const { code, run } = await fleet([]);
    expect(run.results.map(seen)).toEqual([
      ['fleet', `tcp/${superlink.port}`, `grpcs://127.0.0.1:${superlink.port}`, 'fail', 'open', 'tls-error'],
    ]);
    expect(code).toBe(1);
  });

  it('--set superlink_ca=PATH (the profile variable)', async () => {
    const { code, run } = await fleet(['--set', `superlink_ca=${certs.caCert}`]);
    expect(run.results.map(seen)).toEqual([pass()]);
    expect(code).toBe(0);
  });

  it('--with fleet.ca=PATH (a row override)', async () => {
    const { code, run } = await fleet(['--with', `fleet.ca=${certs.caCert}`]);
    expect(run.results.map(seen)).toEqual([pass()]);
    expect(code).toBe(0);
  });

  it("--with '*.ca=PATH' reaches every row that takes ca", async () => {
    const { code, run } = await fleet(['--with', `*.ca=${certs.caCert}`]);
    expect(run.results.map(seen)).toEqual([pass()]);
    expect(code).toBe(0);
  });

  it('a site file: rows: {fleet: {with: {ca: PATH}}}', async () => {
    const site = file('site-ca.yaml', `rows:\n  fleet:\n    with:\n      ca: ${certs.caCert}\n`);
    const { code, run } = await fleet(['--site', site]);
    expect(run.results.map(seen)).toEqual([pass()]);
    expect(code).toBe(0);
  });

  it('--with is stronger than the site file, and a named row stronger than *', async () => {
    const site = file('site-wrong-ca.yaml', `rows:\n  fleet:\n    with:\n      ca: ${certs.selfSignedCert}\n`);
    const right = await fleet(['--site', site, '--with', `fleet.ca=${certs.caCert}`]);
    expect(right.run.results.map(seen)).toEqual([pass()]);
    const named = await fleet(['--with', `*.ca=${certs.selfSignedCert}`, '--with', `fleet.ca=${certs.caCert}`]);
    expect(named.run.results.map(seen)).toEqual([pass()]);
    const rightSite = file('site-right-ca.yaml', `rows: {fleet: {with: {ca: ${certs.caCert}}}}\n`);
    const wrong = await fleet(['--site', rightSite, '--with', `fleet.ca=${certs.selfSignedCert}`]);
    expect(wrong.run.results.map((r) => [r.outcome, r.reason])).toEqual([['fail', 'tls-error']]);
  });

  it('an empty value takes the option away: --with fleet.ca= after --set superlink_ca', async () => {
    const { run } = await fleet(['--set', `superlink_ca=${certs.caCert}`, '--with', 'fleet.ca=']);
    expect(run.results.map((r) => [r.outcome, r.reason])).toEqual([['fail', 'tls-error']]);
  });
});

describe('check --from a SuperNode systemd unit: the port and CA it names land', () => {
  it('--superlink 127.0.0.1:<port> --root-certificates CA passes against the SuperLink on that port', async () => {
    const unit = file(
      'flower-supernode.service',
      [
        '[Service]',
        `ExecStart=/opt/flwr/bin/flower-supernode --superlink 127.0.0.1:${superlink.port} \\`,
        `    --root-certificates ${certs.caCert} --clientappio-api-address 127.0.0.1:9094`,
        '',
      ].join('\n'),
    );
    const r = await runCli(['check', '--from', unit, '--only', 'fleet', '-f', 'json', '--timeout', '5s']);
    const run = JSON.parse(r.stdout) as RunReport;
    expect(run.profile.id).toBe('flower/supernode');
    expect(run.results.map(seen)).toEqual([
      ['fleet', `tcp/${superlink.port}`, `grpcs://127.0.0.1:${superlink.port}`, 'pass', 'open', 'ok'],
    ]);
    expect(r.code).toBe(0);
    // Each value names its source; the default ClientAppIo port needs no --set.
    expect(r.stderr.split('\n').filter((l) => l.includes(' = '))).toEqual([
      `fedprobe: from ${unit}: superlink_host = 127.0.0.1  (${unit}:2)`,
      `fedprobe: from ${unit}: superlink_port = ${superlink.port}  (${unit}:2)`,
      `fedprobe: from ${unit}: superlink_ca   = ${certs.caCert}  (${unit}:3)`,
    ]);
    expect(superlink.handlerCalls()).toEqual([]);
  });

  it('--set is stronger than the unit: another port is checked, and refused', async () => {
    const unit = file(
      'flower-supernode-2.service',
      '[Service]\nExecStart=flower-supernode ' +
        `--superlink 127.0.0.1:${superlink.port} --root-certificates ${certs.caCert}\n`,
    );
    const r = await runCli([
      'check',
      '--from',
      unit,
      '--only',
      'fleet',
      '-f',
      'json',
      '--set',
      'superlink_port=1',
      '--timeout',
      '2s',
    ]);
    const run = JSON.parse(r.stdout) as RunReport;
    expect(run.results.map(seen)).toEqual([['fleet', 'tcp/1', 'grpcs://127.0.0.1:1', 'fail', 'closed', 'refused']]);
    expect(r.code).toBe(1);
  });
});

const ROWS = 'rows: fleet, clientappio, update-check, telemetry, or * for every row that takes the option';
const FORM = "such as --with fleet.ca=/etc/flwr/ca.pem or --with '*.insecure=true'";
const GRPCS_OPTIONS = 'servername, ca, cert, key, insecure, minDaysValid, service, method, expectService, proxy';

describe('row overrides are checked as strictly as the profile, with one line per mistake', () => {
  const base = ['check', 'flower/supernode', '--set', 'superlink_host=127.0.0.1'];

  it.each([
    [['--with', 'flet.ca=/x'], `--with flet.ca: no row "flet" in flower/supernode (did you mean fleet? ${ROWS})`],
    [
      ['--with', 'fleet.cq=/x'],
      `--with fleet.cq: row fleet (grpcs://) has no option "cq" (did you mean ca? options: ${GRPCS_OPTIONS})`,
    ],
    [
      ['--with', '*.insecur=true'],
      '--with *.insecur: no row of flower/supernode takes the option "insecur" (did you mean insecure?)',
    ],
    [['--with', 'fleet.insecure=yes'], '--with fleet.insecure: expected true or false, got "yes"'],
    [['--with', 'fleet.minDaysValid=soon'], '--with fleet.minDaysValid: expected a number, got "soon"'],
    [['--with', 'ca=/x'], `--with "ca": expected ROW.OPTION=VALUE, ${FORM}`],
    [
      ['--with', '*.password=hunter2'],
      '--with *.password: a credential goes to one named row, never to * ' +
        '(every host the profile names, its calls home too): give ROW.password',
    ],
    [['--with', 'fleet.ca=/a', '--with', 'fleet.ca=/b'], '--with: fleet.ca is given twice; give it once'],
    [['--with', 'clientappio.localOnly=maybe'], '--with clientappio.localOnly: expected true or false, got "maybe"'],
    [
      ['--with', 'update-check.headers.X.Y=1'],
      `--with update-check.headers.X.Y: expected ROW.OPTION=VALUE (or ROW.headers.NAME=VALUE), ${FORM}`,
    ],
  ])('%j', async (args, message) => {
    expect(await usage([...base, ...args])).toBe(`fedprobe: ${message}`);
  });

  it("a value outside the option's schema: the schema's own words", async () => {
    expect(await usage([...base, '--with', 'fleet.expectService=flower'])).toBe(
      'fedprobe: --with fleet.expectService: Invalid option: expected one of "flower-fleet"|"flower-control"|' +
        '"flower-serverappio"|"flower-clientappio"|"fedbiomed-researcher"',
    );
  });

  it('the site file: unknown rows and keys name the file and the path in it', async () => {
    const typo = file('site-typo.yaml', 'rows:\n  flet:\n    with: { ca: /x }\n');
    expect(await usage([...base, '--site', typo])).toBe(
      `fedprobe: ${typo}: rows.flet.with.ca: no row "flet" in flower/supernode (did you mean fleet? ${ROWS})`,
    );
    const flat = file('site-flat.yaml', 'rows:\n  fleet:\n    ca: /x\n');
    expect(await usage([...base, '--site', flat])).toBe(`fedprobe: ${flat}: rows.fleet: unknown key "ca"`);
  });

  it('the daemon refuses a row none of its profiles has, from --with or its site file, before it listens', async () => {
    const daemon = ['daemon', 'flower/supernode', ...base.slice(2), '--listen', '127.0.0.1:9469'];
    expect(await usage([...daemon, '--with', 'flet.ca=/x'])).toBe(
      `fedprobe: --with flet.ca: no row "flet" in flower/supernode (did you mean fleet? ${ROWS})`,
    );
    const site = file('daemon-site.yaml', 'rows: {flet: {with: {ca: /x}}}\n');
    expect(await usage([...daemon, '--site', site])).toBe(
      `fedprobe: ${site}: rows.flet.with.ca: no row "flet" in flower/supernode (did you mean fleet? ${ROWS})`,
    );
    // With several profiles, a row of any of them is taken.
    const two = [...daemon, 'fedbiomed/node', '--set', 'network_host=h.example.org', '--with', 'restfull.ca=/x'];
    expect(await usage(two)).toBe(
      'fedprobe: --with restfull.ca: no row "restfull" in flower/supernode nor the other profiles (did you mean ' +
        'restful? rows: fleet, clientappio, update-check, telemetry, restful, mqtt, gui, or * for every row that ' +
        'takes the option)',
    );
  });
});

describe('values are typed by the option, taken as written, and credentials stay per row', () => {
  const checks = async (id: string, withFlags: Record<string, string>, set: Record<string, string> = {}) => {
    const p = await loadProfile(id);
    const all = expand(p, { timeoutMs: 1000, retries: 0, env: {}, set, overrides: parseWithFlags(withFlags) });
    return new Map(all.map((c) => [c.row.id, c]));
  };

  it('boolean, number and string options; ROW.headers.NAME adds one header', async () => {
    const c = await checks(
      'fedbiomed/node',
      {
        'gui.localOnly': 'false',
        'restful.minDaysValid': '30',
        'restful.expectStatus': '200',
        'restful.headers.X-Site': 'lab-1',
        'mqtt.clientId': '${network_host}',
      },
      { network_host: 'fbm.example.org' },
    );
    expect(c.get('gui')!.with).toEqual({ localOnly: false });
    // expectStatus takes "2xx" as well as 200: a number-like text stays text where the schema takes it.
    expect(c.get('restful')!.with).toEqual({ minDaysValid: 30, expectStatus: '200', headers: { 'X-Site': 'lab-1' } });
    // Taken as written: an override never pulls in a variable's value.
    expect(c.get('mqtt')!.with).toEqual({ clientId: '${network_host}' });
  });

  it("a credential given to a named row is that row's secret (credentials were given), and only its", async () => {
    const given = { 'mqtt.username': 'node-1', 'mqtt.password': 'hunter2' };
    const c = await checks('fedbiomed/node', given, { network_host: 'fbm.example.org' });
    expect(c.get('mqtt')!.with).toEqual({ username: 'node-1', password: 'hunter2' });
    expect(c.get('mqtt')!.secrets).toEqual({ 'with.password': 'hunter2' });
    expect(c.get('restful')!.secrets).toEqual({});
  });

  it('an override may name a row of another profile run with the same options (the daemon)', async () => {
    const p = await loadProfile('flower/supernode');
    const opts = {
      timeoutMs: 1000,
      retries: 0,
      env: {},
      set: { superlink_host: 'h.example.org' },
      overrides: parseWithFlags({ 'restful.minDaysValid': '3' }),
    };
    expect(() => expand(p, opts)).toThrow('--with restful.minDaysValid: no row "restful" in flower/supernode');
    const ids = expand(p, { ...opts, otherRowIds: new Set(['restful']) }).map((c) => c.row.id);
    expect(ids).toEqual(['fleet', 'clientappio', 'update-check', 'telemetry']);
  });

  it('the site file keeps its row options beside its variables', async () => {
    const text = 'vars: {superlink_host: h.example.org}\nrows: {"*": {with: {insecure: true}}}\n';
    const site = await loadSiteFile(file('site-both.yaml', text));
    // Under a symbol: no variable can be called like them, and every copy of the site's values keeps them.
    expect(Object.entries(site)).toEqual([['superlink_host', 'h.example.org']]);
    expect(site[SITE_ROWS]!.map((o) => [o.row, o.key, o.value])).toEqual([['*', 'insecure', true]]);
    expect({ ...site }[SITE_ROWS]).toBe(site[SITE_ROWS]);
    const c = expand(await loadProfile('flower/supernode'), { timeoutMs: 1000, retries: 0, env: {}, site });
    const insecure = c.filter((x) => x.with.insecure === true).map((x) => x.row.id);
    expect(insecure).toEqual(['fleet', 'update-check', 'telemetry']);
  });
});
