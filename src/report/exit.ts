// The exit code, computed once from the results: 0 every mandatory row passed, 1 a mandatory row
// failed (with --strict: any row failed or was inconclusive). 2 is for usage errors, set by main().
import type { CheckResult } from '../types.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

export function exitCode(results: readonly CheckResult[], strict: boolean): number {
  const failing = results.some((r) =>
    strict ? r.outcome === 'fail' || r.outcome === 'inconclusive' : r.outcome === 'fail' && r.status === 'mandatory',
  );
  return failing ? EXIT_FAILED : EXIT_OK;
}
