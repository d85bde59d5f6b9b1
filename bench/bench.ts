// `npm run bench`: fedprobe side by side with the minimal-Node floor, nmap and blackbox_exporter,
// each scenario run RUNS times in this namespace (bench/run.sh made it), medians written to
// BENCHMARKS.md with the machine, the versions and the ratios. Timings live here, never in tests.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { daemonFootprint } from './daemon.js';
import { handshakeSection } from './handshake.js';
import {
  FEDPROBE,
  ROOT,
  disagreements,
  dropRules,
  measure,
  mix,
  runBlackbox,
  runFedprobe,
  runFloor,
  runNmap,
  startBlackbox,
  startTargets,
  writeJsonProfile,
  writeProfile,
  type Measured,
  type Scenario,
} from './lib.js';

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-bench-'));
const lines: string[] = [];
const out = (s = '') => {
  lines.push(s);
  process.stdout.write(`${s}\n`);
};

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
const ms = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} s` : `${Math.round(x)} ms`);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

interface Row {
  tool: string;
  wall: number;
  rss: number;
  fds?: number;
  engine?: number;
  agree: string;
}

interface Repeated {
  wall: number;
  rss: number;
  fds?: number;
  engine?: number;
  last: Measured;
}

async function repeat(f: () => Promise<Measured>): Promise<Repeated> {
  const all: Measured[] = [];
  for (let i = 0; i < RUNS; i++) all.push(await f());
  const fds = all.map((m) => m.maxFds).filter((x): x is number => x !== undefined);
  const engine = all.map((m) => m.engineMs).filter((x): x is number => x !== undefined);
  return {
    wall: median(all.map((m) => m.wallMs)),
    rss: median(all.map((m) => m.rssMb)),
    last: all[all.length - 1]!,
    ...(fds.length && { fds: Math.max(...fds) }),
    ...(engine.length && { engine: median(engine) }),
  };
}

function table(rows: Row[], anchor: string): void {
  const base = rows.find((r) => r.tool === anchor)!;
  out(`| tool | wall (median of ${RUNS}) | vs ${anchor} | peak RSS | max fds | engine only | states vs nmap |`);
  out('|---|---|---|---|---|---|---|');
  for (const r of rows) {
    out(
      `| ${r.tool} | ${ms(r.wall)} | ${ratio(r.wall, base.wall)} | ${r.rss ? `${Math.round(r.rss)} MB` : '–'} | ` +
        `${r.fds ?? '–'} | ${r.engine !== undefined ? ms(r.engine) : '–'} | ${r.agree} |`,
    );
  }
  out();
}

interface Tools {
  adaptive?: boolean;
  blackbox?: boolean;
  fds?: boolean;
  json?: boolean;
}

async function scenario(s: Scenario, tools: Tools): Promise<void> {
  const targets = await startTargets(s);
  await dropRules(s);
  const profile = writeProfile(s, dir);
  const rows: Row[] = [];
  const nmap = await repeat(() => runNmap(s, s.protocol === 'tcp' ? [] : ['--max-retries', '1']));
  const agree = (m: Measured) => {
    const d = disagreements(m.states, nmap.last.states);
    return d.length ? `${d.length} differ (${d.slice(0, 3).join(', ')})` : 'all agree';
  };
  const fedprobe = await repeat(() => runFedprobe(s, profile, [], tools.fds));
  rows.push({
    tool: 'fedprobe',
    wall: fedprobe.wall,
    rss: fedprobe.rss,
    ...(fedprobe.fds && { fds: fedprobe.fds }),
    ...(fedprobe.engine !== undefined && { engine: fedprobe.engine }),
    agree: agree(fedprobe.last),
  });
  if (tools.json) {
    const j = await repeat(() => runFedprobe(s, writeJsonProfile(s, dir), [], tools.fds));
    rows.push({
      tool: 'fedprobe, JSON profile',
      wall: j.wall,
      rss: j.rss,
      ...(j.fds && { fds: j.fds }),
      ...(j.engine !== undefined && { engine: j.engine }),
      agree: agree(j.last),
    });
  }
  if (tools.adaptive && hasAdaptive) {
    const a = await repeat(() => runFedprobe(s, profile, ['--adaptive']));
    const engine = a.engine !== undefined ? { engine: a.engine } : {};
    rows.push({ tool: 'fedprobe --adaptive', wall: a.wall, rss: a.rss, ...engine, agree: agree(a.last) });
  }
  const floor = await repeat(() => runFloor(s, tools.fds));
  rows.push({
    tool: 'floor (minimal Node)',
    wall: floor.wall,
    rss: floor.rss,
    ...(floor.fds && { fds: floor.fds }),
    agree: agree(floor.last),
  });
  rows.push({ tool: `nmap ${s.protocol === 'tcp' ? '-sT' : '-sU'}`, wall: nmap.wall, rss: nmap.rss, agree: '–' });
  if (tools.blackbox) {
    const bb = await startBlackbox(s.timeoutMs, dir);
    const b = await repeat(() => runBlackbox(s));
    rows.push({
      tool: `blackbox_exporter (/probe, ${s.concurrency} at once)`,
      wall: b.wall,
      rss: bb.peakMb(),
      agree: 'up/down only',
    });
    bb.child.kill();
  }
  targets.kill();
  const kinds = ['open', 'closed', 'drop'].map(
    (k) => `${s.kinds.filter((x) => x === k).length} ${k === 'drop' ? 'dropped' : k}`,
  );
  out(
    `### ${s.name}: ${s.kinds.length} ${s.protocol.toUpperCase()} rows (${kinds.join(', ')}), ` +
      `${ms(s.timeoutMs)} deadline, ` +
      `concurrency ${s.concurrency}`,
  );
  out();
  table(rows, 'floor (minimal Node)');
}

