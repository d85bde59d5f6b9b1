// fedprobe daemon: checks profiles on a schedule and serves the results for Prometheus,
// Kubernetes probes and people. SIGHUP reloads profiles and the site file, keeping the last good
// ones when a file is broken, and re-runs at once; the shutdown signal stops scheduling and aborts
// in-flight probes. A run in flight is visible while it lasts (gauges, a log line once it passes
// its expected bound), and a stuck schedule turns /healthz and /readyz to 503. The last runs of
// every row are kept in memory (history.ts) for the status page and /history; with --output the
// latest runs are also written to a file after every run.
import type { Server } from 'node:http';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry } from 'prom-client';
import { checkProfile, type CheckOptions } from '../check.js';
import { expand } from '../profile/expand.js';
import { loadProfile, loadSiteFile } from '../profile/load.js';
import { checkSetNames } from '../profile/vars.js';
import { afterAbort } from '../net/socket.js';
import type { HtmlOptions } from '../report/html.js';
import { createRunGauges, recordRun } from '../report/metrics.js';
import type { Profile, RunReport } from '../types.js';
import { createHistory, DEFAULT_HISTORY, historyJson } from './history.js';
import { checkOutputDir, outputWriter, renderRuns, type DaemonOutputFormat } from './output.js';
import { registerProcessMetrics } from './process-metrics.js';
import { runProblems } from './readiness.js';
import { schedule } from './schedule.js';
import { startServer } from './server.js';
import { expectedRunMs, stalled, type ScheduleState } from './stall.js';

export interface DaemonOptions {
  profiles: string[];
  intervalMs: number;
  jitter: number;
  host: string;
  port: number;
  /** Check options without the site file, which is re-read on every reload. */
  check: Omit<CheckOptions, 'site' | 'signal' | 'log'>;
  siteFile?: string;
  log: Logger;
  signal: AbortSignal;
  /** Registers a reload listener (SIGHUP); returns an unsubscribe function. */
  onReload?: (listener: () => void) => () => void;
  /** Called once the server listens, with its address (tests use port 0). */
  onListening?: (address: { host: string; port: number }) => void;
  /** Runs one profile; injected by tests that need a run to hang. */
  checkProfile?: typeof checkProfile;
  /** Runs kept per row for the status page and /history (default 30). */
  historySize?: number;
  /** Rewritten after every run with the latest run of every profile. */
  output?: { file: string; format: DaemonOutputFormat };
  /** The machine's name on the status page; default os.hostname(). */
  hostName?: string;
}

/** How long shutdown waits for a run in flight before leaving it behind. */
export const SHUTDOWN_GRACE_MS = 2000;

interface Loaded {
  ref: string;
  profile: Profile;
  site: Record<string, string> | undefined;
  /** The longest a run of this profile can take (every row timing out). */
  boundMs: number;
}

interface Slot extends Loaded {
  lastRun?: RunReport;
  schedule: ScheduleState;
  /** Asks the schedule for a run now (after a reload). */
  wake?: (() => void) | undefined;
  /** Why the latest run produced no report, until one does. */
  runError?: string | undefined;
}

async function loadSlot(ref: string, opts: DaemonOptions): Promise<Loaded> {
  const profile = await loadProfile(ref);
  const site = opts.siteFile ? await loadSiteFile(opts.siteFile) : undefined;
  // Expanding once now turns a missing variable into a load error instead of a failing run.
  const checks = expand(profile, { ...opts.check, ...(site && { site }) });
  return { ref, profile, site, boundMs: expectedRunMs(checks, opts.check.concurrency) };
}

