// udp:// (one datagram on a connected socket) against real nftables rules: in a peer namespace
// over veth (IPv4 and IPv6) and on loopback (127.0.0.1 and ::1). A reply is open; an ICMP error
// is closed or filtered; silence is open|filtered and never a pass (shared/reference/protocols.md §5).
import { createSocket, type Socket } from 'node:dgram';
import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/types.js';
import { UDP_PROBE_PAYLOAD, decodePayload } from '../../src/probers/udp.js';
import { probeOnce } from '../helpers/check.js';
import { createPeerNetns, nftLocal, requireTestNetns, type PeerNetns } from '../helpers/netns.js';
import { startPeerServer } from '../helpers/servers.js';

type Case = 'echo' | 'closed' | 'drop' | 'silent' | 'admin' | 'portUnreach' | 'hostUnreach';

const VERDICTS: Partial<Record<Case, string>> = {
  drop: 'drop',
  admin: 'reject with icmpx type admin-prohibited',
  portUnreach: 'reject with icmpx type port-unreachable',
  // Host-unreachable is a "soft" ICMP error: Linux does not report it on a UDP socket (no
  // IP_RECVERR), so it reads as silence.
  hostUnreach: 'reject with icmpx type host-unreachable',
};

// Cases with a rule keep an echo server behind it: the firewall, not a missing service, decides.
const PEER_PORTS: Record<Case, number> = {
  echo: 8001,
  closed: 8002,
  drop: 8003,
  silent: 8004,
  admin: 8005,
  portUnreach: 8006,
  hostUnreach: 8007,
};
const rulesFor = (ports: Record<Case, number>) =>
  Object.entries(VERDICTS)
    .map(([c, v]) => `    udp dport ${ports[c as Case]} ${v}`)
    .join('\n');

let ns: PeerNetns;
const LOCAL_PORTS = {} as Record<Case, number>;
const sockets: Socket[] = [];
let removeLocalRules: (() => Promise<void>) | undefined;

/** A dual-stack UDP socket on loopback: echoes unless `silent`. */
async function localServer(silent: boolean): Promise<number> {
  const s = createSocket({ type: 'udp6', ipv6Only: false });
  s.on('message', (m, r) => {
    if (!silent) s.send(m, r.port, r.address);
  });
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.bind(0, '::', () => resolve());
  });
  sockets.push(s);
  return s.address().port;
}

beforeAll(async () => {
  requireTestNetns();
  ns = await createPeerNetns('udp');
  await ns.nft(`table inet fp_udp {
  chain input {
    type filter hook input priority 0; policy accept;
${rulesFor(PEER_PORTS)}
  }
}`);
  for (const c of ['echo', 'drop', 'admin', 'portUnreach', 'hostUnreach'] as const)
    await startPeerServer(ns, 'udp-echo', '::', PEER_PORTS[c]);
  await startPeerServer(ns, 'udp-silent', '::', PEER_PORTS.silent);

  // On loopback every worker shares the namespace: each rule port is held by a socket of ours.
  for (const c of ['echo', 'drop', 'admin', 'portUnreach', 'hostUnreach'] as const)
    LOCAL_PORTS[c] = await localServer(false);
  LOCAL_PORTS.silent = await localServer(true);
  const gone = createSocket({ type: 'udp6', ipv6Only: false });
  await new Promise<void>((r) => gone.bind(0, '::', () => r()));
  LOCAL_PORTS.closed = gone.address().port;
  await new Promise<void>((r) => gone.close(() => r()));
  removeLocalRules = await nftLocal(`  chain input {
    type filter hook input priority 0; policy accept;
${rulesFor(LOCAL_PORTS)}
  }`);
}, 60_000);

afterAll(async () => {
  await removeLocalRules?.();
  for (const s of sockets) s.close();
  await ns?.destroy();
});

const TIMEOUT = 800;

interface Target {
  label: string;
  v6: boolean;
  host: () => string;
  port: (c: Case) => number;
}
const TARGETS: Target[] = [
  { label: 'peer namespace over veth, IPv4', v6: false, host: () => ns.peerV4, port: (c) => PEER_PORTS[c] },
  { label: 'peer namespace over veth, IPv6', v6: true, host: () => `[${ns.peerV6}]`, port: (c) => PEER_PORTS[c] },
  { label: 'loopback, 127.0.0.1', v6: false, host: () => '127.0.0.1', port: (c) => LOCAL_PORTS[c] },
  { label: 'loopback, ::1', v6: true, host: () => '[::1]', port: (c) => LOCAL_PORTS[c] },
];

function expectOne(
  r: CheckResult,
  want: { outcome: string; state: string; reason: string; code?: string | undefined },
): void {
  expect({ outcome: r.outcome, state: r.state, reason: r.reason, code: r.code }).toEqual({ code: undefined, ...want });
  expect(r.addresses).toHaveLength(1);
  expect(r.addresses[0]).toMatchObject({ ...want, attempts: 1 });
}

