// Writes man/fedprobe.1 from the CLI's own help text (`npm run man`, after a build): the synopsis
// and description from `fedprobe --help`, one section per command from `fedprobe <command> --help`
// (printed one entry a line with COLUMNS=1000, parsed by the same helpEntries() the shell
// completion uses), plus exit status, environment and files, which the help text does not carry.
// Deterministic (no date), so that a test can tell a stale page from a fresh one.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

type Completion = typeof import('../dist/cli/commands/completion.js');
type HelpEntry = ReturnType<Completion['helpEntries']>['entries'][number];

// Run from the checkout (scripts/man.sh compiles this file alone, elsewhere): the built CLI is there.
const root = pathToFileURL(`${process.cwd()}/`);
const { helpEntries } = (await import(new URL('dist/cli/commands/completion.js', root).href)) as Completion;
const bin = new URL('bin/fedprobe.js', root).pathname;
const version = (JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { version: string }).version;

function help(args: string[]): string {
  const env = { ...process.env, COLUMNS: '1000', NO_COLOR: '1' };
  return execFileSync(process.execPath, [bin, ...args, '--help'], { encoding: 'utf8', env });
}

/** Text for roff: backslashes escaped, no line may start with a control character. */
function roff(text: string): string {
  return text.replace(/\\/g, '\\e').replace(/^([.'])/gm, '\\&$1');
}
/** A flag or command as typed: bold, hyphens as real minus signs so they can be copied. */
const typed = (s: string) => `\\fB${roff(s).replace(/-/g, '\\-')}\\fR`;

function entries(list: HelpEntry[]): string[] {
  return list.flatMap((e) => ['.TP', typed(e.spec), roff([e.description, e.notes].filter(Boolean).join(' '))]);
}

const top = helpEntries(help([]));
const commands = top.entries.filter((e) => e.section === 'Commands');
const out: string[] = [
  `.TH FEDPROBE 1 "" "fedprobe ${version}" "User Commands"`,
  // No hyphenation, ragged right: flags, profile ids and URLs stay whole and copyable.
  '.nh',
  '.ad l',
  '.SH NAME',
  "fedprobe \\- check the network paths of a federated\\-learning site, row by row of the framework's network matrix",
  '.SH SYNOPSIS',
  '.B fedprobe',
  '.I command',
  '[options]',
  '.SH DESCRIPTION',
  roff(top.preamble.slice(1).join('\n').trim()),
  '.PP',
  "Each command's own options are listed under its name below, and by",
  `${typed('fedprobe')} \\fIcommand\\fR ${typed('--help')}.`,
  '.SH COMMANDS',
  ...entries(commands),
  '.SH GLOBAL OPTIONS',
  ...entries(top.entries.filter((e) => e.section === 'Options')),
];
for (const c of commands) {
  const name = c.spec.split(' ')[1]!;
  out.push(
    `.SH ${roff(
      c.spec
        .replace(/^fedprobe /, '')
        .toUpperCase()
        .split(' ')[0]!,
    )}`,
    typed(c.spec),
    '.PP',
  );
  if (name === 'completion') {
    // Its --help is the script itself.
    out.push(roff(c.description), '.PP', 'Install: fedprobe completion >> ~/.bashrc (bash), or >> ~/.zshrc (zsh).');
    continue;
  }
  const h = helpEntries(help([name]));
  out.push(roff(h.preamble.slice(1).join('\n').trim() || c.description));
  for (const section of [...new Set(h.entries.map((e) => e.section))]) {
    const list = h.entries.filter((e) => e.section === section && !['--help', '--version'].includes(e.spec));
    if (list.length) out.push(`.SS ${roff(section)}`, ...entries(list));
  }
}
out.push(
  '.SH EXIT STATUS',
  '.TP',
  '.B 0',
  'every mandatory row passed (with \\fB\\-\\-strict\\fR: every row passed or warned)',
  '.TP',
  '.B 1',
  'a mandatory row failed (with \\fB\\-\\-strict\\fR: any row failed or was ' +
    'inconclusive); also a failed \\fB\\-\\-push\\fR',
  '.TP',
  '.B 2',
  'bad input: a usage error, a profile that does not load, a host name that does not exist',
  '.TP',
  '.B 3',
  'an unexpected error (a bug: please report it)',
  '.SH ENVIRONMENT',
  '.TP',
  typed('FEDPROBE_VAR_<name>'),
  'a profile variable, between a site file (\\fB\\-\\-site\\fR) and \\fB\\-\\-set\\fR in strength',
  '.TP',
  typed('HTTPS_PROXY, ALL_PROXY, NO_PROXY'),
  'the HTTP CONNECT proxy for TCP rows, unless \\fB\\-\\-proxy\\fR says otherwise',
  '.TP',
  typed('NODE_EXTRA_CA_CERTS'),
  'a PEM file of CA certificates to trust besides the system store',
  '.TP',
  typed('NO_COLOR'),
  'set and not empty: no colour on a terminal',
  '.TP',
  typed('COLUMNS'),
  'when stdout is not a terminal: the width to fit the table to (unset: the whole matrix)',
  '.TP',
  typed('CI'),
  'set: no progress line on stderr',
  '.SH FILES',
  '.TP',
  typed('profiles/<framework>/<component>.yaml'),
  'the shipped profiles, in the package directory (\\fBfedprobe profiles\\fR lists them)',
  '.SH SEE ALSO',
  'The README and profiles/README.md (the profile and site file formats) in the fedprobe package.',
);
writeFileSync(process.argv[2] ?? new URL('man/fedprobe.1', root), `${out.join('\n')}\n`);
