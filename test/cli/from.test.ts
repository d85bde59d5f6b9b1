// check --from and show --from: each value the framework's configuration gave reaches the report
// (JSON `inputs`, the table's "variables from" block) and the matrix, with its source. The checks
// dial 127.0.0.x:9092 inside the test's own network namespace, where nothing listens: refused.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

/** Only the Fleet API row, to 127.0.0.x in this namespace: refused at once. */
const FLEET_JSON = ['--only', 'fleet', '--format', 'json', '--timeout', '2s'];
const fx = (name: string) => fileURLToPath(new URL(`../fixtures/frameworks/${name}`, import.meta.url));

interface Report {
  profile: { id: string };
  inputs?: { name: string; value: string; source: string; secret?: boolean; overriddenBy?: string }[];
  results: { id: string; outcome: string; state: string; reason: string; addresses: { address: string }[] }[];
}

describe('check --from', () => {
  const f = fx('flower/compose-unset.yml');

  it('JSON: inputs name each value and its file:line; the check dials what the compose file says', async () => {
    const r = await runCli(['check', '--from', f, '--only', 'fleet', '--format', 'json', '--timeout', '2s'], {
      SUPERLINK_IP: '127.0.0.2',
    });
    expect(r.code).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.profile.id).toBe('flower/supernode-insecure');
    expect(report.inputs).toEqual([{ name: 'superlink_host', value: '127.0.0.2', source: `${f}:4` }]);
    expect(report.results.map((x) => [x.id, x.outcome, x.state, x.reason, x.addresses[0]?.address])).toEqual([
      ['fleet', 'fail', 'closed', 'refused', '127.0.0.2'],
    ]);
    expect(r.stderr).toContain(`fedprobe: from ${f}: superlink_host = 127.0.0.2  (${f}:4)\n`);
  });

  it('--set is stronger, and the report says which value it replaced', async () => {
    const r = await runCli(['check', '--from', f, '--set', 'superlink_host=127.0.0.3', ...FLEET_JSON], {
      SUPERLINK_IP: '127.0.0.2',
    });
    const report = JSON.parse(r.stdout) as Report;
    expect(report.inputs).toEqual([
      { name: 'superlink_host', value: '127.0.0.2', source: `${f}:4`, overriddenBy: '--set' },
    ]);
    expect(report.results[0]).toMatchObject({
      outcome: 'fail',
      reason: 'refused',
      addresses: [{ address: '127.0.0.3' }],
    });
  });

  it('FEDPROBE_VAR_* is stronger too', async () => {
    const r = await runCli(['check', '--from', f, '--only', 'fleet', '--format', 'json', '--timeout', '2s'], {
      SUPERLINK_IP: '127.0.0.2',
      FEDPROBE_VAR_SUPERLINK_HOST: '127.0.0.4',
    });
    const report = JSON.parse(r.stdout) as Report;
    expect(report.inputs?.[0]?.overriddenBy).toBe('FEDPROBE_VAR_SUPERLINK_HOST');
    expect(report.results[0]?.addresses[0]?.address).toBe('127.0.0.4');
  });

  it('table: a "variables from" block under the title', async () => {
    const r = await runCli(['check', '--from', f, '--only', 'fleet', '--format', 'table', '--timeout', '2s'], {
      SUPERLINK_IP: '127.0.0.2',
    });
    const lines = r.stdout.split('\n');
    const at = lines.indexOf("variables from the framework's configuration:");
    expect(at).toBeGreaterThan(0);
    expect(lines[at + 1]).toBe(`  superlink_host = 127.0.0.2  (${f}:4)`);
    expect(lines[at + 2]).toBe('');
  });

  it('without --from the report has no inputs', async () => {
    const r = await runCli(['check', 'flower/supernode-insecure', '--set', 'superlink_host=127.0.0.2', ...FLEET_JSON]);
    expect(Object.hasOwn(JSON.parse(r.stdout) as object, 'inputs')).toBe(false);
    expect(r.stdout).not.toContain('variables from');
  });
});

