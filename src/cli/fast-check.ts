// `fedprobe check PROFILE [flags]` without yargs: loading and building yargs' parser costs more CPU
// than a five-row check of loopback ports. This reads only the forms it fully understands — one
// profile, known flags each given once (the repeatable ones as often as wanted), values that need
// no coercion — into exactly the flags yargs would give the command's handler. Anything else
// (help, completion, --from, --push, --all, an unknown or repeated flag, a value yargs would coerce
// or refuse, an array flag followed by a word yargs would swallow) returns undefined, and main()
// hands the command line to yargs as always: every message and exit code stays yargs' own.
import { LOG_LEVELS } from '../log.js';
import { DEFAULT_CONCURRENCY } from '../probe/run.js';
import { DEFAULT_TIMEOUT_MS } from '../profile/expand.js';
import { FORMAT_NAMES } from '../report/formats.js';
import type { checkCommand } from './commands/check.js';

type CheckFlags = Parameters<ReturnType<typeof checkCommand>['handler']>[0];

type Kind = 'string' | 'array' | 'boolean' | 'whole' | readonly string[];

// The check command's flags (check-options.ts, commands/check.ts) this path takes, by long name.
const FLAGS: Record<string, Kind> = {
  format: FORMAT_NAMES,
  timeout: 'string',
  retries: 'whole',
  concurrency: 'whole',
  adaptive: 'boolean',
  family: ['4', '6'],
  proxy: 'string',
  strict: 'boolean',
  output: 'string',
  color: 'boolean',
  'log-level': LOG_LEVELS,
  set: 'array',
  site: 'string',
  with: 'array',
  only: 'array',
  type: ['backend', 'user'],
  'mandatory-only': 'boolean',
};
const SHORT: Record<string, string> = { '-f': 'format', '-o': 'output', '-s': 'set', '-w': 'with' };

/** The flags yargs would give the check handler for `argv` (after `check`), or undefined. */
export function parseFastCheck(argv: readonly string[]): CheckFlags | undefined {
  const given: Record<string, string | boolean | string[]> = {};
  let profile: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '' || arg === '-' || arg === '--') return undefined;
    if (!arg.startsWith('-')) {
      if (profile !== undefined) return undefined;
      profile = arg;
      continue;
    }
    const eq = arg.indexOf('=');
    let name = SHORT[arg] ?? (arg.startsWith('--') ? arg.slice(2, eq === -1 ? undefined : eq) : undefined);
    let inline = eq === -1 || SHORT[arg] !== undefined ? undefined : arg.slice(eq + 1);
    let negated = false;
    if (name === 'no-color' && inline === undefined) {
      name = 'color';
      negated = true;
    }
    const kind = name !== undefined ? FLAGS[name] : undefined;
    if (name === undefined || kind === undefined) return undefined;
    if (kind === 'boolean') {
      // `--strict false` and `--strict=false` are yargs' to read.
      if (inline !== undefined || given[name] !== undefined || /^(true|false)$/.test(argv[i + 1] ?? ''))
        return undefined;
      given[name] = !negated;
      continue;
    }
    inline ??= argv[++i];
    if (inline === undefined || inline === '' || inline.startsWith('-')) return undefined;
    if (kind === 'array') {
      // yargs gives an array flag every word after it, up to the next flag.
      const next = argv[i + 1];
      if (next !== undefined && !next.startsWith('-')) return undefined;
      given[name] = [...((given[name] as string[] | undefined) ?? []), inline];
      continue;
    }
    if (given[name] !== undefined) return undefined;
    if (kind === 'whole' && !/^[0-9]{1,6}$/.test(inline)) return undefined;
    if (typeof kind !== 'string' && !kind.includes(inline)) return undefined;
    given[name] = inline;
  }
  if (profile === undefined) return undefined;
  const str = (name: string) => given[name] as string | undefined;
  return {
    profile,
    format: (str('format') ?? 'table') as CheckFlags['format'],
    timeout: str('timeout') ?? `${DEFAULT_TIMEOUT_MS / 1000}s`,
    retries: Number(str('retries') ?? 0),
    concurrency: Number(str('concurrency') ?? DEFAULT_CONCURRENCY),
    adaptive: given.adaptive === true,
    strict: given.strict === true,
    'log-level': (str('log-level') ?? 'error') as CheckFlags['log-level'],
    'mandatory-only': given['mandatory-only'] === true,
    all: false,
    'push-job': 'fedprobe',
    ...(given.family !== undefined && { family: Number(given.family) as 4 | 6 }),
    ...(given.color !== undefined && { color: given.color as boolean }),
    ...(str('proxy') !== undefined && { proxy: str('proxy') }),
    ...(str('output') !== undefined && { output: str('output') }),
    ...(str('site') !== undefined && { site: str('site') }),
    ...(str('type') !== undefined && { type: str('type') as CheckFlags['type'] }),
    ...(given.set !== undefined && { set: given.set as string[] }),
    ...(given.with !== undefined && { with: given.with as string[] }),
    ...(given.only !== undefined && { only: given.only as string[] }),
  };
}
