// Flags shared by `check`, `probe` and `demo`, and their translation into CheckOptions.
import type { Argv } from 'yargs';
import type { CheckOptions } from '../check.js';
import { UsageError } from '../errors.js';
import { createLogger, LOG_LEVELS } from '../log.js';
import { proxyProblem } from '../profile/credentials.js';
import { loadSiteFile } from '../profile/load.js';
import { parseWithFlags, type RowOverride } from '../profile/overrides.js';
import { DEFAULT_TIMEOUT_MS } from '../profile/expand.js';
import { DEFAULT_CONCURRENCY } from '../probe/run.js';
import { FORMAT_NAMES } from '../report/formats.js';
import type { Family, RowType } from '../types.js';
import type { Io } from './io.js';
import { parseAssignments, parseDuration, parseList } from './parse.js';

export function withRunFlags<T>(y: Argv<T>) {
  return y
    .option('format', {
      alias: 'f',
      choices: FORMAT_NAMES,
      default: 'table' as const,
      describe: 'output format on stdout',
    })
    .option('timeout', {
      type: 'string',
      default: `${DEFAULT_TIMEOUT_MS / 1000}s`,
      describe: "deadline per row and address: seconds (5), or 500ms, 5s, 1m; a row's own timeout wins",
    })
    .option('retries', { type: 'number', default: 0, describe: 'extra attempts for a row that did not pass' })
    .option('concurrency', { type: 'number', default: DEFAULT_CONCURRENCY, describe: 'rows checked at once' })
    .option('adaptive', {
      type: 'boolean',
      default: false,
      describe:
        'cut a silent TCP connect early once its host has answered other rows (nmap-like RTT deadlines, one retry ' +
        'first)',
    })
    .option('family', { choices: [4, 6] as const, describe: 'use only IPv4 or only IPv6 addresses' })
    .option('proxy', {
      type: 'string',
      describe:
        'HTTP CONNECT proxy for TCP rows (http://[user:pass@]host:port), or "direct" to ignore HTTPS_PROXY/ALL_PROXY',
    })
    .option('strict', {
      type: 'boolean',
      default: false,
      describe: 'exit 1 when any row fails or is inconclusive, optional ones too',
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      describe: 'write the report to this file (atomically) instead of stdout',
    })
    .option('color', { type: 'boolean', describe: 'colour the table (default: on a terminal, unless NO_COLOR is set)' })
    .option('log-level', {
      choices: LOG_LEVELS,
      default: 'error' as const,
      describe: 'level of the JSON logs on stderr',
    });
}

export function withProfileFlags<T>(y: Argv<T>) {
  return withRunFlags(y)
    .option('set', {
      alias: 's',
      type: 'string',
      array: true,
      describe: 'a variable: --set network_host=fbm.example.org (repeatable)',
    })
    .option('site', {
      type: 'string',
      describe:
        "YAML file with this site's variables (vars: {name: value}) " +
        'and row options (rows: {ROW: {with: {OPTION: value}}})',
    })
    .option('with', {
      alias: 'w',
      type: 'string',
      array: true,
      describe:
        "a row option over the profile's: --with fleet.ca=/etc/flwr/ca.pem, " +
        "or '*.insecure=true' for every row that takes it (repeatable)",
    })
    .option('only', { type: 'string', array: true, describe: 'check only these row ids (comma-separated or repeated)' })
    .option('type', { choices: ['backend', 'user'] as const, describe: 'check only rows of this type' })
    .option('mandatory-only', { type: 'boolean', default: false, describe: 'skip optional rows' });
}

/**
 * `check --all`: the whole firewall request before anything is installed. Names are resolved and
 * source addresses read from this machine's routes; no row is probed (src/plan.ts).
 */
export function withPlanFlag<T>(y: Argv<T>) {
  return y.option('all', {
    type: 'boolean',
    default: false,
    describe:
      'plan every row without sending traffic (names resolved only): the whole firewall request, e.g. with --format ' +
      'firewall',
  });
}

export interface RunFlags {
  timeout: string;
  retries: number;
  concurrency: number;
  adaptive?: boolean | undefined;
  family?: 4 | 6 | undefined;
  strict: boolean;
  proxy?: string | undefined;
  'log-level': (typeof LOG_LEVELS)[number];
}

export interface ProfileFlags extends RunFlags {
  set?: string[] | undefined;
  site?: string | undefined;
  only?: string[] | undefined;
  type?: RowType | undefined;
  'mandatory-only': boolean;
  with?: string[] | undefined;
}

/** `--with ROW.OPTION=VALUE` of check and daemon (probe's --with has no row: its own parser). */
export function rowOverrideFlags(flags: Pick<ProfileFlags, 'with'>): RowOverride[] {
  return parseWithFlags(parseAssignments(flags.with, '--with'));
}

export async function toCheckOptions(flags: RunFlags & Partial<ProfileFlags>, io: Io): Promise<CheckOptions> {
  if (!Number.isInteger(flags.retries) || flags.retries < 0 || flags.retries > 10)
    throw new UsageError('--retries: expected a whole number from 0 to 10');
  if (!Number.isInteger(flags.concurrency) || flags.concurrency < 1 || flags.concurrency > 1024)
    throw new UsageError('--concurrency: expected a whole number from 1 to 1024');
  const only = parseList(flags.only);
  const badProxy = flags.proxy !== undefined ? proxyProblem(flags.proxy) : undefined;
  if (badProxy) throw new UsageError(`--proxy: ${badProxy}`);
  return {
    timeoutMs: parseDuration(flags.timeout, '--timeout'),
    retries: flags.retries,
    concurrency: flags.concurrency,
    ...(flags.adaptive === true && { adaptive: true }),
    strict: flags.strict,
    log: createLogger(flags['log-level'], io.stderr.isTTY === true, !io.env.NO_COLOR),
    signal: io.signal,
    env: io.env,
    proxy: { env: io.env, ...(flags.proxy !== undefined && { flag: flags.proxy }) },
    set: parseAssignments(flags.set, '--set'),
    ...(flags.site !== undefined && { site: await loadSiteFile(flags.site) }),
    ...(only !== undefined && { only }),
    ...(flags.type !== undefined && { type: flags.type }),
    ...(flags['mandatory-only'] && { mandatoryOnly: true }),
    ...(flags.family !== undefined && { family: flags.family as Family }),
  };
}
