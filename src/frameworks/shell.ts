// Words of the command lines in a start script, a systemd ExecStart= or a compose `command:` string,
// each with the line it came from. Enough of POSIX sh for the scripts frameworks ship (run-sn …,
// flower-supernode …): quotes, backslash-newline, comments, ; && || | & as separators, and
// $NAME / ${NAME} / ${NAME:-default} from earlier NAME=value lines or the given environment.
// Control flow is not followed: assignments count top to bottom, which is how such scripts read.

export interface Word {
  text: string;
  line: number;
  /** Variables the word needed that had no value: the word is not known, and must not be guessed. */
  unresolved?: string[];
  /** Variables that fell back to their ${NAME:-default}. */
  defaulted?: string[];
  /** Variables whose value came from the given environment (not from the script): their source counts. */
  used?: string[];
}

export type Lookup = (name: string) => string | undefined;

function note(word: Word, list: 'unresolved' | 'used' | 'defaulted', name: string): void {
  word[list] = [...(word[list] ?? []), name];
}

const SEPARATORS = new Set([';', '&', '|']);

export function shellCommands(text: string, lookup: Lookup = () => undefined, firstLine = 1): Word[][] {
  const assigned: Record<string, string> = {};
  // Set by the script from something not known here ($1, $(cmd)): the environment must not stand in.
  // Name → what the script set it from (`$1`, `$(…)`): said when a command uses it.
  const unknown = new Map<string, string>();
  const get = (name: string) =>
    unknown.has(name) ? undefined : Object.hasOwn(assigned, name) ? assigned[name] : lookup(name);
  const commands: Word[][] = [];
  let words: Word[] = [];
  let line = firstLine;
  let i = 0;
  const endCommand = () => {
    // NAME=value alone on a command line sets a variable for the lines after it.
    const only =
      words.length === 1 ? words[0]! : words.length === 2 && words[0]!.text === 'export' ? words[1]! : undefined;
    const m = only ? /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(only.text) : null;
    if (m && only?.unresolved) {
      // `$1` for a positional parameter, `$(…)` for command output; from another such variable, its cause.
      const from = only.unresolved.map((r) => (r.includes('=') ? r.slice(r.indexOf('=') + 1) : `$${r}`));
      unknown.set(m[1]!, [...new Set(from)].join(' '));
    } else if (m) {
      unknown.delete(m[1]!);
      assigned[m[1]!] = m[2]!;
    } else if (words.length) commands.push(words);
    words = [];
  };
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      endCommand();
      line++;
      i++;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r') {
      i++;
      continue;
    }
    if (c === '\\' && text[i + 1] === '\n') {
      line++;
      i += 2;
      continue;
    }
    if (c === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (SEPARATORS.has(c)) {
      endCommand();
      while (SEPARATORS.has(text[i] ?? '')) i++;
      continue;
    }
    const word: Word = { text: '', line };
    let quoted = false;
    while (i < text.length) {
      const ch = text[i]!;
      if (ch === '\\' && text[i + 1] === '\n') {
        line++;
        i += 2;
        continue;
      }
      if (!quoted && (/\s/.test(ch) || SEPARATORS.has(ch))) break;
      if (ch === "'" && !quoted) {
        const end = text.indexOf("'", i + 1);
        const stop = end < 0 ? text.length : end;
        word.text += text.slice(i + 1, stop);
        line += countNewlines(text.slice(i + 1, stop));
        i = stop + 1;
        continue;
      }
      if (ch === '"') {
        quoted = !quoted;
        i++;
        continue;
      }
      if (ch === '\\' && i + 1 < text.length) {
        word.text += text[i + 1];
        i += 2;
        continue;
      }
      if (ch === '`' || (ch === '$' && text[i + 1] === '(')) {
        // Command output cannot be known without running it.
        const end = ch === '`' ? text.indexOf('`', i + 1) : matchingParen(text, i + 1);
        const stop = end < 0 ? text.length : end + 1;
        word.text += text.slice(i, stop);
        line += countNewlines(text.slice(i, stop));
        note(word, 'unresolved', '(…)');
        i = stop;
        continue;
      }
      if (ch === '$' && /[0-9@*#?!$-]/.test(text[i + 1] ?? '')) {
        // Positional and special parameters: given when the script runs, not here.
        word.text += text.slice(i, i + 2);
        note(word, 'unresolved', text[i + 1]!);
        i += 2;
        continue;
      }
      if (ch === '$') {
        const ref = /^\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))/.exec(text.slice(i));
        if (ref) {
          const name = (ref[1] ?? ref[3])!;
          const value = get(name);
          if (value !== undefined && value !== '') {
            word.text += value;
            if (!Object.hasOwn(assigned, name)) note(word, 'used', name);
          } else if (ref[2] !== undefined) {
            word.text += ref[2];
            note(word, 'defaulted', name);
          } else {
            word.text += ref[0];
            // `NAME=$1`: set by the script from what is given when it runs; the environment cannot stand in.
            note(word, 'unresolved', unknown.has(name) ? `${name}=${unknown.get(name)}` : name);
          }
          i += ref[0].length;
          continue;
        }
      }
      if (ch === '\n') line++;
      word.text += ch;
      i++;
    }
    words.push(word);
  }
  endCommand();
  return commands;
}

function matchingParen(text: string, open: number): number {
  let depth = 0;
  for (let j = open; j < text.length; j++) {
    if (text[j] === '(') depth++;
    else if (text[j] === ')' && --depth === 0) return j;
  }
  return -1;
}

function countNewlines(s: string): number {
  let n = 0;
  for (const ch of s) if (ch === '\n') n++;
  return n;
}

/** The program's name without its directory: `./scripts/bin/run-sn` → `run-sn`. */
export function programName(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}
