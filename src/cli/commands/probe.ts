// fedprobe probe <url>: one ad-hoc row, with the same outputs as a profile check.
import type { Argv } from 'yargs';
import { checkProfile } from '../../check.js';
import { UsageError, quote } from '../../errors.js';
import { splitProbe } from '../../profile/probe-url.js';
import { RowProblem, resolveRow } from '../../profile/row.js';
import { UDP_SCHEMES, isProbeScheme, unknownSchemeMessage } from '../../profile/target.js';
import { PROBE_SCHEMES, type Profile, type Row } from '../../types.js';
import { toCheckOptions, withRunFlags, type RunFlags } from '../check-options.js';
import type { FormatName } from '../../report/formats.js';
import type { Io } from '../io.js';
import { parseAssignments } from '../parse.js';
import { printReport } from '../output.js';

/** Ports a URL may leave out (new URL() drops them anyway when written). */
const DEFAULT_PORTS: Partial<Record<string, string>> = {
  http: '80',
  https: '443',
  tls: '443',
  mqtt: '1883',
  mqtts: '8883',
  'mqtt+ws': '80',
  'mqtt+wss': '443',
  wireguard: '51820',
  discv4: '30303',
  rlpx: '30303',
};

/** The scheme that speaks the protocol usually found on a port, for "did you mean" on `host:port`. */
const WELL_KNOWN: Partial<Record<string, string>> = {
  '80': 'http',
  '8080': 'http',
  '443': 'https',
  '1883': 'mqtt',
  '8883': 'mqtts',
  '9091': 'grpc',
  '9092': 'grpcs',
  '9093': 'grpcs',
  '9094': 'grpc',
  '50051': 'grpcs',
  '51820': 'wireguard',
  '30303': 'rlpx',
  '30304': 'tls',
  '30305': 'tls',
  '5814': 'tls',
};

/** `127.0.0.1:1883` → a hint to write `tcp://127.0.0.1:1883`, or `mqtt://` for a port MQTT owns. */
function noSchemeMessage(url: string): string {
  const m = /^(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+):([0-9]{1,5})$/.exec(url);
  if (!m) return `${quote(url)} is not a URL such as tcp://127.0.0.1:1883 (schemes: ${PROBE_SCHEMES.join(', ')})`;
  const known = WELL_KNOWN[m[2]!];
  const also = known
    ? ` (or ${known}://${url} to check that ${known.replace(/s$/, '').toUpperCase()} itself answers)`
    : '';
  return `${quote(url)} has no scheme: did you mean tcp://${url}${also}?`;
}

/** A one-row profile for a URL given on the command line, validated as a profile row is. */
export function adHocProfile(url: string, withOpts: Record<string, string>): Profile {
  if (!url.includes('://')) throw new UsageError(noSchemeMessage(url));
  let parts: ReturnType<typeof splitProbe>;
  try {
    parts = splitProbe(url);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const scheme = parts.scheme;
  if (!isProbeScheme(scheme)) throw new UsageError(`${unknownSchemeMessage(scheme)} in ${quote(url)}`);
  const listen = /^listen:\/\/(tcp|udp)\/([0-9]+)/i.exec(url);
  let portColumn: string;
  if (listen) portColumn = `${listen[1]!.toLowerCase()}/${listen[2]}`;
  else {
    const port = parts.port ?? DEFAULT_PORTS[scheme];
    if (!port) throw new UsageError(`${quote(url)} needs an explicit port, such as tcp://127.0.0.1:1883`);
    portColumn = `${UDP_SCHEMES.has(scheme) ? 'udp' : 'tcp'}/${/^[0-9]{1,5}$/.test(port) ? port : '1'}`;
  }
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(withOpts)) options[k] = v === 'true' ? true : v === 'false' ? false : v;
  const row: Row = {
    id: 'probe',
    dir: listen ? 'in' : 'out',
    source: listen ? 'any' : 'this machine',
    destination: parts.host || 'this machine',
    port: portColumn,
    service: scheme.toUpperCase(),
    type: 'backend',
    status: 'mandatory',
    probe: url,
    with: options,
  };
  try {
    // The operator wrote this row: the credential rules for profiles do not apply, the rest does.
    resolveRow(row, {}, () => undefined);
  } catch (e) {
    if (!(e instanceof RowProblem)) throw e;
    // Name the option: `--with bodyMatch: …`, not a bare `--with: …`.
    throw new UsageError(
      e.path.startsWith('with') ? `--with ${e.path.slice(5) || ''}: ${e.message}`.replace(' :', ':') : e.message,
    );
  }
  return {
    id: 'ad-hoc',
    file: '(command line)',
    schema: 'fedprobe/v1',
    framework: 'ad-hoc',
    component: parts.host || 'this machine',
    scenario: 'one row',
    vars: {},
    rows: [row],
  };
}

export const probeCommand = (io: Io, done: (code: number) => void) => ({
  command: 'probe <url>',
  describe: 'check one ad-hoc target, e.g. tcp://127.0.0.1:1883 or udp://[::1]:51820',
  builder: (y: Argv) =>
    withRunFlags(y.positional('url', { type: 'string', demandOption: true }))
      .option('with', {
        alias: 'w',
        type: 'string',
        array: true,
        describe: 'a prober option: --with localOnly=true (repeatable)',
      })
      .option('expect', {
        choices: ['reachable', 'blocked'] as const,
        default: 'reachable' as const,
        describe: 'blocked: pass only when nothing answers',
      }),
  handler: async (
    argv: RunFlags & {
      url: string;
      with?: string[] | undefined;
      expect: 'reachable' | 'blocked';
      format: FormatName;
      color?: boolean | undefined;
      output?: string | undefined;
    },
  ) => {
    const opts = await toCheckOptions(argv, io);
    const profile = adHocProfile(argv.url, parseAssignments(argv.with, '--with'));
    if (argv.expect === 'blocked') profile.rows[0]!.expect = 'blocked';
    const run = await checkProfile(profile, opts);
    done(await printReport(run, argv.format, argv, io));
  },
});