describe('show --from', () => {
  const f = fx('flower/compose-client.yml');
  // The compose file gives the CA as a secret: placed on this machine through its `file:`.
  const CA = fx('superlink-certificates/ca.crt');

  it('prints the matrix with the values found filled in, and each source', async () => {
    const r = await runCli(['show', 'flower/supernode', '--from', `${f}#supernode-2`], { SUPERLINK_IP: '127.0.0.2' });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    const row = (id: string) => lines.find((l) => l.startsWith(`${id} `))!;
    const probe = (id: string) => lines.find((l) => l.startsWith(`  ${id} `))!.replace(/ +/g, ' ');
    const variable = (name: string) => lines.find((l) => l.startsWith(`  ${name} `))!.replace(/ +/g, ' ');
    expect(row('clientappio')).toContain(' TCP/9095 ');
    expect(probe('fleet')).toBe(
      ` fleet grpcs://127.0.0.2:9092 expectService=flower-fleet ca=${CA} ` + 'cert=${client_cert} key=${client_key}',
    );
    expect(probe('clientappio')).toBe(' clientappio listen://tcp/9095 localOnly=true');
    expect(variable('superlink_host')).toBe(
      ` superlink_host 127.0.0.2 (${f}:23) address of the SuperLink, as given to flower-supernode --superlink`,
    );
    expect(variable('superlink_port')).toMatch(/^ superlink_port default 9092 /);
    expect(variable('clientappio_api_port')).toMatch(new RegExp(`^ clientappio_api_port 9095 \\(${f}:25\\) `));
  });

  it('JSON: the profile plus from: {path, profile, inputs, notes}', async () => {
    const r = await runCli(['show', 'flower/supernode', '--from', `${f}#supernode-1`, '--format', 'json']);
    const doc = JSON.parse(r.stdout) as { id: string; from: unknown };
    expect(doc.id).toBe('flower/supernode');
    expect(doc.from).toEqual({
      path: `${f}#supernode-1`,
      profile: 'flower/supernode',
      inputs: [
        { name: 'superlink_host', value: '127.0.0.1', source: `${f}:6` },
        {
          name: 'superlink_ca',
          value: CA,
          source:
            `${f}:14: certificates/superlink-ca.crt, /app/certificates/superlink-ca.crt in the container, ` +
            `secret superlink-ca-certfile (${f}:16), file ../superlink-certificates/ca.crt (${f}:136)`,
        },
      ],
      notes: [`--superlink 127.0.0.1:9092 (${f}:6) uses the default of unset $SUPERLINK_IP`],
    });
  });

  it("Flower's own compose.yml + with-tls.yml, merged in order: the SuperNode's TLS arguments", async () => {
    const up = (name: string) => fx(`../flower/upstream/${name}`);
    const r = await runCli([
      'show',
      '--from',
      up('docker-complete-compose.yml'),
      '--from',
      `${up('docker-complete-with-tls.yml')}#supernode-1`,
    ]);
    expect(r.code).toBe(0);
    const variable = (name: string) =>
      r.stdout
        .split('\n')
        .find((l) => l.startsWith(`  ${name} `))!
        .replace(/ +/g, ' ');
    expect(variable('superlink_host')).toMatch(
      new RegExp(`^ superlink_host superlink \\(${up('docker-complete-with-tls.yml')}:20\\) `),
    );
  });

  it('a configuration for another profile says which one it fits', async () => {
    const r = await runCli(['show', 'flower/supernode', '--from', fx('flower/compose-unset.yml')], {
      SUPERLINK_IP: '127.0.0.2',
    });
    expect(r.stdout).toContain(`\nnote: ${fx('flower/compose-unset.yml')} fits flower/supernode-insecure\n`);
  });

  it('an unreadable configuration is one line and exit 2', async () => {
    const r = await runCli(['show', 'flower/supernode', '--from', '/nonexistent/compose.yml']);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('fedprobe: --from /nonexistent/compose.yml: cannot read (no such file)\n');
  });
});

describe('the table escapes what a configuration file says', () => {
  it('controls in a value or source are shown, never sent to the terminal', async () => {
    const { renderTable } = await import('../../src/report/table.js');
    const r = await runCli(['check', 'flower/supernode-insecure', '--set', 'superlink_host=127.0.0.2', ...FLEET_JSON]);
    const run = JSON.parse(r.stdout) as Parameters<typeof renderTable>[0];
    run.inputs = [
      { name: 'superlink_host', value: 'a\x1b[31mb', source: 'x.yml:1\u202e' },
      { name: 'client_key_file', value: '/etc/k.pem', source: 'y.yml:2', secret: true, overriddenBy: '--set' },
    ];
    const out = renderTable(run, { color: false });
    expect(out).not.toContain('\x1b');
    expect(out).toContain('  superlink_host = a\\x1b[31mb  (x.yml:1\\u202e)\n');
    expect(out).toContain(
      '  client_key_file = /etc/k.pem  (y.yml:2; a secret, used by reference; replaced by --set)\n',
    );
  });
});

describe('show without a profile', () => {
  it('--from picks the profile the configuration fits', async () => {
    const f = fx('flower/compose-unset.yml');
    const r = await runCli(['show', '--from', f], { SUPERLINK_IP: '127.0.0.2' });
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')[0]).toBe('Flower SuperNode (insecure (--insecure, local testing))');
    expect(r.stdout).toMatch(new RegExp(`\\n {2}superlink_host +127\\.0\\.0\\.2 \\(${f}:4\\) `));
    expect(r.stdout).not.toContain(' fits ');
  });

  it('neither a profile nor --from: one line, exit 2', async () => {
    const r = await runCli(['show']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      'fedprobe: show: give a profile (fedprobe profiles lists them), ' +
        "or --from PATH to read it from the framework's configuration\n",
    );
  });
});
