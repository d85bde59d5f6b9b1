// INI as Python's configparser reads and writes it (Fed-BioMed's config files are written by
// configparser.write(): "[section]", "key = value", a blank line after each section), keeping the
// line of every value so that each one found can name its source.
import { UsageError } from '../errors.js';

interface IniValue {
  value: string;
  line: number;
}

export type Ini = Record<string, Record<string, IniValue>>;

/** Throws a one-line UsageError naming file:line for what configparser would also refuse. */
export function parseIni(text: string, file: string): Ini {
  const out: Ini = {};
  let section: Record<string, IniValue> | undefined;
  let last: IniValue | undefined;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i]!;
    const line = i + 1;
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith(';')) {
      last = undefined;
      continue;
    }
    // An indented line continues the previous value (configparser's multi-line values).
    if (/^\s/.test(raw) && last) {
      last.value += `\n${trimmed}`;
      continue;
    }
    const header = /^\[([^\]]+)\]\s*$/.exec(trimmed);
    if (header) {
      const name = header[1]!;
      if (Object.hasOwn(out, name)) throw new UsageError(`${file}:${line}: section [${name}] appears twice`);
      section = out[name] = {};
      last = undefined;
      continue;
    }
    const kv = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(trimmed);
    if (!kv) throw new UsageError(`${file}:${line}: not an INI line (expected [section] or key = value)`);
    if (!section) throw new UsageError(`${file}:${line}: "${kv[1]}" comes before any [section]`);
    // configparser lower-cases option names (optionxform).
    const key = kv[1]!.toLowerCase();
    if (Object.hasOwn(section, key)) throw new UsageError(`${file}:${line}: "${key}" appears twice in its section`);
    last = section[key] = { value: kv[2]!, line };
  }
  return out;
}
