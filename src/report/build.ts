// Builds the RunReport that every reporter renders.
import { version } from '../version.js';
import {
  OUTCOMES,
  REPORT_SCHEMA_VERSION,
  type CheckResult,
  type Profile,
  type RunReport,
  type Summary,
} from '../types.js';
import { exitCode } from './exit.js';

function summarize(results: readonly CheckResult[]): Summary {
  const s = Object.fromEntries(OUTCOMES.map((o) => [o, 0])) as Summary;
  for (const r of results) s[r.outcome]++;
  return s;
}

export function buildReport(
  profile: Pick<Profile, 'id' | 'framework' | 'component' | 'scenario' | 'reference'>,
  results: CheckResult[],
  startedAt: Date,
  durationMs: number,
  strict: boolean,
): RunReport {
  return {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'fedprobe', version },
    profile: {
      id: profile.id,
      framework: profile.framework,
      component: profile.component,
      scenario: profile.scenario,
      ...(profile.reference !== undefined && { reference: profile.reference }),
    },
    startedAt: startedAt.toISOString(),
    durationMs: Math.round(durationMs),
    strict,
    summary: summarize(results),
    exitCode: exitCode(results, strict),
    results,
  };
}
