// The exit code, computed once from the results: 0 every mandatory row passed, 1 a mandatory row
// failed (with --strict: any row failed or was inconclusive), 2 bad input: a host name that does
// not exist, here, or a usage error, set by main().
import type { CheckResult } from '../types.js';
import { targetHost } from './request.js';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;

/** Names that do not exist (NXDOMAIN): bad input, like a typo in --set, not a network finding.
 * A resolver that does not answer (ETIMEOUT) or fails (EAI_AGAIN) is a finding and stays a failed row. */
export function unresolvableHosts(results: readonly CheckResult[]): Map<string, string[]> {
  const hosts = new Map<string, string[]>();
  for (const r of results) {
    if (r.reason !== 'dns-error' || r.code !== 'ENOTFOUND') continue;
    // The probe URL is the row's target with its variables in: the host the runner resolved.
    const host = targetHost(r);
    hosts.set(host, [...(hosts.get(host) ?? []), r.id]);
  }
  return hosts;
}

export function exitCode(results: readonly CheckResult[], strict: boolean): number {
  if (unresolvableHosts(results).size > 0) return EXIT_USAGE;
  const failing = results.some((r) =>
    strict ? r.outcome === 'fail' || r.outcome === 'inconclusive' : r.outcome === 'fail' && r.status === 'mandatory',
  );
  return failing ? EXIT_FAILED : EXIT_OK;
}
