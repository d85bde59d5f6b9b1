// tcp:// and udp:// against real nftables rules in a peer namespace reached over veth, IPv4 and
// IPv6: each rule gives an exact outcome, state, reason and error code (see
// shared/reference/test-infrastructure.md §2 for what Linux does with each).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerNetns, type PeerNetns } from '../helpers/netns.js';
import { startListener } from '../helpers/listeners.js';
import { probeUrl } from '../helpers/probe.js';

let ns: PeerNetns;

// Ports inside the peer namespace: 7001 listens, 7002 nothing, 7003+ behind a rule.
const RULES = `
table inet fedprobe_test {
  chain input {
    type filter hook input priority 0; policy accept;
    tcp dport 7003 drop
    tcp dport 7004 reject with tcp reset
    tcp dport 7005 reject with icmpx type port-unreachable
    tcp dport 7006 reject with icmpx type admin-prohibited
    tcp dport 7007 reject with icmpx type host-unreachable
    tcp dport 7008 reject with icmpx type no-route
    tcp dport 7009 drop
    udp dport 8003 drop
    udp dport 8005 reject with icmpx type admin-prohibited
    udp dport 8006 reject with icmpx type port-unreachable
  }
}`;

beforeAll(async () => {
  ns = await createPeerNetns('fw');
  await ns.nft(RULES);
  // '::' is dual-stack: one listener answers on the IPv4 and the IPv6 address.
  await startListener(ns, 'tcp', '::', 7001);
  // 7009 listens but DROP hides it: the firewall, not the service, decides.
  await startListener(ns, 'tcp', '::', 7009);
  await startListener(ns, 'udp-echo', '::', 8001);
  await startListener(ns, 'udp-silent', '::', 8004);
  await startListener(ns, 'udp-echo', '::', 8003);
}, 60_000);
afterAll(async () => ns?.destroy());

// IPv6 connect() ignores the first ICMPv6 error in SYN_SENT and fails only after the SYN
// retransmit (~1 s), so IPv6 reject cases need a deadline above that.
const T4 = 800;
const T6 = 2500;

describe.each([
  ['IPv4', () => ns.peerV4, T4],
  ['IPv6', () => `[${ns.peerV6}]`, T6],
])('tcp:// over veth, %s', (_family, host, timeoutMs) => {
  const url = (port: number) => `tcp://${host()}:${port}`;

  it('a listener: pass, open, ok', async () => {
    expect(await probeUrl(url(7001), {}, { timeoutMs })).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
  });
  it('no listener (kernel RST): fail, closed, refused', async () => {
    expect(await probeUrl(url(7002), {}, { timeoutMs })).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
  });
  it('nft drop: fail, filtered, timeout', async () => {
    const r = await probeUrl(url(7003), {}, { timeoutMs: T4 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'filtered', reason: 'timeout' });
    expect(r.code).toBeUndefined();
    expect(r.hint).toMatch(/Ask the network team to allow TCP\/7003/);
  });
  it('nft drop in front of a listener: still filtered', async () => {
    expect(await probeUrl(url(7009), {}, { timeoutMs: T4 })).toMatchObject({ outcome: 'fail', state: 'filtered', reason: 'timeout' });
  });
  it('reject with tcp reset: closed, refused', async () => {
    expect(await probeUrl(url(7004), {}, { timeoutMs })).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
  });
  it('reject with ICMP port-unreachable: closed, refused (a connect() cannot tell it from a RST)', async () => {
    expect(await probeUrl(url(7005), {}, { timeoutMs })).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
  });
  it('reject with ICMP admin-prohibited: filtered, unreachable', async () => {
    const r = await probeUrl(url(7006), {}, { timeoutMs });
    expect(r).toMatchObject({ outcome: 'fail', state: 'filtered', reason: 'unreachable' });
    expect(r.code).toBe(host().startsWith('[') ? 'EACCES' : 'EHOSTUNREACH');
  });
  it('reject with ICMP host-unreachable: filtered, unreachable, EHOSTUNREACH', async () => {
    expect(await probeUrl(url(7007), {}, { timeoutMs })).toMatchObject({ outcome: 'fail', state: 'filtered', reason: 'unreachable', code: 'EHOSTUNREACH' });
  });
  it('reject with ICMP no-route: filtered, unreachable, ENETUNREACH', async () => {
    expect(await probeUrl(url(7008), {}, { timeoutMs })).toMatchObject({ outcome: 'fail', state: 'filtered', reason: 'unreachable', code: 'ENETUNREACH' });
  });
  it('expect blocked: a DROP passes, a listener fails', async () => {
    expect(await probeUrl(url(7003), {}, { timeoutMs: T4, expect: 'blocked' })).toMatchObject({ outcome: 'pass', state: 'filtered', reason: 'timeout' });
    expect(await probeUrl(url(7001), {}, { timeoutMs, expect: 'blocked' })).toMatchObject({ outcome: 'fail', state: 'open', reason: 'ok' });
  });
});

describe.each([
  ['IPv4', () => ns.peerV4],
  ['IPv6', () => `[${ns.peerV6}]`],
])('udp:// over veth (connected socket), %s', (_family, host) => {
  const url = (port: number) => `udp://${host()}:${port}`;
  const timeoutMs = 800;

  it('an echo service: pass, open, ok', async () => {
    const r = await probeUrl(url(8001), {}, { timeoutMs });
    expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(r.facts['replyBytes']).toBeGreaterThan(0);
  });
  it('no listener: fail, closed, refused (ICMP port unreachable)', async () => {
    expect(await probeUrl(url(8002), {}, { timeoutMs })).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
  });
  it('nft drop: inconclusive, open|filtered, no-response — never a pass', async () => {
    expect(await probeUrl(url(8003), {}, { timeoutMs })).toMatchObject({ outcome: 'inconclusive', state: 'open|filtered', reason: 'no-response' });
  });
  it('a listener that never replies looks the same: inconclusive', async () => {
    expect(await probeUrl(url(8004), {}, { timeoutMs })).toMatchObject({ outcome: 'inconclusive', state: 'open|filtered', reason: 'no-response' });
  });
  it('reject admin-prohibited: fail, filtered, unreachable', async () => {
    const r = await probeUrl(url(8005), {}, { timeoutMs });
    expect(r).toMatchObject({ outcome: 'fail', state: 'filtered', reason: 'unreachable' });
    expect(r.code).toBe(host().startsWith('[') ? 'EACCES' : 'EHOSTUNREACH');
  });
  it('reject port-unreachable: fail, closed, refused', async () => {
    expect(await probeUrl(url(8006), {}, { timeoutMs })).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
  });
  it('expect blocked: silence proves nothing (inconclusive), an ICMP reject passes', async () => {
    expect(await probeUrl(url(8003), {}, { timeoutMs, expect: 'blocked' })).toMatchObject({ outcome: 'inconclusive', state: 'open|filtered' });
    expect(await probeUrl(url(8006), {}, { timeoutMs, expect: 'blocked' })).toMatchObject({ outcome: 'pass', state: 'closed', reason: 'refused' });
  });
});
