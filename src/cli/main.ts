// main(argv, io) → exit code. Parses with yargs, runs one command, turns every known error into
// one line on stderr with exit code 2. Only bin/ touches the process.
import type { Argv } from 'yargs';
import { ProfileError, UsageError, printable, quote } from '../errors.js';
import { redactUserinfo } from '../profile/credentials.js';
import { didYouMean } from '../profile/suggest.js';
import { EXIT_USAGE } from '../report/exit.js';
import { version } from '../version.js';
import { helpWidth, write, type Io } from './io.js';

type Done = (code: number) => void;
/** Adds one command's yargs definition (from its commands/*.ts module) to the parser. */
type Register = (cli: Argv, io: Io, done: Done) => void;

// Each command's module (and what it pulls in: the daemon's prom-client, the stand-ins, the
// framework readers) is imported only when that command runs; `--help` without a command loads
// them all to list them. In the order `--help` lists them.
const COMMAND_MODULES: Record<string, () => Promise<Register>> = {
  check: () => import('./commands/check.js').then((m) => (cli, io, done) => cli.command(m.checkCommand(io, done))),
  probe: () => import('./commands/probe.js').then((m) => (cli, io, done) => cli.command(m.probeCommand(io, done))),
  discover: () =>
    import('./commands/discover.js').then((m) => (cli, io, done) => cli.command(m.discoverCommand(io, done))),
  profiles: () =>
    import('./commands/catalog.js').then((m) => (cli, io, done) => cli.command(m.profilesCommand(io, done))),
  show: () => import('./commands/catalog.js').then((m) => (cli, io, done) => cli.command(m.showCommand(io, done))),
  validate: () =>
    import('./commands/catalog.js').then((m) => (cli, io, done) => cli.command(m.validateCommand(io, done))),
  schema: () => import('./commands/catalog.js').then((m) => (cli, io, done) => cli.command(m.schemaCommand(io, done))),
  respond: () =>
    import('./commands/respond.js').then((m) => (cli, io, done) => cli.command(m.respondCommand(io, done))),
  demo: () => import('./commands/demo.js').then((m) => (cli, io, done) => cli.command(m.demoCommand(io, done))),
  daemon: () => import('./commands/daemon.js').then((m) => (cli, io, done) => cli.command(m.daemonCommand(io, done))),
  completion: () => import('./commands/completion.js').then((m) => (cli) => m.registerCompletion(cli)),
};
const COMMANDS = Object.keys(COMMAND_MODULES);

/** The commands whose modules this argv needs: the one named first, else all (for --help). */
function commandsFor(argv: string[]): string[] {
  const first = argv[0];
  return first !== undefined && COMMANDS.includes(first) ? [first] : COMMANDS;
}

/** yargs messages can span lines; the contract is one line on stderr. */
function oneLine(text: string): string {
  return printable(text.replace(/\s*\n\s*/g, ' ').trim());
}

/** The options yargs knows in the current command's context (a public method its types omit). */
function optionsOf(cli: Argv): { array: string[]; key: Record<string, unknown> } {
  return (cli as unknown as { getOptions(): { array: string[]; key: Record<string, unknown> } }).getOptions();
}

/** yargs gives a repeated flag as an array; for a single-value flag that is a mistake, not a choice
 * (`--proxy X --proxy direct` must not become a proxy at "X,direct"). */
function refuseRepeated(args: Record<string, unknown>, arrays: readonly string[]): void {
  for (const [key, value] of Object.entries(args)) {
    if (key === '_' || key === '$0' || !Array.isArray(value) || arrays.includes(key) || key.length === 1) continue;
    const shown = value
      .slice(0, 3)
      .map((v) => quote(redactUserinfo(String(v)), 40))
      .join(', ');
    throw new UsageError(
      `--${key} is given ${value.length} times (${shown}${value.length > 3 ? ', …' : ''}); give it once`,
    );
  }
}

