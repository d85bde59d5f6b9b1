// A running `docker compose … up` as its argv says it: `docker [global options] compose`, the CLI plugin
// `…/cli-plugins/docker-compose compose` that docker runs for it, or the standalone `docker-compose`; then
// compose's own options before the subcommand (`docker compose --help`), and `up`'s services.
import { basename } from 'node:path';

export interface ComposeUp {
  /** The command from `docker` on, for the evidence line: `docker compose -f compose.yml up`. */
  shown: string;
  /** `-f`/`--file`, in order, as written (relative ones are relative to the process's cwd). */
  files: string[];
  projectDir?: string;
  envFiles: string[];
  profiles: string[];
  /** The services named after `up`; none means all of them. */
  services: string[];
}

/** docker's own options that take a value (`docker --help`). */
const DOCKER_VALUED = new Set(['--config', '-c', '--context', '-H', '--host', '-l', '--log-level']);
const DOCKER_VALUED_LONG = new Set(['--tlscacert', '--tlscert', '--tlskey']);
/** compose's options before the subcommand that take a value. */
const COMPOSE_VALUED = new Set([
  '-f',
  '--file',
  '-p',
  '--project-name',
  '--project-directory',
  '--env-file',
  '--profile',
  '--parallel',
  '--ansi',
  '--progress',
]);
/** `up`'s options that take a value (`docker compose up --help`); the others are flags. */
const UP_VALUED = new Set([
  '--attach',
  '--exit-code-from',
  '--no-attach',
  '--pull',
  '--scale',
  '-t',
  '--timeout',
  '--wait-timeout',
]);

/** `--opt=v` / `-fv` / `--opt v`: the option's name and value, and how many words it took. */
function option(argv: readonly string[], i: number, valued: ReadonlySet<string>) {
  const a = argv[i]!;
  const eq = a.indexOf('=');
  if (a.startsWith('--') && eq > 0) return { name: a.slice(0, eq), value: a.slice(eq + 1), next: i + 1 };
  if (valued.has(a)) return { name: a, value: argv[i + 1], next: i + 2 };
  // A short option glued to its value (pflag): `-fcompose.yml`.
  const short = /^(-[a-zA-Z])(.+)$/.exec(a);
  if (short && valued.has(short[1]!)) return { name: short[1]!, value: short[2]!, next: i + 1 };
  return { name: a, value: undefined, next: i + 1 };
}

/** Where compose's own options start: after `docker … compose` or `docker-compose [compose]`. */
function composeStart(argv: readonly string[]): { at: number; start: number } | undefined {
  const at = argv.findIndex((a) => ['docker', 'docker-compose'].includes(basename(a)));
  if (at < 0) return undefined;
  if (basename(argv[at]!) === 'docker-compose') return { at, start: argv[at + 1] === 'compose' ? at + 2 : at + 1 };
  for (let i = at + 1; i < argv.length; ) {
    const a = argv[i]!;
    if (a === 'compose') return { at, start: i + 1 };
    if (!a.startsWith('-')) return undefined;
    i = DOCKER_VALUED.has(a) || DOCKER_VALUED_LONG.has(a) ? i + 2 : i + 1;
  }
  return undefined;
}

/** The compose invocation when argv is a `docker compose … up`; undefined for anything else. */
export function composeUpArgv(argv: readonly string[]): ComposeUp | undefined {
  const found = composeStart(argv);
  if (found === undefined) return undefined;
  const shown = [basename(argv[found.at]!), ...argv.slice(found.at + 1)].join(' ');
  const out: ComposeUp = { shown, files: [], envFiles: [], profiles: [], services: [] };
  let i = found.start;
  for (; i < argv.length && argv[i]!.startsWith('-'); ) {
    const o = option(argv, i, COMPOSE_VALUED);
    if (o.value !== undefined && COMPOSE_VALUED.has(o.name)) {
      if (o.name === '-f' || o.name === '--file') out.files.push(o.value);
      else if (o.name === '--project-directory') out.projectDir = o.value;
      else if (o.name === '--env-file') out.envFiles.push(o.value);
      else if (o.name === '--profile') out.profiles.push(o.value);
    }
    i = o.next;
  }
  if (argv[i] !== 'up') return undefined;
  for (i++; i < argv.length; ) {
    const a = argv[i]!;
    if (a === '--') {
      out.services.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-')) {
      out.services.push(a);
      i++;
    } else i = option(argv, i, UP_VALUED).next;
  }
  return out;
}
