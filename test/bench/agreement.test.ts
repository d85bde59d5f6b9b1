// The CI variant of `npm run bench` (bench/): the same pieces on small scenarios, checking that the
// scripts work and that fedprobe (fixed and --adaptive deadlines), the minimal-Node floor and
// blackbox_exporter see every port as nmap does. No timing is asserted: timings live in
// BENCHMARKS.md. Loopback of the test's own namespace; nftables tables named per scenario.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import {
  disagreements,
  dropRules,
  expectedStates,
  mix,
  removeRules,
  runBlackbox,
  runFedprobe,
  runFloor,
  runNmap,
  startBlackbox,
  startTargets,
  writeProfile,
  type Scenario,
} from '../../bench/lib.js';
import { requireTestNetns } from '../helpers/netns.js';

const dir = mkdtempSync(join(tmpdir(), 'fedprobe-agree-'));
const built = (file: string) => statSync(new URL(`../../dist/${file}`, import.meta.url)).mtimeMs;
// The same rule as bin/fedprobe.js: the bundle is used while it is at least as new as dist/.
const bundleIsFresh = () => built('bundle/fedprobe.js') >= built('cli/main.js');
const children: ChildProcess[] = [];
let rules = false;
afterAll(async () => {
  for (const c of children) c.kill();
  if (rules) await removeRules(TCP);
});

// Ports above the kernel's ephemeral range (32768-60999) and the slices of test/helpers/servers.ts
// (20000-31999): no other test's server or outgoing connection can hold them.
const TCP: Scenario = {
  name: 'agree_tcp',
  protocol: 'tcp',
  base: 62000,
  kinds: mix(40, 0.4, 0.25),
  timeoutMs: 800,
  concurrency: 32,
};
const UDP: Scenario = {
  name: 'agree_udp',
  protocol: 'udp',
  base: 62100,
  kinds: mix(30, 0.5),
  timeoutMs: 800,
  concurrency: 16,
};

describe('bench scripts agree with nmap on every port', () => {
  it('TCP: open, refused and dropped ports', async () => {
    requireTestNetns();
    children.push(await startTargets(TCP));
    await dropRules(TCP);
    rules = true;
    const profile = writeProfile(TCP, dir);
    const expected = expectedStates(TCP);
    const nmap = await runNmap(TCP);
    expect(disagreements(expected, nmap.states)).toEqual([]);
    const fixed = await runFedprobe(TCP, profile);
    expect(disagreements(nmap.states, fixed.states)).toEqual([]);
    const adaptive = await runFedprobe(TCP, profile, ['--adaptive']);
    expect(disagreements(nmap.states, adaptive.states)).toEqual([]);
    const floor = await runFloor(TCP, true);
    expect(disagreements(nmap.states, floor.states)).toEqual([]);
    // The sampler saw the floor's sockets, never more than the concurrency plus its own few.
    expect(floor.maxFds).toBeGreaterThan(0);
    expect(floor.maxFds).toBeLessThanOrEqual(TCP.concurrency + 32);
    const bb = await startBlackbox(TCP.timeoutMs, dir, '127.0.0.1:19116');
    children.push(bb.child);
    const blackbox = await runBlackbox(TCP, '127.0.0.1:19116');
    const up = new Map([...nmap.states].map(([p, s]) => [p, s === 'open' ? 'open' : 'closed'] as const));
    expect(disagreements(up, blackbox.states)).toEqual([]);
  });

  it('UDP: answering and closed ports', async () => {
    requireTestNetns();
    children.push(await startTargets(UDP));
    const profile = writeProfile(UDP, dir);
    const nmap = await runNmap(UDP);
    expect(disagreements(expectedStates(UDP), nmap.states)).toEqual([]);
    const fedprobe = await runFedprobe(UDP, profile, [], true);
    expect(disagreements(nmap.states, fedprobe.states)).toEqual([]);
    // fedprobe keeps at most one socket per row in flight, plus its own few. Measured on what bin/
    // runs as shipped, the bundle: unbundled dist/ opens ~60 module files at once while it loads.
    expect(bundleIsFresh(), 'dist/bundle is older than dist/: run npm run build').toBe(true);
    expect(fedprobe.maxFds).toBeLessThanOrEqual(UDP.concurrency + 32);
    const floor = await runFloor(UDP);
    expect(disagreements(nmap.states, floor.states)).toEqual([]);
  });
});
