// A stuck schedule is visible while it lasts: the in-progress gauge grows, /healthz and /readyz
// answer 503 "schedule stalled: run started N s ago", a log line names the profile. A reload runs
// at once. An interval beyond Node's timers is refused with one line. The hang is injected at the
// level of a whole run (checkProfile), since the runner no longer lets a prober hang a row.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { checkProfile } from '../../src/check.js';
import { runDaemon, SHUTDOWN_GRACE_MS } from '../../src/daemon/daemon.js';
import { expectedRunMs, stalled, STALL_MARGIN_MS } from '../../src/daemon/stall.js';
import { DEADLINE_GRACE_MS } from '../../src/probe/run.js';
import { runCli } from '../helpers/cli.js';
import { makeCheck } from '../helpers/check.js';
import { get, waitFor } from '../helpers/http.js';

const fixture = new URL('../fixtures/good.yaml', import.meta.url).pathname;

describe('stall arithmetic', () => {
  it('the bound is batches of rows times the worst row (DNS + attempts + grace) plus a margin', () => {
    const checks = Array.from({ length: 50 }, (_, i) =>
      makeCheck(`tcp://127.0.0.1:${i + 1}`, `tcp/${i + 1}`, { timeoutMs: 1000 }),
    );
    checks[7] = makeCheck('tcp://127.0.0.1:9', 'tcp/9', { timeoutMs: 2000, retries: 1 });
    expect(expectedRunMs(checks, 16)).toBe(4 * (2000 + 2 * (2000 + DEADLINE_GRACE_MS)) + STALL_MARGIN_MS);
  });

  it('a run past interval + bound is stalled; so is an idle schedule past 2 intervals + bound', () => {
    const s = { intervalMs: 1000, boundMs: 5000, lastEndedAt: 0 };
    expect(stalled({ ...s, runningSince: 0 }, 6000)).toBeUndefined();
    expect(stalled({ ...s, runningSince: 0 }, 6001)).toBe(
      'schedule stalled: run started 6 s ago (expected at most 5 s)',
    );
    expect(stalled(s, 7000)).toBeUndefined();
    expect(stalled(s, 7001)).toBe('schedule stalled: no run has finished for 7 s');
  });
});

