// listen:// reads /proc/net/{tcp,tcp6,udp,udp6} of the test's own (private) namespace: real
// sockets the test opens, on loopback, on all addresses, and on a veth address; then the /proc
// parser against a hand-written /proc tree.
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { decodeProcAddress, isLoopback, listeningSockets } from '../../src/probers/listen.js';
import type { CheckResult, Expectation } from '../../src/types.js';
import { probeOnce } from '../helpers/check.js';
import { createPeerNetns, requireTestNetns, type PeerNetns } from '../helpers/netns.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tcpServer(host: string, port = 0, ipv6Only = false): Promise<number> {
  const s: Server = createServer((c) => c.destroy());
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host, port, ipv6Only }, () => resolve());
  });
  cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
  return (s.address() as { port: number }).port;
}

async function udpSocket(host: string, port = 0): Promise<UdpSocket> {
  const s = createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: host === '::1' });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(port, host, () => resolve());
  });
  cleanups.push(() => new Promise<void>((r) => s.close(() => r())));
  return s;
}

/** A port that was free a moment ago and has nothing on it now. */
async function unusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

const listen = (
  protocol: 'tcp' | 'udp',
  port: number,
  opts: { localOnly?: boolean; expect?: Expectation } = {},
): Promise<CheckResult> =>
  probeOnce(`listen://${protocol}/${port}`, `${protocol}/${port}`, {
    with: opts.localOnly === undefined ? {} : { localOnly: opts.localOnly },
    ...(opts.expect && { expect: opts.expect }),
  });

function expectResult(
  r: CheckResult,
  want: { outcome: string; state: string; reason: string; listeningOn: string[]; localOnly?: boolean },
): void {
  const { listeningOn, localOnly, ...top } = want;
  expect({ outcome: r.outcome, state: r.state, reason: r.reason, code: r.code }).toEqual({ ...top, code: undefined });
  expect((r.facts.listeningOn as string[]).slice().sort()).toEqual(listeningOn.slice().sort());
  expect(r.facts.localOnly).toBe(localOnly ?? false);
  // No traffic, no DNS: one pseudo-address, "local".
  expect(r.addresses).toHaveLength(1);
  expect(r.addresses[0]).toMatchObject({ address: 'local', family: 0, attempts: 1 });
  expect(r.timings.dnsMs).toBeUndefined();
}

