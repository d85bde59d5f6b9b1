// Loads a profile strictly: YAML or JSON, unknown keys rejected, every error naming the file,
// the path in it (rows[3].probe) and what was expected. No network, no code from the file.
import { readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import type { z } from 'zod';
import { ProfileError, UsageError } from '../errors.js';
import type { Profile, Row, VarDef } from '../types.js';
import { readDocument } from './document.js';
import { SITE_ROWS, siteOverrides, type SiteValues } from './overrides.js';
import { PROFILES_DIR } from './paths.js';
import { RowProblem, checkRowForm, rememberPortTemplate, resolveRow } from './row.js';
import { profileSchema, rowSchema, siteSchema, varDefSchema } from './schema.js';
import { didYouMean } from './suggest.js';
import { own } from './vars.js';

export { readDocument } from './document.js';

/** `rows[3].probe` from zod's ['rows', 3, 'probe']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    // A key from the file is shown as it reads; an odd one (spaces, escapes) in quotes.
    const key = String(p);
    if (typeof p === 'number') out += `[${p}]`;
    else if (!/^[A-Za-z0-9_$-]+$/.test(key)) out += `[${JSON.stringify(key.slice(0, 60))}]`;
    else out += out ? `.${key}` : key;
  }
  return out;
}

/** Every key the profile format knows, for "did you mean" on an unknown one. */
const KNOWN_KEYS = [
  ...Object.keys(profileSchema.shape),
  ...Object.keys(rowSchema.shape),
  ...Object.keys(varDefSchema.shape),
  ...Object.keys(siteSchema.shape),
];

function firstIssue(file: string, error: z.ZodError): ProfileError {
  // A typo'd key also shows up as the real key "missing"; the typo is the more useful report.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => JSON.stringify(k.slice(0, 60))).join(', ');
    const hint = issue.keys.length === 1 ? didYouMean(issue.keys[0]!, KNOWN_KEYS) : '';
    return new ProfileError(file, path, `unknown key ${keys}${hint ? ` (${hint})` : ''}`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return new ProfileError(file, path, `missing; expected ${issue.expected}`);
  }
  return new ProfileError(file, path, issue.message);
}

/** Resolves `fedbiomed/node` to a shipped file, or takes a path to a file as it is. */
export async function resolveProfile(ref: string): Promise<{ id: string; file: string }> {
  const looksLikePath = /\.(ya?ml|json)$/i.test(ref) || ref.startsWith('.') || ref.startsWith('/');
  if (looksLikePath) return { id: ref, file: resolve(ref) };
  const ids = await listProfileIds();
  if (ids.includes(ref)) {
    for (const ext of ['.yaml', '.yml', '.json']) {
      const file = join(PROFILES_DIR, ref + ext);
      if (
        await stat(file).then(
          (s) => s.isFile(),
          () => false,
        )
      )
        return { id: ref, file };
    }
  }
  const hint = didYouMean(ref, ids);
  throw new UsageError(
    `unknown profile ${JSON.stringify(ref.slice(0, 80))}: ${hint ? `${hint} ` : ''}give a shipped id ` +
      `(${ids.join(', ')}) or a path to a .yaml file`,
  );
}

export async function listProfileIds(): Promise<string[]> {
  const ids: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (/\.ya?ml$/.test(e.name))
        ids.push(
          relative(PROFILES_DIR, full)
            .replace(/\.ya?ml$/, '')
            .split(sep)
            .join('/'),
        );
    }
  }
  await walk(PROFILES_DIR);
  return ids.sort();
}

/** A value that stands in for a variable without a default, of the right kind for its place. */
function placeholder(def: VarDef | undefined, part: string): string | undefined {
  return def?.default ?? (part === 'host' ? 'placeholder.invalid' : part === 'port' ? '1' : undefined);
}

/** Validates what zod cannot see, by the same path expand() takes: unique ids, declared
 * variables, probe URLs, credentials, prober options. */
function checkRows(file: string, vars: Record<string, VarDef>, rows: Row[]): void {
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const at = `rows[${i}]`;
    const first = seen.get(row.id);
    if (first !== undefined)
      throw new ProfileError(file, `${at}.id`, `duplicate row id "${row.id}" (first used at rows[${first}])`);
    seen.set(row.id, i);
    try {
      checkRowForm(row, vars);
      const resolved = resolveRow(row, vars, (name, part) => placeholder(own(vars, name), part));
      if (resolved.port !== row.port) {
        // `tcp/${restful_port}`: the row shows its documented default; expand() fills in the value.
        rememberPortTemplate(row, row.port);
        row.port = resolved.port;
      }
    } catch (e) {
      if (!(e instanceof RowProblem)) throw e;
      // A default that is not a valid value is the variable's fault, not the row's.
      if (e.variable !== undefined && own(vars, e.variable)?.default !== undefined) {
        const usedBy = `${at}.${e.path.split('.')[0]}`;
        throw new ProfileError(file, `vars.${e.variable}.default`, `${e.message} (used by ${usedBy})`);
      }
      throw new ProfileError(file, `${at}.${e.path}`, e.message);
    }
  });
}

export async function loadProfileFile(file: string, id = basename(file)): Promise<Profile> {
  return parseProfile(await readDocument(file), file, id);
}

/** A profile document already read (YAML/JSON parsed, or an object built by an embedding program),
 * checked as strictly as a file; `file` names it in errors. */
export function parseProfile(raw: unknown, file: string, id = basename(file)): Profile {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ProfileError(file, '', 'expected a mapping with schema, framework, component, scenario and rows');
  }
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(file, parsed.error);
  const p = parsed.data;
  const vars = (p.vars ?? {}) as Record<string, VarDef>;
  const rows = p.rows as Row[];
  for (const [name, def] of Object.entries(vars)) {
    // A profile never chooses a credential: the operator gives every secret.
    if (def.secret && def.default !== undefined) {
      throw new ProfileError(
        file,
        `vars.${name}.default`,
        `a secret has no default in a profile: the operator gives it (FEDPROBE_VAR_${name.toUpperCase()} or --set ` +
          `${name}_file=PATH)`,
      );
    }
  }
  checkRows(file, vars, rows);
  return {
    id,
    file,
    schema: p.schema,
    framework: p.framework,
    component: p.component,
    scenario: p.scenario,
    ...(p.reference !== undefined && { reference: p.reference }),
    ...(p.description !== undefined && { description: p.description }),
    vars,
    rows,
  };
}

export async function loadProfile(ref: string): Promise<Profile> {
  const { id, file } = await resolveProfile(ref);
  return loadProfileFile(file, id);
}

/** A site file: `vars: {network_host: fbm.example.org}`, and row overrides under `rows:`
 * (`rows: {fleet: {with: {ca: /etc/flwr/ca.pem}}}`), carried with the variables (SiteValues). */
export async function loadSiteFile(file: string): Promise<SiteValues> {
  const raw = await readDocument(file);
  const parsed = siteSchema.safeParse(raw ?? {});
  if (!parsed.success) throw firstIssue(file, parsed.error);
  const values: SiteValues = Object.fromEntries(Object.entries(parsed.data.vars ?? {}).map(([k, v]) => [k, String(v)]));
  if (parsed.data.rows) values[SITE_ROWS] = siteOverrides(file, parsed.data.rows);
  return values;
}
