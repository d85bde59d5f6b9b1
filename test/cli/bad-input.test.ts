// Every bad input gets one line on stderr and exit code 2 — never a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, truncateSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROBE_SCHEMES } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;

function expectUsageError(r: { code: number; stdout: string; stderr: string }, text: string | RegExp) {
  expect(r.code).toBe(2);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^fedprobe: /);
  expect(lines[0]).toMatch(text);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('bad input → one line, exit 2', () => {
  it('unknown flag', async () => {
    expectUsageError(await runCli(['check', fixture('good.yaml'), '--bogus']), 'Unknown argument: bogus');
  });
  it('no command', async () => {
    expectUsageError(await runCli([]), /give a command/);
  });
  it('unknown command', async () => {
    expectUsageError(await runCli(['chek', 'fedbiomed/node']), /unknown command "chek"/);
  });
  it('unknown profile id', async () => {
    expectUsageError(await runCli(['check', 'nope/none']), /unknown profile "nope\/none"/);
  });
  it('a profile file that does not exist', async () => {
    expectUsageError(await runCli(['check', './missing.yaml']), /missing\.yaml: no such file/);
  });
  it('broken YAML names the file and line', async () => {
    expectUsageError(
      await runCli(['validate', fixture('broken-yaml.yaml')]),
      /broken-yaml\.yaml: line \d+: not valid YAML/,
    );
  });
  it('unknown key names the row path', async () => {
    expectUsageError(
      await runCli(['validate', fixture('unknown-key.yaml')]),
      /unknown-key\.yaml: rows\[0\]: unknown key "prob"/,
    );
  });
  it('unknown prober option names the path under with', async () => {
    expectUsageError(
      await runCli(['validate', fixture('bad-option.yaml')]),
      /bad-option\.yaml: rows\[0\]\.with: unknown key "localonly"/,
    );
  });
  it('port out of range', async () => {
    expectUsageError(
      await runCli(['validate', fixture('bad-port.yaml')]),
      /rows\[0\]\.port: a port between 1 and 65535/,
    );
  });
  it('duplicate row id', async () => {
    expectUsageError(
      await runCli(['validate', fixture('duplicate-id.yaml')]),
      /rows\[1\]\.id: duplicate row id "a" \(first used at rows\[0\]\)/,
    );
  });
  it('undefined ${var} in a probe', async () => {
    expectUsageError(
      await runCli(['validate', fixture('undefined-var.yaml')]),
      /rows\[0\]\.probe: undefined variable \$\{nowhere\}/,
    );
  });
  it('unknown probe scheme', async () => {
    expectUsageError(
      await runCli(['validate', fixture('bad-scheme.yaml')]),
      /rows\[0\]\.probe: unknown probe scheme "gopher:\/\/"/,
    );
  });
  it('wrong enum value', async () => {
    expectUsageError(await runCli(['validate', fixture('wrong-type.yaml')]), /rows\[0\]\.dir: .*"in"\|"out"/);
  });
  it('udp probe on a tcp port column', async () => {
    expectUsageError(
      await runCli(['validate', fixture('udp-mismatch.yaml')]),
      /rows\[0\]\.probe: udp:\/\/ speaks udp but the port column says tcp\/51820/,
    );
  });
  it('missing variable says how to give it', async () => {
    expectUsageError(
      await runCli(['check', fixture('good.yaml')]),
      /missing variable port_open — a port with a listener\. Give it with --set port_open=VALUE/,
    );
  });
  it('bad --set syntax', async () => {
    expectUsageError(
      await runCli(['check', fixture('good.yaml'), '--set', 'port_open']),
      /--set: expected name=value, got "port_open"/,
    );
  });
  it('bad --timeout', async () => {
    expectUsageError(
      await runCli(['check', fixture('good.yaml'), '--timeout', 'soon']),
      /--timeout: expected a duration/,
    );
  });
  it('bad --format', async () => {
    expectUsageError(await runCli(['check', fixture('good.yaml'), '--format', 'xml']), /Invalid values:[\s\S]*format/);
  });
  it('--only with an unknown row id', async () => {
    expectUsageError(
      await runCli(['check', fixture('good.yaml'), '--set', 'port_open=9', '--only', 'nope']),
      /--only: no row "nope"/,
    );
  });
  it('a probe URL without a port', async () => {
    expectUsageError(await runCli(['probe', 'tcp://127.0.0.1']), /needs an explicit port/);
  });
  it('a probe URL with an unknown scheme', async () => {
    expectUsageError(await runCli(['probe', 'ftp://127.0.0.1:21']), /unknown probe scheme "ftp:\/\/"/);
  });
  it('a site file with an unknown key', async () => {
    expectUsageError(
      await runCli(['check', fixture('good.yaml'), '--site', fixture('good.yaml')]),
      /good\.yaml: unknown key/,
    );
  });
  it('a host name that does not exist: the report, then one line on stderr, exit 2', () => {
    // A private nsswitch.conf that asks /etc/hosts only makes the answer a definite "no such name"
    // (ENOTFOUND), as an NXDOMAIN would; a resolver that cannot be asked is a row finding instead.
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-nss-'));
    writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files\n');
    const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
    const r = spawnSync(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf && exec node ${bin} check ${fixture('good.yaml')} ` +
          `--set host=does-not-exist.invalid --set port_open=1 -f json`,
      ],
      { encoding: 'utf8' },
    );
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ reason: 'dns-error', outcome: 'fail', code: 'ENOTFOUND' });
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      'fedprobe: the name does-not-exist.invalid does not exist (rows open, closed-optional): check the host given ' +
        'for it (--set, --site) or use an IP address',
    ]);
  });
});

// The input boundary (issue 10 items 1 and 4; issue 7 items 4, 5, 8, 9): each case with its exact line.
const own = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;
const good = fixture('good.yaml');

async function usage(args: string[], line: string, env: NodeJS.ProcessEnv = {}) {
  const r = await runCli(args, env);
  expectUsageError(r, /./);
  expect(r.stderr).toBe(`fedprobe: ${line}\n`);
}

describe('durations: a bare number is seconds, 50ms to 24h', () => {
  it('--timeout 1.5ms and --timeout 9999999h: one line each', async () => {
    await usage(
      ['check', good, '--timeout', '1.5ms'],
      '--timeout: 1.5ms is too short: give at least 50ms (a bare number is seconds)',
    );
    await usage(
      ['check', good, '--timeout', '0.01'],
      '--timeout: 0.01s is too short: give at least 50ms (a bare number is seconds)',
    );
    await usage(['check', good, '--timeout', '9999999h'], '--timeout: 9999999h is too long: give at most 24h');
    await usage(
      ['check', good, '--timeout', '90000'],
      '--timeout: 90000s is too long: give at most 24h (a bare number is seconds; for milliseconds write 90000ms)',
    );
    await usage(
      ['probe', 'tcp://127.0.0.1:1', '--timeout', '5 s'],
      '--timeout: expected a duration such as 5 (seconds), 500ms, 5s or 1m, got "5 s"',
    );
  });
  it('respond --duration and daemon --interval read durations the same way', async () => {
    await usage(['respond', 'fedbiomed/node', '--duration', '25h'], '--duration: 25h is too long: give at most 24h');
    await usage(
      ['daemon', good, '--set', 'port_open=1', '--interval', '600h'],
      '--interval: 600h is too long: give at most 24h',
    );
  });
  it("a profile row's timeout: seconds or units; the old milliseconds are refused with a hint", async () => {
    await usage(
      ['validate', own('timeout-old-ms.yaml')],
      `${own('timeout-old-ms.yaml')}: rows[0].timeout: 5000s is too long: give at most 10m (a bare number is ` +
        `seconds; for milliseconds write 5000ms)`,
    );
    await usage(
      ['validate', own('timeout-short.yaml')],
      `${own('timeout-short.yaml')}: rows[0].timeout: 10ms is too short: give at least 50ms (a bare number is seconds)`,
    );
    const ok = await runCli(['validate', own('timeouts.yaml')]);
    expect(ok).toEqual({ code: 0, stdout: `ok: ${own('timeouts.yaml')} (Test site, 4 rows)\n`, stderr: '' });
  });
  it('--timeout 1 against a peer that never answers waits one second, not one millisecond', async () => {
    const silent = createServer(() => {}); // accepts and stays silent: no real peer can be made to do that
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const r = await runCli([
        'check',
        own('silent-mqtt.yaml'),
        '--set',
        `port=${port}`,
        '--timeout',
        '0.5',
        '-f',
        'json',
      ]);
      const [flag, row] = JSON.parse(r.stdout).results;
      expect(flag).toMatchObject({ outcome: 'fail', state: 'open', reason: 'no-response' });
      expect(row).toMatchObject({ outcome: 'fail', state: 'open', reason: 'no-response' });
      // Deadline bounds, 400 ms margin below: 0.5 s from the flag, 1 s from the row's `timeout: 1`.
      expect(flag.timings.totalMs).toBeGreaterThanOrEqual(450);
      expect(row.timings.totalMs).toBeGreaterThanOrEqual(950);
    } finally {
      silent.close();
    }
  });
});

describe('typos get "did you mean"', () => {
  it('a --set that the profile does not declare', async () => {
    const f = own('collector.yaml');
    await usage(
      ['check', f, '--set', 'colector_host=10.0.0.1'],
      `--set colector_host: ${f} has no variable of that name (its variables: collector_host, network_host); did ` +
        `you mean collector_host?`,
    );
    await usage(
      ['check', f, '--set', 'collector_host=10.0.0.1', '--set', 'network_host=10.0.0.2', '--set', 'zzz=1'],
      `--set zzz: ${f} has no variable of that name (its variables: collector_host, network_host)`,
    );
  });
  it('a missing variable names a close one that was given', async () => {
    const f = own('collector.yaml');
    await usage(
      ['check', f, '--set', 'collector_host=10.0.0.1'],
      'missing variable network_host — the network component. Give it with --set network_host=VALUE, a --site file ' +
        'or FEDPROBE_VAR_NETWORK_HOST (FEDPROBE_VAR_NETWORKHOST was given: a typo for network_host?)',
      { FEDPROBE_VAR_NETWORKHOST: '10.0.0.2' },
    );
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-site-'));
    writeFileSync(join(dir, 'site.yaml'), 'vars: { collector_host: 10.0.0.1, network_hots: 10.0.0.2 }\n');
    await usage(
      ['check', f, '--site', join(dir, 'site.yaml')],
      'missing variable network_host — the network component. Give it with --set network_host=VALUE, a --site file ' +
        'or FEDPROBE_VAR_NETWORK_HOST (network_hots in the --site file was given: a typo for network_host?)',
    );
  });
  it('unknown flag, command, profile id, with: key and scheme', async () => {
    await usage(['check', good, '--timout', '3'], 'Unknown argument: timout (timout: did you mean --timeout?)');
    await usage(
      ['chek', 'fedbiomed/node'],
      'unknown command "chek" (did you mean check? commands: check, probe, discover, profiles, show, validate, ' +
        'schema, respond, demo, daemon, completion; see fedprobe --help)',
    );
    const r = await runCli(['check', 'fedbiomed/nod']);
    expectUsageError(
      r,
      /^fedprobe: unknown profile "fedbiomed\/nod": did you mean fedbiomed\/node\? give a shipped id \(/,
    );
    await usage(
      ['validate', own('with-typo.yaml')],
      `${own('with-typo.yaml')}: rows[0].with: unknown key "localonly" for listen:// (did you mean localOnly?)`,
    );
    await usage(
      ['validate', own('key-typo.yaml')],
      `${own('key-typo.yaml')}: rows[0]: unknown key "prob" (did you mean probe?)`,
    );
    await usage(
      ['probe', 'tcp://127.0.0.1:1', '--with', 'proxi=direct'],
      '--with: unknown key "proxi" for tcp:// (did you mean proxy?)',
    );
    await usage(
      ['probe', 'tpc://127.0.0.1:1'],
      `unknown probe scheme "tpc://" (did you mean tcp://? known: ${PROBE_SCHEMES.join(', ')}) in "tpc://127.0.0.1:1"`,
    );
  });
  it('probe host:port suggests tcp://, and the protocol of a well-known port', async () => {
    await usage(
      ['probe', '127.0.0.1:1883'],
      '"127.0.0.1:1883" has no scheme: did you mean tcp://127.0.0.1:1883 (or mqtt://127.0.0.1:1883 to check that ' +
        'MQTT itself answers)?',
    );
    await usage(['probe', 'localhost:4444'], '"localhost:4444" has no scheme: did you mean tcp://localhost:4444?');
  });
  it('an IPv6 literal given to --set is bracketed in the URL', async () => {
    const server = createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '::1', r));
    const port = (server.address() as { port: number }).port;
    try {
      for (const host of ['::1', '[::1]']) {
        const r = await runCli([
          'check',
          good,
          '--set',
          `host=${host}`,
          '--set',
          `port_open=${port}`,
          '--only',
          'open',
          '-f',
          'json',
        ]);
        expect(r.code).toBe(0);
        expect(JSON.parse(r.stdout).results[0]).toMatchObject({
          probe: `tcp://[::1]:${port}`,
          outcome: 'pass',
          reason: 'ok',
        });
      }
    } finally {
      server.close();
    }
  });
});