describe('listen://tcp', () => {
  it('on 127.0.0.1 with localOnly: pass, open, ok, and where it listens', async () => {
    const port = await tcpServer('127.0.0.1');
    const r = await listen('tcp', port, { localOnly: true });
    expectResult(r, {
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      listeningOn: [`127.0.0.1:${port}`],
      localOnly: true,
    });
    expect(r.detail).toBe(`listening on 127.0.0.1:${port}`);
  });

  it('on ::1 only with localOnly: pass', async () => {
    const port = await tcpServer('::1', 0, true);
    expectResult(await listen('tcp', port, { localOnly: true }), {
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      listeningOn: [`[::1]:${port}`],
      localOnly: true,
    });
  });

  it('on 127.0.0.1 and ::1: pass, both listed', async () => {
    const port = await tcpServer('127.0.0.1');
    await tcpServer('::1', port, true);
    expectResult(await listen('tcp', port, { localOnly: true }), {
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      listeningOn: [`127.0.0.1:${port}`, `[::1]:${port}`],
      localOnly: true,
    });
  });

  it('on 0.0.0.0 with localOnly: fail, open, exposed; without localOnly: pass', async () => {
    const port = await tcpServer('0.0.0.0');
    const r = await listen('tcp', port, { localOnly: true });
    expectResult(r, {
      outcome: 'fail',
      state: 'open',
      reason: 'exposed',
      listeningOn: [`0.0.0.0:${port}`],
      localOnly: true,
    });
    expect(r.detail).toBe('should be reachable from this machine only, but listens on all addresses (0.0.0.0)');
    expect(r.hint).not.toBe('');
    expectResult(await listen('tcp', port), {
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      listeningOn: [`0.0.0.0:${port}`],
    });
    expectResult(await listen('tcp', port, { localOnly: false }), {
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      listeningOn: [`0.0.0.0:${port}`],
    });
  });

  it('on :: (dual-stack, every address) with localOnly: exposed', async () => {
    const port = await tcpServer('::');
    const r = await listen('tcp', port, { localOnly: true });
    expectResult(r, {
      outcome: 'fail',
      state: 'open',
      reason: 'exposed',
      listeningOn: [`[::]:${port}`],
      localOnly: true,
    });
    expect(r.detail).toMatch(/all addresses \(::\)$/);
  });

  it('on 127.0.0.1 and on :: (IPv6 only): one exposed socket is enough to fail', async () => {
    const port = await tcpServer('127.0.0.1');
    await tcpServer('::', port, true);
    const r = await listen('tcp', port, { localOnly: true });
    expectResult(r, {
      outcome: 'fail',
      state: 'open',
      reason: 'exposed',
      listeningOn: [`127.0.0.1:${port}`, `[::]:${port}`],
      localOnly: true,
    });
    expect(r.detail).toMatch(/listens on all addresses \(::\)$/);
  });

  it('nothing listening: fail, closed, not-listening', async () => {
    const port = await unusedPort();
    const r = await listen('tcp', port, { localOnly: true });
    expectResult(r, { outcome: 'fail', state: 'closed', reason: 'not-listening', listeningOn: [], localOnly: true });
    expect(r.detail).toBe(`nothing on this machine listens on tcp/${port}`);
  });

  it('an established connection on the port is not a listener', async () => {
    const serverPort = await tcpServer('127.0.0.1');
    const client = connect({ host: '127.0.0.1', port: serverPort });
    await new Promise<void>((r, j) => {
      client.once('connect', () => r());
      client.once('error', j);
    });
    client.on('error', () => {});
    cleanups.push(() => void client.destroy());
    expectResult(await listen('tcp', client.localPort!), {
      outcome: 'fail',
      state: 'closed',
      reason: 'not-listening',
      listeningOn: [],
    });
  });

  it('expect: blocked — nothing listening passes, a listener fails', async () => {
    const port = await tcpServer('127.0.0.1');
    expectResult(await listen('tcp', port, { expect: 'blocked' }), {
      outcome: 'fail',
      state: 'open',
      reason: 'ok',
      listeningOn: [`127.0.0.1:${port}`],
    });
    const free = await unusedPort();
    expectResult(await listen('tcp', free, { expect: 'blocked' }), {
      outcome: 'pass',
      state: 'closed',
      reason: 'not-listening',
      listeningOn: [],
    });
  });

  describe('on a LAN address (the local end of a veth)', () => {
    let ns: PeerNetns;
    beforeAll(async () => {
      requireTestNetns();
      ns = await createPeerNetns('listen');
    }, 30_000);
    afterAll(async () => ns?.destroy());

    it('with localOnly: exposed, and the detail names the address', async () => {
      const port = await tcpServer(ns.localV4);
      const r = await listen('tcp', port, { localOnly: true });
      expectResult(r, {
        outcome: 'fail',
        state: 'open',
        reason: 'exposed',
        listeningOn: [`${ns.localV4}:${port}`],
        localOnly: true,
      });
      expect(r.detail).toBe(`should be reachable from this machine only, but listens on ${ns.localV4}`);
    });

    it('an IPv6 LAN address is written in brackets', async () => {
      const port = await tcpServer(ns.localV6, 0, true);
      expectResult(await listen('tcp', port, { localOnly: true }), {
        outcome: 'fail',
        state: 'open',
        reason: 'exposed',
        listeningOn: [`[${ns.localV6}]:${port}`],
        localOnly: true,
      });
    });
  });
});

