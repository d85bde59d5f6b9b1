// Handshakes (issue 11, target 5): fedprobe's mqtt:// rows against a real mosquitto and grpc://
// rows against a real @grpc/grpc-js server with the standard health service, N rows one after the
// other (concurrency 1), beside bench/handshake-floor.mjs making the same exchange with raw
// node:net / node:http2. Per row: the median of the rows' own times (fedprobe's timings.totalMs,
// the floor's stopwatch around each exchange), and the run's duration divided by N (fedprobe's
// durationMs: no start-up, no profile loading). Servers on fixed loopback ports in bench/run.sh's
// namespace, below the outgoing port range (40000+) and above the other scenarios' ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { connect } from 'node:net';
import { join } from 'node:path';
import { FEDPROBE, HOST, ROOT, measure } from './lib.js';

const MQTT_PORT = 35000;
const GRPC_PORT = 35001;
const FLOOR = join(ROOT, 'bench', 'handshake-floor.mjs');
// Debian's mosquitto (test/apt-packages.txt), named apart from spawn(): knip would look for it in package.json.
const MOSQUITTO = 'mosquitto';

// bench/run.sh runs a compiled copy from a scratch folder: the dev dependencies are the checkout's.
const requireFromRoot = createRequire(join(ROOT, 'package.json'));

type Exchange = 'mqtt' | 'grpc';

interface Sample {
  /** Median of the per-row times. */
  rowMs: number;
  /** Whole run divided by the rows. */
  perRowMs: number;
  passed: number;
  rssMb: number;
}

interface HandshakeRow {
  exchange: Exchange;
  fedprobe: Sample;
  floor: Sample;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ port, host: HOST });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

async function startMosquitto(dir: string): Promise<ChildProcess> {
  // Started as root, mosquitto drops to user `mosquitto` before it reads its files.
  const home = mkdtempSync(join(dir, 'mosquitto-'));
  chmodSync(home, 0o755);
  const conf = join(home, 'mosquitto.conf');
  const lines = ['log_dest stderr', 'log_type error', `listener ${MQTT_PORT} ${HOST}`, 'allow_anonymous true'];
  writeFileSync(conf, `${lines.join('\n')}\n`, { mode: 0o644 });
  const child = spawn(MOSQUITTO, ['-c', conf], { stdio: ['ignore', 'ignore', 'inherit'] });
  for (let i = 0; i < 200 && !(await accepts(MQTT_PORT)); i++) {
    if (child.exitCode !== null) break;
    await sleep(25);
  }
  if (!(await accepts(MQTT_PORT))) throw new Error('mosquitto did not start');
  return child;
}