describe('a host variable is a host', () => {
  it('a value with a port, path or query is refused, naming the variable', async () => {
    await usage(
      ['check', good, '--set', 'host=127.0.0.1:9/x?', '--set', 'port_open=1'],
      `${good} row open: variable host="127.0.0.1:9/x?" is not a host name or IP address: it contains ":" (give ` +
        `only the host; the port comes from the profile, and an IPv6 address is given alone, e.g. fd77::2)`,
    );
    await usage(
      ['check', good, '--set', 'host=evil.example/x?', '--set', 'port_open=1'],
      `${good} row open: variable host="evil.example/x?" is not a host name or IP address: it contains "/" (give ` +
        `only the host, without a path)`,
    );
    await usage(
      ['check', good, '--set', 'host=a b', '--set', 'port_open=1'],
      `${good} row open: variable host="a b" is not a host name or IP address: it contains a space`,
    );
    await usage(
      ['check', good, '--set', 'host=user@127.0.0.1', '--set', 'port_open=1'],
      `${good} row open: variable host="user@127.0.0.1" is not a host name or IP address: it contains "@" (user ` +
        `names and passwords never go in a host; give them as secret variables)`,
    );
  });
  it('a 300-character host name is bad input, not a firewall block', async () => {
    const long = `${`${'a'.repeat(60)}.`.repeat(5)}org`;
    await usage(
      ['check', good, '--set', `host=${long}`, '--set', 'port_open=1'],
      `${good} row open: variable host=${JSON.stringify(`${long.slice(0, 80)}…`)} ` +
        'is not a host name or IP address: it is 308 characters long; a host name has at most 253',
    );
    await usage(
      ['check', good, '--set', `host=${'b'.repeat(64)}.org`, '--set', 'port_open=1'],
      `${good} row open: variable host="${'b'.repeat(64)}.org" is not a host name or IP address: it has a label of ` +
        `64 characters; a label has at most 63`,
    );
  });
  it('port 0 is refused, in a variable, a profile and a probe URL', async () => {
    await usage(
      ['check', good, '--set', 'port_open=0'],
      `${good} row open: variable port_open="0" is not a port number: it is out of range: a port is 1-65535 (port 0 ` +
        `means "any port" and cannot be probed)`,
    );
    await usage(
      ['check', good, '--set', 'port_open=80/x'],
      `${good} row open: variable port_open="80/x" is not a port number: it is not a port number (1-65535)`,
    );
    await usage(
      ['validate', own('port-zero.yaml')],
      `${own('port-zero.yaml')}: rows[0].probe: the port "0" is out of range: a port is 1-65535 (port 0 means "any ` +
        `port" and cannot be probed)`,
    );
    await usage(
      ['probe', 'tcp://127.0.0.1:0'],
      'the port "0" is out of range: a port is 1-65535 (port 0 means "any port" and cannot be probed)',
    );
  });
  it("a profile's default is checked as the value would be", async () => {
    await usage(
      ['validate', own('bad-host-default.yaml')],
      `${own('bad-host-default.yaml')}: vars.host.default: variable host="127.0.0.1:9/x?" is not a host name or IP ` +
        `address: it contains ":" (give only the host; the port comes from the profile, and an IPv6 address is ` +
        `given alone, e.g. fd77::2) (used by rows[0].probe)`,
    );
    await usage(
      ['validate', own('ipv6-unbracketed.yaml')],
      `${own('ipv6-unbracketed.yaml')}: rows[0].probe: "http://fd77::2:80/": an IPv6 address in a URL is written in ` +
        `brackets, e.g. tcp://[fd77::2]:1883`,
    );
  });
});

