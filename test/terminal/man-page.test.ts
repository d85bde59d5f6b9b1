// man/fedprobe.1: made from the help text by scripts/man.sh, rendered by the real man (man-db,
// groff) without a warning, naming every command and every long flag of each, and not stale.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { helpEntries } from '../../src/cli/commands/completion.js';
import { runCli } from '../helpers/cli.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const PAGE = join(ROOT, 'man/fedprobe.1');

const help = async (args: string[]) => (await runCli([...args, '--help'], { COLUMNS: '1000' })).stdout;

describe('man page', () => {
  it('renders with `man -l` and groff finds nothing to warn about', async () => {
    const man = await run('man', ['-l', PAGE], {
      env: { ...process.env, MANPAGER: 'cat', MANWIDTH: '80', LANG: 'C.UTF-8' },
    });
    expect(man.stderr).toBe('');
    expect(man.stdout).toMatch(/^FEDPROBE\(1\) +User Commands +FEDPROBE\(1\)$/m);
    for (const line of man.stdout.split('\n')) expect(line.length, line).toBeLessThanOrEqual(80);
    const groff = await run('groff', ['-man', '-Tutf8', '-ww', '-z', PAGE]);
    expect(groff.stderr).toBe('');
  });

  it('names every command of --help, with a section each, and every long flag of each command', async () => {
    const page = (
      await run('man', ['-l', PAGE], { env: { ...process.env, MANPAGER: 'cat', MANWIDTH: '200', LANG: 'C.UTF-8' } })
    ).stdout;
    const commands = helpEntries(await help([]))
      .entries.filter((e) => e.section === 'Commands')
      .map((e) => e.spec);
    expect(commands.length).toBeGreaterThanOrEqual(11);
    for (const spec of commands) {
      const name = spec.split(' ')[1]!;
      expect(page, name).toContain(spec);
      expect(page, name).toMatch(new RegExp(`^${name.toUpperCase()}$`, 'm'));
      if (name === 'completion') continue; // its --help is the script
      const section = page.slice(page.search(new RegExp(`^${name.toUpperCase()}$`, 'm')));
      for (const e of helpEntries(await help([name])).entries) {
        for (const flag of e.spec
          .split(', ')
          .filter((f) => f.startsWith('--') && f !== '--help' && f !== '--version')) {
          expect(section, `${name} ${flag}`).toMatch(new RegExp(`^ {7}(-\\w, )*${flag}\\b`, 'm'));
        }
      }
    }
  });

  it('is what scripts/man.sh makes from the current help text (else: npm run man)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-man-test-'));
    try {
      await run('bash', [join(ROOT, 'scripts/man.sh'), '--no-build', join(dir, 'fedprobe.1')], { cwd: ROOT });
      expect(readFileSync(join(dir, 'fedprobe.1'), 'utf8'), 'man/fedprobe.1 is stale: run npm run man').toBe(
        readFileSync(PAGE, 'utf8'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
