// A real userspace WireGuard server (wireguard-go) in a private mount namespace, so its control
// socket in /var/run/wireguard is private to the test; configured with `wg set`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function genKey(): { privateKey: string; publicKey: string } {
  const privateKey = execFileSync('wg', ['genkey'], { encoding: 'utf8' }).trim();
  const publicKey = execFileSync('wg', ['pubkey'], { input: privateKey, encoding: 'utf8' }).trim();
  return { privateKey, publicKey };
}

export function genPsk(): string {
  return execFileSync('wg', ['genpsk'], { encoding: 'utf8' }).trim();
}

export interface WgServer {
  port: number;
  publicKey: string;
  stop(): Promise<void>;
}

let counter = 0;

/** Starts wireguard-go listening on `port` with one peer (the probe), optionally with a psk. */
export async function startWireguard(
  port: number,
  peer: { publicKey: string; presharedKey?: string },
): Promise<WgServer> {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-wg-'));
  const server = genKey();
  writeFileSync(join(dir, 'server.key'), server.privateKey, { mode: 0o600 });
  if (peer.presharedKey) writeFileSync(join(dir, 'psk'), peer.presharedKey, { mode: 0o600 });
  const ifname = `fpwg${process.pid % 1000}${++counter}`;
  const script = [
    'set -e',
    'mount -t tmpfs none /var/run/wireguard 2>/dev/null || { mkdir -p /var/run/wireguard && mount -t tmpfs none ' +
      '/var/run/wireguard; }',
    `wireguard-go -f ${ifname} >${dir}/wg.log 2>&1 & pid=$!`,
    `for i in $(seq 1 100); do [ -S /var/run/wireguard/${ifname}.sock ] && break; sleep 0.05; done`,
    `wg set ${ifname} private-key ${dir}/server.key listen-port ${port} peer ${peer.publicKey} allowed-ips ` +
      `10.200.0.50/32${peer.presharedKey ? ` preshared-key ${dir}/psk` : ''}`,
    `ip link set ${ifname} up`,
    'echo ready',
    'wait $pid',
  ].join('\n');
  const child: ChildProcess = spawn('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wireguard-go did not start: ${err}`)), 10_000);
    child.stdout!.on('data', (d) => {
      if (String(d).includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`wireguard-go setup exited with ${code}: ${err}`)));
  });
  return {
    port,
    publicKey: server.publicKey,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        // The whole group: the shell, wireguard-go, and the mount namespace with them.
        process.kill(-child.pid!, 'SIGTERM');
      }),
  };
}
