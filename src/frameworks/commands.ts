// The framework command lines a configuration file holds — a start script, a systemd unit's
// ExecStart=, a docker-compose service, a process's /proc/PID/cmdline — as words with sources,
// each starting at the framework program (flower-supernode, run-sn …).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UsageError } from '../errors.js';
import type { ArgWord } from './argv.js';
import { programName, shellCommands, type Lookup } from './shell.js';

export interface FoundCommand {
  program: string;
  args: ArgWord[];
  /** Where the command is, for notes: `run-all:251`, `compose.yml service supernode-1`, `pid 42 argv`. */
  where: string;
  /** The compose service name, when there is one. */
  service?: string;
}

/** Words that may come before the program: `sudo -E`, `exec`, `nohup`, `python3 /usr/bin/…`, `A=b`. */
function programIndex(words: readonly { text: string }[], programs: readonly string[]): number {
  return words.findIndex((w) => programs.includes(programName(w.text)));
}

function fromWordLists(
  lists: { text: string; line: number; unresolved?: string[]; defaulted?: string[] }[][],
  file: string,
  programs: readonly string[],
): FoundCommand[] {
  const out: FoundCommand[] = [];
  for (const words of lists) {
    const i = programIndex(words, programs);
    if (i < 0) continue;
    const args = words.slice(i + 1).map((w) => ({ ...w, source: `${file}:${w.line}` }));
    out.push({ program: programName(words[i]!.text), args, where: `${file}:${words[i]!.line}` });
  }
  return out;
}

export function commandsFromScript(
  text: string,
  file: string,
  programs: readonly string[],
  lookup: Lookup,
): FoundCommand[] {
  return fromWordLists(shellCommands(text, lookup), file, programs);
}

/** systemd: ExecStart= (prefixes -@:+! allowed), continued lines, and Environment= for $NAME. */
export function commandsFromUnit(text: string, file: string, programs: readonly string[]): FoundCommand[] {
  const lines = text.split(/\r?\n/);
  const env: Record<string, string> = {};
  const execs: { value: string; line: number }[] = [];
  for (let i = 0; i < lines.length; i++) {
    const start = i;
    let value = lines[i]!;
    while (value.endsWith('\\') && i + 1 < lines.length) value = `${value.slice(0, -1)}\\\n${lines[++i]!}`;
    const m = /^\s*(ExecStart|Environment)\s*=\s*(.*)$/s.exec(value);
    if (!m) continue;
    if (m[1] === 'Environment') {
      // Environment="A=1" B=2: each word, quoted or not, is one assignment (systemd.exec(5)).
      for (const m2 of m[2]!.matchAll(/"([^"]*)"|'([^']*)'|(\S+)/g)) {
        const word = m2[1] ?? m2[2] ?? m2[3]!;
        const eq = word.indexOf('=');
        if (eq > 0) env[word.slice(0, eq)] = word.slice(eq + 1);
      }
    } else execs.push({ value: m[2]!.replace(/^[-@:+!]+/, ''), line: start + 1 });
  }
  const lookup = (n: string) => env[n];
  return execs.flatMap((e) => fromWordLists(shellCommands(e.value, lookup, e.line), file, programs));
}

/** Compose's own interpolation: ${NAME}, ${NAME:-default}, ${NAME-default}, $NAME, $$ for "$". */
function interpolate(
  text: string,
  env: NodeJS.ProcessEnv,
): { text: string; unresolved: string[]; defaulted: string[]; used: string[] } {
  const unresolved: string[] = [];
  const defaulted: string[] = [];
  const used: string[] = [];
  const out = text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, braced?: string, colon?: string, def?: string, bare?: string) => {
      if (m === '$$') return '$';
      const name = (braced ?? bare)!;
      const v = env[name];
      if (v !== undefined && !(colon && v === '')) {
        used.push(name);
        return v;
      }
      if (def !== undefined) {
        defaulted.push(name);
        return def;
      }
      unresolved.push(name);
      return m;
    },
  );
  return { text: out, unresolved, defaulted, used };
}

