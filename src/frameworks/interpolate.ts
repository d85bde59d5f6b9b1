// Docker compose's interpolation (compose-spec "Interpolation"; compose-go template.Substitute), used for the
// compose file itself and for the values of its .env and env_file files: $NAME, ${NAME}, ${NAME:-default},
// ${NAME-default}, ${NAME:?error}, ${NAME?error}, ${NAME:+alt}, ${NAME+alt}, nested in the default, and $$
// for a literal "$". What could not be known here is said, never filled with compose's empty string.
import { UsageError } from '../errors.js';

export interface EnvValue {
  value: string;
  /** `/srv/flower/.env:3`; none for the process environment. */
  source?: string;
  /** Variables its own value needed that were set nowhere: a value that uses it is not known either. */
  unresolved?: string[];
}

export type EnvLookup = (name: string) => EnvValue | undefined;

export interface Substituted {
  text: string;
  /** Variables whose value went into the text. */
  used: string[];
  /** Variables that were unset (or empty, for `:-`) and gave way to their default. */
  defaulted: string[];
  /** Variables that had no value and no default: the text is not what compose would use. */
  unresolved: string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** The index of the `}` closing the `${` whose body starts at `from`, with nested `${…}` skipped. */
function closing(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '$' && text[i + 1] === '{') {
      depth++;
      i++;
    } else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

export function substitute(text: string, lookup: EnvLookup, where: string): Substituted {
  const out: Substituted = { text: '', used: [], defaulted: [], unresolved: [] };
  const use = (name: string, v: EnvValue) => {
    out.used.push(name);
    if (v.unresolved) out.unresolved.push(...v.unresolved);
    return v.value;
  };
  const nested = (t: string) => {
    const s = substitute(t, lookup, where);
    out.used.push(...s.used);
    out.defaulted.push(...s.defaulted);
    out.unresolved.push(...s.unresolved);
    return s.text;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      out.text += c;
      i++;
      continue;
    }
    if (text[i + 1] === '$') {
      out.text += '$';
      i += 2;
      continue;
    }
    if (text[i + 1] !== '{') {
      const bare = NAME.exec(text.slice(i + 1))?.[0];
      if (bare === undefined) {
        // Not a variable: compose keeps the "$" as it is.
        out.text += '$';
        i++;
        continue;
      }
      const v = lookup(bare);
      if (v) out.text += use(bare, v);
      else {
        out.unresolved.push(bare);
        out.text += `$${bare}`;
      }
      i += 1 + bare.length;
      continue;
    }
    const end = closing(text, i + 2);
    const body = end < 0 ? undefined : text.slice(i + 2, end);
    const m = body === undefined ? null : /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])([\s\S]*))?$/.exec(body);
    if (!m) throw new UsageError(`${where}: invalid interpolation format for "${text}" (compose-spec "Interpolation")`);
    const [, name, colon, op, arg] = m as unknown as [string, string, string | undefined, string | undefined, string];
    const v = lookup(name);
    // `:` makes an empty value count as unset, as in the shell.
    const set = v !== undefined && !(colon && v.value === '');
    if (op === undefined || op === '?') {
      if (set) out.text += use(name, v);
      else {
        out.unresolved.push(name);
        out.text += `\${${body}}`;
      }
    } else if (op === '-') {
      if (set) out.text += use(name, v);
      else {
        out.defaulted.push(name);
        out.text += nested(arg);
      }
    } else if (set) {
      out.used.push(name);
      out.text += nested(arg);
    }
    i = end + 1;
  }
  return out;
}
