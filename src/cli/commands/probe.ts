// fedprobe probe <url>: one ad-hoc row, with the same outputs as a profile check.
import type { Argv } from 'yargs';
import { checkProfile } from '../../check.js';
import { UsageError } from '../../errors.js';
import { UDP_SCHEMES, isProbeScheme, parseTarget } from '../../profile/target.js';
import { PROBE_SCHEMES } from '../../types.js';
import { proberOptions } from '../../probers/options.js';
import type { Profile } from '../../types.js';
import { toCheckOptions, withRunFlags, type RunFlags } from '../check-options.js';
import type { FormatName } from '../../report/formats.js';
import { type Io } from '../io.js';
import { parseAssignments } from '../parse.js';
import { printReport } from '../output.js';

/** Ports a URL may leave out (new URL() drops them anyway when written). */
const DEFAULT_PORTS: Partial<Record<string, string>> = { http: '80', https: '443', tls: '443', mqtt: '1883', mqtts: '8883', 'mqtt+ws': '80', 'mqtt+wss': '443', wireguard: '51820', discv4: '30303', rlpx: '30303' };

/** A one-row profile for a URL given on the command line. */
export function adHocProfile(url: string, withOpts: Record<string, string>): Profile {
  const scheme = url.includes('://') ? url.split('://')[0]!.toLowerCase() : '';
  if (!isProbeScheme(scheme)) throw new UsageError(`unknown probe scheme "${scheme}://" in "${url}" (known: ${PROBE_SCHEMES.join(', ')})`);
  const udp = UDP_SCHEMES.has(scheme);
  const listen = /^listen:\/\/(tcp|udp)\/([0-9]+)/i.exec(url);
  let portColumn: string;
  if (listen) portColumn = `${listen[1]!.toLowerCase()}/${listen[2]}`;
  else {
    let port = '';
    try {
      port = new URL(url).port;
    } catch {
      throw new UsageError(`"${url}" is not a URL such as tcp://127.0.0.1:1883`);
    }
    port ||= DEFAULT_PORTS[scheme] ?? '';
    if (!port) throw new UsageError(`"${url}" needs an explicit port, such as tcp://127.0.0.1:1883`);
    portColumn = `${udp ? 'udp' : 'tcp'}/${port}`;
  }
  let target;
  try {
    target = parseTarget(url, portColumn);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(withOpts)) options[k] = v === 'true' ? true : v === 'false' ? false : v;
  const valid = proberOptions[target.scheme].safeParse(options);
  if (!valid.success) {
    const issue = valid.error.issues[0]!;
    throw new UsageError(`--with: ${issue.code === 'unrecognized_keys' ? `unknown option "${issue.keys.join('", "')}" for ${target.scheme}://` : `${issue.path.join('.')}: ${issue.message}`}`);
  }
  return {
    id: 'ad-hoc', file: '(command line)', schema: 'fedprobe/v1', framework: 'ad-hoc', component: target.host || 'this machine', scenario: 'one row',
    vars: {},
    rows: [{
      id: 'probe', dir: listen ? 'in' : 'out', source: listen ? 'any' : 'this machine', destination: target.host || 'this machine', port: portColumn,
      service: target.scheme.toUpperCase(), type: 'backend', status: 'mandatory', probe: url, with: options,
    }],
  };
}

export const probeCommand = (io: Io, done: (code: number) => void) => ({
  command: 'probe <url>',
  describe: 'check one ad-hoc target, e.g. tcp://127.0.0.1:1883 or udp://[::1]:51820',
  builder: (y: Argv) =>
    withRunFlags(y.positional('url', { type: 'string', demandOption: true }))
      .option('with', { alias: 'w', type: 'string', array: true, describe: 'a prober option: --with localOnly=true (repeatable)' })
      .option('expect', { choices: ['reachable', 'blocked'] as const, default: 'reachable' as const, describe: 'blocked: pass only when nothing answers' }),
  handler: async (argv: RunFlags & { url: string; with?: string[] | undefined; expect: 'reachable' | 'blocked'; format: FormatName; color?: boolean | undefined; output?: string | undefined }) => {
    const opts = await toCheckOptions(argv, io);
    const profile = adHocProfile(argv.url, parseAssignments(argv.with, '--with'));
    if (argv.expect === 'blocked') profile.rows[0]!.expect = 'blocked';
    const run = await checkProfile(profile, opts);
    done(await printReport(run, argv.format, argv, io));
  },
});
