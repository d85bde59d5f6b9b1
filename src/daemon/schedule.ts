// Runs a job on a jittered interval: never two runs of the same job at once; a run that overruns
// its interval is reported (onOverrun), and the next one starts when it ends, not stacked. A wake
// request (a reload) starts the next run at once, or right after the one in flight.

/** Longest interval accepted: Node's timers hold 32-bit milliseconds (~24.8 days), and a daemon
 * that checks less than daily is a cron job. */
export const MAX_INTERVAL_MS = 24 * 3_600_000;
/** setTimeout() fires at once (with a warning) above this; longer sleeps are taken in pieces. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface ScheduleOptions {
  intervalMs: number;
  /** Fraction of the interval added or removed at random, so a fleet does not probe in lockstep. */
  jitter: number;
  signal: AbortSignal;
  run: (signal: AbortSignal) => Promise<void>;
  onOverrun?: (tookMs: number) => void;
  /** Told when each run starts, so a stuck run is visible while it lasts. */
  onRunStart?: () => void;
  /** Registers the listener a caller uses to ask for a run now; returns an unsubscribe function. */
  wake?: (listener: () => void) => () => void;
  /** Injected in tests. */
  random?: () => number;
}

/** Waits `ms` (in timer-sized pieces), or until the signal aborts or `interrupt` is called. */
function sleep(ms: number, signal: AbortSignal, onInterruptible: (interrupt: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const until = performance.now() + ms;
    let t: NodeJS.Timeout;
    const arm = () => {
      const left = until - performance.now();
      if (left <= 0) return done();
      t = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
    };
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      onInterruptible(() => undefined);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
    onInterruptible(done);
    arm();
  });
}

function jittered(intervalMs: number, jitter: number, random: () => number): number {
  return Math.max(0, Math.round(intervalMs * (1 + jitter * (2 * random() - 1))));
}

/** Runs at once, then every interval until the signal aborts; resolves when the last run ended. */
export async function schedule(opts: ScheduleOptions): Promise<void> {
  const random = opts.random ?? Math.random;
  let again = false;
  let interrupt: () => void = () => undefined;
  const unsubscribe = opts.wake?.(() => {
    again = true;
    interrupt();
  });
  try {
    while (!opts.signal.aborted) {
      again = false;
      const started = performance.now();
      opts.onRunStart?.();
      await opts.run(opts.signal);
      const took = performance.now() - started;
      if (took > opts.intervalMs) opts.onOverrun?.(took);
      if (again) continue;
      const pause = Math.max(0, jittered(opts.intervalMs, opts.jitter, random) - took);
      await sleep(pause, opts.signal, (i) => (interrupt = i));
    }
  } finally {
    unsubscribe?.();
  }
}