async function startup(): Promise<void> {
  const kinds: Scenario['kinds'] = ['open', 'open', 'open', 'closed', 'closed'];
  const s: Scenario = { name: 'five', protocol: 'tcp', base: 21000, kinds, timeoutMs: 1000, concurrency: 16 };
  const targets = await startTargets(s);
  const profile = writeProfile(s, dir);
  const time = async (args: string[]) => {
    const walls: number[] = [];
    const rss: number[] = [];
    for (let i = 0; i < RUNS * 2; i++) {
      const m = await measure(process.execPath, args);
      walls.push(m.wallMs);
      rss.push(m.rssMb);
    }
    return { wall: median(walls), rss: median(rss) };
  };
  const bare = await time(['-e', '0']);
  const version = await time([FEDPROBE, '--version']);
  const five = await time([FEDPROBE, 'check', profile, '--format', 'json']);
  targets.kill();
  out(`### Start-up (median of ${RUNS * 2})`);
  out();
  out('| command | wall | vs `node -e 0` | target | peak RSS |');
  out('|---|---|---|---|---|');
  out(`| \`node -e 0\` | ${ms(bare.wall)} | 1.00× | | ${Math.round(bare.rss)} MB |`);
  const line = (what: string, m: { wall: number; rss: number }, target: string) =>
    out(`| ${what} | ${ms(m.wall)} | ${ratio(m.wall, bare.wall)} | ${target} | ${Math.round(m.rss)} MB |`);
  line('`fedprobe --version`', version, '≤ 1.5×');
  line('`fedprobe check` 5 loopback rows', five, '≤ 3×');
  out();
}

