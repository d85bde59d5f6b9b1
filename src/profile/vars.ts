// ${name} references in probe URLs and option strings, and where their values come from.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { Profile, VarDef } from '../types.js';
import { didYouMean } from './suggest.js';
import { fsErrorCode } from '../fs-error.js';

const VAR_REF = /\$\{([a-z_][a-z0-9_]*)\}/g;

export function varRefs(text: string): string[] {
  if (!text.includes('${')) return [];
  return [...text.matchAll(VAR_REF)].map((m) => m[1]!);
}

/** Why a `${` in `text` is not a reference `${name}`, or undefined when every one is. */
export function refSyntaxProblem(text: string): string | undefined {
  for (let at = text.indexOf('${'); at !== -1; at = text.indexOf('${', at + 2)) {
    const m = /^\$\{([^}]*)\}/.exec(text.slice(at, at + 200));
    if (!m) return `unterminated "\${" at character ${at + 1} (a variable is written \${name})`;
    if (!/^[a-z_][a-z0-9_]*$/.test(m[1]!))
      return `"\${${m[1]!.slice(0, 40)}}" is not a variable reference: names are lower-case letters, digits and "_"`;
  }
  return undefined;
}

/** An own property only: a variable called `constructor` must not find Object's. */
export function own<T>(record: Record<string, T> | undefined, key: string): T | undefined {
  return record !== undefined && Object.hasOwn(record, key) ? record[key] : undefined;
}

export interface VarSources {
  site?: Record<string, string>;
  set?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
}

const envName = (name: string) => `FEDPROBE_VAR_${name.toUpperCase()}`;

/**
 * Values in order of strength: defaults < --site file < FEDPROBE_VAR_<NAME> < --set.
 * A variable's value may instead be read from the file named by <name>_file.
 */
export function resolveVars(
  defs: Record<string, VarDef>,
  sources: VarSources,
): { values: Record<string, string>; secrets: Record<string, string> } {
  const env = sources.env ?? {};
  const values: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [name, def] of Object.entries(defs)) {
    let value = own(sources.set, name) ?? own(env, envName(name)) ?? own(sources.site, name) ?? def.default;
    const fileRef =
      own(sources.set, `${name}_file`) ?? own(env, `${envName(name)}_FILE`) ?? own(sources.site, `${name}_file`);
    if (value === undefined && fileRef !== undefined) {
      try {
        value = readFileSync(fileRef, 'utf8').trim();
      } catch (e) {
        throw new UsageError(`cannot read ${name}_file ${JSON.stringify(fileRef)}: ${fsErrorCode(e) ?? String(e)}`);
      }
    }
    if (value === undefined) continue;
    if (def.secret) secrets[name] = value;
    else values[name] = value;
  }
  return { values, secrets };
}

/** Names the operator gave, for "did you mean" on a missing variable. */
export function givenNames(sources: VarSources): { name: string; how: string }[] {
  const out = Object.keys(sources.set ?? {}).map((name) => ({ name, how: `--set ${name}` }));
  out.push(...Object.keys(sources.site ?? {}).map((name) => ({ name, how: `${name} in the --site file` })));
  for (const key of Object.keys(sources.env ?? {})) {
    if (key.startsWith('FEDPROBE_VAR_')) out.push({ name: key.slice(13).toLowerCase(), how: key });
  }
  return out.map((g) => ({ ...g, name: g.name.replace(/_file$/, '') }));
}

/** The one-line error for a variable no source gave, naming a close name that was given. */
export function missingVariable(
  name: string,
  defs: Record<string, VarDef>,
  where: string,
  given: { name: string; how: string }[],
): UsageError {
  const def = own(defs, name);
  const near = given.filter((g) => didYouMean(g.name, [name]) !== '');
  const typo = near.length ? ` (${near[0]!.how} was given: a typo for ${name}?)` : '';
  if (def?.secret) {
    return new UsageError(
      `${where} needs the secret \${${name}}: set ${envName(name)} or --set ${name}_file=PATH${typo}`,
    );
  }
  const what = def?.description ? ` — ${def.description}.` : '.';
  return new UsageError(
    `missing variable ${name}${what} Give it with --set ${name}=VALUE, a --site file or ${envName(name)}${typo}`,
  );
}

/** Replaces each ${name} by `lookup(name)`; the caller has checked the syntax. */
export function substitute(text: string, lookup: (name: string) => string): string {
  if (!text.includes('${')) return text;
  return text.replace(VAR_REF, (_m, name: string) => lookup(name));
}

/**
 * A `--set` name no loaded profile declares is a typo until shown otherwise: one line naming the
 * profiles' variables and the closest. `<name>_file` is the file form of any variable.
 */
export function checkSetNames(profiles: readonly Profile[], set: Record<string, string> | undefined): void {
  const declared = new Set(profiles.flatMap((p) => Object.keys(p.vars)));
  for (const given of Object.keys(set ?? {})) {
    const base = given.endsWith('_file') ? given.slice(0, -5) : given;
    if (declared.has(given) || declared.has(base)) continue;
    const ids = profiles.map((p) => p.id).join(', ');
    const known = [...declared].sort();
    const hint = didYouMean(
      given,
      known.flatMap((k) => (given.endsWith('_file') ? [k, `${k}_file`] : [k])),
    );
    throw new UsageError(
      `--set ${given}: ${ids} has no variable of that name` +
        ` (${known.length ? `its variables: ${known.join(', ')}` : 'it has no variables'})${hint ? `; ${hint}` : ''}`,
    );
  }
}
