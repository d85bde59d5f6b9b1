// Runs the fedprobe binary with its own /etc/resolv.conf, /etc/hosts and /etc/nsswitch.conf: inside
// `unshare -m`, bind mounts over the system files, seen by this child only. Records when the child
// last wrote to stdout (its report) and when it exited, so a test can bound the time in between.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SystemFiles {
  resolvConf?: string;
  hosts?: string;
  nsswitch?: string;
}

export interface ChildRun {
  status: number | null;
  stdout: string;
  stderr: string;
  /** From the last stdout write (the report) to the exit of the process. */
  reportToExitMs: number | undefined;
}

const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;

/** Starts `fedprobe ...args` under the given system files; `done` settles when it has exited. */
export function startWithSystemFiles(
  files: SystemFiles,
  args: string[],
): { child: ChildProcess; done: Promise<ChildRun> } {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-etc-'));
  const mounts: string[] = [];
  for (const [key, target] of [
    ['resolvConf', '/etc/resolv.conf'],
    ['hosts', '/etc/hosts'],
    ['nsswitch', '/etc/nsswitch.conf'],
  ] as const) {
    const text = files[key];
    if (text === undefined) continue;
    writeFileSync(join(dir, key), text);
    mounts.push(`mount --bind ${join(dir, key)} ${target}`);
  }
  // `unshare -m` execs (no fork), and so does sh: the child's pid is node's, for signals.
  const script = [...mounts, 'exec node "$0" "$@"'].join(' && ');
  const child = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let lastReport: number | undefined;
  child.stdout!.on('data', (d) => {
    stdout += String(d);
    lastReport = performance.now();
  });
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const done = new Promise<ChildRun>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (status) => {
      const exited = performance.now();
      // Let the pipes drain: 'exit' may come before the last 'data'.
      child.once('close', () =>
        resolve({ status, stdout, stderr, reportToExitMs: lastReport === undefined ? undefined : exited - lastReport }),
      );
    });
  });
  return { child, done };
}

/** A profile file with one mandatory TCP row to `tcp://${host}:${port}`. */
export function oneRowProfile(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-dns-profile-'));
  const file = join(dir, 'dns.yaml');
  writeFileSync(
    file,
    [
      'schema: fedprobe/v1',
      'framework: Test',
      'component: dns',
      'scenario: name lookups',
      'vars:',
      '  host: { description: the name to look up }',
      '  port: { description: a TCP port }',
      'rows:',
      '  - { id: svc, dir: out, source: site, destination: svc, port: tcp/9092, service: Kafka, type: backend,',
      '      status: mandatory, probe: "tcp://${host}:${port}" }',
      '',
    ].join('\n'),
  );
  return file;
}
