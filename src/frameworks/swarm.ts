// HPE Swarm Learning's run-* start commands → profile variables.
// Options as HewlettPackard/swarm-learning (master 77231165d3) defines them: docs/Install/
// Running_Swarm_Learning_using_CLI.md and scripts/bin/common l.430-484 (--apls-ip = --primary-apls-ip,
// --apls-port default 5814, --cert/--key/--capath/--cacert, --host-ip); scripts/bin/run-sn
// (--sentinel, --sentinel-ip, --sn-api-port 30304, --sn-api-service, --sn-p2p-port 30303,
// --sn-p2p-service); run-sl (--sn-ip, --sn-api-port, --sn-api-service, --sl-fs-port 30305,
// --sl-fs-service); run-swop (--sn-ip, --sn-api-port, --sn-api-service, --usr-dir,
// --profile-file-name); run-swci (--usr-dir, --init-script-name). An FQDN "service" routes through
// the reverse proxy (docs/User/Swarm_Learning_Component_Interactions_using_Reverse_Proxy.md). run-swop's
// --usr-dir/--profile-file-name names a SWOP profile, whose SN and license server fields are read too
// (swarm-profile.ts lists the fields that carry an address).
import { parseArgs, type ArgValue, type ArgWord } from './argv.js';
import { fitFacts, splitHostPort, type Facts, type Found } from './found.js';
import { mergeSwopProfile, type PlacePath } from './swarm-profile.js';

export const SWARM_PROGRAMS = ['run-sn', 'run-sl', 'run-swop', 'run-swci'] as const;
export type SwarmProgram = (typeof SWARM_PROGRAMS)[number];

const COMMON = [
  '--apls-ip',
  '--primary-apls-ip',
  '--apls-port',
  '--primary-apls-port',
  '--host-ip',
  '--key',
  '--cert',
  '--capath',
  '--cacert',
];
const VALUED: Record<SwarmProgram, string[]> = {
  'run-sn': [
    ...COMMON,
    '--sentinel-ip',
    '--sentinel-api-port',
    '--sentinel-api-service',
    '--sn-api-port',
    '--sn-api-service',
    '--sn-p2p-port',
    '--sn-p2p-service',
  ],
  'run-sl': [...COMMON, '--sn-ip', '--sn-api-port', '--sn-api-service', '--sl-fs-port', '--sl-fs-service'],
  'run-swop': [...COMMON, '--sn-ip', '--sn-api-port', '--sn-api-service', '--usr-dir', '--profile-file-name'],
  'run-swci': [...COMMON, '--usr-dir', '--init-script-name'],
};
export const SWARM_PROFILE: Record<SwarmProgram, string> = {
  'run-sn': 'sn',
  'run-sl': 'sl',
  'run-swop': 'swop',
  'run-swci': 'swci',
};

/** `place`: where a running process's SWOP profile is read from here (its cwd, its container's root). */
export async function swarmFromArgs(
  program: SwarmProgram,
  args: readonly ArgWord[],
  where: string,
  place?: PlacePath,
): Promise<Found> {
  const a = parseArgs(args, { valued: VALUED[program], flags: ['--sentinel'] });
  const facts: Facts = {};
  const notes: string[] = [];
  const put = (
    name: string,
    v: ArgValue | undefined,
    extra: { usual?: string; what?: string; secret?: boolean } = {},
  ) => {
    if (v) facts[name] = { value: v.value, source: v.source, ...extra };
  };
  put('apls_host', a['--apls-ip'] ?? a['--primary-apls-ip']);
  put('apls_port', a['--apls-port'] ?? a['--primary-apls-port'], {
    usual: '5814',
    what: 'license server port (--apls-port)',
  });
  put('sn_host', a['--sn-ip']);
  put('sn_api_port', a['--sn-api-port'], { usual: '30304', what: 'SN API port (--sn-api-port)' });
  put('sn_p2p_port', a['--sn-p2p-port'], { usual: '30303', what: 'SN P2P port (--sn-p2p-port)' });
  put('sl_fs_port', a['--sl-fs-port'], { usual: '30305', what: 'SL file server port (--sl-fs-port)' });
  put('host_ip', a['--host-ip'], { what: 'this host (--host-ip)' });
  // The profiles' swarm_* variables are paths, read on this machine (with.cert/key/ca), never sent.
  put('swarm_key', a['--key'], { what: 'private key (--key, used by path only)' });
  put('swarm_cert', a['--cert'], { what: 'client certificate (--cert)' });
  put('swarm_ca', a['--cacert'], { what: 'CA certificate (--cacert)' });
  const capath = a['--capath'];
  if (capath && !a['--cacert'])
    notes.push(
      `--capath ${capath.value} (${capath.source}) is a directory: give the CA file in it with --set swarm_ca=FILE`,
    );
  if (program === 'run-sn') {
    if (a['--sentinel'])
      notes.push(
        `--sentinel (${a['--sentinel'].source}): this SN starts the swarm; other SNs are not in its arguments: ` +
          `--set peer_sn_host=HOST for each`,
      );
    put('peer_sn_host', a['--sentinel-ip']);
  }
  if (program === 'run-sl') notes.push(`other SLs are not in run-sl's arguments: --set peer_sl_host=HOST for each`);
  if (program === 'run-swci')
    notes.push(
      `SWCI reaches its SN through the init script's "create context … with ip …" ` +
        `(${a['--init-script-name']?.value ?? 'swci-init'}): --set sn_host=HOST`,
    );
  const service = a['--sn-api-service'];
  if (service) {
    const { host, port } = splitHostPort(service.value, service.source);
    facts.sn_api_service = { value: host, source: service.source };
    if (port !== undefined)
      facts.sn_api_service_port = { value: port, source: service.source, usual: '443', what: 'SN API service port' };
    notes.push(
      `--sn-api-service (${service.source}): through the reverse proxy; its address is found by DNS, not in the ` +
        `arguments: --set proxy_host=HOST`,
    );
  }
  const p2p = a['--sn-p2p-service'];
  if (p2p) notes.push(`--sn-p2p-service ${p2p.value} (${p2p.source}): SN P2P still uses 30303 directly`);
  const fs = a['--sl-fs-service'];
  if (fs)
    notes.push(
      `--sl-fs-service ${fs.value} (${fs.source}): other SLs reach this SL's file server through the reverse proxy`,
    );
  const proxied = service !== undefined || (program === 'run-sn' && p2p !== undefined);
  // run-swop's SWOP profile has the SN and license server too, its SN taking precedence (swarm-profile.ts).
  const unknown: Record<string, string> = {};
  const profile =
    program === 'run-swop'
      ? await mergeSwopProfile(a['--usr-dir'], a['--profile-file-name'], facts, notes, unknown, place)
      : `swarm/${SWARM_PROFILE[program]}${proxied ? '-proxy' : ''}`;
  if (!facts.apls_host && !unknown.apls_host)
    notes.push(`no --apls-ip in ${where}: the license server address is needed (--set apls_host=HOST)`);
  const found = await fitFacts(profile, facts, notes);
  return Object.keys(unknown).length ? { ...found, unknown } : found;
}
