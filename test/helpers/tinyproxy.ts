// Starts a real tinyproxy (Debian's) in the foreground with a generated config.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Tinyproxy {
  port: number;
  stop(): Promise<void>;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', () => resolve(false));
  });
}

/** `connectPorts`: the only ports CONNECT may reach (tinyproxy answers 403 for others). */
export async function startTinyproxy(opts: {
  port: number;
  connectPorts: number[];
  basicAuth?: [string, string];
}): Promise<Tinyproxy> {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-tinyproxy-'));
  const conf = join(dir, 'tinyproxy.conf');
  writeFileSync(
    conf,
    `${[
      `Port ${opts.port}`,
      'Listen 127.0.0.1',
      'Timeout 5',
      'MaxClients 20',
      'Allow 127.0.0.1',
      'LogLevel Critical',
      ...opts.connectPorts.map((p) => `ConnectPort ${p}`),
      ...(opts.basicAuth ? [`BasicAuth ${opts.basicAuth[0]} ${opts.basicAuth[1]}`] : []),
    ].join('\n')}\n`,
  );
  const child: ChildProcess = spawn('tinyproxy', ['-d', '-c', conf], { stdio: 'ignore' });
  const deadline = Date.now() + 10_000;
  while (!(await canConnect(opts.port))) {
    if (child.exitCode !== null) throw new Error(`tinyproxy exited with ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error('tinyproxy did not start listening');
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port: opts.port,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