describe('daemon with a run that hangs', () => {
  const stop = new AbortController();
  const logs: Record<string, unknown>[] = [];
  const logStream = new Writable({
    write: (c, _e, cb) => {
      logs.push(JSON.parse(String(c)));
      cb();
    },
  });
  let service: Server;
  let base = '';
  let done: Promise<void>;
  let runs = 0;
  let reload: (() => void) | undefined;
  afterAll(async () => {
    stop.abort();
    await done;
    await new Promise<void>((r) => service.close(() => r()));
  });

  it('the second run hangs: gauges at once, then 503 on /healthz and /readyz, and a log line', {
    timeout: 30_000,
  }, async () => {
    service = createServer((c) => c.destroy());
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-stall-'));
    writeFileSync(join(dir, 'site.yaml'), `vars:\n  port_open: ${(service.address() as { port: number }).port}\n`);
    let listening!: (a: { port: number }) => void;
    const up = new Promise<{ port: number }>((r) => (listening = r));
    done = runDaemon({
      profiles: [fixture],
      intervalMs: 1000,
      jitter: 0,
      host: '127.0.0.1',
      port: 0,
      siteFile: join(dir, 'site.yaml'),
      check: { concurrency: 16, timeoutMs: 200, retries: 0, strict: false, env: {} },
      log: pino({ level: 'info' }, logStream),
      signal: stop.signal,
      onListening: listening,
      onReload: (l) => {
        reload = l;
        return () => {
          reload = undefined;
        };
      },
      // The first run is real; the second never ends (a hang no deadline reaches).
      checkProfile: (profile, opts) => (++runs === 1 ? checkProfile(profile, opts) : new Promise(() => undefined)),
    });
    base = `http://127.0.0.1:${(await up).port}`;
    await waitFor('/readyz 200', async () => (await get(`${base}/readyz`)).status === 200);
    // The second run starts a second later and never ends: visible in the gauges while it lasts.
    await waitFor('a run in progress', async () =>
      /^fedprobe_run_in_progress_seconds\{profile=".*good\.yaml"\} [1-9]/m.test((await get(`${base}/metrics`)).body),
    );
    const metrics = (await get(`${base}/metrics`)).body;
    expect(metrics).toMatch(/^fedprobe_last_run_start_timestamp_seconds\{profile=".*good\.yaml"\} \d{10}/m);
    // 2 rows, 200 ms each: bound = 1 x (200 + 450) + 5000 ms; stalled after interval + bound.
    expect(metrics).toMatch(/^fedprobe_run_expected_max_seconds\{profile=".*good\.yaml"\} 5\.65$/m);
    expect(metrics).toMatch(/^fedprobe_schedule_stalled\{profile=".*good\.yaml"\} 0$/m);
    await waitFor('/readyz 503', async () => (await get(`${base}/readyz`)).status === 503, 12_000);
    const ready = await get(`${base}/readyz`);
    expect(ready.body).toMatch(
      new RegExp(`^not ready:\\n- ${fixture}: schedule stalled: run started [67] s ago \\(expected at most 6 s\\)\\n$`),
    );
    const health = await get(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(health.body).toMatch(/^not healthy:\n- .*good\.yaml: schedule stalled: run started \d+ s ago/);
    expect((await get(`${base}/metrics`)).body).toMatch(/^fedprobe_schedule_stalled\{profile=".*good\.yaml"\} 1$/m);
    const warned = logs.find((l) => l.msg === 'run has passed its expected bound');
    expect(warned).toMatchObject({ level: 40, profile: fixture, expectedMaxMs: 5650 });
    expect(runs).toBe(2);
  });

  it('shutdown ends the daemon within its grace, even with a run hanging', async () => {
    const t0 = Date.now();
    stop.abort();
    await done;
    expect(Date.now() - t0).toBeLessThan(SHUTDOWN_GRACE_MS + 1000);
    await expect(get(`${base}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
    expect(reload).toBeUndefined();
  });
});

describe('reload and interval limits', () => {
  it('SIGHUP re-runs at once instead of waiting the interval', { timeout: 20_000 }, async () => {
    const stop = new AbortController();
    const service = createServer((c) => c.destroy());
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-reload-'));
    writeFileSync(join(dir, 'site.yaml'), `vars:\n  port_open: ${(service.address() as { port: number }).port}\n`);
    let reload: (() => void) | undefined;
    let runs = 0;
    let listening!: (a: { port: number }) => void;
    const up = new Promise<{ port: number }>((r) => (listening = r));
    const done = runDaemon({
      profiles: [fixture],
      intervalMs: 3_600_000,
      jitter: 0,
      host: '127.0.0.1',
      port: 0,
      siteFile: join(dir, 'site.yaml'),
      check: { concurrency: 16, timeoutMs: 200, retries: 0, strict: false, env: {} },
      log: pino({ level: 'silent' }),
      signal: stop.signal,
      onListening: listening,
      onReload: (l) => {
        reload = l;
        return () => {
          reload = undefined;
        };
      },
      checkProfile: (profile, opts) => {
        runs++;
        return checkProfile(profile, opts);
      },
    });
    const base = `http://127.0.0.1:${(await up).port}`;
    await waitFor('first run', async () => (await get(`${base}/readyz`)).status === 200);
    expect(runs).toBe(1);
    reload!();
    await waitFor(
      'second run right after the reload',
      async () => runs === 2 && /^fedprobe_runs_total\{profile=".*"\} 2$/m.test((await get(`${base}/metrics`)).body),
      5000,
    );
    stop.abort();
    await done;
    await new Promise<void>((r) => service.close(() => r()));
  });

  it('--interval 600h (beyond 32-bit timers) is a one-line usage error, exit 2', async () => {
    const r = await runCli(['daemon', fixture, '--interval', '600h']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/--interval: .*24h/);
  });
});