async function sidecar(cycles: number): Promise<void> {
  // Both at once (each on its own ports): a daemon is idle most of the time, and six minutes is enough.
  const [plain, lite] = await Promise.all([
    daemonFootprint(dir, cycles),
    daemonFootprint(dir, cycles, ['--lite-mode'], 1),
  ]);
  const mb = (x: number) => `${Math.round(x)} MB`;
  out(`### daemon-30: \`fedprobe daemon\` on 30 TCP rows (15 open, 15 closed), ${plain.cycles} runs after warm-up`);
  out();
  out(
    `${plain.cycles} runs at a 1 s interval (${plain.seconds.toFixed(0)} s) after ${plain.warmup} runs of warm-up ` +
      `stand for ${((plain.cycles * 10) / 3600).toFixed(1)} h at the 10 s interval of issue 11; RSS read from /proc ` +
      'every second, runs from /metrics every 10 s. The daemon runs V8 in lite mode (no optimising compiler; ' +
      'bin/fedprobe.js sets it), FEDPROBE_LITE=0 turns that off.',
  );
  out();
  out('| daemon | RSS after warm-up | RSS at the end | highest RSS | CPU per run | target |');
  out('|---|---|---|---|---|---|');
  for (const [what, d] of [
    ['`FEDPROBE_LITE=0 fedprobe daemon` (full V8)', plain],
    ['`fedprobe daemon` (V8 lite mode, its default)', lite],
  ] as const) {
    const cpu = `${d.cpuMsPerCycle.toFixed(1)} ms`;
    out(`| ${what} | ${mb(d.rssWarmMb)} | ${mb(d.rssEndMb)} | ${mb(d.rssMaxMb)} | ${cpu} | RSS < 60 MB, flat |`);
  }
  out();
}

function versions(): string {
  const v = (cmd: string, args: string[], re: RegExp) => {
    try {
      return re.exec(execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }))?.[1] ?? '?';
    } catch (e) {
      return re.exec(String((e as { stderr?: string }).stderr ?? ''))?.[1] ?? 'not installed';
    }
  };
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return [
    `fedprobe ${pkg.version}`,
    `Node ${process.version}`,
    `nmap ${v('nmap', ['--version'], /Nmap version (\S+)/)}`,
    `blackbox_exporter ${v('prometheus-blackbox-exporter', ['--version'], /version (\S+)/)}`,
  ].join(', ');
}

const quick = process.argv.includes('--quick');
// An older build (a before/after comparison) may not have --adaptive yet.
const hasAdaptive = execFileSync(process.execPath, [FEDPROBE, 'check', '--help'], { encoding: 'utf8' }).includes(
  '--adaptive',
);
out('# Benchmarks');
out();
out('Written by `npm run bench` (bench/run.sh → bench/bench.ts): every tool checks the same loopback ports inside');
out('one throwaway network namespace, one after the other, each scenario run several times; the table shows medians.');
out('"floor" is bench/floor.mjs, the same sockets from the least Node code that tells the states apart. "engine only"');
out("is fedprobe's own run duration (the JSON report's durationMs): no start-up, no profile loading, no report.");
out('"JSON profile" is the same rows written as a .json file, which the loader reads with JSON.parse (a plain YAML');
out("profile is read by src/profile/fast-yaml.ts; neither builds yaml's syntax tree).");
out();
const kernel = execFileSync('uname', ['-r'], { encoding: 'utf8' }).trim();
out(
  `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${process.platform} ${kernel}; ` +
    `${versions()}; ${new Date().toISOString().slice(0, 10)}.`,
);
out();
await startup();
const n = quick ? [200, 1000] : [1000, 10000];
for (const size of n) {
  const kinds = mix(size, 0.5);
  await scenario(
    { name: `scale-${size}`, protocol: 'tcp', base: 20000, kinds, timeoutMs: 1000, concurrency: 256 },
    { blackbox: size <= 1000, fds: true, json: true },
  );
}
const second = { timeoutMs: 1000, concurrency: 64 };
await scenario(
  { name: 'drop-200', protocol: 'tcp', base: 32000, kinds: mix(200, 0.5, 0.25), ...second },
  { adaptive: true, blackbox: true },
);
await scenario(
  { name: 'drop-20', protocol: 'tcp', base: 32400, kinds: mix(20, 0.3, 0.5), ...second },
  { adaptive: true },
);
await scenario({ name: 'udp-200', protocol: 'udp', base: 33000, kinds: mix(200, 0.5), ...second }, {});
for (const line of await handshakeSection(dir, quick ? 50 : 200, RUNS)) out(line);
await sidecar(Number(process.env.BENCH_DAEMON_CYCLES ?? (quick ? 60 : 360)));
if (!quick) writeFileSync(join(ROOT, 'BENCHMARKS.md'), `${lines.join('\n')}\n`);
