// expand(): a loaded profile plus variables and filters becomes the list of checks to run.
import { UsageError } from '../errors.js';
import type { Check, Profile, RowType } from '../types.js';
import { parseTarget } from './target.js';
import { resolveVars, substitute, type VarSources } from './vars.js';

export interface ExpandOptions extends VarSources {
  only?: string[];
  type?: RowType;
  mandatoryOnly?: boolean;
  timeoutMs: number;
  retries: number;
}

export const DEFAULT_TIMEOUT_MS = 3000;

function substituteDeep(value: unknown, subst: (s: string) => string): unknown {
  if (typeof value === 'string') return subst(value);
  if (Array.isArray(value)) return value.map((v) => substituteDeep(v, subst));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substituteDeep(v, subst)]));
  return value;
}

export function expand(profile: Profile, opts: ExpandOptions): Check[] {
  if (opts.only) {
    const known = new Set(profile.rows.map((r) => r.id));
    const unknown = opts.only.filter((id) => !known.has(id));
    if (unknown.length) throw new UsageError(`--only: no row "${unknown.join('", "')}" in ${profile.id} (rows: ${[...known].join(', ')})`);
  }
  const { values, secrets } = resolveVars(profile.vars, opts);
  const rows = profile.rows.filter(
    (r) => (!opts.only || opts.only.includes(r.id)) && (!opts.type || r.type === opts.type) && (!opts.mandatoryOnly || r.status === 'mandatory'),
  );
  return rows.map((row) => {
    const where = `${profile.id} row ${row.id}`;
    const url = substitute(row.probe, values, profile.vars, where);
    let target;
    try {
      target = parseTarget(url, row.port);
    } catch (e) {
      throw new UsageError(`${where}: ${(e as Error).message}`);
    }
    // Option strings may refer to secrets (passwords, keys); those are substituted from `secrets`.
    const withOpts = substituteDeep(row.with ?? {}, (s) => substitute(s, { ...values, ...secrets }, {}, where)) as Record<string, unknown>;
    return {
      row: { ...row, probe: url },
      target,
      timeoutMs: row.timeout ?? opts.timeoutMs,
      retries: opts.retries,
      expect: row.expect ?? 'reachable',
      with: withOpts,
      secrets,
    };
  });
}
