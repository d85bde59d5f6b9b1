// fedprobe respond <profile>: stand-in listeners for this component's inbound rows, so peers can
// test their firewall path before the real service is installed.
import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { loadProfile } from '../../profile/load.js';
import { parsePortColumn } from '../../profile/target.js';
import { startStandIns, type StandIns } from '../../respond/standins.js';
import { aborted } from '../../probe/socket.js';
import { columns, portLabel } from '../../report/text.js';
import { write, type Io } from '../io.js';
import { parseDuration } from '../parse.js';

export const respondCommand = (io: Io, done: (code: number) => void) => ({
  command: 'respond <profile>',
  describe: 'listen on this component\'s inbound ports (dir: in rows) with stand-ins until stopped',
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', demandOption: true })
      .option('bind', { type: 'string', default: '0.0.0.0', describe: 'address for the stand-ins (local-only rows always use 127.0.0.1)' })
      .option('only', { type: 'string', array: true, describe: 'only these row ids' })
      .option('duration', { type: 'string', describe: 'stop after this long (10m); default: until Ctrl-C / SIGTERM' }),
  handler: async (argv: { profile: string; bind: string; only?: string[] | undefined; duration?: string | undefined }) => {
    const profile = await loadProfile(argv.profile);
    const only = argv.only?.flatMap((s) => s.split(','));
    const rows = profile.rows.filter((r) => r.dir === 'in' && (!only || only.includes(r.id)));
    if (rows.length === 0) throw new UsageError(`${profile.id} has no inbound (dir: in) rows${only ? ' among --only' : ''}: nothing to respond on`);
    const table: string[][] = [['id', 'port', 'service', 'stand-in']];
    const running: StandIns[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const { protocol, port } = parsePortColumn(r.port);
      const host = r.with?.['localOnly'] === true ? '127.0.0.1' : argv.bind;
      const key = `${protocol}/${host}/${port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      try {
        running.push(await startStandIns([{ id: r.id, protocol, port, host }]));
        table.push([r.id, portLabel(r.port), r.service, `listening on ${host.includes(':') ? `[${host}]` : host}:${port}`]);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        const why = code === 'EADDRINUSE' ? 'port already in use (is the real service running?)' : code === 'EACCES' ? 'permission denied (ports below 1024 need root)' : String(code ?? e);
        table.push([r.id, portLabel(r.port), r.service, `not started: ${why}`]);
      }
    }
    write(io.stdout, `fedprobe respond: stand-ins for ${profile.framework} ${profile.component} (${profile.scenario})`);
    write(io.stdout, columns(table).join('\n'));
    write(io.stdout, 'Peers can now run `fedprobe check` against this machine. Stop with Ctrl-C.');
    const stop = argv.duration ? AbortSignal.any([io.signal, AbortSignal.timeout(parseDuration(argv.duration, '--duration'))]) : io.signal;
    await aborted(stop).catch(() => undefined);
    await Promise.all(running.map((s) => s.close()));
    done(running.length ? 0 : 1);
  },
});