/** A grpc-js server with only the health service ('' SERVING), in this process. */
async function startGrpc(): Promise<() => Promise<void>> {
  const grpc = requireFromRoot('@grpc/grpc-js') as typeof import('@grpc/grpc-js');
  const { HealthImplementation } = requireFromRoot('grpc-health-check') as typeof import('grpc-health-check');
  const server = new grpc.Server();
  new HealthImplementation({ '': 'SERVING' }).addToServer(server);
  await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${HOST}:${GRPC_PORT}`, grpc.ServerCredentials.createInsecure(), (e, p) =>
      e ? reject(e) : resolve(p),
    ),
  );
  return () => new Promise<void>((r) => server.tryShutdown(() => r()));
}

function writeProfile(exchange: Exchange, rows: number, dir: string): string {
  const port = exchange === 'mqtt' ? MQTT_PORT : GRPC_PORT;
  const service = exchange === 'mqtt' ? 'MQTT' : 'gRPC';
  const lines = ['schema: fedprobe/v1', 'framework: bench', 'component: site', `scenario: ${exchange}`, 'rows:'];
  for (let i = 0; i < rows; i++) {
    lines.push(
      `  - { id: ${exchange}${i}, dir: out, source: site, destination: svc, port: tcp/${port}, ` +
        `service: ${service}, type: backend, status: mandatory, probe: "${exchange}://${HOST}:${port}" }`,
    );
  }
  const file = join(dir, `handshake-${exchange}.yaml`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

async function runFedprobe(profile: string, rows: number): Promise<Sample> {
  const args = [FEDPROBE, 'check', profile, '--format', 'json', '--concurrency', '1', '--timeout', '5s'];
  const m = await measure(process.execPath, args);
  const run = JSON.parse(m.stdout) as {
    durationMs: number;
    results: { outcome: string; timings: { totalMs: number } }[];
  };
  if (run.results.length !== rows) throw new Error(`fedprobe reported ${run.results.length} of ${rows} rows`);
  return {
    rowMs: median(run.results.map((r) => r.timings.totalMs)),
    perRowMs: run.durationMs / rows,
    passed: run.results.filter((r) => r.outcome === 'pass').length,
    rssMb: m.rssMb,
  };
}

async function runFloor(exchange: Exchange, rows: number): Promise<Sample> {
  const port = exchange === 'mqtt' ? MQTT_PORT : GRPC_PORT;
  const m = await measure(process.execPath, [FLOOR, exchange, HOST, String(port), String(rows)]);
  const run = JSON.parse(m.stdout) as { ok: number; rowsMs: number[]; totalMs: number };
  return { rowMs: median(run.rowsMs), perRowMs: run.totalMs / rows, passed: run.ok, rssMb: m.rssMb };
}

/** Medians over the runs of each figure; `passed` is the fewest passes any run had. */
function combine(samples: Sample[]): Sample {
  return {
    rowMs: median(samples.map((s) => s.rowMs)),
    perRowMs: median(samples.map((s) => s.perRowMs)),
    passed: Math.min(...samples.map((s) => s.passed)),
    rssMb: median(samples.map((s) => s.rssMb)),
  };
}

/** Both exchanges, `runs` times each, fedprobe and the floor alternating so drift hits both alike. */
async function handshakes(dir: string, rows: number, runs: number): Promise<HandshakeRow[]> {
  const mosquitto = await startMosquitto(dir);
  const stopGrpc = await startGrpc();
  try {
    const result: HandshakeRow[] = [];
    for (const exchange of ['mqtt', 'grpc'] as const) {
      const profile = writeProfile(exchange, rows, dir);
      const f: Sample[] = [];
      const b: Sample[] = [];
      for (let i = 0; i < runs; i++) {
        f.push(await runFedprobe(profile, rows));
        b.push(await runFloor(exchange, rows));
      }
      result.push({ exchange, fedprobe: combine(f), floor: combine(b) });
    }
    return result;
  } finally {
    mosquitto.kill();
    await stopGrpc();
  }
}

const ms = (x: number) => `${x.toFixed(2)} ms`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}×`;

/** The BENCHMARKS.md section: one line per exchange and measure, the target beside the ratio. */
export async function handshakeSection(dir: string, rows: number, runs: number): Promise<string[]> {
  const measured = await handshakes(dir, rows, runs);
  const lines = [
    `### Handshakes: ${rows} sequential rows per exchange (concurrency 1), median of ${runs} runs`,
    '',
    'MQTT 3.1.1 CONNECT → CONNACK → DISCONNECT against mosquitto; gRPC `grpc.health.v1.Health/Check` over h2c ' +
      'against @grpc/grpc-js with grpc-health-check. The floor is bench/handshake-floor.mjs (raw `node:net` / ' +
      '`node:http2`, a new connection per row as fedprobe makes). "row" is the median of the rows\' own times ' +
      "(fedprobe's `timings.totalMs`), \"run ÷ rows\" the run's duration (fedprobe's `durationMs`) over the rows.",
    '',
    '| exchange | measure | fedprobe | floor | fedprobe ÷ floor | target | passes (fedprobe / floor) | peak RSS |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of measured) {
    const name = r.exchange === 'mqtt' ? 'MQTT (mosquitto)' : 'gRPC health (grpc-js)';
    const passes = `${r.fedprobe.passed} / ${r.floor.passed} of ${rows}`;
    const rss = `${Math.round(r.fedprobe.rssMb)} / ${Math.round(r.floor.rssMb)} MB`;
    for (const [what, key] of [
      ['row', 'rowMs'],
      ['run ÷ rows', 'perRowMs'],
    ] as const) {
      const a = r.fedprobe[key];
      const b = r.floor[key];
      lines.push(`| ${name} | ${what} | ${ms(a)} | ${ms(b)} | ${ratio(a, b)} | ≤ 1.20× | ${passes} | ${rss} |`);
    }
  }
  lines.push('');
  return lines;
}
