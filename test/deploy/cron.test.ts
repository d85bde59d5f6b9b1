// The cron line in deploy/cron/fedprobe, run as shipped: as the user it names (nobody), through
// /bin/sh as cron does, with only this machine's paths swapped in (this checkout's fedprobe, a test
// site file, a test directory in place of /var/lib/fedprobe). It once redirected stderr to
// /var/log, which nobody cannot write: the shell refused and fedprobe never ran.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const cronFile = readFileSync(join(root, 'deploy/cron/fedprobe'), 'utf8');

/** The first active line: five time fields, the user, the command. */
function cronEntry(): { user: string; command: string } {
  const line = cronFile.split('\n').find((l) => l.trim() && !l.startsWith('#'));
  if (!line) throw new Error('deploy/cron/fedprobe has no active line');
  const fields = line.trim().split(/\s+/);
  return { user: fields[5]!, command: fields.slice(6).join(' ') };
}

describe('deploy/cron/fedprobe', () => {
  it('runs as nobody exactly as shipped and leaves a textfile that promtool accepts', () => {
    const { user, command } = cronEntry();
    expect(user).toBe('nobody');
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-cron-'));
    chmodSync(dir, 0o755);
    const site = join(dir, 'site.yaml');
    writeFileSync(site, 'vars:\n  network_host: 127.0.0.1\n', { mode: 0o644 });
    const state = join(dir, 'var-lib-fedprobe');
    // The setup step the file's comment gives: install -d -o nobody -m 0755 /var/lib/fedprobe
    expect(spawnSync('install', ['-d', '-o', 'nobody', '-m', '0755', state]).status).toBe(0);
    const local = command
      .replace('/usr/local/bin/fedprobe', `${process.execPath} ${join(root, 'bin/fedprobe.js')}`)
      .replace('/etc/fedprobe/site.yaml', site)
      .replaceAll('/var/lib/fedprobe', state);
    const r = spawnSync('su', ['-s', '/bin/sh', user, '-c', local], { encoding: 'utf8', timeout: 60_000 });
    expect(r.stderr).toBe('');
    const prom = join(state, 'fedprobe.prom');
    expect(statSync(prom).uid).toBe(65534);
    const text = readFileSync(prom, 'utf8');
    // Nothing listens on 127.0.0.1 here: the node's mandatory rows fail, and the file says so.
    expect(text).toMatch(/^fedprobe_row_success\{profile="fedbiomed\/node",row="mqtt",.*\} 0$/m);
    expect(text).toMatch(/^fedprobe_last_run_exit_code\{profile="fedbiomed\/node"\} 1$/m);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.status).toBe(0);
  }, 70_000);
});
