// fedprobe daemon <profile..>: the sidecar / service mode.
import type { Argv } from 'yargs';
import { runDaemon } from '../../daemon/daemon.js';
import { MAX_INTERVAL_MS } from '../../daemon/schedule.js';
import { parseListen } from '../../daemon/server.js';
import { UsageError } from '../../errors.js';
import { toCheckOptions, withProfileFlags, type ProfileFlags } from '../check-options.js';
import type { Io } from '../io.js';
import { parseDuration } from '../parse.js';

export const DEFAULT_LISTEN = '127.0.0.1:9469';

export const daemonCommand = (io: Io, done: (code: number) => void) => ({
  command: 'daemon <profiles..>',
  describe: 'check profiles on a schedule; serve /metrics, /healthz, /readyz, /results and a status page',
  builder: (y: Argv) =>
    withProfileFlags(y.positional('profiles', { type: 'string', array: true, demandOption: true }))
      .option('interval', { type: 'string', default: '60s', describe: 'time between runs of each profile' })
      .option('jitter', { type: 'number', default: 0.1, describe: 'random share of the interval added or removed (0-0.5)' })
      .option('listen', { type: 'string', default: DEFAULT_LISTEN, describe: 'address:port to serve on; binding beyond loopback must be asked for' })
      .default('log-level', 'info' as const),
  handler: async (argv: ProfileFlags & { profiles: string[]; interval: string; jitter: number; listen: string }) => {
    const listen = parseListen(argv.listen);
    if (!listen) throw new UsageError(`--listen: expected address:port such as 127.0.0.1:9469 or [::1]:9469, got "${argv.listen}"`);
    if (!(argv.jitter >= 0 && argv.jitter <= 0.5)) throw new UsageError('--jitter: expected a number from 0 to 0.5');
    const intervalMs = parseDuration(argv.interval, '--interval');
    if (intervalMs < 1000) throw new UsageError('--interval: at least 1s');
    // Beyond Node's 32-bit timers a sleep fires at once: 600h would probe every millisecond.
    if (intervalMs > MAX_INTERVAL_MS) {
      throw new UsageError(`--interval: at most ${MAX_INTERVAL_MS / 3_600_000}h (for less frequent checks, run \`fedprobe check\` from cron)`);
    }
    const { site: _site, signal: _signal, log, ...check } = await toCheckOptions({ ...argv, site: undefined }, io);
    try {
      await runDaemon({
        profiles: argv.profiles, intervalMs, jitter: argv.jitter, host: listen.host, port: listen.port, check, log, signal: io.signal,
        ...(argv.site !== undefined && { siteFile: argv.site }),
        ...(io.onReload !== undefined && { onReload: io.onReload }),
        ...(io.onListening !== undefined && { onListening: io.onListening }),
      });
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') throw new UsageError(`--listen ${argv.listen}: ${code === 'EADDRINUSE' ? 'address already in use' : code === 'EACCES' ? 'permission denied' : 'no such address on this machine'}`);
      throw e;
    }
    done(0);
  },
});
