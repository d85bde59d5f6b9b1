// fedprobe respond <profile>: stand-ins on this component's inbound ports, speaking each row's
// protocol where fedprobe has a stand-in for it, so peers can test their firewall path (and
// their protocol probe) before the real service is installed.
import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { loadProfile } from '../../profile/load.js';
import { parsePortColumn } from '../../profile/target.js';
import { aborted, holdDeadline } from '../../net/socket.js';
import { STAND_INS, standInContext, standInScheme, type RunningStandIn } from '../../respond/kinds.js';
import { columns, portLabel } from '../../report/text.js';
import { write, type Io } from '../io.js';
import { parseDuration } from '../parse.js';
import { fsErrorCode } from '../../fs-error.js';

export const respondCommand = (io: Io, done: (code: number) => void) => ({
  command: 'respond <profile>',
  describe: "answer on this component's inbound ports (dir: in rows) with protocol stand-ins until stopped",
  builder: (y: Argv) =>
    y
      .positional('profile', { type: 'string', demandOption: true })
      .option('bind', {
        type: 'string',
        default: '0.0.0.0',
        describe: 'address for the stand-ins (local-only rows always use 127.0.0.1)',
      })
      .option('only', { type: 'string', array: true, describe: 'only these row ids' })
      .option('duration', { type: 'string', describe: 'stop after this long (10m); default: until Ctrl-C / SIGTERM' }),
  handler: async (argv: {
    profile: string;
    bind: string;
    only?: string[] | undefined;
    duration?: string | undefined;
  }) => {
    const profile = await loadProfile(argv.profile);
    const only = argv.only?.flatMap((s) => s.split(','));
    const rows = profile.rows.filter((r) => r.dir === 'in' && (!only || only.includes(r.id)));
    if (rows.length === 0)
      throw new UsageError(
        `${profile.id} has no inbound (dir: in) rows${only ? ' among --only' : ''}: nothing to respond on`,
      );
    // parseDuration() caps durations well below the 32-bit limit of the timer used below.
    const duration = argv.duration ? parseDuration(argv.duration, '--duration') : undefined;
    const ctx = standInContext();
    const table: string[][] = [['id', 'port', 'service', 'stand-in']];
    const running: RunningStandIn[] = [];
    const seen = new Set<string>();
    for (const r of rows) {
      const { protocol, port } = parsePortColumn(r.port);
      const host = r.with?.localOnly === true ? '127.0.0.1' : argv.bind;
      const key = `${protocol}/${host}/${port}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const standIn = STAND_INS[standInScheme(r)];
      try {
        running.push(await standIn.start(host, port, ctx));
        table.push([
          r.id,
          portLabel(r.port),
          r.service,
          `${standIn.kind} on ${host.includes(':') ? `[${host}]` : host}:${port}`,
        ]);
      } catch (e) {
        const code = fsErrorCode(e);
        const why =
          code === 'EADDRINUSE'
            ? 'port already in use (is the real service running?)'
            : code === 'EACCES'
              ? 'permission denied (ports below 1024 need root)'
              : code === 'EADDRNOTAVAIL'
                ? `${host} is not an address of this machine`
                : String(code ?? e);
        table.push([r.id, portLabel(r.port), r.service, `not started: ${why}`]);
      }
    }
    write(io.stdout, `fedprobe respond: stand-ins for ${profile.framework} ${profile.component} (${profile.scenario})`);
    write(io.stdout, columns(table).join('\n'));
    if (running.length)
      write(
        io.stdout,
        `Peers can now run \`fedprobe check\` against this machine. Stop with ` +
          `Ctrl-C${argv.duration ? ` (or after ${argv.duration})` : ''}.`,
      );
    if (running.length) {
      // A timer held strongly: AbortSignal.timeout() inside AbortSignal.any() can be collected on
      // Node 20, and the stand-ins would then answer forever.
      const deadline = duration !== undefined ? holdDeadline(duration, io.signal) : undefined;
      await aborted(deadline?.signal ?? io.signal).catch(() => undefined);
      deadline?.dispose();
    }
    await Promise.all(running.map((s) => s.close()));
    done(running.length ? 0 : 1);
  },
});
