// Which framework components run here: first from process command lines (the configuration they
// were started with is the truth), then from listening ports nothing else explained.
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';
import { commandsFromCmdline, type FoundCommand } from '../frameworks/commands.js';
import { readFedbiomedIni } from '../frameworks/fedbiomed.js';
import type { Found } from '../frameworks/found.js';
import { foundFromCommand, PROGRAMS } from '../frameworks/read.js';
import { SWARM_PROFILE, SWARM_PROGRAMS, type SwarmProgram, swarmFromArgs } from '../frameworks/swarm.js';
import { swarmFromEnviron } from '../frameworks/swarm-env.js';
import { readConfigText } from '../frameworks/text.js';
import type { ListeningSocket } from '../probers/listen.js';
import { composeProcess } from './compose-process.js';
import { sameService } from './same-service.js';
import { deniedLine, hostPath, placePaths } from './place.js';
import type { Proc } from './proc.js';

export interface Component {
  /** One per kind of component, so that a port already explained by a process is not counted twice. */
  family: string;
  profile: string;
  evidence: string[];
  found?: Found;
  /** Why the configuration could not be read, when it could not: the command then lacks its values. */
  problem?: string;
  /** The `check --from` arguments that read it again: the process's cmdline, its configuration file, or the
   * compose files of a `docker compose up` (the last with `#SERVICE`). */
  from?: string[];
  /** The compose service it is, when a `docker compose up` starts it. */
  service?: string;
  /** What /proc or the compose file shows that tells a service and its container apart (same-service.ts). */
  match?: Match;
  /** Lines of discover itself (two views of one service merged, or maybe one), shown with the notes. */
  notes?: string[];
}

interface Match {
  /** The program's arguments, as its argv or the service's command: gives them. */
  args?: readonly string[];
  /** HOSTNAME of a process's environment; a service's `hostname:`. */
  hostname?: string;
  /** A process only: it runs in a container (its own root, or a container's cgroup), with that id if known. */
  container?: { id?: string };
}

const FLOWER_FAMILY: Record<string, string> = {
  'flower-supernode': 'flower-supernode',
  'flower-superlink': 'flower-superlink',
};

/** `fedbiomed node [--path P] start` (fedbiomed/node/cli.py l.739-746: --path/-p, default fbm-node). */
function fedbiomedRoot(p: Proc): { role: 'node' | 'researcher'; root: string } | undefined {
  const i = p.argv.findIndex((a) => a.endsWith('/fedbiomed') || a === 'fedbiomed');
  const role = p.argv[i + 1];
  if (i < 0 || (role !== 'node' && role !== 'researcher')) return undefined;
  const rest = p.argv.slice(i + 2);
  let path = role === 'node' ? 'fbm-node' : 'fbm-researcher';
  for (let j = 0; j < rest.length; j++) {
    const a = rest[j]!;
    if ((a === '--path' || a === '-p') && rest[j + 1]) path = rest[++j]!;
    else if (a.startsWith('--path=')) path = a.slice(7);
  }
  return { role, root: isAbsolute(path) || !p.cwd ? path : join(p.cwd, path) };
}

/** FLWR_* settings of a Flower process that change what its optional rows mean. */
function flowerEnvNotes(p: Proc): string[] {
  const env = p.environ ?? {};
  const notes: string[] = [];
  if (p.denied?.environ)
    notes.push(deniedLine([p.denied.environ], 'its FLWR_* settings (telemetry, update check) are not known'));
  if (env.FLWR_TELEMETRY_ENABLED === '0')
    notes.push(`FLWR_TELEMETRY_ENABLED=0 (pid ${p.pid} environ): telemetry is off, the telemetry row does not matter`);
  if (env.FLWR_DISABLE_UPDATE_CHECK === '1')
    notes.push(
      `FLWR_DISABLE_UPDATE_CHECK=1 (pid ${p.pid} environ): the update check is off, the update-check row does not ` +
        `matter`,
    );
  return notes;
}

/** A run-sn/sl/swop/swci script still running (started without -d), or a container its script started. */
function swarmCommand(p: Proc, cmd: FoundCommand | undefined, procRoot: string) {
  if (cmd && (SWARM_PROGRAMS as readonly string[]).includes(cmd.program))
    return {
      program: cmd.program as SwarmProgram,
      args: cmd.args,
      where: cmd.where,
      how: '',
      from: [`${procRoot}/${p.pid}/cmdline`],
    };
  const label = `pid ${p.pid} environ`;
  const env = p.environ && swarmFromEnviron(p.environ, label);
  if (!env) return undefined;
  return {
    ...env,
    where: label,
    how: ` (Swarm ${SWARM_PROFILE[env.program].toUpperCase()} container, by its environment)`,
    from: [`${procRoot}/${p.pid}/environ`],
  };
}

/** What of a process may show it is a compose service's container. */
function matchOf(p: Proc, args?: readonly string[]): Match {
  const container = p.container !== undefined ? { id: p.container } : p.root !== undefined ? {} : undefined;
  return {
    ...(args && { args }),
    ...(p.hostname !== undefined && { hostname: p.hostname }),
    ...(container && { container }),
  };
}

async function fromProcess(p: Proc, procRoot: string): Promise<Component | undefined> {
  const component = await readProcessComponent(p, procRoot);
  return component && { ...component, match: matchOf(p, component.match?.args) };
}

