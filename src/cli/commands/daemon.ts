// fedprobe daemon <profile..>: the sidecar / service mode. Every flag it accepts does something:
// --format applies to --output FILE (rewritten after every run: a textfile for node_exporter by
// default), and what the daemon cannot honour (--format without --output, a format that holds one
// profile, --color) is refused with one line.
import type { Argv } from 'yargs';
import { runDaemon } from '../../daemon/daemon.js';
import { DAEMON_OUTPUT_FORMATS, type DaemonOutputFormat } from '../../daemon/output.js';
import { DEFAULT_HISTORY, MAX_HISTORY } from '../../daemon/history.js';
import { MAX_INTERVAL_MS } from '../../daemon/schedule.js';
import { parseListen } from '../../daemon/server.js';
import { UsageError } from '../../errors.js';
import { loadProfile } from '../../profile/load.js';
import { FORMAT_NAMES, type FormatName } from '../../report/formats.js';
import { rowOverrideFlags, toCheckOptions, withProfileFlags, type ProfileFlags } from '../check-options.js';
import type { Io } from '../io.js';
import { parseDuration } from '../parse.js';
import { fsErrorCode } from '../../fs-error.js';

interface DaemonFlags extends ProfileFlags {
  profiles: string[];
  interval: string;
  jitter: number;
  listen: string;
  history: number;
  format?: FormatName | undefined;
  output?: string | undefined;
  color?: boolean | undefined;
}

/** What --format and --output ask of the daemon, or a one-line refusal. */
export function daemonOutput(
  argv: Pick<DaemonFlags, 'format' | 'output' | 'color'>,
): { file: string; format: DaemonOutputFormat } | undefined {
  if (argv.color !== undefined) {
    throw new UsageError('--color: the daemon prints no table (its logs are JSON on stderr; NO_COLOR is honoured)');
  }
  if (argv.output === undefined) {
    if (argv.format !== undefined) {
      throw new UsageError(
        `--format ${argv.format}: the daemon writes a report only to --output FILE; ` +
          'it serves json at /results, prometheus at /metrics and html at /',
      );
    }
    return undefined;
  }
  const format = argv.format ?? 'prometheus';
  if (!(DAEMON_OUTPUT_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `--format ${format}: the daemon's --output holds every profile and is rewritten ` +
        `after each run: use ${DAEMON_OUTPUT_FORMATS.join(', ')}`,
    );
  }
  return { file: argv.output, format: format as DaemonOutputFormat };
}

export const DEFAULT_LISTEN = '127.0.0.1:9469';

export const daemonCommand = (io: Io, done: (code: number) => void) => ({
  command: 'daemon <profiles..>',
  describe: 'check profiles on a schedule; serve /metrics, /healthz, /readyz, /results and a status page',
  builder: (y: Argv) =>
    withProfileFlags(y.positional('profiles', { type: 'string', array: true, demandOption: true }))
      .option('interval', { type: 'string', default: '60s', describe: 'time between runs of each profile' })
      .option('jitter', {
        type: 'number',
        default: 0.1,
        describe: 'random share of the interval added or removed (0-0.5)',
      })
      .option('listen', {
        type: 'string',
        default: DEFAULT_LISTEN,
        describe: 'address:port to serve on; binding beyond loopback must be asked for',
      })
      .option('history', {
        type: 'number',
        default: DEFAULT_HISTORY,
        describe: `runs kept per row for the status page and /history (1-${MAX_HISTORY})`,
      })
      .option('output', {
        alias: 'o',
        type: 'string',
        describe: 'rewrite this file (atomically) after every run with the latest run of every profile',
      })
      .option('format', {
        alias: 'f',
        choices: FORMAT_NAMES,
        describe:
          `format of the --output file: ${DAEMON_OUTPUT_FORMATS.join(', ')} ` +
          "(default prometheus, for node_exporter's textfile collector)",
      })
      .default('format', undefined)
      .default('log-level', 'info' as const),
  handler: async (argv: DaemonFlags) => {
    const output = daemonOutput(argv);
    if (!(Number.isInteger(argv.history) && argv.history >= 1 && argv.history <= MAX_HISTORY)) {
      throw new UsageError(`--history: expected a whole number of runs from 1 to ${MAX_HISTORY}`);
    }
    const listen = parseListen(argv.listen);
    if (!listen)
      throw new UsageError(
        `--listen: expected address:port such as 127.0.0.1:9469 or [::1]:9469, got "${argv.listen}"`,
      );
    if (!(argv.jitter >= 0 && argv.jitter <= 0.5)) throw new UsageError('--jitter: expected a number from 0 to 0.5');
    const intervalMs = parseDuration(argv.interval, '--interval');
    if (intervalMs < 1000) throw new UsageError('--interval: at least 1s');
    // Beyond Node's 32-bit timers a sleep fires at once: 600h would probe every millisecond.
    if (intervalMs > MAX_INTERVAL_MS) {
      throw new UsageError(
        `--interval: at most ${MAX_INTERVAL_MS / 3_600_000}h (for less frequent checks, run \`fedprobe check\` from ` +
          `cron)`,
      );
    }
    const { site: _site, signal: _signal, log, ...common } = await toCheckOptions({ ...argv, site: undefined }, io);
    // A row option may name a row of any of the profiles; a row none of them has is a typo.
    const others =
      argv.profiles.length > 1 ? await Promise.all(argv.profiles.map((ref) => loadProfile(ref))) : undefined;
    const rowIds = others && new Set(others.flatMap((p) => p.rows.map((r) => r.id)));
    const check = { ...common, overrides: rowOverrideFlags(argv), ...(rowIds && { otherRowIds: rowIds }) };
    try {
      await runDaemon({
        profiles: argv.profiles,
        intervalMs,
        jitter: argv.jitter,
        host: listen.host,
        port: listen.port,
        check,
        log,
        signal: io.signal,
        historySize: argv.history,
        ...(output !== undefined && { output }),
        ...(argv.site !== undefined && { siteFile: argv.site }),
        ...(io.onReload !== undefined && { onReload: io.onReload }),
        ...(io.onListening !== undefined && { onListening: io.onListening }),
      });
    } catch (e) {
      const code = fsErrorCode(e);
      const why =
        code === 'EADDRINUSE'
          ? 'address already in use'
          : code === 'EACCES'
            ? 'permission denied'
            : 'no such address on this machine';
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL')
        throw new UsageError(`--listen ${argv.listen}: ${why}`);
      throw e;
    }
    done(0);
  },
});
