// tcp:// against real nftables rules: in a peer namespace over veth (IPv4 and IPv6) and on
// loopback in the test's own namespace (127.0.0.1 and ::1). Each rule gives one exact outcome,
// state, reason and error code (shared/reference/test-infrastructure.md §2). Then DNS, a name
// with two addresses, and retries.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/types.js';
import { probeOnce, probeWithHosts } from '../helpers/check.js';
import { createPeerNetns, nftLocal, requireTestNetns, type PeerNetns } from '../helpers/netns.js';
import { startPeerServer } from '../helpers/servers.js';

type Case = 'open' | 'closed' | 'drop' | 'dropListener' | 'reset' | 'portUnreach' | 'admin' | 'hostUnreach' | 'noRoute';

const VERDICTS: Partial<Record<Case, string>> = {
  drop: 'drop',
  dropListener: 'drop',
  reset: 'reject with tcp reset',
  portUnreach: 'reject with icmpx type port-unreachable',
  admin: 'reject with icmpx type admin-prohibited',
  hostUnreach: 'reject with icmpx type host-unreachable',
  noRoute: 'reject with icmpx type no-route',
};

// Inside the peer namespace, which is ours alone, ports are fixed. Cases with a rule keep a
// listener behind it (except `drop`): the firewall, not a missing service, decides.
const PEER_PORTS: Record<Case, number> = {
  open: 7001,
  closed: 7002,
  drop: 7003,
  reset: 7004,
  portUnreach: 7005,
  admin: 7006,
  hostUnreach: 7007,
  noRoute: 7008,
  dropListener: 7009,
};
const peerRules = () => `table inet fp_tcp {
  chain input {
    type filter hook input priority 0; policy accept;
${Object.entries(VERDICTS)
  .map(([c, v]) => `    tcp dport ${PEER_PORTS[c as Case]} ${v}`)
  .join('\n')}
  }
}`;

let ns: PeerNetns;
// On loopback every vitest worker shares the namespace, so each rule port is one a dual-stack
// listener of ours holds: no other test can be using it.
const LOCAL_PORTS = {} as Record<Case, number>;
const servers: Server[] = [];
let removeLocalRules: (() => Promise<void>) | undefined;

function listen(host: string, port = 0, ipv6Only = false): Promise<Server> {
  const s = createServer((c) => c.destroy());
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen({ host, port, ipv6Only }, () => resolve(s));
  });
}
const portOf = (s: Server) => (s.address() as { port: number }).port;
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));

beforeAll(async () => {
  requireTestNetns();
  ns = await createPeerNetns('tcp');
  await ns.nft(peerRules());
  for (const c of ['open', 'reset', 'portUnreach', 'admin', 'hostUnreach', 'noRoute', 'dropListener'] as const) {
    // '::' is dual-stack: one listener answers on the peer's IPv4 and IPv6 address.
    await startPeerServer(ns, 'tcp', '::', PEER_PORTS[c]);
  }

  for (const c of Object.keys(PEER_PORTS) as Case[]) {
    if (c === 'closed') continue;
    const s = await listen('::');
    servers.push(s);
    LOCAL_PORTS[c] = portOf(s);
  }
  // A port nobody listens on: the kernel's pick, released at once (ephemeral, so not one of the
  // held ports above, and not a fixed port another test uses).
  const gone = await listen('::');
  LOCAL_PORTS.closed = portOf(gone);
  await close(gone);
  removeLocalRules = await nftLocal(`  chain input {
    type filter hook input priority 0; policy accept;
${Object.entries(VERDICTS)
  .map(([c, v]) => `    tcp dport ${LOCAL_PORTS[c as Case]} ${v}`)
  .join('\n')}
  }`);
}, 60_000);

afterAll(async () => {
  await removeLocalRules?.();
  await Promise.all(servers.map(close));
  await ns?.destroy();
});

// IPv4 reports an ICMP reject at once. IPv6 connect() ignores the first ICMPv6 error in SYN_SENT
// and fails only after the SYN retransmit (~1 s), so IPv6 reject cases need a deadline above that.
const T4 = 800;
const T6 = 1500;

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

