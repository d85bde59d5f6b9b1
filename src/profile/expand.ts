// expand(): a loaded profile plus variables and filters becomes the list of checks to run. Each
// row goes through the same resolution as at load (row.ts: resolveRow), now with the operator's
// values; the value-free rules (checkRowForm) were applied once, when the file was loaded.
import { ProfileError, UsageError } from '../errors.js';
import type { Check, Profile, RowType } from '../types.js';
import { SITE_ROWS, rowOverrides, type RowOverride, type SiteValues } from './overrides.js';
import { RowProblem, resolveRow } from './row.js';
import { didYouMean } from './suggest.js';
import { givenNames, missingVariable, own, resolveVars, type VarSources } from './vars.js';

export interface ExpandOptions extends VarSources {
  /** `--with ROW.OPTION=VALUE`, stronger than the site file's `rows:` (which ride on `site`). */
  overrides?: RowOverride[];
  /** Row ids of the other profiles run with these options (the daemon's): not typos here. */
  otherRowIds?: ReadonlySet<string>;
  only?: string[];
  type?: RowType;
  mandatoryOnly?: boolean;
  timeoutMs: number;
  retries: number;
}

export const DEFAULT_TIMEOUT_MS = 3000;

export function expand(profile: Profile, opts: ExpandOptions): Check[] {
  if (opts.only) {
    const known = profile.rows.map((r) => r.id);
    const unknown = opts.only.filter((id) => !known.includes(id));
    if (unknown.length) {
      const hint = didYouMean(unknown[0]!, known);
      throw new UsageError(
        `--only: no row "${unknown.join('", "')}" in ${profile.id} (${hint ? `${hint} ` : ''}rows: ` +
          `${known.join(', ')})`,
      );
    }
  }
  const { values, secrets } = resolveVars(profile.vars, opts);
  const siteRows = (opts.site as SiteValues | undefined)?.[SITE_ROWS] ?? [];
  const overrides = rowOverrides(profile, [...siteRows, ...(opts.overrides ?? [])], opts.otherRowIds);
  const given = givenNames(opts);
  const rows = profile.rows.filter(
    (r) =>
      (!opts.only || opts.only.includes(r.id)) &&
      (!opts.type || r.type === opts.type) &&
      (!opts.mandatoryOnly || r.status === 'mandatory'),
  );
  return rows.map((row) => {
    const where = `${profile.id} row ${row.id}`;
    const extra = overrides.get(row.id);
    let resolved: ReturnType<typeof resolveRow>;
    try {
      resolved = resolveRow(
        row,
        profile.vars,
        (name) => {
          const v = own(values, name) ?? own(secrets, name);
          if (v === undefined) throw missingVariable(name, profile.vars, where, given);
          return v;
        },
        extra?.options,
      );
    } catch (e) {
      if (!(e instanceof RowProblem)) throw e;
      // A value the operator gave: a usage error. A row that never loaded cleanly: the profile's.
      if (e.variable !== undefined) throw new UsageError(`${where}: ${e.message}`);
      const option = /^with\.([^.[]+)/.exec(e.path)?.[1];
      if (option !== undefined && extra && Object.hasOwn(extra.options, option)) {
        const why = `${e.message} (with the row options given by --with or the site file)`;
        throw new UsageError(`${where}: ${e.path}: ${why}`);
      }
      throw new ProfileError(profile.file, `rows[${profile.rows.indexOf(row)}].${e.path}`, e.message);
    }
    // Only the secrets this row uses: "credentials were given" is decided per row.
    const rowSecrets: Record<string, string> = {};
    for (const name of resolved.secretNames) if (own(secrets, name) !== undefined) rowSecrets[name] = secrets[name]!;
    // A credential the operator gave as a row option is one of the row's secrets too.
    Object.assign(rowSecrets, extra?.credentials);
    return {
      // The port column with the operator's value (tcp/8844), so every reporter shows the port checked.
      row: { ...row, probe: resolved.url, port: resolved.port },
      target: resolved.target,
      timeoutMs: row.timeout ?? opts.timeoutMs,
      retries: opts.retries,
      expect: row.expect ?? 'reachable',
      with: resolved.with,
      secrets: rowSecrets,
    };
  });
}
