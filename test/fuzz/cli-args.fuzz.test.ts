// Fuzzes command lines through main(): commands, flags (real, misspelt, repeated, without their
// value), and values from pools of good and bad ones. Network and disk safety: every host that can
// pass is a loopback literal, ports are low closed ones, --timeout is short when it is valid,
// --output only writes into this test's scratch folder, and no daemon, respond or demo is started.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CASE_BOUND_MS, NUM_RUNS, expectClassified, fuzzSeed, runBounded } from './harness.js';

const fixture = (name: string) => new URL(`../fixtures/${name}`, import.meta.url).pathname;
const own = (name: string) => new URL(`../cli/fixtures/${name}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-fuzz-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const junk = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '-', '--', '=', ' ', '\u001b[2J', '${x}', 'x'.repeat(200)),
);
const pools: Record<string, string[]> = {
  format: ['json', 'table', 'junit', 'prometheus', 'csv', 'html', 'firewall', 'xml', ''],
  timeout: ['0.3', '300ms', '1.5ms', '9999999h', '25h', 'x', '', '-1', '0', '1e3'],
  retries: ['0', '1', '-1', '11', 'x', '1.5'],
  concurrency: ['1', '4', '0', '2000', 'x'],
  family: ['4', '6', '5', 'x'],
  proxy: ['direct', 'http://127.0.0.1:1', 'socks5://127.0.0.1:1', 'http://u:hunter2@', ':::', 'http://127.0.0.1:0', ''],
  output: [join(dir, 'out.txt'), join(dir, 'missing', 'out.txt'), ''],
  'log-level': ['silent', 'error', 'loud'],
  set: [
    'host=127.0.0.1',
    'host=::1',
    'port_open=1',
    'port_open=0',
    'port_open=x',
    'x',
    '=',
    'host=a b',
    'nope=1',
    'host=127.0.0.1:9/x?',
  ],
  site: [fixture('site.yaml'), fixture('good.yaml'), join(dir, 'missing.yaml'), own('billion-laughs.yaml')],
  only: ['open', 'closed-optional', 'nope', 'open,nope', ''],
  type: ['backend', 'user', 'x'],
  with: ['localOnly=true', 'proxy=direct', 'proxi=1', 'x', 'insecure=true'],
  expect: ['reachable', 'blocked', 'x'],
};
const booleans = ['strict', 'color', 'no-color', 'mandatory-only', 'help', 'version'];

const flagName = fc.oneof(
  { arbitrary: fc.constantFrom(...Object.keys(pools), ...booleans), weight: 5 },
  // Misspelt: a letter dropped or doubled.
  {
    arbitrary: fc
      .tuple(fc.constantFrom(...Object.keys(pools)), fc.nat())
      .map(([n, i]) => (i % 2 ? n.slice(0, i % n.length) + n.slice((i % n.length) + 1) : n + n.at(-1))),
    weight: 1,
  },
);
const flag = fc
  .tuple(
    flagName,
    fc.oneof({ arbitrary: fc.constant(undefined), weight: 1 }, { arbitrary: fc.nat(), weight: 4 }),
    fc.boolean(),
    junk,
  )
  .map(([name, pick, eq, j]) => {
    const pool = pools[name];
    if (!pool) return [`--${name}`];
    const v = pick === undefined ? undefined : pick % 5 === 4 ? j : pool[pick % pool.length]!;
    if (v === undefined) return [`--${name}`];
    // Junk is only ever passed where it cannot become a host, a port or a path to write.
    if (v === j && ['set', 'output', 'site', 'proxy'].includes(name)) return [`--${name}`, pool[0]!];
    return eq ? [`--${name}=${v}`] : [`--${name}`, v];
  });

const probeUrl = fc.constantFrom(
  'tcp://127.0.0.1:1',
  'udp://127.0.0.1:1',
  'http://[::1]:1/',
  'listen://tcp/1',
  'mqtt://127.0.0.1:1',
  'tls://127.0.0.1:1',
  'grpc://127.0.0.1:1',
  '127.0.0.1:1883',
  'tcp://127.0.0.1:0',
  'tcp://127.0.0.1:70000',
  'tcp://x y:1',
  'ftp://127.0.0.1:1',
  'tcp://127.0.0.1',
  'tcp://::1:1',
  'tcp://u:p@127.0.0.1:1',
  'mqtt://127.0.0.1:1/../x',
  'listen://tcp/0',
  'listen://sctp/1',
  'tcp://',
  '',
  '://',
  'tcp://[::1:1',
  'tcp://127.0.0.1:1#x',
);
const command = fc.oneof(
  fc.constant(['check', fixture('good.yaml')]),
  fc.constant(['check', 'fedbiomed/nod']),
  fc.constant(['check', own('collector.yaml')]),
  probeUrl.map((u) => ['probe', u]),
  fc.constantFrom(
    ['validate', fixture('good.yaml')],
    ['validate', own('timeouts.yaml'), own('port-zero.yaml')],
    ['show', 'fedbiomed/node'],
    ['show', 'nope'],
    ['profiles'],
    ['schema'],
    [],
    ['chek'],
    ['--bogus'],
  ),
);

describe('command line fuzz', () => {
  it('every command line: exit 0/1, or exit 2 with one classified line; never 3, never a hang', {
    timeout: NUM_RUNS * CASE_BOUND_MS,
  }, async () => {
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(command, fc.array(flag, { maxLength: 5 }), fc.boolean(), async (cmd, flags, repeat) => {
        // Repeating the first flag exercises the "given twice" check on every kind of flag.
        const all = repeat && flags.length ? [...flags, flags[0]!] : flags;
        const argv = [...cmd, ...all.flat()];
        const r = await runBounded(argv);
        expectClassified(r, argv);
        codes.set(r.code, (codes.get(r.code) ?? 0) + 1);
        if (r.code === 2 && r.stdout === '') expect(r.stderr).not.toContain('hunter2');
      }),
      { numRuns: NUM_RUNS, seed: fuzzSeed('command lines') },
    );
    console.log('command lines: exit codes', Object.fromEntries(codes));
    expect(codes.get(2) ?? 0).toBeGreaterThan(0);
    expect((codes.get(0) ?? 0) + (codes.get(1) ?? 0)).toBeGreaterThan(0);
  });
});