describe.each(TARGETS)('udp:// $label', (t) => {
  const probe = (c: Case, expectation: 'reachable' | 'blocked' = 'reachable', w: Record<string, unknown> = {}) => {
    const port = t.port(c);
    return probeOnce(`udp://${t.host()}:${port}`, `udp/${port}`, { timeoutMs: TIMEOUT, expect: expectation, with: w });
  };
  const silence = { outcome: 'inconclusive', state: 'open|filtered', reason: 'no-response' } as const;

  describe.concurrent('reachable rows', () => {
    it('an echo service: pass, open, ok, and the reply is our payload', async () => {
      const r = await probe('echo');
      expectOne(r, { outcome: 'pass', state: 'open', reason: 'ok' });
      expect(r.facts.replyBytes).toBe(UDP_PROBE_PAYLOAD.length);
      expect(r.timings.firstByteMs).toBeGreaterThanOrEqual(0);
    });
    it('a payload from with.payload (hex:) is what is sent', async () => {
      const r = await probe('echo', 'reachable', { payload: 'hex:00010203' });
      expectOne(r, { outcome: 'pass', state: 'open', reason: 'ok' });
      expect(r.facts.replyBytes).toBe(4);
    });
    it('no listener (the kernel sends ICMP port-unreachable): fail, closed, refused', async () => {
      const r = await probe('closed');
      expectOne(r, { outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
      expect(r.detail).toMatch(/ICMP port unreachable/);
    });
    it('nft drop in front of an echo service: inconclusive, open|filtered, no-response — never a pass', async () => {
      const r = await probe('drop');
      expectOne(r, silence);
      expect(r.timings.totalMs).toBeGreaterThanOrEqual(TIMEOUT - 50);
    });
    it('a listener that never replies looks the same as a DROP: inconclusive', async () => {
      expectOne(await probe('silent'), silence);
    });
    it(
      `reject with icmpx admin-prohibited: fail, filtered, unreachable, ` + `${t.v6 ? 'EACCES' : 'EHOSTUNREACH'}`,
      async () => {
        expectOne(await probe('admin'), {
          outcome: 'fail',
          state: 'filtered',
          reason: 'unreachable',
          code: t.v6 ? 'EACCES' : 'EHOSTUNREACH',
        });
      },
    );
    it('reject with icmpx port-unreachable: fail, closed, refused, ECONNREFUSED', async () => {
      expectOne(await probe('portUnreach'), {
        outcome: 'fail',
        state: 'closed',
        reason: 'refused',
        code: 'ECONNREFUSED',
      });
    });
    it('reject with icmpx host-unreachable (a soft ICMP error UDP never reports): silence, inconclusive', async () => {
      expectOne(await probe('hostUnreach'), silence);
    });
  });

  describe.concurrent('expect: blocked', () => {
    it('a DROP is inconclusive: silence proves nothing', async () => {
      expectOne(await probe('drop', 'blocked'), silence);
    });
    it('an ICMP port-unreachable REJECT passes', async () => {
      expectOne(await probe('portUnreach', 'blocked'), {
        outcome: 'pass',
        state: 'closed',
        reason: 'refused',
        code: 'ECONNREFUSED',
      });
    });
    it('an admin-prohibited REJECT passes', async () => {
      expectOne(await probe('admin', 'blocked'), {
        outcome: 'pass',
        state: 'filtered',
        reason: 'unreachable',
        code: t.v6 ? 'EACCES' : 'EHOSTUNREACH',
      });
    });
    it('an echo service fails', async () => {
      expectOne(await probe('echo', 'blocked'), { outcome: 'fail', state: 'open', reason: 'ok' });
    });
  });
});

describe('udp:// retries and payloads', () => {
  it('retries: 2 on a closed port: attempts === 3', async () => {
    const port = LOCAL_PORTS.closed;
    const r = await probeOnce(`udp://127.0.0.1:${port}`, `udp/${port}`, { timeoutMs: TIMEOUT, retries: 2 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
    expect(r.addresses[0]!.attempts).toBe(3);
  });

  it('decodePayload: default, text, hex', () => {
    expect(decodePayload(undefined).equals(Buffer.from('fedprobe udp probe\n'))).toBe(true);
    expect(decodePayload('ping').toString('utf8')).toBe('ping');
    expect([...decodePayload('hex:ff00')]).toEqual([0xff, 0x00]);
  });
});

describe('udp:// socket hygiene', () => {
  const openFds = () => readdirSync('/proc/self/fd').length;

  it('closes its socket after every probe (reply, ICMP error and silence alike)', async () => {
    // Warm up once so lazily opened descriptors (DNS, the event loop) are not counted.
    await probeOnce(`udp://127.0.0.1:${LOCAL_PORTS.echo}`, `udp/${LOCAL_PORTS.echo}`, { timeoutMs: 300 });
    const before = openFds();
    const udpHandles = () => process.getActiveResourcesInfo().filter((r) => r === 'UDPWRAP').length;
    const handlesBefore = udpHandles();
    for (let i = 0; i < 10; i++) {
      for (const c of ['echo', 'closed', 'silent'] as const) {
        await probeOnce(`udp://127.0.0.1:${LOCAL_PORTS[c]}`, `udp/${LOCAL_PORTS[c]}`, {
          timeoutMs: c === 'silent' ? 50 : 300,
        });
      }
    }
    // 30 probes: a leak shows as ~30 more descriptors; allow a little noise.
    expect(openFds() - before).toBeLessThan(5);
    // A socket left open is also a ref'd handle that keeps a CLI run from exiting.
    expect(udpHandles()).toBe(handlesBefore);
  });
});
