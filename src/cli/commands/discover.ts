// fedprobe discover [--run]: the framework components running here, the profile that fits each and
// the exact `fedprobe check` command; with --run, that check too.
import type { Argv } from 'yargs';
import { checkProfile } from '../../check.js';
import { discover, renderPlans } from '../../discover/discover.js';
import { runInputs } from '../../frameworks/found.js';
import { loadProfile } from '../../profile/load.js';
import { EXIT_FAILED, EXIT_OK } from '../../report/exit.js';
import type { FormatName } from '../../report/formats.js';
import { toCheckOptions, withRunFlags, type RunFlags } from '../check-options.js';
import { write, type Io } from '../io.js';
import { printReport } from '../output.js';
import { parseAssignments } from '../parse.js';

interface DiscoverFlags extends RunFlags {
  run: boolean;
  set?: string[] | undefined;
  'proc-root': string;
  format: FormatName;
  color?: boolean | undefined;
  output?: string | undefined;
}

export const discoverCommand = (io: Io, done: (code: number) => void) => ({
  command: 'discover',
  describe: 'find the framework components running here and print the fedprobe check command for each',
  builder: (y: Argv) =>
    withRunFlags(y)
      .option('run', { type: 'boolean', default: false, describe: 'run the check of every component found' })
      .option('set', {
        alias: 's',
        type: 'string',
        array: true,
        describe: 'a variable, stronger than what was found (repeatable)',
      })
      .option('proc-root', {
        type: 'string',
        default: '/proc',
        describe: "where /proc is (a sidecar's view of the shared process namespace)",
      }),
  handler: async (argv: DiscoverFlags) => {
    const found = await discover({ procRoot: argv['proc-root'] });
    const { plans } = found;
    const given = parseAssignments(argv.set, '--set');
    // Without --run the plan is the result; with it the reports go to stdout and the plan to stderr.
    write(argv.run ? io.stderr : io.stdout, renderPlans(found));
    if (!plans.length) return done(EXIT_FAILED);
    if (!argv.run) return done(EXIT_OK);
    let code = EXIT_OK;
    for (const plan of plans) {
      const missing = plan.missing.filter((m) => given[m] === undefined);
      if (plan.problem || missing.length) {
        write(
          io.stderr,
          `fedprobe: not running ${plan.profile}: ` +
            `${plan.problem ?? `give ${missing.map((m) => `--set ${m}=…`).join(' ')}`}`,
        );
        code = Math.max(code, EXIT_FAILED);
        continue;
      }
      const opts = await toCheckOptions({ ...argv, set: undefined }, io);
      // The found values are the weakest, as with check --from; the report names each one's source.
      const site = { ...plan.set, ...opts.site };
      const run = await checkProfile(await loadProfile(plan.profile), { ...opts, site, set: given });
      if (plan.found) run.inputs = runInputs(plan.found, { set: given, env: io.env, site: opts.site });
      code = Math.max(code, await printReport(run, argv.format, argv, io));
    }
    done(code);
  },
});
