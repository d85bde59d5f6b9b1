// The framework command lines a configuration file holds — a start script, a systemd unit's
// ExecStart=, a docker-compose service, a process's /proc/PID/cmdline — as words with sources,
// each starting at the framework program (flower-supernode, run-sn …).
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { UsageError } from '../errors.js';
import type { ArgWord } from './argv.js';
import { serviceEnvironment } from './compose-env.js';
import { type EnvLookup, substitute } from './interpolate.js';
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

const IMAGE_PROGRAMS: [RegExp, string][] = [
  [/(^|\/)flwr\/supernode(:|@|$)/, 'flower-supernode'],
  [/(^|\/)flwr\/superlink(:|@|$)/, 'flower-superlink'],
];

/** `compose.yml:6`, and for each variable whose value came from a file, that file's line too. */
function sourceOf(file: string, line: number, used: readonly string[], lookup: EnvLookup): string {
  const from = [...new Set(used)].flatMap((n) => {
    const src = lookup(n)?.source;
    return src ? [`$${n} from ${src}`] : [];
  });
  return `${file}:${line}${from.length ? ` (${from.join(', ')})` : ''}`;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);

/** `sh -c "flower-supernode --superlink $$HOST:9092"`: the container's shell runs it, with the container's
 * environment (env_file:, environment:); compose has already turned `$$` into `$`. */
function shellScript(
  all: readonly ArgWord[],
  svcLine: (w: ArgWord) => number,
): { script: ArgWord; line: number } | undefined {
  if (!all[0] || !SHELLS.has(programName(all[0].text))) return undefined;
  const c = all.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w.text));
  const script = c < 0 ? undefined : all[c + 1];
  return script ? { script, line: svcLine(script) } : undefined;
}

export async function commandsFromCompose(
  text: string,
  file: string,
  programs: readonly string[],
  /** The project's variables: the shell's environment over the .env beside the file. */
  project: EnvLookup,
): Promise<FoundCommand[]> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true });
  const err = doc.errors[0];
  if (err) throw new UsageError(`${file}:${err.linePos?.[0].line ?? 1}: not valid YAML: ${err.message.split('\n')[0]}`);
  const services = doc.get('services', true);
  if (!isMap(services)) throw new UsageError(`${file}: a compose file without services:`);
  const lineOf = (n: Node) => lineCounter.linePos(n.range?.[0] ?? 0).line;
  // Block scalars (`|`) start their text on the line after the indicator.
  const firstLine = (n: Node) => lineOf(n) + (isScalar(n) && /^BLOCK/.test(String(n.type)) ? 1 : 0);
  const lines = new Map<ArgWord, number>();
  const words = (n: unknown): ArgWord[] | undefined => {
    if (isSeq(n)) {
      return n.items.map((item) => {
        const node = item as Node;
        const raw = isScalar(node) ? String(node.value) : String(node);
        const where = `${file}:${lineOf(node)}`;
        const { text: t, unresolved, defaulted, used } = substitute(raw, project, where);
        const w: ArgWord = {
          text: t,
          source: sourceOf(file, lineOf(node), used, project),
          ...(unresolved.length && { unresolved }),
          ...(defaulted.length && { defaulted }),
        };
        lines.set(w, firstLine(node));
        return w;
      });
    }
    if (isScalar(n) && typeof n.value === 'string') {
      // A string command is split the way compose does (shell-like words); interpolation first.
      const lookup = (name: string) => project(name)?.value || undefined;
      return shellCommands(n.value.replace(/\$\$/g, '\u0000'), lookup, firstLine(n as Node))
        .flat()
        .map(({ used, line, ...w }) => {
          const word = {
            ...w,
            text: w.text.replace(/\u0000/g, '$'),
            source: sourceOf(file, line, used ?? [], project),
          };
          lines.set(word, line);
          return word;
        });
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
    const sh = shellScript(all, (w) => lines.get(w) ?? 0);
    if (sh) {
      const env = await serviceEnvironment(svc, { file, lineCounter, project }, name);
      const lookup = (n: string) => env[n]?.value || undefined;
      const envLookup: EnvLookup = (n) => env[n];
      for (const cmd of shellCommands(sh.script.text, lookup, sh.line)) {
        const j = programIndex(cmd, programs);
        if (j < 0) continue;
        const args = cmd.slice(j + 1).map(({ used, line, ...w }) => {
          // What compose itself could not resolve in the script is not known inside it either.
          const unresolved = [...(sh.script.unresolved ?? []), ...(w.unresolved ?? [])];
          const fromEnv = (used ?? []).filter((u) => env[u]?.unresolved).flatMap((u) => env[u]!.unresolved!);
          const all2 = [...unresolved, ...fromEnv];
          return {
            ...w,
            source: sourceOf(file, line, used ?? [], envLookup),
            ...(all2.length && { unresolved: all2 }),
          };
        });
        out.push({ program: programName(cmd[j]!.text), args, where, service: name });
      }
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
