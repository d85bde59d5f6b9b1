// Shell completion: the script `fedprobe completion` prints, sourced into a real bash, asking the
// CLI on PATH for each Tab, as a user's shell would; and the answers, in-process.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
let bin: string;

beforeAll(() => {
  bin = mkdtempSync(join(tmpdir(), 'fedprobe-path-'));
  symlinkSync(join(ROOT, 'bin/fedprobe.js'), join(bin, 'fedprobe'));
});
afterAll(() => rmSync(bin, { recursive: true, force: true }));

/** What bash offers after `words` (the last one being completed), through the sourced script. */
async function tab(...words: string[]): Promise<string[]> {
  const script = `source <(fedprobe completion)
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}
_fedprobe_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const { stdout } = await run('bash', ['--norc', '-c', script], {
    env: { PATH: `${bin}:${process.env.PATH}`, SHELL: '/bin/bash' },
  });
  return stdout.split('\n').filter(Boolean);
}

describe('shell completion', () => {
  it('fedprobe completion prints a bash script that registers itself for fedprobe', async () => {
    const r = await runCli(['completion'], { SHELL: '/bin/bash' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('complete -o bashdefault -o default -F _fedprobe_yargs_completions fedprobe');
    expect(r.stdout).toContain('fedprobe --get-yargs-completions');
  });

  it("in bash: commands, profile ids, flags and a flag's choices", async () => {
    expect(await tab('fedprobe', 'ch')).toEqual(['check']);
    expect(await tab('fedprobe', 'd')).toEqual(['discover', 'demo', 'daemon']);
    expect(await tab('fedprobe', 'check', 'fedbiomed/node-')).toEqual([
      'fedbiomed/node-docker',
      'fedbiomed/node-v5',
      'fedbiomed/node-vpn',
    ]);
    expect(await tab('fedprobe', 'show', 'swarm/sn')).toEqual(['swarm/sn', 'swarm/sn-proxy']);
    expect(await tab('fedprobe', 'check', '--time')).toEqual(['--timeout']);
    expect(await tab('fedprobe', 'check', 'swarm/sn', '--format', 'j')).toEqual(['json', 'junit']);
    expect(await tab('fedprobe', 'check', '--timeout', '5', 'flower/super')).toEqual([
      'flower/superlink',
      'flower/supernode',
      'flower/supernode-insecure',
    ]);
  }, 60_000);

  it('in-process: a profile is offered once only, and nothing breaks on an unknown command', async () => {
    expect((await runCli(['--get-yargs-completions', 'fedprobe', 'check', 'swarm/sn', 'swarm/'])).stdout).toBe('');
    const unknown = await runCli(['--get-yargs-completions', 'fedprobe', 'nosuch', '']);
    expect(unknown).toEqual({ code: 0, stdout: '', stderr: '' });
  });
});
