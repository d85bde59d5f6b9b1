// When has a profile's schedule stalled? Every row ends by its deadline (the runner enforces it),
// so a run has a worst case that can be computed from the profile; a run that lasts longer than
// that, or a schedule that finishes no run for longer, is stuck, and the daemon says so at once
// instead of serving stale results as if they were fresh.
import { DEADLINE_GRACE_MS } from '../probe/run.js';
import type { Check } from '../types.js';

/** Slack for the event loop, logging and report building on a loaded machine. */
export const STALL_MARGIN_MS = 5000;

/** The longest a run of `checks` can take when every row times out on every attempt. */
export function expectedRunMs(checks: readonly Check[], concurrency: number): number {
  // DNS is bounded by the deadline too, and the addresses of one row are probed side by side.
  const worstRow = Math.max(0, ...checks.map((c) => c.timeoutMs + (c.retries + 1) * (c.timeoutMs + DEADLINE_GRACE_MS)));
  return Math.ceil(checks.length / Math.max(1, concurrency)) * worstRow + STALL_MARGIN_MS;
}

export interface ScheduleState {
  intervalMs: number;
  /** expectedRunMs() of the profile as loaded. */
  boundMs: number;
  /** performance.now() when the run in flight started; undefined between runs. */
  runningSince?: number | undefined;
  /** performance.now() when the last run finished, or when the schedule began. */
  lastEndedAt: number;
}

/** "schedule stalled: …" when the state shows a stuck schedule, else undefined. */
export function stalled(s: ScheduleState, now: number): string | undefined {
  if (s.runningSince !== undefined) {
    const running = now - s.runningSince;
    if (running > s.intervalMs + s.boundMs) {
      const expected = Math.round(s.boundMs / 1000);
      return `schedule stalled: run started ${Math.round(running / 1000)} s ago (expected at most ${expected} s)`;
    }
    return undefined;
  }
  const idle = now - s.lastEndedAt;
  if (idle <= 2 * s.intervalMs + s.boundMs) return undefined;
  return `schedule stalled: no run has finished for ${Math.round(idle / 1000)} s`;
}
