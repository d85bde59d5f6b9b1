// Reproduction for issue 7 item 1: a row's deadline must survive garbage collection and be enforced
// even against a prober that ignores its signal. On Node 20 an AbortSignal.timeout() reachable only
// through AbortSignal.any() is held weakly: with GC forced, it is collected and never fires, and
// the row (and a daemon's schedule) waits forever. It shows once the runner's code is optimised (a
// daemon's 50 rows get there after ~13 cycles; `--always-turbofan` gets there at once), because
// optimised code keeps no reference to a local that is no longer used. The child process below runs
// many cycles of two rows against a silent peer, with a shutdown signal as the CLI and daemon pass
// one, and `global.gc()` forced every few milliseconds:
//   - `tls`: the real TLS prober, which honours its signal (only a lost deadline can hang it);
//   - `tcp`: replaced by a prober that connects and then waits for a byte, ignoring its signal.
// Each row must end within its deadline (plus the runner's grace for the ignoring one) plus a
// margin, say truthfully "connected, then no answer", and leave no file descriptor behind.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DIST = process.env.FP_DIST ?? fileURLToPath(new URL('../../dist/', import.meta.url));
const CYCLES = 10;
const DEADLINE_MS = 400;
const GRACE_MS = 250; // DEADLINE_GRACE_MS in src/probe/run.ts
// Eager optimisation and forced collections slow everything down; the first cycle also compiles.
const MARGIN_MS = 600;

const CHILD = `
import { createServer } from 'node:net';
import { readdirSync } from 'node:fs';
const dist = process.env.FP_DIST;
const [{ runChecks }, { silentLogger }, { probers }, { dialTcp }, { parseTarget }] = await Promise.all(
  ['probe/run.js', 'log.js', 'probers/registry.js', 'net/socket.js', 'profile/target.js'].map((f) => import(dist + f)));
// Accepts, reads and discards, never answers (reading lets it see our FIN and close its side).
const server = createServer((s) => s.on('error', () => {}).resume());
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const port = server.address().port;
// Connects, then waits for a byte that never comes: its signal is never looked at.
probers.tcp = async (check, ctx) => {
  const s = await dialTcp(check.target.port, ctx);
  await new Promise((r) => s.once('data', r));
  return { state: 'open', reason: 'ok', detail: 'impossible', facts: {}, timings: { totalMs: 0 } };
};
const check = (id, url) => {
  const target = parseTarget(url, 'tcp/' + port);
  return { row: { id, dir: 'out', source: 't', destination: 'd', port: 'tcp/' + port, service: id, type: 'backend',
    status: 'mandatory', probe: url }, target, timeoutMs: ${DEADLINE_MS}, retries: 0, expect: 'reachable',
    with: {}, secrets: {} };
};
const checks = [check('tls', 'tls://127.0.0.1:' + port), check('tcp', 'tcp://127.0.0.1:' + port)];
const shutdown = new AbortController();
const fds = () => readdirSync('/proc/self/fd').length;
const gc = setInterval(() => globalThis.gc(), 25);
const fdsBefore = fds();
for (let cycle = 0; cycle < ${CYCLES}; cycle++) {
  const results = await runChecks(checks, { concurrency: 2, log: silentLogger, signal: shutdown.signal });
  const rows = results.map((r) =>
    ({ id: r.id, state: r.state, reason: r.reason, detail: r.detail, ms: r.timings.totalMs }));
  process.stdout.write(JSON.stringify({ cycle, rows }) + '\\n');
}
// Destroyed sockets release their descriptors on the next turns of the loop.
await new Promise((r) => setTimeout(r, 100));
clearInterval(gc);
process.stdout.write(JSON.stringify({ done: true, fdsBefore, fdsAfter: fds() }) + '\\n');
process.exit(0);
`;

interface Line {
  cycle?: number;
  rows?: { id: string; state: string; reason: string; detail: string; ms: number }[];
  done?: boolean;
  fdsBefore?: number;
  fdsAfter?: number;
}

function runChild(budgetMs: number): Promise<Line[]> {
  const child = spawn(process.execPath, ['--expose-gc', '--always-turbofan', '--input-type=module', '-e', CHILD], {
    env: { ...process.env, FP_DIST: DIST },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  child.stdout.on('data', (d) => (out += String(d)));
  const kill = setTimeout(() => child.kill('SIGKILL'), budgetMs);
  return new Promise((resolve) => {
    child.once('close', () => {
      clearTimeout(kill);
      resolve(
        out
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as Line),
      );
    });
  });
}

describe('row deadline under forced garbage collection', () => {
  it(`${CYCLES} cycles against a silent peer: every row ends on time, truthfully, with no fd left`, {
    timeout: 50_000,
  }, async () => {
    // Only a hang runs into this: eager optimisation makes the child's start and cycles slow.
    const budget = 40_000;
    const lines = await runChild(budget);
    const cycles = lines.filter((l) => l.cycle !== undefined);
    // On the old runner the deadline is collected within the first few cycles and the child hangs.
    expect(cycles.length, `cycles completed before the child was killed at ${budget} ms`).toBe(CYCLES);
    for (const { cycle, rows } of cycles) {
      const tls = rows!.find((r) => r.id === 'tls')!;
      const tcp = rows!.find((r) => r.id === 'tcp')!;
      expect(tls).toMatchObject({
        state: 'open',
        reason: 'no-response',
        detail: `connected, then no answer within ${DEADLINE_MS} ms`,
      });
      expect(tcp).toMatchObject({
        state: 'open',
        reason: 'no-response',
        detail: `connected, then no answer within ${DEADLINE_MS} ms`,
      });
      // The ignoring prober is given up only after the grace: it ran past its deadline.
      expect(tcp.ms).toBeGreaterThanOrEqual(DEADLINE_MS + GRACE_MS - 5);
      if (cycle === 0) continue;
      expect(tls.ms).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
      expect(tcp.ms).toBeLessThanOrEqual(DEADLINE_MS + GRACE_MS + MARGIN_MS);
    }
    const end = lines.find((l) => l.done);
    expect(end?.fdsAfter).toBe(end?.fdsBefore);
  });
});
