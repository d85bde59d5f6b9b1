// Pieces of the side-by-side benchmark (bench/bench.ts) and of its CI variant
// (test/bench/agreement.test.ts): targets on loopback, profiles, and one runner per tool that
// returns wall time, peak memory and the state it saw on every port. Everything here runs inside
// a network namespace the caller made (bench/run.sh, test/run.sh): loopback only.
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// bench/run.sh runs a compiled copy from elsewhere: it says where the checkout is.
export const ROOT = process.env.FEDPROBE_ROOT ?? fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');
export const HOST = '127.0.0.1';

export type State = 'open' | 'closed' | 'filtered' | 'open|filtered' | 'unknown';

export interface Measured {
  wallMs: number;
  rssMb: number;
  /** Most descriptors the process held at once (sampled), when asked for. */
  maxFds?: number;
  states: Map<number, State>;
  /** fedprobe only: the run's own duration (runChecks), without start-up and profile loading. */
  engineMs?: number;
}

/** Ports BASE.. in the given mix; `kinds[i]` is what port BASE+i is. */
export type Kind = 'open' | 'closed' | 'drop';

export interface Scenario {
  name: string;
  protocol: 'tcp' | 'udp';
  base: number;
  kinds: Kind[];
  timeoutMs: number;
  concurrency: number;
}

export const ports = (s: Scenario): number[] => s.kinds.map((_, i) => s.base + i);
export const portsOf = (s: Scenario, kind: Kind): number[] => ports(s).filter((_, i) => s.kinds[i] === kind);

/** n ports: an `open` share open, a `drop` share dropped, the rest refused, spread over the range. */
export function mix(n: number, open: number, drop = 0): Kind[] {
  return Array.from({ length: n }, (_, i) => {
    const slot = ((i * 7919) % n) / n;
    return slot < open ? 'open' : slot < open + drop ? 'drop' : 'closed';
  });
}

/** Listeners (TCP accept-and-close, or UDP echo) on the open ports; resolves once all listen. */
export async function startTargets(s: Scenario): Promise<ChildProcess> {
  const open = portsOf(s, 'open');
  const script =
    s.protocol === 'tcp'
      ? `const net = require('node:net'); const ports = JSON.parse(process.argv[1]); let n = 0;
       for (const p of ports) net.createServer((c) => c.destroy()).listen({ port: p, host: '${HOST}', backlog: 1024 },
         () => { if (++n === ports.length) console.log('ready'); });
       if (!ports.length) console.log('ready');`
      : `const dgram = require('node:dgram'); const ports = JSON.parse(process.argv[1]); let n = 0;
       for (const p of ports) { const s = dgram.createSocket('udp4');
         s.on('message', (m, r) => s.send(m, r.port, r.address));
         s.bind(p, '${HOST}', () => { if (++n === ports.length) console.log('ready'); }); }
       if (!ports.length) console.log('ready');`;
  const child = spawn(process.execPath, ['-e', script, JSON.stringify(open)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d) => (String(d).includes('ready') ? resolve() : undefined));
    child.once('exit', (code) => reject(new Error(`targets exited (${code})`)));
  });
  return child;
}

const tableOf = (s: Scenario) => `bench_${s.name.replace(/\W/g, '_')}`;

/** Removes the table dropRules() made. */
export async function removeRules(s: Scenario): Promise<void> {
  await sh('nft', ['delete', 'table', 'inet', tableOf(s)]);
}

/** nftables DROP rules for the scenario's dropped ports (in this namespace, a table of its own). */
export async function dropRules(s: Scenario): Promise<void> {
  const drops = portsOf(s, 'drop');
  const table = tableOf(s);
  const rule = drops.length ? `${s.protocol} dport { ${drops.join(', ')} } drop` : '';
  const chain = `chain input {\n  type filter hook input priority 0; policy accept;\n  ${rule}\n }`;
  await sh('nft', ['-f', '-'], `table inet ${table} {\n ${chain}\n}\n`);
}

