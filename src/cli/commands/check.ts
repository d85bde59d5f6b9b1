// fedprobe check <profile>: every row of a profile, the result on stdout. With --from, the
// framework's own configuration fills in the variables (and picks the profile when none is
// given); with --push, the run also goes to a Prometheus Pushgateway.
import type { Argv } from 'yargs';
import { checkProfile } from '../../check.js';
import { planProfile } from '../../plan.js';
import { UsageError } from '../../errors.js';
import { describeFound, foundAssignments, runInputs } from '../../frameworks/found.js';
import { loadProfile } from '../../profile/load.js';
import { checkSetNames } from '../../profile/vars.js';
import { EXIT_FAILED } from '../../report/exit.js';
import { render, type FormatName } from '../../report/formats.js';
import {
  rowOverrideFlags,
  toCheckOptions,
  withPlanFlag,
  withProfileFlags,
  type ProfileFlags,
} from '../check-options.js';
import { write, type Io } from '../io.js';
import { progressFor } from '../progress.js';
import { printReport } from '../output.js';
import { parsePushTarget, pushMetrics } from '../push.js';

interface CheckFlags extends ProfileFlags {
  profile?: string | undefined;
  from?: string[] | undefined;
  push?: string | undefined;
  'push-job': string;
  'push-instance'?: string | undefined;
  format: FormatName;
  all: boolean;
  color?: boolean | undefined;
  output?: string | undefined;
}

export const checkCommand = (io: Io, done: (code: number) => void) => ({
  command: 'check [profile]',
  describe: 'check every row of a profile from this machine',
  builder: (y: Argv) =>
    withPlanFlag(
      withProfileFlags(
        y.positional('profile', { type: 'string', describe: 'shipped profile id (fedbiomed/node) or a .yaml file' }),
      )
        .option('from', {
          type: 'string',
          array: true,
          // One word per --from, so `--from a --from b PROFILE` leaves PROFILE as the positional.
          nargs: 1,
          describe:
            "read variables from the framework's own configuration (PATH or PATH#NAME; repeat for compose " +
            'override files, merged in order)',
        })
        .option('push', {
          type: 'string',
          describe: 'also push the run to this Prometheus Pushgateway (http://host:9091)',
        })
        .option('push-job', { type: 'string', default: 'fedprobe', describe: 'job label of the pushed group' })
        .option('push-instance', {
          type: 'string',
          describe: 'instance label of the pushed group (default: this host name)',
        }),
    ),
  handler: async (argv: CheckFlags) => {
    if (argv.all && argv.push !== undefined)
      throw new UsageError('check: --all sends no traffic, so it has no result to --push');
    const push =
      argv.push !== undefined ? parsePushTarget(argv.push, argv['push-job'], argv['push-instance']) : undefined;
    const opts = { ...(await toCheckOptions(argv, io)), overrides: rowOverrideFlags(argv) };
    // The framework readers (smol-toml and friends) load only when --from asks for them. A value the
    // configuration cannot tell (a path it cannot place) is fine when the operator gives it.
    const from = argv.from?.length ? argv.from : undefined;
    const readers = from ? await import('../../frameworks/read.js') : undefined;
    const operatorGives = [...Object.keys(opts.set ?? {}), ...Object.keys(opts.site ?? {})];
    const found = from ? await readers?.varsFromConfig(from, { env: io.env, given: operatorGives }) : undefined;
    const ref = argv.profile ?? found?.profile;
    if (!ref)
      throw new UsageError(
        "check: give a profile (fedprobe profiles lists them), or --from PATH to read it from the framework's " +
          'configuration',
      );
    for (const line of found ? describeFound(found) : [])
      write(io.stderr, `fedprobe: from ${from?.join(' + ')}: ${line}`);
    // What the configuration says is weaker than the operator's own --site, FEDPROBE_VAR_* and --set.
    const given = { set: opts.set, env: io.env, site: opts.site };
    if (found) opts.site = { ...foundAssignments(found), ...opts.site };
    const profile = await loadProfile(ref);
    checkSetNames([profile], opts.set);
    const progress = progressFor(io, profile, opts);
    // --all plans the whole request: names resolved, nothing sent (src/plan.ts).
    const run = await (argv.all ? planProfile : checkProfile)(profile, {
      ...opts,
      ...(progress && { onResult: progress.row }),
    });
    progress?.end();
    // The report says where each value came from, so a reader can tell a typo from a wrong file.
    if (found) run.inputs = runInputs(found, given);
    let code = await printReport(run, argv.format, argv, io);
    if (push) {
      try {
        await pushMetrics(push, run.profile.id, await render(run, 'prometheus', { color: false }), opts.timeoutMs);
      } catch (e) {
        write(io.stderr, `fedprobe: ${(e as Error).message}`);
        // The report stands, but a cron job must see that its metrics did not arrive.
        code = Math.max(code, EXIT_FAILED);
      }
    }
    done(code);
  },
});
