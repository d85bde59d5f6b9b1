// An HPE Swarm Learning container, known by the environment its run-* script gave it. The scripts turn
// their options into `docker run --env=…` (HewlettPackard/swarm-learning 77231165d3: scripts/bin/run-sn
// l.170-226, run-sl l.155-205, run-swop l.178-191, run-swci l.133, common l.860-921); the images' own
// entrypoints are not published, so their processes are told apart by these variables, which are read
// back into the options they came from and go through the same reader as the scripts' command lines.
import type { ArgWord } from './argv.js';
import type { SwarmProgram } from './swarm.js';

/** Variable → the run-* option it came from. A flag's variable holds "1". */
const COMMON: Record<string, string> = {
  SWARM_LICENSE_AUTOPASSJ_SERVER_PRIMARY_IP: '--apls-ip',
  SWARM_LICENSE_AUTOPASSJ_SERVER_PRIMARY_PORT: '--apls-port',
  SWARM_ID_CACERT: '--cacert',
  SWARM_ID_CAPATH: '--capath',
  SWARM_ID_CERT: '--cert',
  SWARM_ID_KEY: '--key',
};
const SN_API = { SN_API_SERVER_PORT: '--sn-api-port', SN_API_SERVICE: '--sn-api-service' };
const OPTIONS: Record<SwarmProgram, Record<string, string>> = {
  'run-sn': {
    THIS_NODE_IP: '--host-ip',
    SN_I_AM_SENTINEL: '--sentinel',
    SENTINEL_NODE_IP: '--sentinel-ip',
    SENTINEL_API_SERVER_PORT: '--sentinel-api-port',
    SENTINEL_API_SERVICE: '--sentinel-api-service',
    ...SN_API,
    SN_ETH_PORT_EXT: '--sn-p2p-port',
    SN_ETH_P2P_SERVICE: '--sn-p2p-service',
  },
  'run-sl': {
    THIS_NODE_IP: '--host-ip',
    SN_NODE_IP: '--sn-ip',
    ...SN_API,
    SL_FS_PORT: '--sl-fs-port',
    SL_FS_SERVICE: '--sl-fs-service',
  },
  'run-swop': { SN_NODE_IP: '--sn-ip', ...SN_API, SWOP_PROFILE: '--profile-file-name' },
  'run-swci': { SWCI_STARTUP_SCRIPT: '--init-script-name' },
};

/** run-swop mounts its --usr-dir here in the SWOP container (scripts/bin/run-swop l.56, l.154), and gives
 * the profile's file name only (SWOP_PROFILE, l.184): the profile is this directory's, seen from inside. */
const SWOP_USR_DIR = '/platform/swarm/usr';

/** The names discover keeps from a process's environment for this reader (none of them a secret). */
export const SWARM_ENV =
  /^(SN|SL|SWOP|SWCI|SENTINEL)_[A-Z0-9_]+$|^THIS_NODE_IP$|^SWARM_(LICENSE_AUTOPASSJ|ID)_[A-Z0-9_]+$/;

/** Which component the variables are from; undefined when they are not a Swarm component's. */
function programOf(env: Record<string, string>): SwarmProgram | undefined {
  const has = (n: string) => env[n] !== undefined;
  // run-sn requires --sentinel or a sentinel address; run-swop always sets SWOP_PROFILE.
  if (has('SN_I_AM_SENTINEL') || has('SENTINEL_NODE_IP') || has('SENTINEL_API_SERVICE')) return 'run-sn';
  if (has('SWOP_PROFILE')) return 'run-swop';
  if (has('SWCI_STARTUP_SCRIPT')) return 'run-swci';
  // The ML container next to an SL gets the channels too, but not the SN's address nor the license server.
  if (has('SL_REQUEST_CHANNEL') && (has('SN_NODE_IP') || has('SN_API_SERVICE'))) return 'run-sl';
  return undefined;
}

/** The run-* options a Swarm container's environment stands for, each word naming its variable. */
export function swarmFromEnviron(
  env: Record<string, string>,
  label: string,
): { program: SwarmProgram; args: ArgWord[] } | undefined {
  const program = programOf(env);
  if (!program) return undefined;
  const options = { ...COMMON, ...OPTIONS[program] };
  const args: ArgWord[] = [];
  for (const [name, option] of Object.entries(options)) {
    const value = env[name];
    if (value === undefined) continue;
    const source = `${label} ${name}`;
    args.push({ text: option, source });
    if (option !== '--sentinel') args.push({ text: value, source });
  }
  if (program === 'run-swop') {
    const source = 'where run-swop mounts it in its container';
    args.push({ text: '--usr-dir', source }, { text: SWOP_USR_DIR, source });
  }
  return { program, args };
}
