// Row overrides: the operator's values for a row's `with:` options, so that a shipped profile takes
// a site's CA, client certificate or any other option without being copied. They come from
// `--with ROW.OPTION=VALUE` (check, daemon) and a site file's `rows: {ROW: {with: {OPTION: VALUE}}}`;
// ROW `*` means every row whose prober takes the option. An override is operator input, as
// `probe --with` is: taken as written (no ${var} is filled in, so no value a profile chose can end
// up in it), typed by the option's schema, and checked by the same strict schema as the profile.
import type { z } from 'zod';
import { UsageError, quote } from '../errors.js';
import { optionsFor } from '../probers/options.js';
import type { ProbeScheme, Profile, Row } from '../types.js';
import { isCredentialOption } from './credentials.js';
import { splitProbe } from './probe-url.js';
import { didYouMean } from './suggest.js';
import { isProbeScheme } from './target.js';

const ANY_ROW = '*';

export interface RowOverride {
  /** A row id or `*`; absent for `--with`, whose `ROW.OPTION` is split per profile (ids may hold dots). */
  row?: string;
  /** The option (`ca`, or `headers.Host` from the command line), or with `row` absent the whole `ROW.OPTION`. */
  key: string;
  /** Text from the command line (typed by the option's schema), any YAML value from a site file;
   * '' or null takes the option away. */
  value: unknown;
  /** Where it was given, for messages: `--with fleet.ca`, `site.yaml: rows.fleet.with.ca`. */
  from: string;
  /** Site file (weaker) or command line. */
  source: 'site' | 'flag';
}

/**
 * A site file's row overrides travel with its variables, under a symbol key: every path that hands
 * a site's values on (check --from merging found values in, the daemon's load and reload) carries
 * them along without knowing about them, and a variable can never be called like them.
 */
export const SITE_ROWS: unique symbol = Symbol('fedprobe.siteRows');
export type SiteValues = Record<string, string> & { [SITE_ROWS]?: RowOverride[] };

/** What the overrides make of one row: options to put over its own, and the credentials among them. */
export interface RowOptions {
  /** undefined: the option is taken away. */
  options: Record<string, unknown>;
  /** `with.password` → value: the row's secrets (never logged; credentials were given). */
  credentials: Record<string, string>;
}

const EXAMPLE = "such as --with fleet.ca=/etc/flwr/ca.pem or --with '*.insecure=true'";

/** `--with ROW.OPTION=VALUE` items; the split into row and option waits for the profile. */
export function parseWithFlags(assignments: Record<string, string>): RowOverride[] {
  return Object.entries(assignments).map(([name, value]) => {
    const dot = name.indexOf('.');
    if (dot <= 0 || dot === name.length - 1) {
      throw new UsageError(`--with ${quote(name, 60)}: expected ROW.OPTION=VALUE, ${EXAMPLE}`);
    }
    return { key: name, value, from: `--with ${name.slice(0, 80)}`, source: 'flag' as const };
  });
}

/** A site file's `rows:` as overrides, in the file's order. */
export function siteOverrides(
  file: string,
  rows: Record<string, { with?: Record<string, unknown> | undefined }>,
): RowOverride[] {
  return Object.entries(rows).flatMap(([row, spec]) =>
    Object.entries(spec.with ?? {}).map(([key, value]) => ({
      row,
      key,
      value,
      from: `${file}: rows.${row}.with.${key}`,
      source: 'site' as const,
    })),
  );
}

function schemeOf(row: Row): ProbeScheme | undefined {
  const scheme = splitProbe(row.probe).scheme;
  return isProbeScheme(scheme) ? scheme : undefined;
}

/** The base type of an option's schema, under optional() and transforms. */
function baseType(schema: z.ZodType): string {
  let t: z.ZodType | undefined = schema;
  for (let i = 0; t && i < 8; i++) {
    const def = t._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType };
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable') t = def.innerType;
    else if (def.type === 'pipe') t = def.in;
    else return def.type;
  }
  return 'unknown';
}

/** Command-line text as the option's type: `true`/`false` for a boolean, a number for a number;
 * for a union (expectStatus, version) the first reading the schema accepts. */
function typed(text: string, schema: z.ZodType, from: string): unknown {
  const type = baseType(schema);
  if (type === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new UsageError(`${from}: expected true or false, got ${quote(text, 40)}`);
  }
  const numeric = /^-?[0-9]+(\.[0-9]+)?$/.test(text);
  if (type === 'number') {
    if (numeric) return Number(text);
    throw new UsageError(`${from}: expected a number, got ${quote(text, 40)}`);
  }
  const asNumber = type === 'union' && numeric && !schema.safeParse(text).success;
  return asNumber && schema.safeParse(Number(text)).success ? Number(text) : text;
}

interface Split {
  row: string;
  path: string[];
}

/** `fleet.headers.Host` → fleet, [headers, Host]: the longest row id (or `*`) the text starts with. */
function splitFlag(o: RowOverride, ids: readonly string[]): Split {
  const match = [ANY_ROW, ...ids].filter((id) => o.key.startsWith(`${id}.`)).sort((a, b) => b.length - a.length)[0];
  if (match !== undefined) return { row: match, path: o.key.slice(match.length + 1).split('.') };
  const row = o.key.slice(0, o.key.indexOf('.'));
  return { row, path: [] };
}

