// A Fed-BioMed node or researcher in a compose service: its configuration lives in the container, under the
// component's root, which the compose file bind-mounts from this machine. fedbiomed/fedbiomed 60d6192c6:
// the VPN images start `fedbiomed node --path /fbm-node start` (envs/vpn/docker/node/build_files/
// entrypoint.bash l.38, l.45) and the researcher in /fbm-researcher (researcher/build_files/entrypoint.bash
// l.26-27), each reading its VPN settings from /config/config.env (entrypoint.bash l.10-11, bashrc_append
// l.4); the component's file is <root>/etc/config.ini. The file is read where the mount puts it on this
// machine, with the service's FBM_* environment over it, as Fed-BioMed does.
import { UsageError } from '../errors.js';
import type { ArgWord } from './argv.js';
import { serviceEnvironment } from './compose-env.js';
import { placeInService } from './compose-mounts.js';
import { type ComposeProject, type ComposeService, stringOf } from './compose-project.js';
import { readFedbiomedIni, readFedbiomedVpnEnv } from './fedbiomed.js';
import type { Found } from './found.js';
import { programName } from './shell.js';
import { readConfigText } from './text.js';

type Role = 'node' | 'researcher';

const IMAGES: [RegExp, Role][] = [
  [/(^|\/)fedbiomed\/vpn-node(:|@|$)/, 'node'],
  [/(^|\/)fedbiomed\/vpn-researcher(:|@|$)/, 'researcher'],
];

/** `fedbiomed node [--path P] start` in the service's command, or an image whose entrypoint runs it. */
function componentOf(s: ComposeService, words: readonly ArgWord[]): { role: Role; root: string } | undefined {
  const i = words.findIndex((w) => programName(w.text) === 'fedbiomed');
  const role = words[i + 1]?.text;
  if (i >= 0 && (role === 'node' || role === 'researcher')) {
    // fedbiomed/node/cli.py l.739-746: --path/-p, default fbm-node (relative to the working directory).
    let root = role === 'node' ? 'fbm-node' : 'fbm-researcher';
    const rest = words.slice(i + 2);
    for (let j = 0; j < rest.length; j++) {
      const a = rest[j]!.text;
      if ((a === '--path' || a === '-p') && rest[j + 1]) root = rest[++j]!.text;
      else if (a.startsWith('--path=')) root = a.slice(7);
    }
    return { role, root };
  }
  const image = stringOf(s, 'image')?.value;
  const byImage = image === undefined ? undefined : IMAGES.find(([re]) => re.test(image))?.[1];
  return byImage && { role: byImage, root: byImage === 'node' ? '/fbm-node' : '/fbm-researcher' };
}

async function readMounted(
  s: ComposeService,
  p: ComposeProject,
  path: string,
  what: string,
): Promise<{ file: string; how: string; text: string }> {
  const placed = placeInService(s, p, path, what);
  if ('unknown' in placed) throw new UsageError(placed.unknown);
  try {
    return { file: placed.host, how: placed.how, text: await readConfigText(placed.host) };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    // Fed-BioMed writes its configuration on the component's first start: before that there is none.
    throw new UsageError(`${e.message.replace(/^--from /, '')}: ${placed.how} of service ${s.name}`);
  }
}

export function fedbiomedService(
  s: ComposeService,
  p: ComposeProject,
  words: readonly ArgWord[],
): { program: string; args: ArgWord[]; read: () => Promise<Found>; place: (f: Found) => Found } | undefined {
  const c = componentOf(s, words);
  if (!c) return undefined;
  const read = async (): Promise<Found> => {
    const path = `${c.root}/etc/config.ini`;
    const ini = await readMounted(s, p, path, `the ${c.role}'s configuration ${path}`);
    const environment = await serviceEnvironment(s.layers, s.name);
    const env = Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, v.value]));
    const opts = { env, envLabel: `service ${s.name} environment` };
    const found = await readFedbiomedIni(ini.file, ini.text, opts);
    const notes = [...found.notes, `${ini.file} is ${ini.how} of service ${s.name}`];
    if (!found.profile.endsWith('-vpn')) return { ...found, notes };
    // Inside the VPN, the WireGuard endpoint is in the config.env mounted at /config.
    try {
      const vpn = await readMounted(s, p, '/config/config.env', 'its VPN configuration /config/config.env');
      const peer = await readFedbiomedVpnEnv(vpn.file, vpn.text);
      return { ...found, vars: { ...found.vars, ...peer.vars }, notes: [...notes, ...peer.notes] };
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      return { ...found, notes: [...notes, e.message] };
    }
  };
  // Its values come from the files as they are on this machine: nothing to place.
  return { program: `fedbiomed ${c.role}`, args: [], read, place: (f) => f };
}
