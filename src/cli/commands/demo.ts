// fedprobe demo: stand-ins on free loopback ports for one shipped profile, a real check against
// them, and the matrix table — what `npm start` runs.
import type { Argv } from 'yargs';
import { checkProfile } from '../../check.js';
import { UsageError } from '../../errors.js';
import { loadProfile } from '../../profile/load.js';
import { parsePortColumn } from '../../profile/target.js';
import { startStandIns, type StandIns } from '../../respond/standins.js';
import type { FormatName } from '../../report/formats.js';
import type { Profile, Row } from '../../types.js';
import { toCheckOptions, withRunFlags, type RunFlags } from '../check-options.js';
import { write, type Io } from '../io.js';
import { printReport } from '../output.js';

export const DEMO_PROFILE = 'fedbiomed/node';

/** Points every row at a stand-in on 127.0.0.1; `broken` rows get a port where nothing listens. */
export async function demoProfile(profile: Profile, broken: Set<string>): Promise<{ profile: Profile; standIns: StandIns; notes: string[] }> {
  const specs = profile.rows.map((r) => ({ id: r.id, protocol: parsePortColumn(r.port).protocol, port: 0, host: '127.0.0.1' }));
  const standIns = await startStandIns(specs);
  const notes: string[] = [];
  const rows: Row[] = profile.rows.map((r, i) => {
    const s = standIns.listening[i]!;
    const scheme = r.probe.split('://')[0];
    const probe = scheme === 'listen' ? `listen://${s.protocol}/${s.boundPort}` : `${s.protocol}://127.0.0.1:${s.boundPort}`;
    notes.push(`  ${r.id.padEnd(14)} ${r.port.toUpperCase().padEnd(10)} → ${broken.has(r.id) ? 'nothing (broken on purpose)' : `stand-in on 127.0.0.1:${s.boundPort}`}`);
    return { ...r, probe, with: r.with ?? {} };
  });
  // The broken rows' ports then refuse, as a stopped service would.
  const remaining = await startStandInsSubset(standIns, broken);
  return { profile: { ...profile, id: `${profile.id} (demo)`, vars: {}, rows }, standIns: remaining, notes };
}

async function startStandInsSubset(all: StandIns, broken: Set<string>): Promise<StandIns> {
  if (broken.size === 0) return all;
  // Restart only the healthy ones on the same ports: simpler than closing single listeners.
  const specs = all.listening.filter((s) => !broken.has(s.id)).map((s) => ({ ...s, port: s.boundPort }));
  await all.close();
  return startStandIns(specs);
}

export const demoCommand = (io: Io, done: (code: number) => void) => ({
  command: 'demo [profile]',
  describe: `start stand-ins on loopback for a shipped profile (default ${DEMO_PROFILE}), check it, print the table`,
  builder: (y: Argv) =>
    withRunFlags(y.positional('profile', { type: 'string', default: DEMO_PROFILE }))
      .option('break', { type: 'string', array: true, describe: 'row ids to leave without a stand-in, to see a failure and its hint' }),
  handler: async (argv: RunFlags & { profile: string; break?: string[] | undefined; format: FormatName; color?: boolean | undefined; output?: string | undefined }) => {
    const opts = await toCheckOptions(argv, io);
    const profile = await loadProfile(argv.profile);
    const broken = new Set((argv.break ?? []).flatMap((s) => s.split(',')));
    for (const id of broken) if (!profile.rows.some((r) => r.id === id)) throw new UsageError(`--break: no row "${id}" in ${profile.id}`);
    const demo = await demoProfile(profile, broken);
    try {
      if (argv.format === 'table') {
        write(io.stdout, `fedprobe demo: ${profile.id}, every row pointed at a stand-in on this machine's loopback:`);
        write(io.stdout, demo.notes.join('\n') + '\n');
      }
      const run = await checkProfile(demo.profile, opts);
      const code = await printReport(run, argv.format, argv, io);
      if (argv.format === 'table') {
        write(io.stdout, `\nNext: fedprobe check ${profile.id} --set <host variables>   (fedprobe show ${profile.id} lists them)`);
        if (broken.size === 0) write(io.stdout, `      fedprobe demo --break ${profile.rows[0]!.id}   shows what a failure looks like`);
      }
      done(code);
    } finally {
      await demo.standIns.close();
    }
  },
});
