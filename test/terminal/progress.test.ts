// The progress line's text, timing and terminal rules, with a fake clock and a stream that says it
// is a terminal (the real terminal is in table-width.test.ts).
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Io } from '../../src/cli/io.js';
import { progressLine, REDRAW_MS, type ProgressRow } from '../../src/cli/progress.js';
import type { CheckResult } from '../../src/types.js';

function terminal(columns: number, env: NodeJS.ProcessEnv = {}, isTTY = true) {
  const writes: string[] = [];
  const stderr = Object.assign(
    new Writable({
      write: (c, _e, cb) => {
        writes.push(String(c));
        cb();
      },
    }),
    {
      isTTY,
      columns,
    },
  );
  const io: Io = {
    stdout: new Writable({ write: (_c, _e, cb) => cb() }),
    stderr,
    env,
    signal: new AbortController().signal,
  };
  return { io, writes };
}

const plan: ProgressRow[] = [
  { id: 'fleet', timeoutMs: 3000, retries: 0 },
  { id: 'control', timeoutMs: 5000, retries: 1 },
  { id: 'appio', timeoutMs: 3000, retries: 0 },
];
const result = (id: string) => ({ id, outcome: 'pass' }) as CheckResult;
const CLEAR = '\r\x1b[2K';

describe('progress line', () => {
  beforeEach(() => vi.useFakeTimers({ now: 0 }));
  afterEach(() => vi.useRealTimers());

  it('names the row waited on longest, its elapsed time and its deadline; the next row starts when one ends', () => {
    const { io, writes } = terminal(120);
    const p = progressLine(io, plan, 2, () => Date.now())!;
    vi.advanceTimersByTime(2100);
    expect(writes.at(-1)).toBe(`${CLEAR}0/3 rows · waiting for fleet (2.1 s of 3 s) and 1 more`);
    p.row(result('fleet'), 0); // at 2.1 s: appio takes fleet's place
    vi.advanceTimersByTime(1400);
    expect(writes.at(-1)).toBe(`${CLEAR}1/3 rows · waiting for control (3.5 s of 5 s × 2 tries) and 1 more`);
    p.row(result('control'), 1);
    vi.advanceTimersByTime(500);
    expect(writes.at(-1)).toBe(`${CLEAR}2/3 rows · waiting for appio (1.9 s of 3 s)`);
    p.end();
    expect(writes.at(-1)).toBe(CLEAR);
    const n = writes.length;
    vi.advanceTimersByTime(1000);
    expect(writes.length).toBe(n);
  });

  it(`redraws at most once per ${REDRAW_MS} ms and not at all in a run shorter than that`, () => {
    const { io, writes } = terminal(120);
    const quick = progressLine(io, plan, 16, () => Date.now())!;
    vi.advanceTimersByTime(REDRAW_MS - 1);
    quick.end();
    expect(writes).toEqual([]);
    progressLine(io, plan, 16, () => Date.now());
    vi.advanceTimersByTime(1000);
    expect(writes.length).toBeGreaterThanOrEqual(9);
    expect(writes.length).toBeLessThanOrEqual(1000 / REDRAW_MS);
  });

  it('fits the terminal, one column spare', () => {
    const { io, writes } = terminal(30);
    progressLine(io, plan, 16, () => Date.now());
    vi.advanceTimersByTime(1200);
    expect(writes.at(-1)).toBe(`${CLEAR}0/3 rows · waiting for fleet…`);
    expect(writes.at(-1)!.length - CLEAR.length).toBe(29);
  });

  it('only on a terminal, never under CI, not for a single row; a bare count gives the count only', () => {
    expect(progressLine(terminal(80, {}, false).io, plan, 16)).toBeUndefined();
    expect(progressLine(terminal(80, { CI: 'true' }).io, plan, 16)).toBeUndefined();
    expect(progressLine(terminal(80).io, plan.slice(0, 1), 16)).toBeUndefined();
    const { io, writes } = terminal(80);
    progressLine(io, 3)!.row(result('x'), 0);
    vi.advanceTimersByTime(REDRAW_MS);
    expect(writes).toEqual([`${CLEAR}1/3 rows`]);
  });
});
