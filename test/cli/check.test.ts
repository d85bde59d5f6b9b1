// `check`, `probe`, `show`, `profiles`, `schema` end to end through main(), against real
// listeners on loopback (inside the suite's private network namespace).
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runReportSchema } from '../../src/report/report-schema.js';
import { runCli } from '../helpers/cli.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
let server: Server;
let port = 0;

beforeAll(async () => {
  server = createServer((s) => s.destroy());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

describe('check', () => {
  it('passes the mandatory row, fails the optional one, exits 0', async () => {
    const r = await runCli(['check', fixture('good.yaml'), '--set', `port_open=${port}`, '--format', 'json']);
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout);
    expect(run.tool.name).toBe('fedprobe');
    expect(run.profile).toMatchObject({ framework: 'Test', component: 'site', scenario: 'fixture' });
    expect(run.summary).toEqual({ pass: 1, fail: 1, warn: 0, inconclusive: 0, skip: 0 });
    expect(run.exitCode).toBe(0);
    const [open, closed] = run.results;
    expect(open).toMatchObject({
      id: 'open',
      dir: 'out',
      port: 'tcp/1883',
      service: 'MQTT',
      status: 'mandatory',
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      hint: '',
    });
    expect(open.addresses).toHaveLength(1);
    expect(open.addresses[0]).toMatchObject({ address: '127.0.0.1', family: 4, outcome: 'pass', attempts: 1 });
    expect(typeof open.timings.connectMs).toBe('number');
    expect(closed).toMatchObject({
      id: 'closed-optional',
      outcome: 'fail',
      state: 'closed',
      reason: 'refused',
      code: 'ECONNREFUSED',
    });
    expect(closed.hint).toMatch(/no HTTP service listens on TCP\/1/);
    // The documented shape, key for key (jq filters rely on it): the published report schema is
    // strict and requires every key, so a missing or an undocumented key fails here.
    expect(runReportSchema.safeParse(run).error?.issues ?? []).toEqual([]);
    for (const row of run.results) {
      expect(typeof row.timings.totalMs).toBe('number');
    }
  });

  it('--strict makes an optional failure exit 1', async () => {
    const r = await runCli([
      'check',
      fixture('good.yaml'),
      '--set',
      `port_open=${port}`,
      '--strict',
      '--format',
      'json',
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).exitCode).toBe(1);
  });

  it('a failed mandatory row exits 1', async () => {
    const r = await runCli(['check', fixture('good.yaml'), '--set', 'port_open=1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/exit 1 \(a mandatory row failed\)/);
  });

  it('--mandatory-only and --only filter rows; --type too', async () => {
    const a = JSON.parse(
      (await runCli(['check', fixture('good.yaml'), '--set', `port_open=${port}`, '--mandatory-only', '-f', 'json']))
        .stdout,
    );
    expect(a.results.map((x: { id: string }) => x.id)).toEqual(['open']);
    const b = JSON.parse(
      (
        await runCli([
          'check',
          fixture('good.yaml'),
          '--set',
          `port_open=${port}`,
          '--only',
          'closed-optional',
          '-f',
          'json',
        ])
      ).stdout,
    );
    expect(b.results.map((x: { id: string }) => x.id)).toEqual(['closed-optional']);
    const c = JSON.parse(
      (await runCli(['check', fixture('good.yaml'), '--set', `port_open=${port}`, '--type', 'user', '-f', 'json']))
        .stdout,
    );
    expect(c.results.map((x: { id: string }) => x.id)).toEqual(['closed-optional']);
  });

  it('variables: defaults < site file < FEDPROBE_VAR_ < --set', async () => {
    // site.yaml sets port_open=9 (closed); the environment overrides it, --set overrides both.
    const viaSite = JSON.parse(
      (await runCli(['check', fixture('good.yaml'), '--site', fixture('site.yaml'), '--only', 'open', '-f', 'json']))
        .stdout,
    );
    expect(viaSite.results[0].probe).toBe('tcp://127.0.0.1:9');
    const viaEnv = JSON.parse(
      (
        await runCli(['check', fixture('good.yaml'), '--site', fixture('site.yaml'), '--only', 'open', '-f', 'json'], {
          FEDPROBE_VAR_PORT_OPEN: String(port),
        })
      ).stdout,
    );
    expect(viaEnv.results[0].probe).toBe(`tcp://127.0.0.1:${port}`);
    expect(viaEnv.results[0].outcome).toBe('pass');
    const viaSet = JSON.parse(
      (
        await runCli(
          [
            'check',
            fixture('good.yaml'),
            '--site',
            fixture('site.yaml'),
            '--set',
            'port_open=7',
            '--only',
            'open',
            '-f',
            'json',
          ],
          { FEDPROBE_VAR_PORT_OPEN: String(port) },
        )
      ).stdout,
    );
    expect(viaSet.results[0].probe).toBe('tcp://127.0.0.1:7');
  });

  it(
    'the table has the matrix columns, a hint under failures and a ' + 'summary line; no colour when not a TTY',
    async () => {
      const r = await runCli(['check', fixture('good.yaml'), '--set', `port_open=${port}`]);
      expect(r.stdout).toMatch(
        /^id\s+dir\s+source\s+destination\s+port\s+service\s+type\s+status\s+outcome\s+state\s+reason\s+time$/m,
      );
      expect(r.stdout).toMatch(
        /^open\s+out\s+site\s+svc\s+TCP\/1883\s+MQTT\s+backend\s+mandatory\s+PASS\s+open\s+ok\s+\d+ ms$/m,
      );
      expect(r.stdout).toMatch(/↳ connection refused/);
      expect(r.stdout).toMatch(/→ The path to 127\.0\.0\.1 \(other\) works/);
      expect(r.stdout).toMatch(/2 rows: 1 pass, 1 fail · exit 0 \(only optional rows failed\)/);
      expect(r.stdout).not.toMatch(/\x1b\[/);
    },
  );

  it('--color forces colour, NO_COLOR wins over a TTY default', async () => {
    const r = await runCli(['check', fixture('good.yaml'), '--set', `port_open=${port}`, '--color']);
    expect(r.stdout).toMatch(/\x1b\[32mPASS\x1b\[0m/);
  });
});

describe('probe', () => {
  it('one ad-hoc row, same outputs', async () => {
    const r = await runCli(['probe', `tcp://127.0.0.1:${port}`, '-f', 'json']);
    expect(r.code).toBe(0);
    const run = JSON.parse(r.stdout);
    expect(run.results[0]).toMatchObject({
      id: 'probe',
      port: `tcp/${port}`,
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
    });
  });
  it('--expect blocked passes on a refused port', async () => {
    const r = await runCli(['probe', 'tcp://127.0.0.1:1', '--expect', 'blocked', '-f', 'json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({
      outcome: 'pass',
      state: 'closed',
      reason: 'refused',
      expect: 'blocked',
    });
  });
  it('listen:// with --with localOnly=true', async () => {
    const r = await runCli(['probe', `listen://tcp/${port}`, '--with', 'localOnly=true', '-f', 'json']);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
      facts: { listeningOn: [`127.0.0.1:${port}`], localOnly: true },
    });
  });
});

describe('schema', () => {
  it('profiles/schema.json is what `fedprobe schema` prints (regenerate with npm run schema)', async () => {
    const r = await runCli(['schema']);
    expect(r.code).toBe(0);
    const checkedIn = readFileSync(new URL('../../profiles/schema.json', import.meta.url), 'utf8');
    expect(JSON.parse(r.stdout)).toEqual(JSON.parse(checkedIn));
    expect(JSON.parse(r.stdout).properties.rows.items.required).toEqual(
      expect.arrayContaining(['id', 'dir', 'port', 'probe', 'status']),
    );
  });
});