export function writeProfile(s: Scenario, dir: string): string {
  const lines = ['schema: fedprobe/v1', 'framework: bench', 'component: site', `scenario: ${s.name}`, 'rows:'];
  for (const p of ports(s)) {
    const probe = `${s.protocol}://${HOST}:${p}`;
    lines.push(
      `  - { id: p${p}, dir: out, source: site, destination: svc, port: ${s.protocol}/${p}, ` +
        `service: ${s.protocol.toUpperCase()}, type: backend, status: mandatory, probe: "${probe}" }`,
    );
  }
  const file = join(dir, `${s.name}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

/** The same profile as JSON: the loader reads it with JSON.parse instead of yaml's syntax tree. */
export function writeJsonProfile(s: Scenario, dir: string): string {
  const rows = ports(s).map((p) => ({
    id: `p${p}`,
    dir: 'out',
    source: 'site',
    destination: 'svc',
    port: `${s.protocol}/${p}`,
    service: s.protocol.toUpperCase(),
    type: 'backend',
    status: 'mandatory',
    probe: `${s.protocol}://${HOST}:${p}`,
  }));
  const file = join(dir, `${s.name}.json`);
  writeFileSync(
    file,
    `${JSON.stringify(
      { schema: 'fedprobe/v1', framework: 'bench', component: 'site', scenario: s.name, rows },
      null,
      1,
    )}\n`,
  );
  return file;
}

function sh(cmd: string, args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.once('error', reject);
    child.once('close', (code) =>
      code === 0 ? resolve(out) : reject(new Error(`${cmd} ${args.join(' ')}: ${code}: ${err.trim()}`)),
    );
    child.stdin.end(input ?? '');
  });
}

function countFds(pid: number): number {
  try {
    return readdirSync(`/proc/${pid}/fd`).length;
  } catch {
    return 0;
  }
}

function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** Runs `cmd` under /usr/bin/time: wall time, peak RSS, stdout, and (if asked) the most fds held. */
export async function measure(
  cmd: string,
  args: string[],
  opts: { fds?: boolean } = {},
): Promise<{ wallMs: number; rssMb: number; maxFds?: number; stdout: string; code: number }> {
  const timeFile = `/tmp/fedprobe-bench-time-${process.pid}`;
  const start = performance.now();
  const child = spawn('/usr/bin/time', ['-f', '%M', '-o', timeFile, cmd, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += String(d)));
  child.stderr.on('data', () => {});
  let maxFds = 0;
  const sampler = opts.fds
    ? setInterval(() => {
        for (const pid of childPids(child.pid!)) maxFds = Math.max(maxFds, countFds(pid));
      }, 2)
    : undefined;
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? 1)));
  const wallMs = performance.now() - start;
  clearInterval(sampler);
  const kb = Number(readFileSync(timeFile, 'utf8').trim().split('\n').pop());
  return { wallMs, rssMb: kb / 1024, ...(opts.fds && { maxFds }), stdout, code };
}

export const FEDPROBE = join(ROOT, 'bin', 'fedprobe.js');
export const FLOOR = join(ROOT, 'bench', 'floor.mjs');

export async function runFedprobe(s: Scenario, profile: string, extra: string[] = [], fds = false): Promise<Measured> {
  const m = await measure(
    process.execPath,
    [
      FEDPROBE,
      'check',
      profile,
      '--format',
      'json',
      '--concurrency',
      String(s.concurrency),
      '--timeout',
      `${s.timeoutMs}ms`,
      ...extra,
    ],
    { fds },
  );
  const run = JSON.parse(m.stdout) as { durationMs: number; results: { port: string; state: State }[] };
  const states = new Map(run.results.map((r) => [Number(r.port.split('/')[1]), r.state]));
  const held = m.maxFds !== undefined ? { maxFds: m.maxFds } : {};
  return { wallMs: m.wallMs, rssMb: m.rssMb, ...held, states, engineMs: run.durationMs };
}

