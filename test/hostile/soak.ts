// The daemon soak, shared by test/hostile/daemon-soak.test.ts (short, in `npm test`) and
// bench/soak.ts (long): a many-row profile at a 1 s interval against healthy, refusing, dropping
// (nftables in a peer namespace), silent and hostile peers, plus rows whose prober hangs, run by
// the built daemon in a child process with GC forced often. Samples runs, descriptors and RSS,
// then makes a run hang and measures how long /readyz and /healthz take to turn 503.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { get } from '../helpers/http.js';
import { createPeerNetns } from '../helpers/netns.js';
import { startTcpPeer, type HostilePeer, type TcpPeerKind } from './peers.js';
import { startSoakChild } from './soak-child.js';

export interface SoakSample {
  atMs: number;
  runs: number;
  fds: number;
  rssBytes: number;
  ready: number;
}

export interface SoakResult {
  rows: number;
  mandatory: number;
  samples: SoakSample[];
  /** Longest wait between two finished runs while healthy. */
  maxGapMs: number;
  /** ms from the hang until /readyz and /healthz answered 503, or -1 if they never did. */
  readyStalledAfterMs: number;
  healthStalledAfterMs: number;
  readyBody: string;
  /** The bound the daemon computed: fedprobe_run_expected_max_seconds. */
  expectedMaxSeconds: number;
}

const metric = (body: string, name: string) =>
  Number(new RegExp(`^${name}\\{[^}]*\\} ([0-9.e+-]+)$`, 'm').exec(body)?.[1] ?? NaN);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Peers {
  rows: string[];
  mandatory: number;
  close(): Promise<void>;
}

async function startPeers(): Promise<Peers> {
  const closers: (() => Promise<void>)[] = [];
  const tcpOk = createServer((s) => s.on('error', () => undefined).end());
  const httpOk = createHttpServer((_q, r) => r.end('ok\n'));
  for (const s of [tcpOk, httpOk]) {
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => s.close(() => r())));
  }
  closers.push(async () => httpOk.closeAllConnections());
  const refused = createServer();
  await new Promise<void>((r) => refused.listen(0, '127.0.0.1', r));
  const refusedPort = (refused.address() as { port: number }).port;
  await new Promise<void>((r) => refused.close(() => r()));
  const ns = await createPeerNetns('soak');
  closers.push(() => ns.destroy());
  await ns.nft(
    'table inet soak {\n chain input {\n  type filter hook input priority 0; policy accept;\n  tcp dport 9 drop\n ' +
      '}\n}\n',
  );
  const hostile: Partial<Record<TcpPeerKind, HostilePeer>> = {};
  for (const kind of ['silent', 'drip', 'reset', 'garbage', 'flood', 'half-open'] as const) {
    hostile[kind] = await startTcpPeer(kind);
    closers.push(() => hostile[kind]!.close());
  }
  const port = (s: { address(): unknown }) => (s.address() as { port: number }).port;
  const rows: string[] = [];
  let n = 0;
  const row = (url: string, status: 'mandatory' | 'optional') => {
    const p = /:(\d+)/.exec(url.slice(url.indexOf('://') + 3))![1];
    rows.push(
      `  - { id: r${++n}, dir: out, source: soak, destination: d${n}, port: tcp/${p}, service: S, type: backend, ` +
        `status: ${status}, probe: "${url}" }`,
    );
  };
  // Healthy rows are the only mandatory ones: readiness is 200 until the schedule stalls.
  for (let i = 0; i < 6; i++) row(`tcp://127.0.0.1:${port(tcpOk)}`, 'mandatory');
  for (let i = 0; i < 6; i++) row(`http://127.0.0.1:${port(httpOk)}/`, 'mandatory');
  const mandatory = rows.length;
  for (const s of ['tcp', 'tcp', 'http', 'mqtt']) row(`${s}://127.0.0.1:${refusedPort}`, 'optional');
  for (const s of ['tcp', 'tcp', 'http', 'tls']) row(`${s}://${ns.peerV4}:9`, 'optional');
  for (const [kind, schemes] of [
    ['silent', ['http', 'tls', 'mqtt', 'grpc']],
    ['drip', ['http', 'tls', 'grpc']],
    ['reset', ['tcp', 'tls', 'mqtt']],
    ['garbage', ['mqtt', 'grpc', 'https']],
    ['flood', ['http', 'grpc', 'mqtt+ws']],
    ['half-open', ['http', 'mqtt', 'grpcs']],
  ] as const) {
    for (const s of schemes) row(`${s}://127.0.0.1:${hostile[kind]!.port}`, 'optional');
  }
  // The soak child replaces the rlpx prober with one that hangs and ignores its signal.
  for (let i = 0; i < 2; i++) row(`rlpx://127.0.0.1:${port(tcpOk)}`, 'optional');
  return { rows, mandatory, close: async () => void (await Promise.all(closers.map((c) => c()))) };
}