describe('credentials only from secret variables (loader side)', () => {
  const cases: [string, string][] = [
    [
      'password-env.yaml',
      'rows[0].with.passwordEnv: a profile may not choose the file or environment variable a credential is read ' +
        'from: write password: "${password}" and declare it under vars: with secret: true (e.g. password: { secret: ' +
        'true }); the operator gives its value with FEDPROBE_VAR_PASSWORD or --set password_file=PATH',
    ],
    [
      'password-literal.yaml',
      'rows[0].with.password: a credential is never written in a profile, nor read from a file or variable it ' +
        'names: write exactly "${password}" and declare it under vars: with secret: true (e.g. password: { secret: ' +
        'true }); the operator gives its value with FEDPROBE_VAR_PASSWORD or --set password_file=PATH',
    ],
    [
      'password-not-secret.yaml',
      'rows[0].with.password: ${mqtt_password} is not declared secret: true: write exactly "${mqtt_password}" and ' +
        'declare it under vars: with secret: true (e.g. mqtt_password: { secret: true }); the operator gives its ' +
        'value with FEDPROBE_VAR_MQTT_PASSWORD or --set mqtt_password_file=PATH',
    ],
    [
      'secret-default.yaml',
      'vars.mqtt_password.default: a secret has no default in a profile: the operator gives it ' +
        '(FEDPROBE_VAR_MQTT_PASSWORD or --set mqtt_password_file=PATH)',
    ],
    [
      'secret-as-servername.yaml',
      'rows[0].with.servername: the secret ${token} may only be the whole value of a credential option (password, ' +
        'token, an Authorization header, proxy)',
    ],
    [
      'auth-header-literal.yaml',
      'rows[1].with.headers.Authorization: a credential is never written in a profile, nor read from a file or ' +
        'variable it names: write exactly "${token}" and declare it under vars: with secret: true (e.g. token: { ' +
        'secret: true }); the operator gives its value with FEDPROBE_VAR_TOKEN or --set token_file=PATH',
    ],
    [
      'proxy-userinfo.yaml',
      'rows[0].with.proxy: proxy credentials are never written in a profile: write proxy: "${corp_proxy}" and ' +
        'declare it under vars: with secret: true (e.g. corp_proxy: { secret: true }); the operator gives its value ' +
        'with FEDPROBE_VAR_CORP_PROXY or --set corp_proxy_file=PATH',
    ],
    [
      'secret-in-url.yaml',
      'rows[0].probe: credentials do not belong in the probe URL (user:password@): give them under with:, from a ' +
        'secret variable',
    ],
    [
      'secret-in-path.yaml',
      'rows[0].probe: the secret ${token} cannot be part of the probe URL (it would be printed and sent as an ' +
        'address); use it under with:',
    ],
  ];
  it.each(cases)('%s does not load', async (file, line) => {
    await usage(['validate', own(file)], `${own(file)}: ${line}`);
    expect((await runCli(['validate', own(file)])).stderr).not.toContain('hunter2');
  });
});

