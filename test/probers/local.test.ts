// listen:// (read from /proc/net, no traffic), DNS, several addresses per name, retries, and the
// loopback firewall — all inside the suite's private namespace.
import { createSocket } from 'node:dgram';
import { createServer, type Server } from 'node:net';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeProcAddress, isLoopback } from '../../src/probers/listen.js';
import { probeUrl } from '../helpers/probe.js';
import { silentLogger } from '../../src/log.js';
import { runCheck } from '../../src/probe/run.js';
import { parseTarget } from '../../src/profile/target.js';
import type { Check } from '../../src/types.js';

function listen(host: string, port = 0): Promise<Server> {
  const s = createServer((c) => c.destroy());
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host, port, ipv6Only: host === '::1' }, () => resolve(s));
  });
}
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
const portOf = (s: Server) => (s.address() as { port: number }).port;

function listenCheck(url: string, portColumn: string, localOnly?: boolean): Check {
  const w = localOnly === undefined ? {} : { localOnly };
  return {
    row: { id: 'gui', dir: 'in', source: 'localhost', destination: 'gui', port: portColumn, service: 'HTTP', type: 'user', status: 'optional', probe: url, with: w },
    target: parseTarget(url, portColumn), timeoutMs: 1000, retries: 0, expect: 'reachable', with: w, secrets: {},
  };
}

describe('listen://', () => {
  it('a service on 127.0.0.1 with localOnly: pass, and where it listens', async () => {
    const s = await listen('127.0.0.1');
    const port = portOf(s);
    const r = await runCheck(listenCheck(`listen://tcp/${port}`, `tcp/${port}`, true), { concurrency: 1, log: silentLogger });
    await close(s);
    expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', facts: { listeningOn: [`127.0.0.1:${port}`], localOnly: true } });
  });

  it('a localOnly service bound to all addresses: fail, exposed', async () => {
    const s = await listen('0.0.0.0');
    const port = portOf(s);
    const r = await runCheck(listenCheck(`listen://tcp/${port}`, `tcp/${port}`, true), { concurrency: 1, log: silentLogger });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'exposed' });
    expect(r.detail).toMatch(/listens on all addresses \(0\.0\.0\.0\)/);
    expect(r.hint).toMatch(/Bind this service to 127\.0\.0\.1/);
    // Without localOnly the same socket is what an inbound backend row wants.
    const plain = await runCheck(listenCheck(`listen://tcp/${port}`, `tcp/${port}`), { concurrency: 1, log: silentLogger });
    await close(s);
    expect(plain).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { listeningOn: [`0.0.0.0:${port}`] } });
  });

  it('bound to :: (all IPv6 and IPv4): exposed', async () => {
    const s = await listen('::');
    const port = portOf(s);
    const r = await runCheck(listenCheck(`listen://tcp/${port}`, `tcp/${port}`, true), { concurrency: 1, log: silentLogger });
    await close(s);
    expect(r).toMatchObject({ outcome: 'fail', reason: 'exposed', facts: { listeningOn: [`[::]:${port}`] } });
  });

  it('bound to ::1 only: local, pass', async () => {
    const s = await listen('::1');
    const port = portOf(s);
    const r = await runCheck(listenCheck(`listen://tcp/${port}`, `tcp/${port}`, true), { concurrency: 1, log: silentLogger });
    await close(s);
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { listeningOn: [`[::1]:${port}`] } });
  });

  it('nothing listening: fail, closed, not-listening, and the hint names respond', async () => {
    const s = await listen('127.0.0.1');
    const port = portOf(s);
    await close(s);
    const r = await runCheck(listenCheck(`listen://tcp/${port}`, `tcp/${port}`, true), { concurrency: 1, log: silentLogger });
    expect(r).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'not-listening' });
    expect(r.hint).toMatch(/fedprobe respond/);
  });

  it('a bound UDP socket counts for listen://udp', async () => {
    const sock = createSocket('udp4');
    await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
    const port = sock.address().port;
    const r = await runCheck(listenCheck(`listen://udp/${port}`, `udp/${port}`), { concurrency: 1, log: silentLogger });
    sock.close();
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { listeningOn: [`127.0.0.1:${port}`] } });
  });

  it('decodes /proc/net addresses', () => {
    expect(decodeProcAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000')).toBe('0.0.0.0');
    expect(decodeProcAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeProcAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    expect(isLoopback('127.0.0.53')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('10.0.0.1')).toBe(false);
  });
});

describe('names and addresses', () => {
  it('a name that does not resolve: fail, dns-error', async () => {
    const r = await probeUrl('tcp://does-not-exist.invalid:1883', {}, { timeoutMs: 1500 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'dns-error', addresses: [] });
    expect(r.hint).toMatch(/Check the host name/);
  });

  // This machine's /etc/hosts maps localhost to 127.0.0.1 only, so the test gives fedprobe its own
  // hosts file (a private mount namespace, real getaddrinfo) with a name on both families.
  function probeWithHosts(url: string, ...args: string[]): { code: number; result: any } {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-hosts-'));
    writeFileSync(join(dir, 'hosts'), '127.0.0.1 localhost\n127.0.0.1 dual.test\n::1 dual.test\n');
    const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
    const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', `mount --bind ${dir}/hosts /etc/hosts && exec node ${bin} probe "$0" -f json "$@"`, url, ...args], { encoding: 'utf8' });
    expect(r.stderr).toBe('');
    return { code: r.status ?? -1, result: JSON.parse(r.stdout).results[0] };
  }

  it('a name with an IPv4 and an IPv6 address: both open is a pass, one closed is a warn', async () => {
    const v4 = await listen('127.0.0.1');
    const port = portOf(v4);
    const half = probeWithHosts(`tcp://dual.test:${port}`);
    expect(half.result.addresses.map((a: { address: string }) => a.address).sort()).toEqual(['127.0.0.1', '::1']);
    expect(half.result).toMatchObject({ outcome: 'warn', state: 'closed', reason: 'refused' });
    expect(half.result.detail).toMatch(/127\.0\.0\.1 works, but ::1: connection refused/);
    expect(half.code).toBe(0);
    const v6 = await listen('::1', port);
    const both = probeWithHosts(`tcp://dual.test:${port}`);
    expect(both.result).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(both.result.addresses.map((a: { outcome: string }) => a.outcome)).toEqual(['pass', 'pass']);
    const only6 = probeWithHosts(`tcp://dual.test:${port}`, '--family', '6');
    expect(only6.result.addresses.map((a: { address: string }) => a.address)).toEqual(['::1']);
    await close(v4);
    await close(v6);
  });

  it('retries: a refused port is tried 1 + retries times', async () => {
    const s = await listen('127.0.0.1');
    const port = portOf(s);
    await close(s);
    const r = await runCheck(
      { row: { id: 'r', dir: 'out', source: 's', destination: 'd', port: `tcp/${port}`, service: 'TCP', type: 'backend', status: 'mandatory', probe: `tcp://127.0.0.1:${port}` },
        target: parseTarget(`tcp://127.0.0.1:${port}`, `tcp/${port}`), timeoutMs: 500, retries: 2, expect: 'reachable', with: {}, secrets: {} },
      { concurrency: 1, log: silentLogger },
    );
    expect(r).toMatchObject({ outcome: 'fail', reason: 'refused' });
    expect(r.addresses[0]!.attempts).toBe(3);
  });
});
