// main(argv, io) → exit code. Parses with yargs, runs one command, turns every known error into
// one line on stderr with exit code 2. Only bin/ touches the process.
import yargs from 'yargs';
import { ProfileError, UsageError } from '../errors.js';
import { EXIT_USAGE } from '../report/exit.js';
import { version } from '../version.js';
import { checkCommand } from './commands/check.js';
import { profilesCommand, schemaCommand, showCommand, validateCommand } from './commands/catalog.js';
import { daemonCommand } from './commands/daemon.js';
import { demoCommand } from './commands/demo.js';
import { probeCommand } from './commands/probe.js';
import { respondCommand } from './commands/respond.js';
import { write, type Io } from './io.js';

const COMMANDS = ['check', 'probe', 'profiles', 'show', 'validate', 'schema', 'respond', 'demo', 'daemon'];

/** yargs messages can span lines; the contract is one line on stderr. */
function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

export async function main(argv: string[], io: Io): Promise<number> {
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !COMMANDS.includes(first)) {
    write(io.stderr, `fedprobe: unknown command "${first}" (commands: ${COMMANDS.join(', ')}; see fedprobe --help)`);
    return EXIT_USAGE;
  }
  let code: number | undefined;
  const done = (c: number) => (code = c);
  const cli = yargs(argv)
    .scriptName('fedprobe')
    .usage('fedprobe <command> [options]\n\nChecks the network paths of a federated-learning site, row by row of the framework\'s network matrix.')
    .command(checkCommand(io, done))
    .command(probeCommand(io, done))
    .command(profilesCommand(io, done))
    .command(showCommand(io, done))
    .command(validateCommand(io, done))
    .command(schemaCommand(io, done))
    .command(respondCommand(io, done))
    .command(demoCommand(io, done))
    .command(daemonCommand(io, done))
    .demandCommand(1, 'give a command: fedprobe check fedbiomed/node, fedprobe profiles, fedprobe --help')
    .strict()
    .version(version)
    .help()
    .wrap(Math.min(110, io.stdout.isTTY ? (process.stdout.columns ?? 100) : 100))
    .exitProcess(false)
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  let helpText = '';
  try {
    await cli.parseAsync(argv, {}, (_err, _args, output) => {
      helpText = output;
    });
  } catch (e) {
    if (e instanceof UsageError || e instanceof ProfileError) {
      write(io.stderr, `fedprobe: ${oneLine(e.message)}`);
      return EXIT_USAGE;
    }
    if (e instanceof Error && e.name === 'YError') {
      write(io.stderr, `fedprobe: ${oneLine(e.message)} (see fedprobe --help)`);
      return EXIT_USAGE;
    }
    write(io.stderr, `fedprobe: unexpected error: ${oneLine(e instanceof Error ? e.message : String(e))}`);
    return 3;
  }
  if (helpText) write(io.stdout, helpText);
  return code ?? 0;
}
