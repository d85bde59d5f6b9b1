// varsFromConfig(): `--from PATH[#NAME]` → the profile and the variables a framework's own
// configuration gives it. Which reader runs follows from the file's content, not a flag.
import { existsSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { commandsFromCmdline, commandsFromScript, commandsFromUnit, type FoundCommand } from './commands.js';
import { commandsFromCompose } from './compose.js';
import { composeFileVar, overrideBeside } from './compose-files.js';
import { loadComposeProject, projectEnv } from './compose-project.js';
import { hostPath, placePaths } from '../discover/place.js';
import { isProc, parseEnviron, type ReadResult, readProcess } from '../discover/proc.js';
import { looksLikeFedbiomedIni, looksLikeFedbiomedVpnEnv, readFedbiomedIni, readFedbiomedVpnEnv } from './fedbiomed.js';
import { FLOWER_PROGRAMS, superlinkFromArgs, supernodeFromArgs } from './flower-args.js';
import { looksLikeFlowerToml, readFlowerToml } from './flower-toml.js';
import { type Found, type ReadOptions, requireKnown } from './found.js';
import { SWARM_PROGRAMS, swarmFromArgs, type SwarmProgram } from './swarm.js';
import { swarmFromEnviron } from './swarm-env.js';
import { looksLikeSwopProfile, type PlacePath, swarmFromSwopProfile } from './swarm-profile.js';
import { readConfigText } from './text.js';

export type { Found, FoundVar } from './found.js';

export const PROGRAMS: readonly string[] = [...FLOWER_PROGRAMS, ...SWARM_PROGRAMS];

/** One framework command line → its profile and variables, its paths placed where this machine reads them;
 * `place`: where a running process reads a file it names (run-swop's SWOP profile). */
export async function foundFromCommand(cmd: FoundCommand, place?: PlacePath): Promise<Found> {
  const found = cmd.read
    ? await cmd.read()
    : cmd.program === 'flower-supernode'
      ? await supernodeFromArgs(cmd.args, cmd.where)
      : cmd.program === 'flower-superlink'
        ? await superlinkFromArgs(cmd.args, cmd.where)
        : await swarmFromArgs(cmd.program as SwarmProgram, cmd.args, cmd.where, place);
  return cmd.place ? cmd.place(found) : found;
}

function splitSelector(path: string): { file: string; selector?: string } {
  const hash = path.lastIndexOf('#');
  if (hash <= 0 || existsSync(path)) return { file: path };
  return { file: path.slice(0, hash), selector: path.slice(hash + 1) };
}

async function fromCommands(
  file: string,
  cmds: FoundCommand[],
  selector: string | undefined,
  place?: PlacePath,
): Promise<Found> {
  const what = 'flower-supernode, flower-superlink, run-sn, run-sl, run-swop or run-swci';
  if (selector !== undefined) {
    const named = cmds.filter((c) => c.service === selector || c.program === selector);
    if (!named.length)
      throw new UsageError(
        `${file}: no service or program "${selector}" running ${what} (found: ` +
          `${cmds.map((c) => c.service ?? `${c.program} at ${c.where}`).join(', ') || 'none'})`,
      );
    cmds = named;
  }
  if (!cmds.length) {
    throw new UsageError(
      `${file}: no Fed-BioMed, Flower or HPE Swarm Learning configuration found (a Fed-BioMed .ini or ` +
        `config.env, a Flower pyproject.toml or config.toml, or a command line of ${what})`,
    );
  }
  // One after the other: with several, the first that cannot be read is the one named, every time.
  const found: Found[] = [];
  for (const c of cmds) found.push(await foundFromCommand(c, place));
  const key = (f: Found) =>
    JSON.stringify([f.profile, Object.entries(f.vars).map(([k, v]) => [k, v.value]), Object.keys(f.unknown ?? {})]);
  const first = found[0]!;
  if (found.every((f) => key(f) === key(first))) {
    const others = cmds.slice(1).map((c) => c.service ?? c.where);
    return others.length
      ? { ...first, notes: [...first.notes, `the same settings also in ${others.join(', ')}`] }
      : first;
  }
  // Each one is reported with what sets it apart, so the operator can tell which one to pick.
  // A different profile says enough; among those of one profile, the variables that differ.
  const differ = (profile: string): string[] => {
    const same = found.filter((f) => f.profile === profile);
    const keys = [...new Set(same.flatMap((f) => Object.keys(f.vars)))];
    return keys.filter((k) => new Set(same.map((f) => f.vars[k]?.value)).size > 1);
  };
  const names = cmds
    .map((c, i) => {
      const f = found[i]!;
      const vals = differ(f.profile).map((k) => `${k}=${f.vars[k]?.value ?? '(default)'}`);
      return `${c.service ?? c.where} (${[f.profile, ...vals].join(', ')})`;
    })
    .join('; ');
  const hint = cmds.every((c) => c.service !== undefined)
    ? `: pick one with --from ${file}#SERVICE`
    : new Set(cmds.map((c) => c.program)).size === cmds.length
      ? `: pick one with --from ${file}#PROGRAM`
      : ': keep one per file';
  throw new UsageError(`${file}: several components with different settings: ${names}${hint}`);
}

/** A Swarm container's /proc/PID/environ: the run-* options it stands for (swarm-env.ts). */
async function fromEnviron(file: string, text: string, procRoot: string, pid: string): Promise<Found> {
  const swarm = swarmFromEnviron(parseEnviron(text), `pid ${pid} environ`);
  if (!swarm)
    throw new UsageError(
      `${file}: not an HPE Swarm Learning component's environment (none of SN_I_AM_SENTINEL, SENTINEL_NODE_IP, ` +
        'SWOP_PROFILE, SWCI_STARTUP_SCRIPT, or SL_REQUEST_CHANNEL with SN_NODE_IP)',
    );
  const view = await readProcess(procRoot, pid);
  const found = await swarmFromArgs(swarm.program, swarm.args, `pid ${pid} environ`, placeFor(view));
  return isProc(view) ? placePaths(view, found) : found;
}

/** Where the process reads a file it names, as discover places it; none when /proc/PID is not there to say. */
const placeFor = (view: ReadResult): PlacePath | undefined =>
  isProc(view) ? (path, what) => hostPath(view, path, what) : undefined;

/** `/proc/PID/cmdline` of a running `docker compose … up`: its services read as discover reads them (its -f
 * files or COMPOSE_FILE, its --env-file, --project-directory and environment); undefined when it is not one. */
async function fromComposeUp(file: string, procRoot: string, pid: string, selector: string | undefined) {
  const view = await readProcess(procRoot, pid);
  if (!isProc(view)) return undefined;
  // Imported here: compose-process.ts reads each service with this file's readers.
  const { composeProcess } = await import('../discover/compose-process.js');
  const read = await composeProcess(view, procRoot, { readAgain: false });
  if (!read) return undefined;
  if (read.problem) throw new UsageError(read.problem);
  if (!read.components.length)
    throw new UsageError(`${file}: ${view.argv.join(' ')} starts no Fed-BioMed, Flower or HPE Swarm Learning service`);
  const cmds: FoundCommand[] = read.components.map((c) => ({
    program: c.family,
    args: [],
    where: c.evidence[0]!,
    ...(c.service !== undefined && { service: c.service }),
    read: async () => {
      if (c.found) return c.found;
      throw new UsageError(`${c.evidence[0]}: ${c.problem}`);
    },
  }));
  return fromCommands(file, cmds, selector);
}

const isCompose = (file: string, text: string) => /\.ya?ml$/i.test(file) || /^services:/m.test(text);

/** `--from PATH[#NAME]`, or several compose files merged as `docker compose -f a -f b` does (`--from a
 * --from b#NAME`). A value that cannot be used from here is an error unless the operator gives it. */
export async function varsFromConfig(path: string | readonly string[], opts: ReadOptions = {}): Promise<Found> {
  const paths = typeof path === 'string' ? [path] : path;
  const found = paths.length === 1 ? await readOne(paths[0]!, opts) : await readComposeFiles(paths, opts);
  requireKnown(found, opts.given, opts.env);
  return found;
}

async function readComposeFiles(paths: readonly string[], opts: ReadOptions): Promise<Found> {
  const split = paths.map(splitSelector);
  const selectors = split.flatMap((s) => (s.selector === undefined ? [] : [s.selector]));
  if (selectors.length > 1)
    throw new UsageError(`--from: one #SERVICE for all the compose files, not ${selectors.length}`);
  const files = split.map((s) => s.file);
  const texts = new Map<string, string>();
  for (const file of files) {
    const text = await readConfigText(file);
    if (!isCompose(file, text))
      throw new UsageError(`--from ${file}: several --from are compose files merged in order; this is not one`);
    texts.set(file, text);
  }
  const project = await loadComposeProject(files, opts.env ?? {}, texts);
  return fromCommands(files.join(' + '), await commandsFromCompose(project, PROGRAMS), selectors[0]);
}

/** `--from compose.yml` alone: the project as `docker compose` run in that directory loads it, so the files of
 * COMPOSE_FILE (the environment's, or the .env's there) are merged in their order when it names this one;
 * a note says so, with where it was set. */
async function readComposeAlone(
  file: string,
  text: string,
  selector: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<Found> {
  const dir = dirname(file);
  const project = await projectEnv(dir, env);
  const list = composeFileVar(project, resolve(dir));
  // The other files are named the way this one was given (relative stays relative).
  const named = (f: string) => (f === resolve(file) ? file : join(dir, relative(resolve(dir), f)));
  // Without COMPOSE_FILE, compose adds the override file beside its default file (not with -f, nor here with
  // several --from).
  const over = list ? undefined : overrideBeside(file);
  const files = list?.files.includes(resolve(file)) ? list.files.map(named) : over ? [file, named(over)] : [file];
  const why = list?.source ?? `${basename(files[1] ?? '')} is its override file and COMPOSE_FILE is not set`;
  const notes: string[] = [];
  if (files.length > 1) notes.push(`merged as docker compose in ${dir} would: ${files.join(' + ')} (${why})`);
  else if (list && (list.files.length !== 1 || named(list.files[0]!) !== file))
    notes.push(
      `${list.source} does not name ${file}: docker compose in ${dir} would read ` +
        `${list.files.map(named).join(' + ')} instead; ${file} is read alone, as given`,
    );
  let cmds: FoundCommand[];
  try {
    const p = await loadComposeProject(files, env, new Map([[file, text]]), { project });
    cmds = await commandsFromCompose(p, PROGRAMS);
  } catch (e) {
    if (!(e instanceof UsageError) || files.length === 1) throw e;
    throw new UsageError(`${e.message} (merged because ${list ? `of ${list.source}` : why})`);
  }
  const found = await fromCommands(file, cmds, selector);
  return notes.length ? { ...found, notes: [...notes, ...found.notes] } : found;
}

async function readOne(path: string, opts: ReadOptions): Promise<Found> {
  const { file, selector } = splitSelector(path);
  const env = opts.env ?? {};
  const text = await readConfigText(file);
  const environ = /^(.*?)\/?(\d+)\/environ$/.exec(file);
  if (environ) return fromEnviron(file, text, environ[1] || '.', environ[2]!);
  const proc = /^(.*?)\/?(\d+)\/cmdline$/.exec(file);
  if (proc || text.includes('\0')) {
    const pid = proc?.[2] ?? basename(file);
    const cmds = commandsFromCmdline(text, pid, PROGRAMS);
    if (!cmds.length && proc) {
      const up = await fromComposeUp(file, proc[1] || '.', proc[2]!, selector);
      if (up) return up;
    }
    if (!proc) return fromCommands(file, cmds, undefined);
    // A running process: its relative and in-container paths are read where it reads them (as discover does).
    const view = await readProcess(proc[1] || '.', proc[2]!);
    const found = await fromCommands(file, cmds, undefined, placeFor(view));
    return isProc(view) ? placePaths(view, found) : found;
  }
  if (/\.toml$/i.test(file) || looksLikeFlowerToml(text)) return readFlowerToml(file, text, selector);
  if (looksLikeFedbiomedIni(text)) return readFedbiomedIni(file, text, opts);
  if (looksLikeFedbiomedVpnEnv(text)) return readFedbiomedVpnEnv(file, text);
  if (/\.ini$/i.test(file))
    throw new UsageError(
      `${file}: an INI file without "[default] component = NODE|RESEARCHER": not a Fed-BioMed configuration`,
    );
  if (/\.service$/i.test(file) || /^\s*\[Service\]/m.test(text))
    return fromCommands(file, commandsFromUnit(text, file, PROGRAMS), selector);
  if (looksLikeSwopProfile(text)) return swarmFromSwopProfile(file, text);
  if (isCompose(file, text)) return readComposeAlone(file, text, selector, env);
  return fromCommands(
    file,
    commandsFromScript(text, file, PROGRAMS, (n) => env[n] || undefined),
    selector,
  );
}
