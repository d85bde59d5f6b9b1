// Loads a profile strictly: YAML or JSON, unknown keys rejected, every error naming the file,
// the path in it (rows[3].probe) and what was expected. No network, no code from the file.
import { readFile, readdir, stat } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { ProfileError, UsageError } from '../errors.js';
import { proberOptions } from '../probers/options.js';
import type { Profile, Row } from '../types.js';
import { PROFILES_DIR } from './paths.js';
import { profileSchema, siteSchema } from './schema.js';
import { parseTarget } from './target.js';
import { placeholderUrl, varRefs } from './vars.js';

/** `rows[3].probe` from zod's ['rows', 3, 'probe']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

function firstIssue(file: string, error: z.ZodError): ProfileError {
  // A typo'd key also shows up as the real key "missing"; the typo is the more useful report.
  const issue = error.issues.find((i) => i.code === 'unrecognized_keys') ?? error.issues[0]!;
  const path = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((k) => `"${k}"`).join(', ');
    return new ProfileError(file, path, `unknown key ${keys}`);
  }
  if (issue.code === 'invalid_type' && issue.input === undefined) {
    return new ProfileError(file, path, `missing; expected ${issue.expected}`);
  }
  return new ProfileError(file, path, issue.message);
}

/** Reads YAML (a JSON document is YAML too) and reports syntax errors with their line. */
export async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ProfileError(file, '', code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`);
  }
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) {
    const line = err.linePos?.[0].line;
    const message = err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ProfileError(file, line ? `line ${line}` : '', `not valid YAML: ${message}`);
  }
  return doc.toJS();
}

/** Resolves `fedbiomed/node` to a shipped file, or takes a path to a file as it is. */
export async function resolveProfile(ref: string): Promise<{ id: string; file: string }> {
  const looksLikePath = /\.(ya?ml|json)$/i.test(ref) || ref.startsWith('.') || ref.startsWith('/');
  if (looksLikePath) return { id: ref, file: resolve(ref) };
  for (const ext of ['.yaml', '.yml', '.json']) {
    const file = join(PROFILES_DIR, ref + ext);
    if (await stat(file).then((s) => s.isFile(), () => false)) return { id: ref, file };
  }
  const known = (await listProfileIds()).join(', ');
  throw new UsageError(`unknown profile "${ref}": give a shipped id (${known}) or a path to a .yaml file`);
}

export async function listProfileIds(): Promise<string[]> {
  const ids: string[] = [];
  async function walk(dir: string): Promise<void> {
    const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
    for (const e of entries) {
      const full = join(dir, e.name);
      if (e.isDirectory()) await walk(full);
      else if (/\.ya?ml$/.test(e.name)) ids.push(relative(PROFILES_DIR, full).replace(/\.ya?ml$/, '').split(sep).join('/'));
    }
  }
  await walk(PROFILES_DIR);
  return ids.sort();
}

/** Validates what zod cannot see: unique ids, declared variables, probe URLs, prober options. */
function checkRows(file: string, vars: Record<string, { default?: string | undefined }>, rows: Row[]): void {
  const seen = new Map<string, number>();
  rows.forEach((row, i) => {
    const at = `rows[${i}]`;
    const first = seen.get(row.id);
    if (first !== undefined) throw new ProfileError(file, `${at}.id`, `duplicate row id "${row.id}" (first used at rows[${first}])`);
    seen.set(row.id, i);
    for (const name of varRefs(row.probe)) {
      if (!(name in vars)) throw new ProfileError(file, `${at}.probe`, `undefined variable \${${name}}; declare it under vars:`);
    }
    // Placeholder values let the URL's shape be checked before the real values are known.
    const sample = placeholderUrl(row.probe, vars);
    let target;
    try {
      target = parseTarget(sample, row.port);
    } catch (e) {
      throw new ProfileError(file, `${at}.probe`, (e as Error).message);
    }
    const options = proberOptions[target.scheme].safeParse(row.with ?? {});
    if (!options.success) {
      const e = firstIssue(file, options.error);
      throw new ProfileError(file, `${at}.with${e.path ? '.' + e.path : ''}`, e.problem);
    }
  });
}

export async function loadProfileFile(file: string, id = basename(file)): Promise<Profile> {
  const raw = await readDocument(file);
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ProfileError(file, '', 'expected a mapping with schema, framework, component, scenario and rows');
  }
  const parsed = profileSchema.safeParse(raw);
  if (!parsed.success) throw firstIssue(file, parsed.error);
  const p = parsed.data;
  const vars = p.vars ?? {};
  const rows = p.rows as Row[];
  checkRows(file, vars, rows);
  return {
    id, file, schema: p.schema, framework: p.framework, component: p.component, scenario: p.scenario,
    ...(p.reference !== undefined && { reference: p.reference }),
    ...(p.description !== undefined && { description: p.description }),
    vars: vars as Profile['vars'], rows,
  };
}

export async function loadProfile(ref: string): Promise<Profile> {
  const { id, file } = await resolveProfile(ref);
  return loadProfileFile(file, id);
}

/** A site file: `vars: {network_host: fbm.example.org}`. */
export async function loadSiteFile(file: string): Promise<Record<string, string>> {
  const raw = await readDocument(file);
  const parsed = siteSchema.safeParse(raw ?? {});
  if (!parsed.success) throw firstIssue(file, parsed.error);
  return Object.fromEntries(Object.entries(parsed.data.vars ?? {}).map(([k, v]) => [k, String(v)]));
}