async function readProcessComponent(p: Proc, procRoot: string): Promise<Component | undefined> {
  const evidence = `pid ${p.pid} ${p.comm || p.argv[0]}`;
  const [cmd] = commandsFromCmdline(p.cmdline, p.pid, PROGRAMS);
  const match: Match | undefined = cmd && { args: cmd.args.map((w) => w.text) };
  if (cmd && FLOWER_FAMILY[cmd.program]) {
    try {
      const read = placePaths(p, await foundFromCommand(cmd));
      const found = { ...read, notes: [...read.notes, ...flowerEnvNotes(p)] };
      const from = [`${procRoot}/${p.pid}/cmdline`];
      const family = FLOWER_FAMILY[cmd.program]!;
      return { family, profile: found.profile, evidence: [evidence], found, from, ...(match && { match }) };
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      const profile = cmd.program === 'flower-supernode' ? 'flower/supernode' : 'flower/superlink';
      const family = FLOWER_FAMILY[cmd.program]!;
      return { family, profile, evidence: [evidence], problem: e.message, ...(match && { match }) };
    }
  }
  const swarm = swarmCommand(p, cmd, procRoot);
  if (swarm) {
    const family = `swarm-${SWARM_PROFILE[swarm.program]}`;
    const args = { match: { args: swarm.args.map((w) => w.text) } };
    try {
      // Its SWOP profile (run-swop) is read where the process reads it: its cwd, its container's root.
      const place = (path: string, what: string) => hostPath(p, path, what);
      const found = placePaths(p, await swarmFromArgs(swarm.program, swarm.args, swarm.where, place));
      return {
        family,
        profile: found.profile,
        evidence: [`${evidence}${swarm.how}`],
        found,
        from: swarm.from,
        ...args,
      };
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      const profile = `swarm/${SWARM_PROFILE[swarm.program]}`;
      return { family, profile, evidence: [`${evidence}${swarm.how}`], problem: e.message, ...args };
    }
  }
  const fbm = fedbiomedRoot(p);
  if (fbm) {
    // The path as the process sees it, through /proc/PID/root when it runs in a container; its FBM_*
    // variables override the file, as Fed-BioMed's environ.py does.
    const family = `fedbiomed-${fbm.role}`;
    try {
      const file = hostPath(p, join(fbm.root, 'etc', 'config.ini'), 'its configuration');
      // FBM_* variables override the file (Fed-BioMed's environ.py): without them its values are not known.
      if (p.denied?.environ)
        throw new UsageError(
          deniedLine([p.denied.environ], 'its FBM_* settings, which override config.ini, are not known'),
        );
      const opts = { env: p.environ ?? {}, envLabel: `pid ${p.pid} environ` };
      const found = placePaths(p, await readFedbiomedIni(file, await readConfigText(file), opts));
      return { family, profile: found.profile, evidence: [evidence], found, from: [file] };
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      return { family, profile: `fedbiomed/${fbm.role}-v5`, evidence: [evidence], problem: e.message };
    }
  }
  return undefined;
}

/** Ports whose owner is known from the frameworks' matrices; all of them must listen. */
const PORT_RULES: { family: string; profile: string; ports: number[] }[] = [
  { family: 'flower-superlink', profile: 'flower/superlink', ports: [9092, 9093] },
  { family: 'flower-supernode', profile: 'flower/supernode', ports: [9094] },
  { family: 'fedbiomed-researcher', profile: 'fedbiomed/researcher-v5', ports: [50051] },
  { family: 'fedbiomed-network', profile: 'fedbiomed/network', ports: [1883, 8844] },
  { family: 'swarm-sn', profile: 'swarm/sn', ports: [30303, 30304] },
  { family: 'swarm-sl', profile: 'swarm/sl', ports: [30305] },
  { family: 'swarm-swci', profile: 'swarm/swci', ports: [30306] },
  { family: 'swarm-license', profile: 'swarm/license', ports: [5814] },
];

const values = (c: Component) =>
  JSON.stringify([c.problem, Object.entries(c.found?.vars ?? {}).map(([k, v]) => [k, v.value])]);

export async function identify(
  procs: readonly Proc[],
  sockets: readonly ListeningSocket[],
  procRoot = '/proc',
): Promise<{ components: Component[]; problems: string[] }> {
  const out: Component[] = [];
  const problems: string[] = [];
  const seen: Component[] = [];
  for (const p of procs) {
    const compose = await composeProcess(p, procRoot);
    if (compose?.problem) problems.push(compose.problem);
    for (const c of compose ? compose.components : [await fromProcess(p, procRoot)]) if (c) seen.push(c);
  }
  // A compose service and its container's own process first, by what /proc shows of both; then any two alike.
  for (const c of sameService(seen)) {
    // The same component seen twice (a run-sn script and the container it started; a process and its
    // children): one plan, with both as evidence.
    const same = out.find((o) => o.family === c.family && o.profile === c.profile && values(o) === values(c));
    if (same) {
      same.evidence.push(...c.evidence);
      if (c.notes?.length) same.notes = [...(same.notes ?? []), ...c.notes];
    } else out.push(c);
  }
  for (const rule of PORT_RULES) {
    const bound = rule.ports.map((port) => sockets.filter((s) => s.port === port));
    if (bound.some((b) => b.length === 0)) continue;
    const evidence = rule.ports.map(
      (port, i) => `listening tcp/${port} on ${[...new Set(bound[i]!.map((s) => s.address))].join(', ')}`,
    );
    const known = out.find((o) => o.family === rule.family);
    if (known) known.evidence.push(...evidence);
    else out.push({ family: rule.family, profile: rule.profile, evidence });
  }
  return { components: out, problems };
}
