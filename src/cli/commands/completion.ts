// fedprobe completion: the shell completion script yargs generates (bash, or zsh when $SHELL is
// zsh), and the answers the script asks for on every Tab (`fedprobe --get-yargs-completions
// fedprobe check --ti`): commands, a command's flags, a flag's choices, and the shipped profile
// ids where a command takes one. The answers come from the same help text as --help and the man
// page (parsed by helpEntries), not from yargs' completer, which re-parses process.argv inside a
// command and prints to the console itself.
//   fedprobe completion >> ~/.bashrc        fedprobe completion >> ~/.zshrc
import { Writable } from 'node:stream';
import type { Argv } from 'yargs';
import { listProfileIds } from '../../profile/load.js';
import { write, type Io } from '../io.js';

export const COMPLETION_FLAG = '--get-yargs-completions';

/** Commands whose first argument is a profile id. */
const TAKES_PROFILE = new Set(['check', 'show', 'demo', 'respond', 'daemon', 'validate']);

export function registerCompletion(cli: Argv): void {
  cli.completion('completion', 'print the shell completion script: fedprobe completion >> ~/.bashrc (or ~/.zshrc)');
}

/** One entry of a --help section: `--timeout` and its description, `check [profile]` and its. */
export interface HelpEntry {
  section: string;
  /** What is typed: `-f, --format`, `fedprobe check [profile]`, `profile`. */
  spec: string;
  description: string;
  /** `[string] [default: "3s"]`, `[choices: "4", "6"]`. */
  notes: string;
}

/**
 * The sections of yargs' help text printed one entry a line (COLUMNS=1000): the usage and the
 * paragraphs before the first section, then "Commands:", "Positionals:", "Options:" … entries.
 */
export function helpEntries(text: string): { preamble: string[]; entries: HelpEntry[] } {
  const preamble: string[] = [];
  const entries: HelpEntry[] = [];
  let section = '';
  for (const line of text.split('\n')) {
    const heading = /^(\S.*):$/.exec(line);
    if (heading) section = heading[1]!;
    else if (!section) preamble.push(line);
    else if (/^ {2}\S| {6}-/.test(line)) {
      const [spec = '', ...rest] = line.trim().split(/ {2,}/);
      const notes = rest.length > 1 && rest.at(-1)!.startsWith('[') ? rest.pop()! : '';
      entries.push({ section, spec, description: rest.join('  '), notes });
    }
  }
  while (preamble.at(-1) === '') preamble.pop();
  return { preamble, entries };
}

/** `fedprobe <args> --help`, wide, from this very CLI, in-process. */
async function help(args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const { main } = await import('../main.js');
  let text = '';
  const out = new Writable({
    write: (chunk, _e, cb) => {
      text += String(chunk);
      cb();
    },
  });
  const sink = new Writable({ write: (_c, _e, cb) => cb() });
  const io = { stdout: out, stderr: sink, env: { ...env, COLUMNS: '1000' }, signal: new AbortController().signal };
  await main([...args, '--help'], io);
  return text;
}

const longFlags = (e: HelpEntry) => e.spec.split(', ').filter((s) => s.startsWith('--'));
const choices = (e: HelpEntry) =>
  [...(/\[choices: ([^\]]*)\]/.exec(e.notes)?.[1] ?? '').matchAll(/"([^"]*)"|(\d+)/g)].map((m) => m[1] ?? m[2]!);

/** The words to offer; `words` as the script gives them: "fedprobe", the typed words, the current one. */
export async function completions(words: string[], env: NodeJS.ProcessEnv): Promise<string[]> {
  const typed = words.slice(1);
  const current = typed.at(-1) ?? '';
  const before = typed.slice(0, -1);
  const offer = (xs: string[]) => xs.filter((x) => x.startsWith(current));
  if (before.length === 0) {
    if (current.startsWith('-')) return offer(['--help', '--version']);
    const commands = helpEntries(await help([], env)).entries.filter((e) => e.section === 'Commands');
    return offer(commands.map((e) => e.spec.split(' ')[1]!));
  }
  const command = before[0]!;
  const { entries } = helpEntries(await help([command], env));
  const options = entries.filter((e) => e.section !== 'Positionals' && e.section !== 'Commands');
  const names = (e: HelpEntry) => e.spec.split(', ');
  const previous = options.find((e) => names(e).includes(before.at(-1)!));
  if (previous && !previous.notes.includes('[boolean]')) return offer(choices(previous));
  if (current.startsWith('-')) return offer(options.flatMap(longFlags));
  // The first word after the command that is not a flag nor a flag's value: the profile.
  const takesValue = (flag: string) => options.some((e) => !e.notes.includes('[boolean]') && names(e).includes(flag));
  const positionals = before.slice(1).filter((w, i, all) => !w.startsWith('-') && !(i > 0 && takesValue(all[i - 1]!)));
  return TAKES_PROFILE.has(command) && positionals.length === 0 ? offer(await listProfileIds()) : [];
}

/** Answers one Tab: the words on stdout, one a line, exit 0 (a completer never fails loudly). */
export async function answerCompletion(words: string[], io: Io): Promise<number> {
  write(io.stdout, (await completions(words, io.env).catch(() => [])).join('\n'));
  return 0;
}
