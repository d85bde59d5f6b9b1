// Which rows of a run keep the site from being ready: the rows that make the exit code 1, so that
// /readyz, the status page's banner and `check`'s exit code give the same verdict (a failed
// mandatory row; with --strict, any failed or inconclusive row).
import type { CheckResult, RunReport } from '../types.js';

export function blockingRows(run: RunReport): CheckResult[] {
  return run.results.filter((r) =>
    run.strict
      ? r.outcome === 'fail' || r.outcome === 'inconclusive'
      : r.outcome === 'fail' && r.status === 'mandatory',
  );
}

/** "<label>: mandatory row fleet (TCP/9092 to SuperLink) failed: refused", one per blocking row. */
export function runProblems(label: string, run: RunReport): string[] {
  return blockingRows(run).map(
    (r) =>
      `${label}: ${r.status} row ${r.id} (${r.port.toUpperCase()} to ${r.destination}) ` +
      `${r.outcome === 'fail' ? 'failed' : 'is inconclusive'}: ${r.reason}`,
  );
}