describe.each(TARGETS)('tcp:// $label', (t) => {
  const probe = (c: Case, timeoutMs: number, expectation: 'reachable' | 'blocked' = 'reachable') => {
    const port = t.port(c);
    return probeOnce(`tcp://${t.host()}:${port}`, `tcp/${port}`, { timeoutMs, expect: expectation });
  };
  const T = t.v6 ? T6 : T4;

  describe.concurrent('reachable rows', () => {
    it('a listener: pass, open, ok', async () => {
      const r = await probe('open', T);
      expectOne(r, { outcome: 'pass', state: 'open', reason: 'ok' });
      expect(r.timings.connectMs).toBeGreaterThanOrEqual(0);
      expect(r.facts.localPort).toEqual(expect.any(Number));
      expect(r.via).toBe('direct');
    });
    it('no listener (the kernel answers RST): fail, closed, refused, ECONNREFUSED', async () => {
      expectOne(await probe('closed', T), {
        outcome: 'fail',
        state: 'closed',
        reason: 'refused',
        code: 'ECONNREFUSED',
      });
    });
    it('nft drop: fail, filtered, timeout, no code, after the deadline', async () => {
      const r = await probe('drop', T4);
      expectOne(r, { outcome: 'fail', state: 'filtered', reason: 'timeout' });
      expect(r.timings.connectMs).toBeUndefined();
      expect(r.timings.totalMs).toBeGreaterThanOrEqual(T4 - 50);
      expect(r.detail).toMatch(new RegExp(`within ${T4} ms`));
    });
    it('nft drop in front of a listener: still filtered (the firewall decides, not the service)', async () => {
      expectOne(await probe('dropListener', T4), { outcome: 'fail', state: 'filtered', reason: 'timeout' });
    });
    it('reject with tcp reset: fail, closed, refused, ECONNREFUSED', async () => {
      expectOne(await probe('reset', T), { outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
    });
    it('reject with icmpx port-unreachable: closed, refused (connect() cannot tell it from a RST)', async () => {
      expectOne(await probe('portUnreach', T), {
        outcome: 'fail',
        state: 'closed',
        reason: 'refused',
        code: 'ECONNREFUSED',
      });
    });
    it(
      `reject with icmpx admin-prohibited: fail, filtered, unreachable, ` + `${t.v6 ? 'EACCES' : 'EHOSTUNREACH'}`,
      async () => {
        expectOne(await probe('admin', T), {
          outcome: 'fail',
          state: 'filtered',
          reason: 'unreachable',
          code: t.v6 ? 'EACCES' : 'EHOSTUNREACH',
        });
      },
    );
    it('reject with icmpx host-unreachable: fail, filtered, unreachable, EHOSTUNREACH', async () => {
      expectOne(await probe('hostUnreach', T), {
        outcome: 'fail',
        state: 'filtered',
        reason: 'unreachable',
        code: 'EHOSTUNREACH',
      });
    });
    it('reject with icmpx no-route: fail, filtered, unreachable, ENETUNREACH', async () => {
      const r = await probe('noRoute', T);
      expectOne(r, {
        outcome: 'fail',
        state: 'filtered',
        reason: 'unreachable',
        code: 'ENETUNREACH',
      });
      // The "no route" came from the peer's firewall: this machine has a route, so the ticket is a firewall's.
      expect(r.hint).toMatch(/^A firewall or router rejects TCP\/\d+ to /);
      expect(r.hint).toMatch(/\(the rejecting device sent an ICMP error\)\.$/);
    });
  });

  describe.concurrent('expect: blocked', () => {
    it('a DROP passes', async () => {
      expectOne(await probe('drop', T4, 'blocked'), { outcome: 'pass', state: 'filtered', reason: 'timeout' });
    });
    it('a listener fails', async () => {
      const r = await probe('open', T, 'blocked');
      expectOne(r, { outcome: 'fail', state: 'open', reason: 'ok' });
      expect(r.expect).toBe('blocked');
    });
    it('a closed port passes (the host answered, nothing got through)', async () => {
      expectOne(await probe('closed', T, 'blocked'), {
        outcome: 'pass',
        state: 'closed',
        reason: 'refused',
        code: 'ECONNREFUSED',
      });
    });
    it('an admin-prohibited REJECT passes', async () => {
      expectOne(await probe('admin', T, 'blocked'), {
        outcome: 'pass',
        state: 'filtered',
        reason: 'unreachable',
        code: t.v6 ? 'EACCES' : 'EHOSTUNREACH',
      });
    });
  });
});

describe('names', () => {
  it('a name that cannot resolve: fail, unknown, dns-error, no address tried, and fast', async () => {
    // The suite's namespace has no route to any resolver: the lookup fails without a packet leaving.
    const r = await probeOnce('tcp://does-not-exist.invalid:1883', 'tcp/1883', { timeoutMs: 1000 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'dns-error', addresses: [] });
    expect(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'ENODATA']).toContain(r.code);
    expect(r.detail).toMatch(/^does-not-exist\.invalid: the name does not resolve/);
    expect(r.timings.dnsMs).toBeLessThan(1000);
  });

  it('the same with expect: blocked is still a fail (an unresolvable name proves nothing)', async () => {
    const r = await probeOnce('tcp://does-not-exist.invalid:1883', 'tcp/1883', { timeoutMs: 1000, expect: 'blocked' });
    expect(r).toMatchObject({ outcome: 'fail', reason: 'dns-error' });
  });

  describe('localhost on both families (a private /etc/hosts)', () => {
    const HOSTS = '127.0.0.1 localhost\n::1 localhost\n';
    let v4: Server;
    let v6: Server | undefined;
    let port: number;
    beforeAll(async () => {
      v4 = await listen('127.0.0.1');
      port = portOf(v4);
    });
    afterAll(async () => {
      await close(v4);
      if (v6) await close(v6);
    });

    it('a listener on 127.0.0.1 only: warn, two addresses, the bad one shown', async () => {
      const r = await probeWithHosts(HOSTS, `tcp://localhost:${port}`, `tcp/${port}`, { timeoutMs: 1000 });
      expect(r.addresses.map((a) => [a.address, a.family, a.outcome, a.reason]).sort()).toEqual([
        ['127.0.0.1', 4, 'pass', 'ok'],
        ['::1', 6, 'fail', 'refused'],
      ]);
      expect(r).toMatchObject({ outcome: 'warn', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
      expect(r.detail).toMatch(/^127\.0\.0\.1 works, but ::1: connection refused/);
    });

    // glibc's files backend answers an AF_INET lookup of a name listed as ::1 with 127.0.0.1, so
    // getaddrinfo gives [127.0.0.1, 127.0.0.1]: the runner must probe it once, not twice.
    it('--family 4 tries 127.0.0.1 once: pass', async () => {
      const r = await probeWithHosts(HOSTS, `tcp://localhost:${port}`, `tcp/${port}`, { timeoutMs: 1000, family: 4 });
      expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
      expect(r.addresses.map((a) => a.address)).toEqual(['127.0.0.1']);
    });

    it('listeners on both: pass, both addresses pass', async () => {
      v6 = await listen('::1', port, true);
      const r = await probeWithHosts(HOSTS, `tcp://localhost:${port}`, `tcp/${port}`, { timeoutMs: 1000 });
      expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
      expect(r.addresses.map((a) => `${a.address}=${a.outcome}`).sort()).toEqual(['127.0.0.1=pass', '::1=pass']);
    });
  });
});

describe.concurrent('retries', () => {
  it('retries: 2 on a refused port: attempts === 3, still fail', async () => {
    const port = LOCAL_PORTS.closed;
    const r = await probeOnce(`tcp://127.0.0.1:${port}`, `tcp/${port}`, { timeoutMs: 800, retries: 2 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
    expect(r.addresses[0]!.attempts).toBe(3);
  });
  it('retries: 1 on a DROP: attempts === 2, each waits out its own deadline', async () => {
    const port = PEER_PORTS.drop;
    const r = await probeOnce(`tcp://${ns.peerV4}:${port}`, `tcp/${port}`, { timeoutMs: 300, retries: 1 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'filtered', reason: 'timeout' });
    expect(r.addresses[0]!.attempts).toBe(2);
  });
  it('retries: 2 on a listener: one attempt is enough', async () => {
    const port = PEER_PORTS.open;
    const r = await probeOnce(`tcp://${ns.peerV4}:${port}`, `tcp/${port}`, { timeoutMs: 800, retries: 2 });
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(r.addresses[0]!.attempts).toBe(1);
  });
});