export async function soak(o: {
  durationMs: number;
  sampleEveryMs: number;
  timeoutMs?: number;
  onSample?: (s: SoakSample) => void;
}): Promise<SoakResult> {
  const peers = await startPeers();
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-soak-'));
  const profile = join(dir, 'soak.yaml');
  writeFileSync(
    profile,
    `schema: fedprobe/v1\nframework: Soak\ncomponent: daemon\nscenario: hostile ` +
      `peers\nrows:\n${peers.rows.join('\n')}\n`,
  );
  const d = await startSoakChild({ profile, intervalMs: 1000, timeoutMs: o.timeoutMs ?? 300, gcEveryMs: 100 });
  try {
    const samples: SoakSample[] = [];
    const t0 = performance.now();
    let lastRuns = 0;
    let lastChange = t0;
    let maxGapMs = 0;
    while (performance.now() - t0 < o.durationMs) {
      await sleep(o.sampleEveryMs);
      const body = (await get(`${d.base}/metrics`)).body;
      const runs = metric(body, 'fedprobe_runs_total') || 0;
      const now = performance.now();
      if (runs !== lastRuns) {
        if (lastRuns > 0) maxGapMs = Math.max(maxGapMs, now - lastChange);
        lastRuns = runs;
        lastChange = now;
      }
      const s = {
        atMs: Math.round(now - t0),
        runs,
        fds: d.fds(),
        rssBytes: d.rssBytes(),
        ready: (await get(`${d.base}/readyz`)).status,
      };
      samples.push(s);
      o.onSample?.(s);
    }
    maxGapMs = Math.max(maxGapMs, performance.now() - lastChange);
    const expectedMaxSeconds = metric((await get(`${d.base}/metrics`)).body, 'fedprobe_run_expected_max_seconds');
    // Now a run that never ends: readiness and health must turn 503 once it passes its bound.
    d.stall();
    const hungAt = performance.now();
    let readyStalledAfterMs = -1;
    let healthStalledAfterMs = -1;
    let readyBody = '';
    // The hang takes the next run: up to a run and an interval away, then interval + bound.
    const limit = 2 * (expectedMaxSeconds * 1000 + 1000) + 5000;
    while ((readyStalledAfterMs < 0 || healthStalledAfterMs < 0) && performance.now() - hungAt < limit) {
      await sleep(250);
      const ready = await get(`${d.base}/readyz`);
      if (readyStalledAfterMs < 0 && ready.status === 503 && /schedule stalled/.test(ready.body)) {
        readyStalledAfterMs = Math.round(performance.now() - hungAt);
        readyBody = ready.body;
      }
      if (healthStalledAfterMs < 0 && (await get(`${d.base}/healthz`)).status === 503)
        healthStalledAfterMs = Math.round(performance.now() - hungAt);
    }
    return {
      rows: peers.rows.length,
      mandatory: peers.mandatory,
      samples,
      maxGapMs: Math.round(maxGapMs),
      readyStalledAfterMs,
      healthStalledAfterMs,
      readyBody,
      expectedMaxSeconds,
    };
  } finally {
    await d.stop();
    await peers.close();
  }
}
