// `check` without yargs (src/cli/fast-check.ts) may only ever accept: every command line it reads
// must give the handler exactly the flags yargs gives it, and everything else must go to yargs.
import fc from 'fast-check';
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { checkCommand } from '../../src/cli/commands/check.js';
import { parseFastCheck } from '../../src/cli/fast-check.js';
import type { Io } from '../../src/cli/io.js';

// Every flag the check handler reads (commands/check.ts, check-options.ts).
const READ = [
  'profile',
  'from',
  'push',
  'push-job',
  'push-instance',
  'all',
  'format',
  'color',
  'output',
  'timeout',
  'retries',
  'concurrency',
  'adaptive',
  'family',
  'strict',
  'proxy',
  'log-level',
  'set',
  'site',
  'only',
  'type',
  'mandatory-only',
  'with',
] as const;

/** What yargs gives the handler for `check ...argv` (the parser main() builds), or its error. */
async function viaYargs(argv: string[]): Promise<Record<string, unknown> | Error> {
  let seen: Record<string, unknown> | undefined;
  const handler = (a: Record<string, unknown>) => {
    seen = a;
  };
  const command = { ...checkCommand({} as Io, () => {}), handler };
  try {
    await yargs(['check', ...argv])
      .command(command)
      .strict()
      .exitProcess(false)
      .fail((msg, err) => {
        throw err ?? new Error(msg);
      })
      .parseAsync();
  } catch (e) {
    return e as Error;
  }
  return seen ?? new Error('no handler');
}

async function agrees(argv: string[]): Promise<boolean> {
  const fast = parseFastCheck(argv);
  if (fast === undefined) return false;
  const slow = await viaYargs(argv);
  expect(slow, argv.join(' ')).not.toBeInstanceOf(Error);
  const got = fast as unknown as Record<string, unknown>;
  for (const key of READ) expect(got[key], `${argv.join(' ')}: ${key}`).toEqual((slow as Record<string, unknown>)[key]);
  return true;
}

describe('parseFastCheck', () => {
  it('reads the common forms as yargs does', async () => {
    const taken = [
      ['fedbiomed/node'],
      ['p.yaml', '--format', 'json'],
      ['p.yaml', '-f', 'junit', '--timeout', '500ms', '--concurrency', '256', '--retries', '2'],
      ['p.yaml', '--set', 'network_host=h', '-s', 'a=b', '--with=fleet.ca=/x'],
      ['p.yaml', '--adaptive', '--strict', '--mandatory-only', '--no-color', '--family', '6'],
      ['p.yaml', '--color', '--type', 'user', '--only', 'a,b', '--only', 'c', '--log-level=debug'],
      ['p.yaml', '--proxy', 'direct', '-o', '/tmp/out.json', '--site', 's.yaml', '--timeout=5'],
    ];
    for (const argv of taken) expect(await agrees(argv), argv.join(' ')).toBe(true);
  });

  it('leaves everything else to yargs', () => {
    const left = [
      [],
      ['--help'],
      ['p.yaml', '--help'],
      ['p.yaml', 'q.yaml'],
      ['p.yaml', '--timout', '5'],
      ['p.yaml', '--timeout', '5', '--timeout', '6'],
      ['p.yaml', '--format', 'xml'],
      ['p.yaml', '--retries', '1.5'],
      ['p.yaml', '--retries', '-1'],
      ['p.yaml', '--strict', 'false'],
      ['p.yaml', '--strict=true'],
      ['--set', 'a=b', 'p.yaml', '--format', 'json'],
      ['p.yaml', '--from', 'x'],
      ['p.yaml', '--push', 'http://h:9091'],
      ['p.yaml', '--all'],
      ['p.yaml', '-fjson'],
      ['p.yaml', '--'],
      ['p.yaml', '--timeout'],
      ['p.yaml', '--logLevel', 'debug'],
      ['p.yaml', '--no-strict'],
    ];
    for (const argv of left) expect(parseFastCheck(argv), argv.join(' ')).toBeUndefined();
  });

  it('agrees with yargs on generated command lines', async () => {
    const token = fc.constantFrom(
      'p.yaml',
      'fedbiomed/node',
      '5',
      'json',
      'table',
      'xml',
      'true',
      'false',
      'a=b',
      '-1',
      '',
      '--format',
      '-f',
      '--timeout',
      '--timeout=5',
      '--retries',
      '--concurrency',
      '--adaptive',
      '--strict',
      '--color',
      '--no-color',
      '--family',
      '4',
      '--set',
      '-s',
      '--with',
      '--only',
      '--type',
      'user',
      '--log-level',
      'debug',
      '--mandatory-only',
      '--proxy',
      '--output',
      '--help',
      '--',
    );
    let taken = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(token, { maxLength: 7 }), async (argv) => {
        if (await agrees(argv)) taken++;
      }),
      { numRuns: 1500 },
    );
    expect(taken).toBeGreaterThan(20);
  });
});