function unknownRow(o: RowOverride, row: string, profile: Profile, others?: ReadonlySet<string>): UsageError {
  const known = [...new Set([...profile.rows.map((r) => r.id), ...(others ?? [])])];
  const hint = didYouMean(row, known);
  const where = others ? `${profile.id} nor the other profiles` : profile.id;
  return new UsageError(
    `${o.from}: no row ${quote(row, 60)} in ${where} (${hint ? `${hint} ` : ''}rows: ${known.join(', ')}, ` +
      'or * for every row that takes the option)',
  );
}

/**
 * The options the overrides put over each row of a profile, by row id. Weaker first: site file,
 * then command line; within each, `*` before a named row. An override naming a row of another
 * profile run with the same options (`otherRowIds`: the daemon's other profiles) is not a typo here.
 */
export function rowOverrides(
  profile: Profile,
  overrides: readonly RowOverride[],
  otherRowIds?: ReadonlySet<string>,
): Map<string, RowOptions> {
  const out = new Map<string, RowOptions>();
  const ids = profile.rows.map((r) => r.id);
  const split = overrides.map((o) => ({
    o,
    ...(o.row !== undefined ? { row: o.row, path: [o.key] } : splitFlag(o, ids)),
  }));
  const rank = (s: { o: RowOverride; row: string }) => (s.o.source === 'site' ? 0 : 2) + (s.row === ANY_ROW ? 0 : 1);
  split.sort((a, b) => rank(a) - rank(b));
  for (const { o, row, path } of split) {
    if (row !== ANY_ROW && !ids.includes(row)) {
      if (otherRowIds?.has(row)) continue;
      throw unknownRow(o, row, profile, otherRowIds);
    }
    applyOverride(out, profile, o, row, path);
  }
  return out;
}

/** One override onto the rows it names (or, for `*`, every row whose prober takes the option). */
function applyOverride(
  out: Map<string, RowOptions>,
  profile: Profile,
  o: RowOverride,
  row: string,
  path: string[],
): void {
  const option = path[0];
  if (option === undefined || path.length > 2 || path.some((p) => p === '')) {
    throw new UsageError(`${o.from}: expected ROW.OPTION=VALUE (or ROW.headers.NAME=VALUE), ${EXAMPLE}`);
  }
  const credential = isCredentialOption(path, o.value);
  if (row === ANY_ROW && credential) {
    throw new UsageError(
      `${o.from}: a credential goes to one named row, never to * (every host the profile names, its calls home ` +
        `too): give ROW.${path.join('.')}`,
    );
  }
  let taken = 0;
  for (const r of profile.rows.filter((x) => row === ANY_ROW || x.id === row)) {
    const scheme = schemeOf(r);
    if (scheme === undefined) continue;
    const shape = optionsFor(scheme).shape as Record<string, z.ZodType>;
    const schema = shape[option];
    if (schema === undefined) {
      if (row === ANY_ROW) continue;
      const known = Object.keys(shape);
      const hint = didYouMean(option, known);
      throw new UsageError(
        `${o.from}: row ${r.id} (${scheme}://) has no option ${quote(option, 40)} ` +
          `(${hint ? `${hint} ` : ''}options: ${known.join(', ') || 'none'})`,
      );
    }
    if (path.length === 2 && baseType(schema) !== 'record') {
      throw new UsageError(`${o.from}: ${option} is not a list of named entries; give ${r.id}.${option}=VALUE`);
    }
    taken++;
    applyOne(out, r.id, o, path, schema, credential);
  }
  if (taken === 0) {
    const known = new Set(profile.rows.flatMap((r) => Object.keys(optionsFor(schemeOf(r) ?? 'tcp').shape)));
    const hint = didYouMean(option, known);
    const near = hint ? ` (${hint})` : '';
    throw new UsageError(`${o.from}: no row of ${profile.id} takes the option ${quote(option, 40)}${near}`);
  }
}

function applyOne(
  out: Map<string, RowOptions>,
  id: string,
  o: RowOverride,
  path: string[],
  schema: z.ZodType,
  credential: boolean,
): void {
  const entry = out.get(id) ?? { options: {}, credentials: {} };
  out.set(id, entry);
  const [option, name] = path as [string, string | undefined];
  // An empty value takes a whole option away; an entry of a record option is set as given.
  const removed = name === undefined && (o.value === '' || o.value === null);
  let value: unknown = o.value;
  if (!removed && typeof o.value === 'string') {
    value = typed(o.value, name === undefined ? schema : recordValue(schema), o.from);
  }
  if (name !== undefined) {
    // ROW.headers.NAME=VALUE adds one entry to the row's own.
    const current = entry.options[option];
    value = { ...(current !== null && typeof current === 'object' ? current : {}), [name]: value };
  }
  if (removed) {
    entry.options[option] = undefined;
  } else {
    const checked = schema.safeParse(value);
    if (!checked.success) {
      const issue = checked.error.issues[0]!;
      const at = issue.path.length ? ` (${issue.path.map(String).join('.')})` : '';
      throw new UsageError(`${o.from}${at}: ${issue.message}`);
    }
    entry.options[option] = value;
  }
  if (credential && !removed) {
    entry.credentials[`with.${path.join('.')}`] = typeof o.value === 'string' ? o.value : JSON.stringify(o.value);
  }
}

/** The value schema of a record option (headers: string values). */
function recordValue(schema: z.ZodType): z.ZodType {
  let t: z.ZodType = schema;
  for (let i = 0; i < 8; i++) {
    const def = t._zod.def as { type: string; innerType?: z.ZodType; in?: z.ZodType; valueType?: z.ZodType };
    if (def.type === 'record' && def.valueType) return def.valueType;
    const next = def.innerType ?? def.in;
    if (!next) break;
    t = next;
  }
  return schema;
}
