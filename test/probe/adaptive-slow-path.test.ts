// A slow but working path is never called filtered because of --adaptive (issue 11). The peer is
// 200 ms away: its answers cross a delay line, since this kernel has no netem (CONFIG_NET_SCH_NETEM
// is not set). The line is two TUN devices, one in the test's namespace and one in the peer's,
// joined by a small Python loop that holds each packet from the peer for 200 ms, except those
// from the "fast" ports, which it passes at once. That is the hard case for an RTT estimate: a
// host whose first answers are quick (a port served nearby) and whose other ports sit behind a
// far DNAT. The TCP handshake itself is real: real listeners, the kernels' own SYN-ACKs.
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/log.js';
import { MIN_SAMPLES } from '../../src/probe/adaptive.js';
import { runChecks } from '../../src/probe/run.js';
import type { CheckResult } from '../../src/types.js';
import { makeCheck } from '../helpers/check.js';
import { createPeerNetns, ip, type PeerNetns } from '../helpers/netns.js';

const DELAY_MS = 200;
const FAST = [7501, 7502, 7503, 7504];
const SLOW = [7601, 7602, 7603, 7604, 7605];

// Opens /dev/net/tun here (argv[1]), then in the peer's namespace (argv[3], by setns) the other
// end (argv[2]); relays packets both ways, holding the peer's for argv[4] seconds unless their TCP
// source port is in argv[5] (comma-separated).
const DELAY_LINE = String.raw`
import ctypes, fcntl, heapq, os, select, struct, sys, time
TUNSETIFF, IFF_TUN, IFF_NO_PI = 0x400454ca, 0x0001, 0x1000
def tun(name):
    fd = os.open('/dev/net/tun', os.O_RDWR)
    fcntl.ioctl(fd, TUNSETIFF, struct.pack('16sH', name.encode(), IFF_TUN | IFF_NO_PI))
    return fd
near = tun(sys.argv[1])
ns = os.open('/run/netns/' + sys.argv[3], os.O_RDONLY)
if ctypes.CDLL(None, use_errno=True).setns(ns, 0x40000000) != 0:
    sys.exit('setns failed')
far = tun(sys.argv[2])
delay = float(sys.argv[4])
fast = {int(p) for p in sys.argv[5].split(',')}
print('ready', flush=True)
queue, seq = [], 0
def held(pkt):
    if len(pkt) < 24 or pkt[0] >> 4 != 4 or pkt[9] != 6:
        return delay
    ihl = (pkt[0] & 15) * 4
    return 0 if struct.unpack('!H', pkt[ihl:ihl + 2])[0] in fast else delay
while True:
    wait = max(0, queue[0][0] - time.monotonic()) if queue else None
    ready, _, _ = select.select([near, far], [], [], wait)
    now = time.monotonic()
    for fd in ready:
        try:
            pkt = os.read(fd, 65535)
        except OSError:  # EIO until the test has brought both links up
            time.sleep(0.01)
            continue
        seq += 1
        heapq.heappush(queue, (now + (held(pkt) if fd == far else 0), seq, near if fd == far else far, pkt))
    while queue and queue[0][0] <= time.monotonic():
        _, _, out, pkt = heapq.heappop(queue)
        try:
            os.write(out, pkt)
        except OSError:  # that end is not up (yet): the packet is lost, as on a real link
            pass
`;

let peer: PeerNetns;
let line: ChildProcess;
let farAddress = '';

beforeAll(async () => {
  peer = await createPeerNetns('slow');
  const id = (process.pid % 200) + 20;
  const near = `fpdn${process.pid % 100000}`;
  const far = 'fpdf0';
  line = spawn('python3', ['-c', DELAY_LINE, near, far, peer.name, String(DELAY_MS / 1000), FAST.join(',')], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    line.stdout!.on('data', (d) => (String(d).includes('ready') ? resolve() : undefined));
    line.once('exit', (code) => reject(new Error(`delay line exited (${code})`)));
  });
  const nearV4 = `10.79.${id}.1`;
  farAddress = `10.79.${id}.2`;
  await ip('addr', 'add', nearV4, 'peer', farAddress, 'dev', near);
  await ip('link', 'set', near, 'up');
  await peer.exec('ip', ['addr', 'add', farAddress, 'peer', nearV4, 'dev', far]);
  await peer.exec('ip', ['link', 'set', far, 'up']);
  const server = peer.spawn('node', [
    '-e',
    `
    const net = require('node:net');
    const ports = ${JSON.stringify([...FAST, ...SLOW])};
    let n = 0;
    for (const p of ports) net.createServer((s) => s.destroy()).listen(p, '0.0.0.0', () => {
      if (++n === ports.length) console.log('ready');
    });`,
  ]);
  await new Promise<void>((resolve) =>
    server.stdout!.on('data', (d) => (String(d).includes('ready') ? resolve() : undefined)),
  );
});

afterAll(async () => {
  line?.kill('SIGKILL');
  await peer?.destroy();
});

const rows = (ports: number[]) =>
  ports.map((p) => makeCheck(`tcp://${farAddress}:${p}`, `tcp/${p}`, { id: `p${p}`, timeoutMs: 3000 }));

function expectAllOpen(results: CheckResult[]): void {
  for (const r of results) expect(r, r.id).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
}

describe('--adaptive on a 200 ms path', () => {
  it('the delay line works: the slow ports answer after about 200 ms, the fast ones at once', async () => {
    const results = await runChecks([...rows(FAST.slice(0, 1)), ...rows(SLOW.slice(0, 1))], {
      concurrency: 2,
      log: silentLogger,
    });
    expectAllOpen(results);
    expect(results[0]!.timings.connectMs).toBeLessThan(DELAY_MS / 2);
    expect(results[1]!.timings.connectMs).toBeGreaterThanOrEqual(DELAY_MS - 5);
  });

  it('one fast-answered row does not get the slow rows cut: each is answered on its first try', async () => {
    const results = await runChecks([...rows(FAST.slice(0, 1)), ...rows(SLOW)], {
      concurrency: 8,
      log: silentLogger,
      adaptive: true,
    });
    expectAllOpen(results);
    for (const r of results) expect(r.addresses[0]!.attempts, r.id).toBe(1);
  });

  it(`${MIN_SAMPLES}+ fast answers first: the slow rows are cut, retried with a longer window, and pass`, async () => {
    const results = await runChecks([...rows(FAST), ...rows(SLOW)], {
      concurrency: 16,
      log: silentLogger,
      adaptive: true,
    });
    expectAllOpen(results);
    // The first window (at least 100 ms) ran out before the 200 ms answer; the retry's did not.
    for (const r of results.slice(FAST.length)) expect(r.addresses[0]!.attempts, r.id).toBe(2);
  });

  it('a host that is slow on every port is never cut', async () => {
    const results = await runChecks(rows(SLOW), { concurrency: 8, log: silentLogger, adaptive: true });
    expectAllOpen(results);
    for (const r of results) expect(r.addresses[0]!.attempts, r.id).toBe(1);
  });
});
