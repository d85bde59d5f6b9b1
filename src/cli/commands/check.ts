// fedprobe check <profile>: every row of a profile, the result on stdout.
import type { Argv } from 'yargs';
import { checkProfile } from '../../check.js';
import { loadProfile } from '../../profile/load.js';
import { FORMATS, type FormatName } from '../../report/formats.js';
import type { RunReport } from '../../types.js';
import { toCheckOptions, withProfileFlags, type ProfileFlags } from '../check-options.js';
import { useColor, write, type Io } from '../io.js';

export function printReport(run: RunReport, format: FormatName, color: boolean | undefined, io: Io): number {
  write(io.stdout, FORMATS[format](run, { color: useColor(io, color) }));
  return run.exitCode;
}

export const checkCommand = (io: Io, done: (code: number) => void) => ({
  command: 'check <profile>',
  describe: 'check every row of a profile from this machine',
  builder: (y: Argv) => withProfileFlags(y.positional('profile', { type: 'string', demandOption: true, describe: 'shipped profile id (fedbiomed/node) or a .yaml file' })),
  handler: async (argv: ProfileFlags & { profile: string; format: FormatName; color?: boolean | undefined }) => {
    const opts = await toCheckOptions(argv, io);
    const profile = await loadProfile(argv.profile);
    const run = await checkProfile(profile, opts);
    done(printReport(run, argv.format, argv.color, io));
  },
});