describe('validate and check agree: what check refuses for its form, validate refuses first', () => {
  const cases: [string, string][] = [
    ['unterminated-ref.yaml', 'rows[0].probe: unterminated "${" at character 8 (a variable is written ${name})'],
    [
      'secret-in-url.yaml',
      'rows[0].probe: credentials do not belong in the probe URL (user:password@): give them under with:, from a ' +
        'secret variable',
    ],
    [
      'bad-proxy.yaml',
      'rows[0].with.proxy: "socks5://proxy.example.org:1080": only http:// proxies (HTTP CONNECT) are supported, ' +
        'not socks5://',
    ],
    [
      'undeclared-with-var.yaml',
      'rows[0].with.servername: undefined variable ${sni_nme}; declare it under vars: (did you mean sni_name?)',
    ],
  ];
  it.each(cases)('%s', async (file, line) => {
    await usage(['validate', own(file)], `${own(file)}: ${line}`);
    await usage(['check', own(file), '--set', 'host=127.0.0.1'], `${own(file)}: ${line}`);
  });
});

describe('exit 2 with one line, never 3', () => {
  it('a repeated single-value flag', async () => {
    await usage(
      ['check', good, '--timeout', '1', '--timeout', '2'],
      '--timeout is given 2 times ("1", "2"); give it once',
    );
    await usage(
      ['check', good, '--format', 'json', '--format', 'table'],
      '--format is given 2 times ("json", "table"); give it once',
    );
    await usage(
      ['check', good, '-o', 'a.json', '--output', 'b.json'],
      '--output is given 2 times ("a.json", "b.json"); give it once',
    );
    await usage(
      ['daemon', good, '--interval', '1m', '--interval', '2m'],
      '--interval is given 2 times ("1m", "2m"); give it once',
    );
    // The proxy's password is not echoed.
    await usage(
      ['probe', 'tcp://127.0.0.1:1', '--proxy', 'http://u:hunter2@proxy.example.org:3128', '--proxy', 'direct'],
      '--proxy is given 2 times ("http://***@proxy.example.org:3128", "direct"); give it once',
    );
    await usage(['check', good, '--set', 'host=a', '--set', 'host=b'], '--set: host is given twice; give it once');
  });
  it('a --proxy that does not parse, without its password', async () => {
    await usage(
      ['probe', 'tcp://127.0.0.1:1', '--proxy', 'http://u:hunter2@proxy.example.org:99999'],
      '--proxy: "http://***@proxy.example.org:99999" is not a proxy URL such as http://proxy.example.org:3128 (or ' +
        '"direct")',
    );
  });
  it('a billion-laughs YAML', async () => {
    await usage(
      ['validate', own('billion-laughs.yaml')],
      `${own('billion-laughs.yaml')}: not valid YAML: too many aliases (an alias bomb?)`,
    );
  });
  it('a 200 MB profile is refused by its size, before it is read', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-big-'));
    const big = join(dir, 'big.yaml');
    writeFileSync(big, '');
    truncateSync(big, 200 * 1024 * 1024); // sparse: no 200 MB written
    await usage(['validate', big], `${big}: 200.0 MiB is larger than the 4 MiB a profile or site file may have`);
    await usage(
      ['check', good, '--site', big],
      `${big}: 200.0 MiB is larger than the 4 MiB a profile or site file may have`,
    );
    await usage(['validate', '/dev/zero'], '/dev/zero: not a regular file');
  });
  it('100k keys: the duplicate is found in one pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-keys-'));
    const file = join(dir, 'keys.yaml');
    writeFileSync(
      file,
      ['schema: fedprobe/v1', ...Array.from({ length: 100_000 }, (_, i) => `k${i}: 1`), 'k5: 2', ''].join('\n'),
    );
    const t0 = performance.now();
    await usage(['validate', file], `${file}: line 100002: duplicate key "k5"`);
    // Deadline bound: the pairwise check took 127 s here; one pass takes about 2 s. 20 s is the margin.
    expect(performance.now() - t0).toBeLessThan(20_000);
  });
  it('YAML nested 10000 deep, or past 32 levels', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-deep-'));
    const deep = join(dir, 'deep.yaml');
    writeFileSync(deep, `a: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`);
    const r = await runCli(['validate', deep]);
    expectUsageError(r, new RegExp(`^fedprobe: ${deep}: line 1: not valid YAML: `));
    writeFileSync(deep, `a: ${'['.repeat(40)}${']'.repeat(40)}\n`);
    await usage(['validate', deep], `${deep}: line 1: nested deeper than 32 levels`);
  });
  it('daemon --listen on a name that does not resolve', () => {
    // hosts: files only, so the lookup is a definite "no such name" without asking any DNS server.
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-nss-'));
    writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files\n');
    const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
    const r = spawnSync(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf && exec node ${bin} daemon ${good} --set port_open=1 ` +
          `--listen nosuchhost.invalid:9469 --log-level silent`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'fedprobe: cannot resolve "nosuchhost.invalid" (ENOTFOUND): give an IP address or a name this machine resolves\n',
    );
  });
});
