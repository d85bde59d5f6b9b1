// The daemon's history: a bounded ring per profile and row (memory does not grow with uptime or
// with reloads that rename rows), "last changed" kept after the change leaves the window, flapping
// past FLAP_CHANGES changes within the kept runs; and readiness with and without --strict.
import { describe, expect, it } from 'vitest';
import { createHistory, FLAP_CHANGES, historyJson } from '../../src/daemon/history.js';
import { blockingRows, runProblems } from '../../src/daemon/readiness.js';
import { buildReport } from '../../src/report/build.js';
import type { CheckResult, Outcome } from '../../src/types.js';
import { sampleProfile, sampleResults, sampleRun } from '../report/sample-run.js';

const t0 = Date.parse('2026-11-24T10:00:00.000Z');
/** A run at minute `i` whose rows have the given outcomes (ids taken from the sample rows). */
function runAt(i: number, outcomes: Record<string, Outcome>) {
  const results: CheckResult[] = Object.entries(outcomes).map(([id, outcome]) => ({
    ...sampleResults[0]!,
    id,
    outcome,
    reason: outcome === 'pass' ? 'ok' : 'refused',
  }));
  return buildReport(sampleProfile, results, new Date(t0 + i * 60_000), 10, false);
}

describe('history', () => {
  it('keeps the last N runs per row, oldest first, however many runs there were', () => {
    const h = createHistory(30);
    for (let i = 0; i < 10_000; i++) h.record('p', runAt(i, { a: i % 2 ? 'pass' : 'fail', b: 'pass' }));
    const [a, b] = h.rows('p');
    expect(a!.runs).toHaveLength(30);
    expect(a!.runs[0]!.at).toBe(t0 + 9970 * 60_000);
    expect(a!.runs.at(-1)!.at).toBe(t0 + 9999 * 60_000);
    expect(a!.runs.map((m) => m.outcome).slice(-2)).toEqual(['fail', 'pass']);
    expect(a).toMatchObject({ changes: 29, flapping: true, changedAt: t0 + 9999 * 60_000, changedFrom: 'fail' });
    expect(b).toMatchObject({ changes: 0, flapping: false });
    expect(b!.changedAt).toBeUndefined();
  });

  it('a row a reload removed is forgotten; a new row starts empty; order follows the latest run', () => {
    const h = createHistory(5);
    h.record('p', runAt(0, { a: 'pass', gone: 'fail' }));
    h.record('p', runAt(1, { fresh: 'pass', a: 'fail' }));
    expect(h.rows('p').map((r) => [r.id, r.runs.length])).toEqual([
      ['fresh', 1],
      ['a', 2],
    ]);
    expect(h.rows('other')).toEqual([]);
  });

  it('"last changed" outlives the window; flapping needs more than FLAP_CHANGES changes within it', () => {
    const h = createHistory(4);
    h.record('p', runAt(0, { a: 'pass' }));
    h.record('p', runAt(1, { a: 'fail' }));
    for (let i = 2; i < 10; i++) h.record('p', runAt(i, { a: 'fail' }));
    expect(h.rows('p')[0]).toMatchObject({ changes: 0, flapping: false, changedAt: t0 + 60_000, changedFrom: 'pass' });
    const f = createHistory(30);
    const seq: Outcome[] = ['pass', 'fail', 'pass', 'fail', 'pass'];
    for (const [i, o] of seq.slice(0, FLAP_CHANGES + 1).entries()) f.record('p', runAt(i, { a: o }));
    expect(f.rows('p')[0]).toMatchObject({ changes: FLAP_CHANGES, flapping: false });
    f.record('p', runAt(9, { a: seq[FLAP_CHANGES + 1]! }));
    expect(f.rows('p')[0]).toMatchObject({ changes: FLAP_CHANGES + 1, flapping: true });
  });

  it('/history JSON: ISO times, null before any change', () => {
    const h = createHistory(3);
    h.record('p', runAt(0, { a: 'pass' }));
    expect(historyJson(h, ['p', 'q'])).toEqual({
      size: 3,
      flappingAbove: FLAP_CHANGES,
      profiles: [
        {
          profile: 'p',
          rows: [
            {
              id: 'a',
              runs: [{ at: '2026-11-24T10:00:00.000Z', outcome: 'pass', reason: 'ok' }],
              lastChangedAt: null,
              lastChangedFrom: null,
              changes: 0,
              flapping: false,
            },
          ],
        },
        { profile: 'q', rows: [] },
      ],
    });
  });

  it('refuses a size outside 1..1000', () => {
    expect(() => createHistory(0)).toThrow(RangeError);
    expect(() => createHistory(1001)).toThrow(RangeError);
  });
});

describe("readiness: the exit code's verdict", () => {
  it('without --strict, only failed mandatory rows', () => {
    expect(blockingRows(sampleRun()).map((r) => r.id)).toEqual(['restful']);
    expect(runProblems('fedbiomed/node', sampleRun())).toEqual([
      'fedbiomed/node: mandatory row restful (TCP/8080 to restful) failed: timeout',
    ]);
  });

  it('with --strict, failed and inconclusive rows, optional ones too', () => {
    expect(runProblems('n', sampleRun(true))).toEqual([
      'n: mandatory row restful (TCP/8080 to restful) failed: timeout',
      'n: optional row vpn (UDP/51820 to vpnserver) is inconclusive: no-response',
      'n: optional row gui (TCP/8484 to gui) failed: exposed',
    ]);
  });
});
