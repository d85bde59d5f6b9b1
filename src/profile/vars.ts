// ${name} references in probe URLs and option strings, and where their values come from.
import { readFileSync } from 'node:fs';
import { UsageError } from '../errors.js';
import type { VarDef } from '../types.js';

export const VAR_REF = /\$\{([a-z_][a-z0-9_]*)\}/g;

export function varRefs(text: string): string[] {
  return [...text.matchAll(VAR_REF)].map((m) => m[1]!);
}

export interface VarSources {
  site?: Record<string, string>;
  set?: Record<string, string>;
  env?: NodeJS.ProcessEnv;
}

/**
 * Values in order of strength: defaults < --site file < FEDPROBE_VAR_<NAME> < --set.
 * A secret's value may instead be read from the file named by <name>_file.
 */
export function resolveVars(defs: Record<string, VarDef>, sources: VarSources): { values: Record<string, string>; secrets: Record<string, string> } {
  const env = sources.env ?? {};
  const values: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const [name, def] of Object.entries(defs)) {
    const fromEnv = env[`FEDPROBE_VAR_${name.toUpperCase()}`];
    let value = sources.set?.[name] ?? fromEnv ?? sources.site?.[name] ?? def.default;
    const fileRef = sources.set?.[`${name}_file`] ?? env[`FEDPROBE_VAR_${name.toUpperCase()}_FILE`] ?? sources.site?.[`${name}_file`];
    if (value === undefined && fileRef !== undefined) {
      try {
        value = readFileSync(fileRef, 'utf8').trim();
      } catch (e) {
        throw new UsageError(`cannot read ${name}_file "${fileRef}": ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
      }
    }
    if (value === undefined) continue;
    if (def.secret) secrets[name] = value;
    else values[name] = value;
  }
  return { values, secrets };
}

/** Substitutes ${name}; a reference without a value is a usage error that says how to give one. */
export function substitute(text: string, values: Record<string, string>, defs: Record<string, VarDef>, where: string): string {
  return text.replace(VAR_REF, (_m, name: string) => {
    const v = values[name];
    if (v !== undefined) return v;
    if (defs[name]?.secret) {
      throw new UsageError(`${where} needs the secret \${${name}}: set FEDPROBE_VAR_${name.toUpperCase()} or --set ${name}_file=PATH`);
    }
    const what = defs[name]?.description ? ` — ${defs[name]!.description}.` : '.';
    throw new UsageError(`missing variable ${name}${what} Give it with --set ${name}=VALUE, a --site file or FEDPROBE_VAR_${name.toUpperCase()}`);
  });
}

/** The probe URL with each ${name} replaced by its default, or a placeholder of the right shape
 * (a port after ":", a host name elsewhere), so its form can be checked before values are known. */
export function placeholderUrl(probe: string, defs: Record<string, { default?: string | undefined }>): string {
  return probe.replace(VAR_REF, (_m, name: string, offset: number) => defs[name]?.default ?? (probe[offset - 1] === ':' ? '1' : 'placeholder.invalid'));
}