export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const log = opts.log;
  const registry = new Registry();
  registerProcessMetrics(registry);
  const history = createHistory(opts.historySize ?? DEFAULT_HISTORY);
  const machine = opts.hostName ?? hostname();
  const gauges = createRunGauges(registry);
  const loadOk = new Gauge({
    name: 'fedprobe_profile_load_success',
    help:
      '1 when the profile (and site file) last loaded cleanly, 0 when a reload failed and the last good one is ' +
      'kept',
    labelNames: ['profile'],
    registers: [registry],
  });
  const reloadTs = new Gauge({
    name: 'fedprobe_profile_load_timestamp_seconds',
    help: 'when the profile was last (re)loaded, successfully or not',
    labelNames: ['profile'],
    registers: [registry],
  });
  const overruns = new Counter({
    name: 'fedprobe_run_overruns_total',
    help: 'runs that took longer than the interval',
    labelNames: ['profile'],
    registers: [registry],
  });
  const runsTotal = new Counter({
    name: 'fedprobe_runs_total',
    help: 'finished runs',
    labelNames: ['profile'],
    registers: [registry],
  });
  const runStart = new Gauge({
    name: 'fedprobe_last_run_start_timestamp_seconds',
    help: 'when the latest run of the profile started, as a Unix time',
    labelNames: ['profile'],
    registers: [registry],
  });
  const stateGauges = (name: string, help: string, value: (slot: Slot, now: number) => number) =>
    new Gauge({
      name,
      help,
      labelNames: ['profile'],
      registers: [registry],
      collect() {
        const now = performance.now();
        for (const slot of slots) this.set({ profile: slot.ref }, value(slot, now));
      },
    });
  stateGauges(
    'fedprobe_run_in_progress_seconds',
    'how long the run in flight has been going; 0 between runs',
    (s, now) => (s.schedule.runningSince === undefined ? 0 : (now - s.schedule.runningSince) / 1000),
  );
  stateGauges(
    'fedprobe_run_expected_max_seconds',
    'the longest a run of the profile can take with every row timing out; longer means stuck',
    (s) => s.boundMs / 1000,
  );
  stateGauges(
    'fedprobe_schedule_stalled',
    "1 when the profile's schedule is stuck (a run far past its bound, or no run finishing); /healthz and /readyz " +
      'answer 503',
    (s, now) => (stalled(s.schedule, now) ? 1 : 0),
  );

  // Startup loads strictly: a broken file is a usage error (exit 2) before anything listens.
  const slots: Slot[] = [];
  for (const ref of opts.profiles) {
    const loaded = await loadSlot(ref, opts);
    const state = { intervalMs: opts.intervalMs, boundMs: loaded.boundMs, lastEndedAt: performance.now() };
    slots.push({ ...loaded, schedule: state });
    loadOk.set({ profile: ref }, 1);
    reloadTs.set({ profile: ref }, Date.now() / 1000);
  }
  // A --set no profile declares is a typo, refused like `check` refuses it.
  checkSetNames(
    slots.map((s) => s.profile),
    opts.check.set,
  );
  if (opts.output) await checkOutputDir(opts.output.file);

  const runs = () => slots.flatMap((s) => (s.lastRun ? [s.lastRun] : []));
  const stalledWhy = () =>
    slots.flatMap((s) => {
      const why = stalled(s.schedule, performance.now());
      return why ? [`${s.ref}: ${why}`] : [];
    });
  // The /readyz verdict; the page's banner shows the same list.
  const notReady = () => [
    ...stalledWhy(),
    ...slots.flatMap((s) => {
      if (s.runError) return [`${s.ref}: the latest run failed: ${s.runError}`];
      if (!s.lastRun) return [`${s.ref}: no run has finished yet`];
      return runProblems(s.ref, s.lastRun);
    }),
  ];
  const refreshSeconds = Math.max(5, Math.min(60, Math.round(opts.intervalMs / 1000)));
  const page = (): HtmlOptions => ({
    title: 'fedprobe status',
    refreshSeconds,
    host: machine,
    notReady: notReady(),
    history,
    now: new Date(),
  });
  const output = opts.output;
  const writeOutput = output
    ? outputWriter(output.file, () => renderRuns(runs(), output.format, page), log.child({ output: output.file }))
    : undefined;

  const reload = async () => {
    for (const slot of slots) {
      try {
        const fresh = await loadSlot(slot.ref, opts);
        Object.assign(slot, fresh);
        slot.schedule.boundMs = fresh.boundMs;
        loadOk.set({ profile: slot.ref }, 1);
        log.info({ profile: slot.ref, rows: fresh.profile.rows.length }, 'profile reloaded; running it now');
        // Readiness must speak for the profile as reloaded, not wait a whole interval.
        slot.wake?.();
      } catch (e) {
        loadOk.set({ profile: slot.ref }, 0);
        log.error({ profile: slot.ref, error: (e as Error).message }, 'reload failed; keeping the last good profile');
      }
      reloadTs.set({ profile: slot.ref }, Date.now() / 1000);
    }
  };
  const unsubscribe = opts.onReload?.(() => void reload());

  const server: Server = await startServer(
    {
      registry,
      runs,
      stalled: stalledWhy,
      notReady,
      history: () =>
        historyJson(
          history,
          slots.map((s) => s.ref),
        ),
      page,
    },
    opts.host,
    opts.port,
  );
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  log.info(
    {
      listen: `${opts.host}:${port}`,
      profiles: opts.profiles,
      intervalMs: opts.intervalMs,
      host: machine,
      historySize: history.size,
      ...(output && { output: output.file, format: output.format }),
    },
    'fedprobe daemon listening',
  );
  opts.onListening?.({ host: opts.host, port });

  const runProfile = opts.checkProfile ?? checkProfile;
  await Promise.all(
    slots.map((slot) => {
      const plog = log.child({ profile: slot.ref });
      let watch: NodeJS.Timeout | undefined;
      // Says so once a run passes its bound, and again once the schedule counts as stalled: while
      // it happens, not when (if ever) the run ends.
      const watchRun = (startedAt: number) => {
        clearTimeout(watch);
        const runningMs = () => Math.round(performance.now() - startedAt);
        watch = setTimeout(() => {
          plog.warn({ runningMs: runningMs(), expectedMaxMs: slot.boundMs }, 'run has passed its expected bound');
          watch = setTimeout(() => {
            plog.error({ runningMs: runningMs() }, stalled(slot.schedule, performance.now()) ?? 'schedule stalled');
          }, opts.intervalMs + 1);
        }, slot.boundMs);
      };
      return schedule({
        intervalMs: opts.intervalMs,
        jitter: opts.jitter,
        signal: opts.signal,
        wake: (listener) => {
          slot.wake = listener;
          return () => (slot.wake = undefined);
        },
        onRunStart: () => {
          const now = performance.now();
          slot.schedule.runningSince = now;
          runStart.set({ profile: slot.ref }, Date.now() / 1000);
          watchRun(now);
        },
        onOverrun: (took) => {
          overruns.inc({ profile: slot.ref });
          plog.warn({ tookMs: Math.round(took), intervalMs: opts.intervalMs }, 'run took longer than the interval');
        },
        run: async (signal) => {
          try {
            // On shutdown a run gets a short grace to wind down, then is left behind: stopping
            // must not depend on every run honouring its signal.
            const late = afterAbort(signal, SHUTDOWN_GRACE_MS);
            const checkOpts = { ...opts.check, ...(slot.site && { site: slot.site }), signal, log: plog };
            const running = runProfile(slot.profile, checkOpts);
            const run = await Promise.race([running, late.promise]).finally(() => late.cancel());
            if (signal.aborted) return; // a run cut short by shutdown is not a result
            run.profile.id = slot.ref;
            slot.lastRun = run;
            recordRun(gauges, run);
            history.record(slot.ref, run);
            runsTotal.inc({ profile: slot.ref });
            slot.runError = undefined;
            plog.info({ summary: run.summary, exitCode: run.exitCode, durationMs: run.durationMs }, 'run finished');
            await writeOutput?.();
          } catch (e) {
            if (signal.aborted) return;
            // A run that cannot start (a reloaded site file that no longer expands) must not end
            // the schedule: the next run tries again, and readiness reports the stale result.
            slot.runError = (e as Error).message;
            plog.error({ error: slot.runError }, 'run failed');
          } finally {
            clearTimeout(watch);
            slot.schedule.runningSince = undefined;
            slot.schedule.lastEndedAt = performance.now();
          }
        },
      });
    }),
  );
  unsubscribe?.();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  log.info({ profiles: opts.profiles }, 'fedprobe daemon stopped');
}
