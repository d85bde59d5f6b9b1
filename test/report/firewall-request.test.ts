// The firewall change request from a real run and from a plan (`check --all`), against real peers:
// a TCP listener, a closed port and nftables DROP rules in a peer namespace over veth (IPv4 and
// IPv6), a loopback listener, and a real tinyproxy. Asserts the exact source address each row used
// (or would use), the destination addresses, the justification and the punctuation; and, with an
// nftables counter in the peer, that the plan sends nothing while the run does.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkProfile, type CheckOptions } from '../../src/check.js';
import { silentLogger } from '../../src/log.js';
import { planProfile } from '../../src/plan.js';
import { loadProfile } from '../../src/profile/load.js';
import { dialTcp, holdDeadline, routeSource, sourceFor } from '../../src/net/socket.js';
import { renderCsv, renderFirewall } from '../../src/report/firewall.js';
import { renderHtml } from '../../src/report/html.js';
import type { CheckResult, Profile, RunReport } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { createPeerNetns, requireTestNetns, type PeerNetns } from '../helpers/netns.js';
import { freePort, startPeerServer } from '../helpers/servers.js';
import { startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js';

// The peer namespace is ours alone: fixed ports.
const OPEN = 7101;
const CLOSED = 7102;
const DROPPED = 7103;
const UDP_DROPPED = 7104;

let ns: PeerNetns;
let dir: string;
let profile: Profile;
let profileFile: string;
let loopback: Server;
let proxy: Tinyproxy;
let run: RunReport;
let plan: RunReport;
let packetsAfterPlan: number;
let packetsAfterRun: number;

const yaml = (loopbackPort: number, proxyPort: number) => `schema: fedprobe/v1
framework: Test framework
component: site node
scenario: firewall request
vars:
  peer: { description: the peer namespace's IPv4 address }
  peer6: { description: the peer namespace's IPv6 address }
rows:
  - { id: open, dir: out, source: site, destination: aggregator, port: tcp/${OPEN}, service: gRPC, type: backend,
      status: mandatory, probe: "tcp://\${peer}:${OPEN}",
      purpose: "the site node sends its model updates to the aggregator and receives the global model" }
  - { id: open6, dir: out, source: site, destination: aggregator, port: tcp/${OPEN}, service: gRPC, type: backend,
      status: mandatory, probe: "tcp://\${peer6}:${OPEN}" }
  - { id: refused, dir: out, source: site, destination: aggregator, port: tcp/${CLOSED}, service: HTTP, type: backend,
      status: mandatory, probe: "tcp://\${peer}:${CLOSED}", purpose: "The site node uploads its results." }
  - { id: dropped, dir: out, source: site, destination: broker, port: tcp/${DROPPED}, service: MQTT, type: backend,
      status: mandatory, probe: "tcp://\${peer}:${DROPPED}", timeout: 300ms,
      purpose: "the site node receives its training requests through the broker" }
  - { id: vpn, dir: out, source: site, destination: vpn server, port: udp/${UDP_DROPPED}, service: WireGuard,
      type: backend, status: optional, probe: "udp://\${peer}:${UDP_DROPPED}", timeout: 300ms,
      purpose: "the site node joins the federation's VPN (WireGuard)" }
  - { id: local, dir: out, source: site, destination: local agent, port: tcp/${loopbackPort}, service: HTTP,
      type: backend, status: optional, probe: "tcp://localhost:${loopbackPort}" }
  - { id: proxied, dir: out, source: site, destination: aggregator, port: tcp/${OPEN}, service: HTTPS, type: backend,
      status: optional, probe: "tcp://\${peer}:${OPEN}", with: { proxy: "http://127.0.0.1:${proxyPort}" },
      purpose: "the site node reaches the aggregator through the site's web proxy" }
  - { id: gui, dir: in, source: localhost, destination: site, port: tcp/${OPEN}, service: HTTP, type: user,
      status: optional, probe: "listen://tcp/${OPEN}", with: { localOnly: true },
      purpose: "the operator opens the node's GUI in a browser on the same machine" }
`;

function opts(): CheckOptions {
  return {
    timeoutMs: 2000,
    retries: 0,
    concurrency: 8,
    strict: false,
    log: silentLogger,
    env: {},
    proxy: { env: {} },
    set: { peer: ns.peerV4, peer6: ns.peerV6 },
  };
}

/** Packets from us that reached the peer namespace on the test ports (an nftables counter). */
async function packetsSeen(): Promise<number> {
  const out = await ns.exec('nft', ['list', 'counter', 'inet', 'fp_fwreq', 'seen']);
  return Number(/packets (\d+)/.exec(out)?.[1] ?? NaN);
}

const row = (r: RunReport, id: string): CheckResult => r.results.find((x) => x.id === id)!;
const sources = (r: CheckResult) =>
  r.addresses.map((a) => a.localAddress && { address: a.localAddress.address, kind: a.localAddress.kind });

beforeAll(async () => {
  requireTestNetns();
  ns = await createPeerNetns('fwreq');
  await ns.nft(`table inet fp_fwreq {
  counter seen {}
  chain input {
    type filter hook input priority 0; policy accept;
    meta l4proto { tcp, udp } th dport { ${OPEN}, ${CLOSED}, ${DROPPED}, ${UDP_DROPPED} } counter name "seen"
    tcp dport ${DROPPED} drop
    udp dport ${UDP_DROPPED} drop
  }
}`);
  await startPeerServer(ns, 'tcp', '::', OPEN);
  loopback = createServer((c) => c.destroy());
  // Dual-stack: localhost may also resolve to ::1 (Debian's /etc/hosts), and both must connect.
  await new Promise<void>((r) => loopback.listen({ host: '::', port: 0 }, () => r()));
  proxy = await startTinyproxy({ port: await freePort(), connectPorts: [OPEN] });
  dir = await mkdtemp(join(tmpdir(), 'fedprobe-fwreq-'));
  profileFile = join(dir, 'site.yaml');
  await writeFile(profileFile, yaml((loopback.address() as { port: number }).port, proxy.port));
  profile = await loadProfile(profileFile);
  // The plan first, so that the counter shows what the plan alone sent: nothing.
  plan = await planProfile(profile, opts());
  packetsAfterPlan = await packetsSeen();
  run = await checkProfile(profile, opts());
  packetsAfterRun = await packetsSeen();
  run.host ??= hostname(); // until buildReport records it
}, 60_000);

afterAll(async () => {
  await proxy?.stop();
  await new Promise<void>((r) => (loopback ? loopback.close(() => r()) : r()));
  await ns?.destroy();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('check --all: the whole request, nothing sent', () => {
  it('sends no packet to any destination (the run after it does)', () => {
    expect(packetsAfterPlan).toBe(0);
    // Four TCP rows and one UDP row reach the peer in the run: at least one packet each.
    expect(packetsAfterRun).toBeGreaterThanOrEqual(5);
  });

  it('names this host, every row not-checked, with the route source and resolved addresses', () => {
    expect(plan.host).toBe(hostname());
    expect(plan.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ['open', 'skip', 'not-checked'],
      ['open6', 'skip', 'not-checked'],
      ['refused', 'skip', 'not-checked'],
      ['dropped', 'skip', 'not-checked'],
      ['vpn', 'skip', 'not-checked'],
      ['local', 'skip', 'not-checked'],
      ['proxied', 'skip', 'not-checked'],
      ['gui', 'skip', 'not-checked'],
    ]);
    expect(plan.exitCode).toBe(0);
    expect(sources(row(plan, 'dropped'))).toEqual([{ address: ns.localV4, kind: 'route' }]);
    expect(sources(row(plan, 'open6'))).toEqual([{ address: ns.localV6, kind: 'route' }]);
    expect(sources(row(plan, 'vpn'))).toEqual([{ address: ns.localV4, kind: 'route' }]);
    // A name is resolved: localhost (--family not given: every address /etc/hosts lists).
    expect(row(plan, 'local').addresses.map((a) => a.address)).toContain('127.0.0.1');
    expect(sources(row(plan, 'local'))[0]).toEqual({ address: '127.0.0.1', kind: 'route' });
    // Through the proxy: the hop from this machine to the proxy; the proxy resolves the destination.
    expect(sources(row(plan, 'proxied'))).toEqual([{ address: '127.0.0.1', kind: 'proxy' }]);
    expect(row(plan, 'proxied').via).toBe(`proxy http://127.0.0.1:${proxy.port}`);
  });

  it('renders every row as an opening, with justification, and the local-only row apart', () => {
    const md = renderFirewall(plan);
    const me = hostname();
    expect(md).toContain('## Openings to allow (7)');
    expect(md).toContain(
      `| dropped | allow | out | ${me} (site) | ${ns.localV4} | ${ns.peerV4} (broker) | ${ns.peerV4} | TCP | ` +
        `${DROPPED} | MQTT | mandatory | ` +
        'The site node receives its training requests through the broker. | not checked (planned) |',
    );
    expect(md).toContain(
      `| open6 | allow | out | ${me} (site) | ${ns.localV6} | ${ns.peerV6} (aggregator) | ${ns.peerV6} | TCP | ` +
        `${OPEN} | gRPC | mandatory | ` +
        'Test framework site node connects to aggregator over gRPC. | not checked (planned) |',
    );
    expect(md).toContain(
      `| proxied | allow | out | ${me} (site) | 127.0.0.1 (towards the proxy http://127.0.0.1:${proxy.port}) | ` +
        `${ns.peerV4} (aggregator) | ` +
        `resolved by the proxy http://127.0.0.1:${proxy.port} | TCP | ${OPEN} | HTTPS | optional | The site node ` +
        `reaches the aggregator through the site's web proxy. |`,
    );
    expect(md).toContain('## No opening: keep as it is (1)');
    expect(md).toContain(
      `| gui | none (this machine only) | in | ${me} (localhost, on this machine) | 127.0.0.1, ::1 (loopback only) ` +
        `| ${me} (site) | ` +
        `this machine's addresses | TCP | ${OPEN} | HTTP | optional | The operator opens the node's GUI in a ` +
        `browser on the same machine. | not checked (planned) |`,
    );
  });
});

describe('socket.ts: where a dial came from', () => {
  const ctxFor = (address: string, signal: AbortSignal) => ({
    address,
    family: 4 as const,
    signal,
    timeoutMs: 300,
    log: silentLogger,
    phase: () => {},
  });

  it("records a connected socket's own address and port", async () => {
    const d = holdDeadline(2000);
    const socket = await dialTcp(OPEN, ctxFor(ns.peerV4, d.signal));
    const local = { address: socket.localAddress, port: socket.localPort };
    socket.destroy();
    d.dispose();
    expect(await sourceFor(d.signal, ns.peerV4, OPEN)).toEqual({ ...local, family: 4, kind: 'socket' });
  });

  it('records the address a dropped SYN left from, at the deadline', async () => {
    const d = holdDeadline(300);
    await expect(dialTcp(DROPPED, ctxFor(ns.peerV4, d.signal))).rejects.toThrow('deadline of 300 ms reached');
    d.dispose();
    expect(await sourceFor(d.signal, ns.peerV4, DROPPED)).toMatchObject({
      address: ns.localV4,
      family: 4,
      kind: 'socket',
    });
  });

  it("finds the route's source without a socket, and nothing where there is no route", async () => {
    expect(await routeSource(ns.peerV6, OPEN)).toEqual({ address: ns.localV6, family: 6, kind: 'route' });
    expect(await sourceFor(new AbortController().signal, ns.peerV4, CLOSED)).toEqual({
      address: ns.localV4,
      family: 4,
      kind: 'route',
    });
    // The test namespace has no default route: connect() on UDP fails locally (nothing is sent).
    expect(await routeSource('198.51.100.1', 443)).toBeUndefined();
    expect(await routeSource('not-an-address', 443)).toBeUndefined();
  });
});

describe('fedprobe check --all (the command line)', () => {
  it('prints the whole request as csv, exit 0, and sends nothing', async () => {
    const before = await packetsSeen();
    const r = await runCli([
      'check',
      profileFile,
      '--all',
      '--format',
      'csv',
      '--set',
      `peer=${ns.peerV4}`,
      '--set',
      `peer6=${ns.peerV6}`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\r\n');
    expect(lines).toHaveLength(1 + 8 + 1);
    expect(lines.find((l) => l.startsWith('"dropped"'))).toBe(
      `"dropped","allow","out","${hostname()} (site)","${ns.localV4}","${ns.peerV4} (broker)",` +
        `"${ns.peerV4}","TCP","${DROPPED}","MQTT","mandatory","The site node receives its training requests through ` +
        `the broker.","not checked (planned)",` +
        `"TCP/${DROPPED}","skip","unknown","not-checked","no","Not checked: the request was planned (--all), no ` +
        `traffic was sent.","",""`,
    );
    expect(await packetsSeen()).toBe(before);
  });

  it('refuses --all with --push: a plan has no result to push', async () => {
    const r = await runCli([
      'check',
      profileFile,
      '--all',
      '--push',
      'http://127.0.0.1:9',
      '--set',
      `peer=${ns.peerV4}`,
      '--set',
      `peer6=${ns.peerV6}`,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--all sends no traffic, so it has no result to --push');
  });
});

describe('a real run: the source address each row used', () => {
  it("records the socket's own address for connected and dropped TCP rows, the route's for refused ones", () => {
    expect([
      row(run, 'open').outcome,
      row(run, 'refused').reason,
      row(run, 'dropped').reason,
      row(run, 'vpn').reason,
    ]).toEqual(['pass', 'refused', 'timeout', 'no-response']);
    expect(sources(row(run, 'open'))).toEqual([{ address: ns.localV4, kind: 'socket' }]);
    expect(row(run, 'open').addresses[0]!.localAddress!.port).toBeGreaterThan(0);
    expect(sources(row(run, 'open6'))).toEqual([{ address: ns.localV6, kind: 'socket' }]);
    // A SYN that got no answer was still sent from an address: the one the DROP rule saw.
    expect(sources(row(run, 'dropped'))).toEqual([{ address: ns.localV4, kind: 'socket' }]);
    expect(sources(row(run, 'refused'))).toEqual([{ address: ns.localV4, kind: 'route' }]);
    expect(row(run, 'vpn').addresses[0]!.localAddress!.address).toBe(ns.localV4);
    const viaLoopback = row(run, 'local').addresses.find((a) => a.address === '127.0.0.1')!;
    expect(viaLoopback.localAddress).toMatchObject({ address: '127.0.0.1', kind: 'socket' });
    expect(sources(row(run, 'proxied'))).toEqual([{ address: '127.0.0.1', kind: 'proxy' }]);
    expect(row(run, 'proxied').outcome).toBe('pass');
  });

  it('asks for the dropped paths only, with sources, destinations and justification', () => {
    const md = renderFirewall(run);
    const me = hostname();
    expect(md).toContain('## Please allow (2)');
    expect(md).toContain(
      `| dropped | allow | out | ${me} (site) | ${ns.localV4} | ${ns.peerV4} (broker) | ${ns.peerV4} | TCP | ` +
        `${DROPPED} | MQTT | mandatory | ` +
        'The site node receives its training requests through the broker. | fail: filtered (timeout) |',
    );
    expect(md).toContain(
      `| vpn | allow | out | ${me} (site) | ${ns.localV4} | ${ns.peerV4} (vpn server) | ${ns.peerV4} | UDP | ` +
        `${UDP_DROPPED} | WireGuard | optional | ` +
        "The site node joins the federation's VPN (WireGuard). | inconclusive: open\\|filtered (no-response) |",
    );
    expect(md).toContain('## Not a firewall problem (2)');
    expect(md).not.toMatch(/^\| open \|/m);
  });

  it('ends every sentence: detail and hint never run together', () => {
    const md = renderFirewall(run);
    const bullets = md.split('\n').filter((l) => l.startsWith('- **'));
    expect(bullets).toEqual([
      `- **refused**: Connection refused: the host answered but nothing listens on this port. The path to ` +
        `${ns.peerV4} (aggregator) works but no HTTP service listens on TCP/${CLOSED}: start it, or check the port ` +
        `number and that it is not bound to localhost only.`,
      // The example: "…listens on tcp/8484 Start the HTTP service…" before.
      `- **gui**: Nothing on this machine listens on tcp/${OPEN}. Start the HTTP service on TCP/${OPEN}, or run ` +
        `\\\`fedprobe respond\\\` to test the firewall before it is installed.`,
    ]);
    for (const b of bullets) expect(b).not.toMatch(/[a-z0-9)] [A-Z][a-z]/);
  });

  it('carries the same columns in csv and html', () => {
    const csv = renderCsv(run).split('\r\n');
    expect(csv[0]).toBe(
      '"id","action","dir","source","source addresses","destination","destination ' +
        'addresses","protocol","port","service","status","justification","observed","matrix ' +
        'port","outcome","state","reason","needs opening","detail","hint","comment"',
    );
    const dropped = csv.find((l) => l.startsWith('"dropped"'))!;
    expect(dropped).toContain(
      `"${hostname()} (site)","${ns.localV4}","${ns.peerV4} ` +
        `(broker)","${ns.peerV4}","TCP","${DROPPED}","MQTT","mandatory","The site node receives its training ` +
        `requests through the broker.","fail: filtered (timeout)"`,
    );
    const html = renderHtml(run);
    expect(html).toContain(`<div class="addr">${ns.localV4}</div>`);
    expect(html).toContain('<td class="why">The site node receives its training requests through the broker.</td>');
  });
});
