// The whole flow for one profile: expand → run → report. Used by `check`, `probe`, `demo` and
// the daemon alike.
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { expand, type ExpandOptions } from './profile/expand.js';
import type { ProxySettings } from './net/proxy.js';
import { runChecks } from './probe/run.js';
import { buildReport } from './report/build.js';
import type { CheckResult, Family, Profile, RunReport } from './types.js';

export interface CheckOptions extends ExpandOptions {
  concurrency: number;
  proxy?: ProxySettings;
  family?: Family;
  strict: boolean;
  log: Logger;
  signal?: AbortSignal;
  onResult?: (result: CheckResult, index: number) => void;
  /** RTT-adaptive connect deadlines per host (`--adaptive`, see probe/adaptive.ts). */
  adaptive?: boolean;
}

export async function checkProfile(profile: Profile, opts: CheckOptions): Promise<RunReport> {
  const checks = expand(profile, opts);
  const startedAt = new Date();
  const t0 = performance.now();
  const results = await runChecks(checks, {
    concurrency: opts.concurrency,
    log: opts.log,
    ...(opts.family !== undefined && { family: opts.family }),
    ...(opts.proxy !== undefined && { proxy: opts.proxy }),
    ...(opts.signal !== undefined && { signal: opts.signal }),
    ...(opts.onResult !== undefined && { onResult: opts.onResult }),
    ...(opts.adaptive && { adaptive: true }),
  });
  const run = buildReport(profile, results, startedAt, performance.now() - t0, opts.strict);
  run.host = hostname();
  return run;
}
