// fedprobe daemon: checks profiles on a schedule and serves the results for Prometheus,
// Kubernetes probes and people. SIGHUP reloads profiles and the site file, keeping the last good
// ones when a file is broken; the shutdown signal stops scheduling and aborts in-flight probes.
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { checkProfile, type CheckOptions } from '../check.js';
import { expand } from '../profile/expand.js';
import { loadProfile, loadSiteFile } from '../profile/load.js';
import { createRunGauges, recordRun } from '../report/metrics.js';
import type { Profile, RunReport } from '../types.js';
import { schedule } from './schedule.js';
import { startServer } from './server.js';

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
}

interface Slot {
  ref: string;
  profile: Profile;
  site: Record<string, string> | undefined;
  lastRun?: RunReport;
}

async function loadSlot(ref: string, opts: DaemonOptions): Promise<Omit<Slot, 'lastRun'>> {
  const profile = await loadProfile(ref);
  const site = opts.siteFile ? await loadSiteFile(opts.siteFile) : undefined;
  // Expanding once now turns a missing variable into a load error instead of a failing run.
  expand(profile, { ...opts.check, ...(site && { site }) });
  return { ref, profile, site };
}

export async function runDaemon(opts: DaemonOptions): Promise<void> {
  const log = opts.log;
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const gauges = createRunGauges(registry);
  const loadOk = new Gauge({ name: 'fedprobe_profile_load_success', help: '1 when the profile (and site file) last loaded cleanly, 0 when a reload failed and the last good one is kept', labelNames: ['profile'], registers: [registry] });
  const reloadTs = new Gauge({ name: 'fedprobe_profile_load_timestamp_seconds', help: 'when the profile was last (re)loaded, successfully or not', labelNames: ['profile'], registers: [registry] });
  const overruns = new Counter({ name: 'fedprobe_run_overruns_total', help: 'runs that took longer than the interval', labelNames: ['profile'], registers: [registry] });
  const runsTotal = new Counter({ name: 'fedprobe_runs_total', help: 'finished runs', labelNames: ['profile'], registers: [registry] });

  // Startup loads strictly: a broken file is a usage error (exit 2) before anything listens.
  const slots: Slot[] = [];
  for (const ref of opts.profiles) {
    slots.push(await loadSlot(ref, opts));
    loadOk.set({ profile: ref }, 1);
    reloadTs.set({ profile: ref }, Date.now() / 1000);
  }

  const reload = async () => {
    for (const slot of slots) {
      try {
        const fresh = await loadSlot(slot.ref, opts);
        Object.assign(slot, fresh);
        loadOk.set({ profile: slot.ref }, 1);
        log.info({ profile: slot.ref, rows: fresh.profile.rows.length }, 'profile reloaded');
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
      runs: () => slots.flatMap((s) => (s.lastRun ? [s.lastRun] : [])),
      notReady: () =>
        slots.flatMap((s) => {
          if (!s.lastRun) return [`${s.ref}: no run has finished yet`];
          const bad = s.lastRun.results.filter((r) => r.status === 'mandatory' && r.outcome === 'fail');
          return bad.map((r) => `${s.ref}: mandatory row ${r.id} (${r.port.toUpperCase()} to ${r.destination}) failed: ${r.reason}`);
        }),
      refreshSeconds: Math.max(5, Math.min(60, Math.round(opts.intervalMs / 1000))),
    },
    opts.host,
    opts.port,
  );
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : opts.port;
  log.info({ listen: `${opts.host}:${port}`, profiles: opts.profiles, intervalMs: opts.intervalMs }, 'fedprobe daemon listening');
  opts.onListening?.({ host: opts.host, port });

  await Promise.all(
    slots.map((slot) =>
      schedule({
        intervalMs: opts.intervalMs,
        jitter: opts.jitter,
        signal: opts.signal,
        onOverrun: (took) => {
          overruns.inc({ profile: slot.ref });
          log.warn({ profile: slot.ref, tookMs: Math.round(took), intervalMs: opts.intervalMs }, 'run took longer than the interval');
        },
        run: async (signal) => {
          const run = await checkProfile(slot.profile, { ...opts.check, ...(slot.site && { site: slot.site }), signal, log });
          if (signal.aborted) return; // a run cut short by shutdown is not a result
          run.profile.id = slot.ref;
          slot.lastRun = run;
          recordRun(gauges, run);
          runsTotal.inc({ profile: slot.ref });
          log.info({ profile: slot.ref, summary: run.summary, exitCode: run.exitCode, durationMs: run.durationMs }, 'run finished');
        },
      }),
    ),
  );
  unsubscribe?.();
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
  log.info('fedprobe daemon stopped');
}