/** "Unknown arguments: timout" + the closest known flags. */
function unknownFlagHint(message: string, known: readonly string[]): string {
  const m = /^Unknown arguments?: (.*)$/s.exec(message);
  if (!m) return message;
  const hints = m[1]!
    .split(', ')
    .map((flag) => {
      const near = didYouMean(
        flag.replace(/^-+/, ''),
        known.filter((k) => k.length > 1),
        (k) => `--${k}`,
      );
      return near ? `${flag}: ${near}` : '';
    })
    .filter(Boolean);
  return hints.length ? `${message} (${hints.join('; ')})` : message;
}

export async function main(argv: string[], io: Io): Promise<number> {
  // A Tab in the shell, from the `fedprobe completion` script (see commands/completion.ts).
  if (argv[0] === '--get-yargs-completions')
    return (await import('./commands/completion.js')).answerCompletion(argv.slice(1), io);
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !COMMANDS.includes(first)) {
    const hint = didYouMean(first, COMMANDS);
    write(
      io.stderr,
      `fedprobe: unknown command ${printable(quote(first, 40))} (${hint ? `${hint} ` : ''}commands: ` +
        `${COMMANDS.join(', ')}; see fedprobe --help)`,
    );
    return EXIT_USAGE;
  }
  // Answered before yargs is even loaded (it alone costs most of a bare Node start): scripts and
  // CI call `fedprobe --version` often.
  if (argv.length === 1 && first === '--version') {
    write(io.stdout, version);
    return 0;
  }
  // `check PROFILE [flags]`, the common case, without building yargs' parser (fast-check.ts).
  if (first === 'check') {
    const flags = (await import('./fast-check.js')).parseFastCheck(argv.slice(1));
    if (flags) {
      try {
        let code = 0;
        await (await import('./commands/check.js')).checkCommand(io, (c) => (code = c)).handler(flags);
        return code;
      } catch (e) {
        return failure(e, io);
      }
    }
  }
  const { default: yargs } = await import('yargs');
  let code: number | undefined;
  const done = (c: number) => (code = c);
  const registers = await Promise.all(commandsFor(argv).map((name) => COMMAND_MODULES[name]!()));
  const cli: Argv = yargs(argv)
    .scriptName('fedprobe')
    .usage(
      'fedprobe <command> [options]\n\nChecks the network paths of a federated-learning site, row by row of the ' +
        "framework's network matrix.",
    );
  for (const register of registers) register(cli, io, done);
  cli
    .demandCommand(1, 'give a command: fedprobe check fedbiomed/node, fedprobe profiles, fedprobe --help')
    .strict()
    .version(version)
    .help()
    .wrap(helpWidth(io))
    .exitProcess(false)
    .middleware((args) => refuseRepeated(args, optionsOf(cli).array))
    .fail((msg, err) => {
      if (err) throw err;
      throw new UsageError(unknownFlagHint(msg, Object.keys(optionsOf(cli).key)));
    });
  let helpText = '';
  try {
    await cli.parseAsync(argv, {}, (_err, _args, output) => {
      helpText = output;
    });
  } catch (e) {
    return failure(e, io);
  }
  if (helpText) write(io.stdout, helpText);
  return code ?? 0;
}

/** One line on stderr for what a command threw, and its exit code. */
function failure(e: unknown, io: Io): number {
  if (e instanceof UsageError || e instanceof ProfileError) {
    write(io.stderr, `fedprobe: ${oneLine(e.message)}`);
    return EXIT_USAGE;
  }
  if (e instanceof Error && e.name === 'YError') {
    write(io.stderr, `fedprobe: ${oneLine(e.message)} (see fedprobe --help)`);
    return EXIT_USAGE;
  }
  // Probes report their own DNS failures as results; one that reaches here is a name the operator
  // gave to this machine (daemon --listen nosuchhost.invalid:9469): bad input, not a crash.
  const sys = e as NodeJS.ErrnoException & { hostname?: unknown };
  if (sys.syscall === 'getaddrinfo' && typeof sys.hostname === 'string') {
    write(
      io.stderr,
      `fedprobe: cannot resolve ${quote(sys.hostname)} (${sys.code ?? 'error'}): give an IP address or a name ` +
        `this machine resolves`,
    );
    return EXIT_USAGE;
  }
  write(io.stderr, `fedprobe: unexpected error: ${oneLine(e instanceof Error ? e.message : String(e))}`);
  return 3;
}
