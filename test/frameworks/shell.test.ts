// The sh subset start scripts need: words keep their line; what only the running script knows
// ($1, $(cmd)) stays unresolved instead of being guessed from the environment.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { varsFromConfig } from '../../src/frameworks/read.js';
import { shellCommands } from '../../src/frameworks/shell.js';

describe('shellCommands', () => {
  it('quotes, continuations, separators, assignments and their lines', () => {
    const text = 'A=one\nB="t w o"; echo "$A" \\\n  \'${B}\' ${B} && run ${C:-dflt} # comment\n';
    expect(shellCommands(text, () => undefined)).toEqual([
      [
        { text: 'echo', line: 2 },
        { text: 'one', line: 2 },
        { text: '${B}', line: 3 },
        { text: 't w o', line: 3 },
      ],
      [
        { text: 'run', line: 3 },
        { text: 'dflt', line: 3, defaulted: ['C'] },
      ],
    ]);
  });

  it('$1 and $(cmd) are unknown, and so is a variable set from them, whatever the environment says', () => {
    const text = 'IP=$1\nX=$(hostname -i)\nrun --a=$IP --b=$X --c=`date` --d=$HOME\n';
    const [cmd] = shellCommands(text, (n) => ({ IP: 'from-env', X: 'from-env', HOME: '/root' })[n]);
    expect(cmd!.map((w) => [w.text, w.unresolved])).toEqual([
      ['run', undefined],
      // What the script set them from, for the message (argv.ts).
      ['--a=$IP', ['IP=$1']],
      ['--b=$X', ['X=$(…)']],
      ['--c=`date`', ['(…)']],
      ['--d=/root', undefined],
    ]);
  });
});

describe('--from /proc/PID/cmdline', () => {
  it('reads a NUL-separated argv with "pid N argv" as the source', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-cmdline-'));
    try {
      mkdirSync(join(dir, '4242'));
      const file = join(dir, '4242', 'cmdline');
      const argv = ['/usr/bin/python3', '/usr/local/bin/flower-supernode', '--insecure', '--superlink=10.1.2.3:9092'];
      writeFileSync(file, `${argv.join('\0')}\0`);
      expect(await varsFromConfig(file)).toEqual({
        profile: 'flower/supernode-insecure',
        vars: { superlink_host: { value: '10.1.2.3', source: 'pid 4242 argv' } },
        notes: [],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