describe('listen://udp', () => {
  it('a bound UDP socket on 127.0.0.1: pass', async () => {
    const s = await udpSocket('127.0.0.1');
    const port = s.address().port;
    expectResult(await listen('udp', port), {
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      listeningOn: [`127.0.0.1:${port}`],
    });
    expectResult(await listen('udp', port, { localOnly: true }), {
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      listeningOn: [`127.0.0.1:${port}`],
      localOnly: true,
    });
  });

  it('a UDP socket on 0.0.0.0 with localOnly: exposed', async () => {
    const s = await udpSocket('0.0.0.0');
    const port = s.address().port;
    expectResult(await listen('udp', port, { localOnly: true }), {
      outcome: 'fail',
      state: 'open',
      reason: 'exposed',
      listeningOn: [`0.0.0.0:${port}`],
      localOnly: true,
    });
  });

  it('a UDP socket on ::1: pass', async () => {
    const s = await udpSocket('::1');
    const port = s.address().port;
    expectResult(await listen('udp', port, { localOnly: true }), {
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      listeningOn: [`[::1]:${port}`],
      localOnly: true,
    });
  });

  it("a connected UDP socket (a client's) is not a service: not-listening", async () => {
    const target = await udpSocket('127.0.0.1');
    const client = await udpSocket('127.0.0.1');
    await new Promise<void>((r) => client.connect(target.address().port, '127.0.0.1', () => r()));
    expectResult(await listen('udp', client.address().port), {
      outcome: 'fail',
      state: 'closed',
      reason: 'not-listening',
      listeningOn: [],
    });
  });

  it('a TCP listener does not satisfy listen://udp on the same port', async () => {
    const port = await tcpServer('127.0.0.1');
    expectResult(await listen('udp', port), {
      outcome: 'fail',
      state: 'closed',
      reason: 'not-listening',
      listeningOn: [],
    });
  });

  it('nothing bound: fail, closed, not-listening', async () => {
    const s = createSocket('udp4');
    await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
    const port = s.address().port;
    await new Promise<void>((r) => s.close(() => r()));
    expectResult(await listen('udp', port), {
      outcome: 'fail',
      state: 'closed',
      reason: 'not-listening',
      listeningOn: [],
    });
  });
});

describe('the /proc/net parser', () => {
  it('decodeProcAddress: IPv4 and IPv6 words are little-endian', () => {
    expect(decodeProcAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000')).toBe('0.0.0.0');
    expect(decodeProcAddress('0102A8C0')).toBe('192.168.2.1');
    expect(decodeProcAddress('00000000000000000000000001000000')).toBe('::1');
    expect(decodeProcAddress('00000000000000000000000000000000')).toBe('::');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F')).toBe('::ffff:127.0.0.1');
    // fd77:a::2 → words fd77000a 00000000 00000000 00000002, each byte-reversed.
    expect(decodeProcAddress('0A0077FD000000000000000002000000')).toBe('fd77:a::2');
  });

  it('isLoopback', () => {
    expect(isLoopback('127.0.0.1')).toBe(true);
    expect(isLoopback('127.0.0.53')).toBe(true);
    expect(isLoopback('::1')).toBe(true);
    expect(isLoopback('::ffff:127.0.0.1')).toBe(true);
    expect(isLoopback('0.0.0.0')).toBe(false);
    expect(isLoopback('::')).toBe(false);
    expect(isLoopback('10.77.1.1')).toBe(false);
    expect(isLoopback('::ffff:10.0.0.1')).toBe(false);
  });

  it('listeningSockets: LISTEN (0A) for TCP, bound and unconnected (07) for UDP, both families', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fedprobe-proc-'));
    try {
      await mkdir(join(root, 'net'));
      const head = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
      const line = (local: string, remote: string, st: string) =>
        `   0: ${local} ${remote} ${st} 00000000:00000000 00:00000000 00000000     0        0 1 1 0000000000000000 ` +
        `100 0 0 10 0\n`;
      await writeFile(
        join(root, 'net/tcp'),
        head +
          line('0100007F:1F90', '00000000:0000', '0A') + // 127.0.0.1:8080 LISTEN
          line('0100007F:1F91', '0100007F:D431', '01') + // ESTABLISHED: not a listener
          line('00000000:0050', '00000000:0000', '0A'),
      ); // 0.0.0.0:80 LISTEN
      await writeFile(
        join(root, 'net/tcp6'),
        head + line('00000000000000000000000001000000:1F90', '00000000000000000000000000000000:0000', '0A'),
      );
      await writeFile(
        join(root, 'net/udp'),
        head +
          line('0100007F:CA6C', '00000000:0000', '07') + // bound 127.0.0.1:51820
          line('0100007F:CA6D', '0100007F:0035', '01'),
      ); // connected client socket
      // No udp6 file at all: read as empty.
      expect(await listeningSockets('tcp', root)).toEqual([
        { address: '127.0.0.1', port: 8080, family: 4 },
        { address: '0.0.0.0', port: 80, family: 4 },
        { address: '::1', port: 8080, family: 6 },
      ]);
      expect(await listeningSockets('udp', root)).toEqual([{ address: '127.0.0.1', port: 51820, family: 4 }]);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