export async function runFloor(s: Scenario, fds = false): Promise<Measured> {
  const m = await measure(
    process.execPath,
    [FLOOR, s.protocol, HOST, String(s.base), String(s.kinds.length), String(s.concurrency), String(s.timeoutMs)],
    { fds },
  );
  const seen = JSON.parse(m.stdout) as Record<string, State>;
  const states = new Map(Object.entries(seen).map(([p, st]) => [Number(p), st]));
  return { wallMs: m.wallMs, rssMb: m.rssMb, ...(m.maxFds !== undefined && { maxFds: m.maxFds }), states };
}

/** nmap -sT / -sU on the same ports; every port listed (-oG with no "Not shown" folding). */
export async function runNmap(s: Scenario, extra: string[] = []): Promise<Measured> {
  const last = s.base + s.kinds.length - 1;
  const m = await measure('nmap', [
    s.protocol === 'tcp' ? '-sT' : '-sU',
    '-Pn',
    '-n',
    '--reason',
    '-p',
    `${s.base}-${last}`,
    '-oX',
    '-',
    ...extra,
    HOST,
  ]);
  const states = new Map<number, State>();
  for (const p of ports(s)) states.set(p, 'unknown');
  // <extraports state="closed" count="N"> folds ports; its <extrareasons ports="a-b,c"> lists them.
  for (const x of m.stdout.matchAll(/<extraports state="([^"]+)"[\s\S]*?<\/extraports>/g)) {
    for (const r of x[0].matchAll(/ports="([^"]+)"/g)) {
      for (const part of r[1]!.split(',')) {
        const [a, b] = part.split('-').map(Number);
        for (let p = a!; p <= (b ?? a!); p++) states.set(p, x[1] as State);
      }
    }
  }
  for (const x of m.stdout.matchAll(/<port protocol="\w+" portid="(\d+)"><state state="([^"]+)"/g)) {
    states.set(Number(x[1]), x[2] as State);
  }
  return { wallMs: m.wallMs, rssMb: m.rssMb, states };
}

/** blackbox_exporter's /probe for each port, `concurrency` at once: open = probe_success 1. */
export async function runBlackbox(s: Scenario, listen = '127.0.0.1:19115'): Promise<Measured> {
  const start = performance.now();
  const states = new Map<number, State>();
  let next = 0;
  const all = ports(s);
  const worker = async () => {
    while (next < all.length) {
      const p = all[next++]!;
      const module = s.protocol === 'tcp' ? 'tcp_connect' : 'udp_echo';
      const res = await fetch(`http://${listen}/probe?module=${module}&target=${HOST}:${p}`);
      const text = await res.text();
      states.set(p, /^probe_success 1$/m.test(text) ? 'open' : 'closed');
    }
  };
  await Promise.all(Array.from({ length: Math.min(s.concurrency, all.length) }, worker));
  return { wallMs: performance.now() - start, rssMb: 0, states };
}

/** Starts blackbox_exporter with a tcp_connect module of the scenario's timeout. */
export async function startBlackbox(
  timeoutMs: number,
  dir: string,
  listen = '127.0.0.1:19115',
): Promise<{ child: ChildProcess; peakMb(): number }> {
  const config = join(dir, 'blackbox.yml');
  writeFileSync(config, `modules:\n  tcp_connect: { prober: tcp, timeout: ${timeoutMs}ms }\n`);
  const args = [`--config.file=${config}`, `--web.listen-address=${listen}`];
  const child = spawn('prometheus-blackbox-exporter', args, { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    if (
      await fetch(`http://${listen}/`).then(
        () => true,
        () => false,
      )
    )
      break;
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child,
    peakMb: () => {
      const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
    },
  };
}

/** Ports where two tools disagree, as "port: a≠b". */
export function disagreements(a: Map<number, State>, b: Map<number, State>): string[] {
  const out: string[] = [];
  for (const [p, st] of a) if (b.get(p) !== st) out.push(`${p}: ${st}≠${b.get(p)}`);
  return out;
}

export function expectedStates(s: Scenario): Map<number, State> {
  const closed: State = 'closed';
  const silent: State = s.protocol === 'tcp' ? 'filtered' : 'open|filtered';
  return new Map(ports(s).map((p, i) => [p, s.kinds[i] === 'open' ? 'open' : s.kinds[i] === 'drop' ? silent : closed]));
}
