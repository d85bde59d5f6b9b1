// Fuzzes the values given for variables (--set, the site file, FEDPROBE_VAR_*) through main():
// a value is checked for the part of the URL it fills, and can never move the probe elsewhere.
// Network safety: a value that is a valid host is only ever a loopback literal (others are
// skipped with fc.pre), so whatever passes probes 127.0.0.0/8 or ::1 and nothing else.
import { isIP } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { hostProblem } from '../../src/profile/host.js';
import { CASE_BOUND_MS, NUM_RUNS, expectClassified, fuzzSeed, runBounded } from './harness.js';

const good = new URL('../fixtures/good.yaml', import.meta.url).pathname; // tcp://${host}:${port_open}
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-fuzz-set-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const loopback = (h: string) => {
  const bare = h.replace(/^\[(.*)\]$/, '$1');
  return (
    (isIP(bare) === 4 && bare.startsWith('127.')) ||
    (isIP(bare) === 6 && new URL(`http://[${bare}]/`).hostname === '[::1]')
  );
};

/** Host values: loopback literals, mutated with the characters that could move a probe. */
const hostValue = fc.oneof(
  fc.constantFrom('127.0.0.1', '::1', '[::1]', '127.0.0.2', '0:0:0:0:0:0:0:1', '::ffff:127.0.0.1'),
  fc
    .tuple(
      fc.constantFrom('127.0.0.1', '::1', '[::1]', 'localhost'),
      fc.constantFrom(
        ':',
        ':9',
        '/',
        '/x?',
        '?',
        '#',
        '@',
        '%25',
        '%eth0',
        ' ',
        '\t',
        '\n',
        '\u0000',
        '\u001b[2J',
        '.',
        '..',
        '\\',
        '[',
        ']',
        '${port_open}',
        'x'.repeat(300),
      ),
      fc.boolean(),
    )
    .map(([h, junk, before]) => (before ? junk + h : h + junk)),
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
);
const portValue = fc.oneof(
  fc.integer({ min: -5, max: 70_000 }).map(String),
  fc.constantFrom('0', '1', '65535', '65536', '80/x', '1 ', ' 1', '0x50', '1e3', '١٢'),
  fc.string({ maxLength: 8 }),
);
/** How the values reach the profile. */
const via = fc.constantFrom('set', 'site', 'env');

function given(how: string, values: Record<string, string>): { args: string[]; env: NodeJS.ProcessEnv } {
  if (how === 'set') return { args: Object.entries(values).flatMap(([k, v]) => ['--set', `${k}=${v}`]), env: {} };
  if (how === 'env')
    return {
      args: [],
      env: Object.fromEntries(Object.entries(values).map(([k, v]) => [`FEDPROBE_VAR_${k.toUpperCase()}`, v])),
    };
  const site = join(dir, `site-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(site, JSON.stringify({ vars: values }));
  return { args: ['--site', site], env: {} };
}

describe('variable values fuzz', () => {
  it('a host or port value is refused in one line, or probes exactly that host and port', {
    timeout: NUM_RUNS * CASE_BOUND_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(hostValue, portValue, via, async (host, port, how) => {
        const bare = host.replace(/^\[(.*)\]$/, '$1');
        // Anything that would be accepted as a host must be loopback: no traffic leaves the machine.
        fc.pre(hostProblem(bare) !== undefined || loopback(host));
        const { args, env } = given(how, { host, port_open: port });
        const argv = ['check', good, ...args, '--only', 'open', '--timeout', '0.3', '-f', 'json'];
        const r = await runBounded(argv, env);
        expectClassified(r, argv);
        if (r.code === 2) {
          expect(r.stdout).toBe('');
          return;
        }
        const [row] = JSON.parse(r.stdout).results;
        // The probe went to the host given (bracketed once if IPv6) and the port given, nothing else.
        const shown = isIP(bare) === 6 ? `[${bare}]` : bare;
        expect(row.probe).toBe(`tcp://${shown}:${port}`);
        expect(Number(port)).toBeGreaterThanOrEqual(1);
        expect(Number(port)).toBeLessThanOrEqual(65535);
      }),
      { numRuns: NUM_RUNS, seed: fuzzSeed('host and port values') },
    );
  });

  it('a --set name the profile does not declare is one line naming its variables', {
    timeout: NUM_RUNS * CASE_BOUND_MS,
  }, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 30 }).filter((k) => !k.includes('=')),
        async (name) => {
          fc.pre(
            !['host', 'port_open', 'port_closed', 'host_file', 'port_open_file', 'port_closed_file'].includes(name),
          );
          const argv = ['check', good, `--set=${name}=1`, '--only', 'no-such-row'];
          const r = await runBounded(argv);
          expectClassified(r, argv);
          expect(r.code).toBe(2);
          expect(r.stderr).toMatch(
            /^fedprobe: --set .* has no variable of that name \(its variables: host, port_closed, port_open\)/,
          );
        },
      ),
      { numRuns: NUM_RUNS, seed: fuzzSeed('--set names') },
    );
  });
});
