// The framework command lines a configuration file holds — a start script, a systemd unit's
// ExecStart=, a process's /proc/PID/cmdline (compose services: compose.ts) — as words with sources,
// each starting at the framework program (flower-supernode, run-sn …).
import type { ArgWord } from './argv.js';
import type { Found } from './found.js';
import { programName, shellCommands, type Lookup } from './shell.js';

export interface FoundCommand {
  program: string;
  args: ArgWord[];
  /** Where the command is, for notes: `run-all:251`, `compose.yml service supernode-1`, `pid 42 argv`. */
  where: string;
  /** The compose service name, when there is one. */
  service?: string;
  /** Its paths placed where this machine reads them (a compose service's mounts). */
  place?: (found: Found) => Found;
  /** A component read from its own configuration rather than its argv (Fed-BioMed in a compose service). */
  read?: () => Promise<Found>;
}

/** Words that may come before the program: `sudo -E`, `exec`, `nohup`, `python3 /usr/bin/…`, `A=b`. */
export function programIndex(words: readonly { text: string }[], programs: readonly string[]): number {
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
