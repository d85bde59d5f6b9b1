// fedprobe check <profile>: every row of a profile, the result on stdout.
import type { Argv } from 'yargs';
import { checkProfile } from '../../check.js';
import { loadProfile } from '../../profile/load.js';
import type { FormatName } from '../../report/formats.js';
import { toCheckOptions, withProfileFlags, type ProfileFlags } from '../check-options.js';
import type { Io } from '../io.js';
import { progressLine } from '../progress.js';
import { printReport } from '../output.js';

export const checkCommand = (io: Io, done: (code: number) => void) => ({
  command: 'check <profile>',
  describe: 'check every row of a profile from this machine',
  builder: (y: Argv) => withProfileFlags(y.positional('profile', { type: 'string', demandOption: true, describe: 'shipped profile id (fedbiomed/node) or a .yaml file' })),
  handler: async (argv: ProfileFlags & { profile: string; format: FormatName; color?: boolean | undefined; output?: string | undefined }) => {
    const opts = await toCheckOptions(argv, io);
    const profile = await loadProfile(argv.profile);
    const progress = progressLine(io, profile.rows.length);
    const run = await checkProfile(profile, { ...opts, ...(progress && { onResult: progress.row }) });
    progress?.end();
    done(await printReport(run, argv.format, argv, io));
  },
});
