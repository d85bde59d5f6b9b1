// The environment files docker compose reads: the project's `.env` beside the compose file (its values
// interpolate the compose file) and a service's `env_file:` (its values are the container's environment).
// Syntax as Docker's "Syntax for environment files" and compose-go's dotenv parser define it: `#` comments,
// `export NAME=v`, `NAME: v`, a bare `NAME` taken from the environment; unquoted values end at ` #` and are
// interpolated; single quotes are literal; double quotes take \n \t \" \\ \$ … escapes, may span lines, and
// are interpolated. A value's ${VAR} sees the lookup first (the shell's environment, for the .env), then the
// keys above it. Each value keeps the line its name is on.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { type EnvLookup, type EnvValue, substitute } from './interpolate.js';
import { fsErrorCode } from '../fs-error.js';

export type EnvMap = Record<string, EnvValue>;

const ESCAPES: Record<string, string> = {
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
  '"': '"',
  '\\': '\\',
  // Kept for the interpolation step, which reads `$$` as a literal "$".
  $: '$$',
};

function unescapeDouble(s: string): string {
  return s.replace(/\\(0[0-7]{0,3}|[abfnrtv"\\$])/g, (_m, e: string) =>
    e.startsWith('0') ? String.fromCharCode(Number.parseInt(e.slice(1) || '0', 8)) : ESCAPES[e]!,
  );
}

const SPACE = /[ \t\v\f\r\u0085\u00a0]/;

/** Parses `text` into `into` (earlier entries are visible to later ${VAR}s, as compose-go's envMap is). */
export function parseEnvFile(text: string, file: string, lookup: EnvLookup = () => undefined, into: EnvMap = {}) {
  const src = text.replace(/^\uFEFF/, '');
  let i = 0;
  let line = 1;
  const find: EnvLookup = (n) => lookup(n) ?? (Object.hasOwn(into, n) ? into[n] : undefined);
  const fail = (at: number, why: string): never => {
    throw new UsageError(`${file}:${at}: ${why} (an environment file as docker compose reads it)`);
  };
  while (i < src.length) {
    const c = src[i]!;
    if (c === '\n') line++;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < src.length && src[i] !== '\n') i++;
      continue;
    }
    const at = line;
    if (/^export[ \t]/.test(src.slice(i, i + 7))) i += 6;
    while (SPACE.test(src[i] ?? '')) i++;
    const keyStart = i;
    while (i < src.length && !'=:\n'.includes(src[i]!)) i++;
    const key = src.slice(keyStart, i).replace(/\s+$/, '');
    if (!/^[\p{L}\p{N}_.[\]-]+$/u.test(key)) fail(at, `"${src.slice(keyStart, i).trim()}" is not NAME=value`);
    if (i >= src.length || src[i] === '\n') {
      // A bare NAME: its value from the environment, when it has one there.
      const v = lookup(key);
      if (v) into[key] = { ...v, source: `${file}:${at} (${v.source ?? `$${key} from the environment`})` };
      continue;
    }
    i++;
    while (SPACE.test(src[i] ?? '')) i++;
    const quote = src[i];
    let raw: string;
    let literal = false;
    if (quote === '"' || quote === "'") {
      let j = i + 1;
      raw = '';
      for (; j < src.length && src[j] !== quote; j++) {
        if (src[j] === '\n') line++;
        // A backslash only hides the quote from the search; other escapes are read below.
        if (src[j] === '\\' && src[j + 1] === quote) raw += src[++j];
        else if (src[j] === '\\' && j + 1 < src.length) raw += src[j] + src[++j]!;
        else raw += src[j];
      }
      if (j >= src.length) fail(at, `unterminated ${quote === '"' ? 'double' : 'single'}-quoted value`);
      i = j + 1;
      literal = quote === "'";
      if (!literal) raw = unescapeDouble(raw);
    } else {
      const end = src.indexOf('\n', i);
      const stop = end < 0 ? src.length : end;
      raw = src.slice(i, stop);
      const hash = raw.indexOf(' #');
      raw = (hash < 0 ? raw : raw.slice(0, hash)).replace(/\s+$/, '');
      i = stop;
    }
    const source = `${file}:${at}`;
    if (literal) {
      into[key] = { value: raw, source };
      continue;
    }
    const s = substitute(raw, find, source);
    // Where its ${VAR}s came from, flat: `.env:4, $HOST from .env:2`.
    const via = [...new Set(s.used)].map((n) => `, $${n} from ${find(n)?.source ?? 'the environment'}`).join('');
    into[key] = { value: s.text, source: `${source}${via}`, ...(s.unresolved.length && { unresolved: s.unresolved }) };
  }
  return into;
}

/** An environment file; `missing: 'empty'` makes an absent one the same as an empty one (the .env). */
export async function readEnvFile(
  file: string,
  what: string,
  opts: { lookup?: EnvLookup; into?: EnvMap; missing?: 'empty' | 'error' } = {},
): Promise<EnvMap> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = fsErrorCode(e);
    if (code === 'ENOENT' && opts.missing === 'empty') return opts.into ?? {};
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (code ?? String(e));
    throw new UsageError(`${file}: cannot read ${what} (${why})`);
  }
  return parseEnvFile(text, file, opts.lookup, opts.into);
}

/** The process environment as a lookup: its values have no file to name. */
export function processLookup(env: NodeJS.ProcessEnv): EnvLookup {
  return (n) => {
    const v = env[n];
    return v === undefined ? undefined : { value: v };
  };
}
