// On a terminal, a long check says what it is waiting for, on stderr so stdout stays the report:
//   3/7 rows · waiting for fleet (2.1 s of 3 s) and 2 more
// redrawn at most every REDRAW_MS, cut to the terminal's width, erased before the report.
// Never when piped or under CI: cron logs and `| jq` get no carriage returns.
import type { CheckOptions } from '../check.js';
import { expand } from '../profile/expand.js';
import type { CheckResult, Profile } from '../types.js';
import type { Io } from './io.js';

export const REDRAW_MS = 100;

/** What the line needs to know of each row to run, in the runner's order. */
export interface ProgressRow {
  id: string;
  /** Deadline of one attempt. */
  timeoutMs: number;
  retries: number;
}

export interface Progress {
  row: (r: CheckResult, index: number) => void;
  end: () => void;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? `${s} s` : `${s.toFixed(1)} s`;
}

/**
 * The line for a run of `plan` rows, `concurrency` at a time. The runner starts rows in order and
 * starts the next queued one as soon as one finishes (p-limit), so which rows are in flight, and
 * since when, follows from the results alone. Undefined when there is no terminal to draw on.
 */
export function progressLine(
  io: Io,
  rows: number | readonly ProgressRow[],
  concurrency = Infinity,
  now = () => performance.now(),
): Progress | undefined {
  // A bare count (an older caller) gives the count only: no ids, so nothing to name.
  const plan: readonly (ProgressRow | undefined)[] =
    typeof rows === 'number' ? Array.from({ length: rows }, () => undefined) : rows;
  if (io.stderr.isTTY !== true || io.env.CI || plan.length < 2) return undefined;
  const started = new Map<number, number>();
  let next = 0;
  const startNext = () => {
    if (next < plan.length) started.set(next++, now());
  };
  for (let i = 0; i < Math.min(plan.length, Math.max(1, concurrency)); i++) startNext();
  let done = 0;
  let shown = '';
  const clear = '\r\x1b[2K';

  const text = (): string => {
    let slowest: number | undefined;
    for (const [i, at] of started) if (slowest === undefined || at < started.get(slowest)!) slowest = i;
    const head = `${done}/${plan.length} rows`;
    const row = slowest === undefined ? undefined : plan[slowest];
    if (slowest === undefined || row === undefined) return head;
    const tries = row.retries > 0 ? ` × ${row.retries + 1} tries` : '';
    const more = started.size > 1 ? ` and ${started.size - 1} more` : '';
    const elapsed = seconds(Math.round((now() - started.get(slowest)!) / 100) * 100);
    return `${head} · waiting for ${row.id} (${elapsed} of ${seconds(row.timeoutMs)}${tries})${more}`;
  };
  const draw = () => {
    // One column spare: writing the last column makes some terminals wrap before the \r.
    const width = Math.max(10, (io.stderr.columns || 80) - 1);
    let line = text();
    if (line.length > width) line = `${line.slice(0, width - 1)}…`;
    if (line === shown) return;
    shown = line;
    io.stderr.write(`${clear}${line}`);
  };
  // The first draw waits one period: a run that is over by then never flashes a line.
  const timer = setInterval(draw, REDRAW_MS);
  timer.unref();
  return {
    row(_r, index) {
      done++;
      started.delete(index);
      startNext();
    },
    end() {
      clearInterval(timer);
      if (shown) io.stderr.write(clear);
      shown = '';
    },
  };
}

/** The line for `checkProfile(profile, opts)`: the same rows, after --only, --type and the rest. */
export function progressFor(io: Io, profile: Profile, opts: CheckOptions): Progress | undefined {
  if (io.stderr.isTTY !== true || io.env.CI) return undefined;
  const plan = expand(profile, opts).map((c) => ({ id: c.row.id, timeoutMs: c.timeoutMs, retries: c.retries }));
  return progressLine(io, plan, opts.concurrency);
}
