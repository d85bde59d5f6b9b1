// Runs a job on a jittered interval: never two runs of the same job at once; a run that overruns
// its interval is reported (onOverrun), and the next one starts when it ends, not stacked.

export interface ScheduleOptions {
  intervalMs: number;
  /** Fraction of the interval added or removed at random, so a fleet does not probe in lockstep. */
  jitter: number;
  signal: AbortSignal;
  run: (signal: AbortSignal) => Promise<void>;
  onOverrun?: (tookMs: number) => void;
  /** Injected in tests. */
  random?: () => number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

export function jittered(intervalMs: number, jitter: number, random: () => number): number {
  return Math.max(0, Math.round(intervalMs * (1 + jitter * (2 * random() - 1))));
}

/** Runs at once, then every interval until the signal aborts; resolves when the last run ended. */
export async function schedule(opts: ScheduleOptions): Promise<void> {
  const random = opts.random ?? Math.random;
  while (!opts.signal.aborted) {
    const started = performance.now();
    await opts.run(opts.signal);
    const took = performance.now() - started;
    if (took > opts.intervalMs) opts.onOverrun?.(took);
    await sleep(Math.max(0, jittered(opts.intervalMs, opts.jitter, random) - took), opts.signal);
  }
}
