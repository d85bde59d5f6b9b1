// The soak's daemon side, shared by test/hostile/daemon-soak.test.ts and bench/soak.ts: a child
// process (node --expose-gc) that runs the built daemon (dist/) on a profile file, forces a garbage
// collection every GC_EVERY_MS, and makes its next run hang forever on SIGUSR2 (a stall that no
// deadline reaches, to prove readiness notices). rlpx:// rows get a prober that ignores its signal
// and never settles: the runner must abandon them at their deadline and keep the cycles coming.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// bench/soak.ts runs compiled from elsewhere: it names the build with FP_DIST.
const DIST = process.env.FP_DIST ?? fileURLToPath(new URL('../../dist/', import.meta.url));

const CHILD = `
const dist = process.env.FP_DIST;
const [{ runDaemon }, { checkProfile }, { probers }, { createLogger }] = await Promise.all(
  ['daemon/daemon.js', 'check.js', 'probers/registry.js', 'log.js'].map((f) => import(dist + f)));
probers.rlpx = () => new Promise(() => {}); // hangs, ignoring its signal
let hang = false;
process.on('SIGUSR2', () => (hang = true));
const gc = setInterval(() => globalThis.gc(), Number(process.env.FP_GC_EVERY_MS));
const stop = new AbortController();
process.on('SIGTERM', () => stop.abort(new Error('SIGTERM')));
await runDaemon({
  profiles: [process.env.FP_PROFILE], intervalMs: Number(process.env.FP_INTERVAL_MS), jitter: 0,
  host: '127.0.0.1', port: 0,
  check: { concurrency: 16, timeoutMs: Number(process.env.FP_TIMEOUT_MS), retries: 0, strict: false, env: {} },
  log: createLogger(process.env.FP_LOG_LEVEL), signal: stop.signal,
  onListening: (a) => process.stdout.write(JSON.stringify({ port: a.port }) + '\\n'),
  checkProfile: (p, o) => (hang ? new Promise(() => {}) : checkProfile(p, o)),
});
clearInterval(gc);
process.exit(0);
`;

export interface SoakChild {
  child: ChildProcess;
  /** http://127.0.0.1:<port> of the daemon. */
  base: string;
  fds(): number;
  rssBytes(): number;
  stall(): void;
  stop(): Promise<void>;
}

export async function startSoakChild(o: {
  profile: string;
  intervalMs: number;
  timeoutMs: number;
  gcEveryMs: number;
  logLevel?: string;
}): Promise<SoakChild> {
  const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', CHILD], {
    env: {
      ...process.env,
      FP_DIST: DIST,
      FP_LOG_LEVEL: o.logLevel ?? 'error',
      FP_PROFILE: o.profile,
      FP_INTERVAL_MS: String(o.intervalMs),
      FP_TIMEOUT_MS: String(o.timeoutMs),
      FP_GC_EVERY_MS: String(o.gcEveryMs),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) resolve((JSON.parse(line) as { port: number }).port);
    });
    child.once('exit', (code) => reject(new Error(`the soak daemon exited (${code}) before listening`)));
  });
  const proc = (f: string) => `/proc/${child.pid}/${f}`;
  return {
    child,
    base: `http://127.0.0.1:${port}`,
    fds: () => readdirCount(proc('fd')),
    rssBytes: () => Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(proc('status'), 'utf8'))?.[1] ?? NaN) * 1024,
    stall: () => void child.kill('SIGUSR2'),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = new Promise<void>((r) => child.once('exit', () => r()));
      child.kill('SIGKILL');
      await gone;
    },
  };
}

/** Entries of a /proc directory of the child (0 once it is gone). */
function readdirCount(dir: string): number {
  try {
    return readdirSync(dir).length;
  } catch {
    return 0;
  }
}
