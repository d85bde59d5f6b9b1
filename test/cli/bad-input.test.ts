// Every bad input gets one line on stderr and exit code 2 — never a stack trace.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
    expectUsageError(await runCli(["chek", "fedbiomed/node"]), /unknown command "chek"/);
  });
  it('unknown profile id', async () => {
    expectUsageError(await runCli(['check', 'nope/none']), /unknown profile "nope\/none"/);
  });
  it('a profile file that does not exist', async () => {
    expectUsageError(await runCli(['check', './missing.yaml']), /missing\.yaml: no such file/);
  });
  it('broken YAML names the file and line', async () => {
    expectUsageError(await runCli(['validate', fixture('broken-yaml.yaml')]), /broken-yaml\.yaml: line \d+: not valid YAML/);
  });
  it('unknown key names the row path', async () => {
    expectUsageError(await runCli(['validate', fixture('unknown-key.yaml')]), /unknown-key\.yaml: rows\[0\]: unknown key "prob"/);
  });
  it('unknown prober option names the path under with', async () => {
    expectUsageError(await runCli(['validate', fixture('bad-option.yaml')]), /bad-option\.yaml: rows\[0\]\.with: unknown key "localonly"/);
  });
  it('port out of range', async () => {
    expectUsageError(await runCli(['validate', fixture('bad-port.yaml')]), /rows\[0\]\.port: a port between 1 and 65535/);
  });
  it('duplicate row id', async () => {
    expectUsageError(await runCli(['validate', fixture('duplicate-id.yaml')]), /rows\[1\]\.id: duplicate row id "a" \(first used at rows\[0\]\)/);
  });
  it('undefined ${var} in a probe', async () => {
    expectUsageError(await runCli(['validate', fixture('undefined-var.yaml')]), /rows\[0\]\.probe: undefined variable \$\{nowhere\}/);
  });
  it('unknown probe scheme', async () => {
    expectUsageError(await runCli(['validate', fixture('bad-scheme.yaml')]), /rows\[0\]\.probe: unknown probe scheme "gopher:\/\/"/);
  });
  it('wrong enum value', async () => {
    expectUsageError(await runCli(['validate', fixture('wrong-type.yaml')]), /rows\[0\]\.dir: .*"in"\|"out"/);
  });
  it('udp probe on a tcp port column', async () => {
    expectUsageError(await runCli(['validate', fixture('udp-mismatch.yaml')]), /rows\[0\]\.probe: udp:\/\/ speaks udp but the port column says tcp\/51820/);
  });
  it('missing variable says how to give it', async () => {
    expectUsageError(await runCli(['check', fixture('good.yaml')]), /missing variable port_open — a port with a listener\. Give it with --set port_open=VALUE/);
  });
  it('bad --set syntax', async () => {
    expectUsageError(await runCli(['check', fixture('good.yaml'), '--set', 'port_open']), /--set: expected name=value, got "port_open"/);
  });
  it('bad --timeout', async () => {
    expectUsageError(await runCli(['check', fixture('good.yaml'), '--timeout', 'soon']), /--timeout: expected a duration/);
  });
  it('bad --format', async () => {
    expectUsageError(await runCli(['check', fixture('good.yaml'), '--format', 'xml']), /Invalid values:[\s\S]*format/);
  });
  it('--only with an unknown row id', async () => {
    expectUsageError(await runCli(['check', fixture('good.yaml'), '--set', 'port_open=9', '--only', 'nope']), /--only: no row "nope"/);
  });
  it('a probe URL without a port', async () => {
    expectUsageError(await runCli(['probe', 'tcp://127.0.0.1']), /needs an explicit port/);
  });
  it('a probe URL with an unknown scheme', async () => {
    expectUsageError(await runCli(['probe', 'ftp://127.0.0.1:21']), /unknown probe scheme "ftp:\/\/"/);
  });
  it('a site file with an unknown key', async () => {
    expectUsageError(await runCli(['check', fixture('good.yaml'), '--site', fixture('good.yaml')]), /good\.yaml: unknown key/);
  });
  it('a host name that does not exist: the report, then one line on stderr, exit 2', () => {
    // A private nsswitch.conf that asks /etc/hosts only makes the answer a definite "no such name"
    // (ENOTFOUND), as an NXDOMAIN would; a resolver that cannot be asked is a row finding instead.
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-nss-'));
    writeFileSync(join(dir, 'nsswitch.conf'), 'hosts: files\n');
    const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c',
      `mount --bind ${dir}/nsswitch.conf /etc/nsswitch.conf && exec node ${bin} check ${fixture('good.yaml')} --set host=does-not-exist.invalid --set port_open=1 -f json`], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ reason: 'dns-error', outcome: 'fail', code: 'ENOTFOUND' });
    expect(r.stderr.trimEnd().split('\n')).toEqual(['fedprobe: the name does-not-exist.invalid does not exist (rows open, closed-optional): check the host given for it (--set, --site) or use an IP address']);
  });
});