const IMAGE_PROGRAMS: [RegExp, string][] = [
  [/(^|\/)flwr\/supernode(:|@|$)/, 'flower-supernode'],
  [/(^|\/)flwr\/superlink(:|@|$)/, 'flower-superlink'],
];

export function commandsFromCompose(
  text: string,
  file: string,
  programs: readonly string[],
  env: NodeJS.ProcessEnv,
  /** Where a variable's value came from when it was not the process environment: `.env:3`. */
  envSources: Record<string, string> = {},
): FoundCommand[] {
  // `compose.yml:6`, and for a value taken from the .env file, that line too.
  const sourceOf = (line: number, used: readonly string[] = []) => {
    const from = [...new Set(used)].filter((n) => envSources[n]).map((n) => `$${n} from ${envSources[n]}`);
    return `${file}:${line}${from.length ? ` (${from.join(', ')})` : ''}`;
  };
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true });
  const err = doc.errors[0];
  if (err) throw new UsageError(`${file}:${err.linePos?.[0].line ?? 1}: not valid YAML: ${err.message.split('\n')[0]}`);
  const services = doc.get('services', true);
  if (!isMap(services)) throw new UsageError(`${file}: a compose file without services:`);
  const lineOf = (n: Node) => lineCounter.linePos(n.range?.[0] ?? 0).line;
  const words = (n: unknown): ArgWord[] | undefined => {
    if (isSeq(n)) {
      return n.items.map((item) => {
        const node = item as Node;
        const raw = isScalar(node) ? String(node.value) : String(node);
        const { text: t, unresolved, defaulted, used } = interpolate(raw, env);
        return {
          text: t,
          source: sourceOf(lineOf(node), used),
          ...(unresolved.length && { unresolved }),
          ...(defaulted.length && { defaulted }),
        };
      });
    }
    if (isScalar(n) && typeof n.value === 'string') {
      const line = lineOf(n);
      // A string command is split the way compose does (shell-like words); interpolation first.
      return shellCommands(n.value.replace(/\$\$/g, '\u0000'), (name) => env[name] || undefined, line)
        .flat()
        .map(({ used, ...w }) => ({ ...w, text: w.text.replace(/\u0000/g, '$'), source: sourceOf(w.line, used) }));
    }
    return undefined;
  };
  const out: FoundCommand[] = [];
  for (const pair of services.items) {
    const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
    const svc = pair.value;
    if (!isMap(svc)) continue;
    const image = svc.get('image');
    const entry = words(svc.get('entrypoint', true)) ?? [];
    const command = words(svc.get('command', true)) ?? [];
    const all = [...entry, ...command];
    const i = programIndex(all, programs);
    const where = `${file} service ${name}`;
    if (i >= 0) {
      out.push({ program: programName(all[i]!.text), args: all.slice(i + 1), where, service: name });
      continue;
    }
    const byImage = typeof image === 'string' ? IMAGE_PROGRAMS.find(([re]) => re.test(image))?.[1] : undefined;
    // The flwr/* images' entrypoint is the program itself; `command:` holds only its options.
    if (byImage && programs.includes(byImage) && entry.length === 0)
      out.push({ program: byImage, args: command, where, service: name });
  }
  return out;
}

/** /proc/PID/cmdline: NUL-separated argv, with a trailing NUL. */
export function commandsFromCmdline(raw: string, pid: string, programs: readonly string[]): FoundCommand[] {
  const argv = raw.split('\0');
  if (argv.at(-1) === '') argv.pop();
  const source = `pid ${pid} argv`;
  const i = programIndex(
    argv.map((text) => ({ text })),
    programs,
  );
  if (i < 0) return [];
  return [{ program: programName(argv[i]!), args: argv.slice(i + 1).map((text) => ({ text, source })), where: source }];
}
