// A `docker compose … up` still running here (started in the foreground): the compose files it loaded, read
// as it read them (its -f files, or COMPOSE_FILE, or the default file; its --project-directory, --env-file and
// environment), and one component per framework service it starts, each with the `check --from a --from
// b#SERVICE` that reads the same files again.
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { UsageError } from '../errors.js';
import type { FoundCommand } from '../frameworks/commands.js';
import { commandsFromCompose } from '../frameworks/compose.js';
import { composeFileVar, defaultComposeFiles, overrideBeside } from '../frameworks/compose-files.js';
import { type ComposeProject, loadComposeProject, projectEnv, stringOf } from '../frameworks/compose-project.js';
import type { Found } from '../frameworks/found.js';
import type { EnvLookup } from '../frameworks/interpolate.js';
import { foundFromCommand, PROGRAMS } from '../frameworks/read.js';
import { SWARM_PROFILE, type SwarmProgram } from '../frameworks/swarm.js';
import { fsErrorCode } from '../fs-error.js';
import { type ComposeUp, composeUpArgv } from './compose-argv.js';
import type { Component } from './identify.js';
import { deniedLine, hostPath } from './place.js';
import type { Proc } from './proc.js';

/** Its whole environment, as compose interpolates with it; used for that only, never kept or printed whole. */
async function environOf(procRoot: string, p: Proc): Promise<{ env: NodeJS.ProcessEnv; denied?: string }> {
  try {
    const raw = await readFile(`${procRoot}/${p.pid}/environ`, 'utf8');
    const env: NodeJS.ProcessEnv = {};
    for (const entry of raw.split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
    return { env };
  } catch (e) {
    const code = fsErrorCode(e);
    if (code === 'ENOENT') return { env: {} };
    return { env: {}, denied: `${procRoot}/${p.pid}/environ: ${code === 'EACCES' ? 'permission denied' : code}` };
  }
}

/** A path of its argv as this machine reads it; relative ones need its cwd. */
function placer(p: Proc) {
  return (path: string, what: string) => {
    if (!isAbsolute(path) && p.cwd === undefined && !p.denied?.cwd)
      throw new UsageError(`${what} ${path} is relative and the working directory of pid ${p.pid} is not known`);
    return hostPath(p, path, what);
  };
}

const names = (n: Node | undefined): string[] =>
  isSeq(n)
    ? n.items.flatMap((i) => (isScalar(i) ? [String(i.value)] : []))
    : isMap(n)
      ? n.items.map((i) => String(isScalar(i.key) ? i.key.value : i.key))
      : [];

/** The services `up` starts: those named and what they depend on, or every one whose profiles are on. */
function started(project: ComposeProject, up: ComposeUp, vars: EnvLookup): Set<string> {
  const byName = new Map(project.services.map((s) => [s.name, s]));
  const keyOf = (name: string, key: string) =>
    (byName.get(name)?.layers ?? []).flatMap((l) => names(l.svc.get(key, true) as Node | undefined));
  if (up.services.length) {
    const out = new Set<string>();
    const add = (name: string) => {
      if (out.has(name)) return;
      out.add(name);
      for (const dep of keyOf(name, 'depends_on')) add(dep);
    };
    for (const s of up.services) add(s);
    return out;
  }
  const on = new Set([...up.profiles, ...(vars('COMPOSE_PROFILES')?.value.split(',') ?? [])].filter(Boolean));
  const active = project.services.filter((s) => {
    const profiles = keyOf(s.name, 'profiles');
    return !profiles.length || profiles.some((q) => on.has(q)) || on.has('*');
  });
  return new Set(active.map((s) => s.name));
}

/** The kind of component, as identify's port rules name it, so that its ports are not counted again. */
function familyOf(cmd: FoundCommand, profile: string | undefined): { family: string; profile: string } {
  if (cmd.program === 'flower-supernode' || cmd.program === 'flower-superlink') {
    return { family: cmd.program, profile: profile ?? `flower/${cmd.program.slice(7)}` };
  }
  if (cmd.program in SWARM_PROFILE) {
    const kind = SWARM_PROFILE[cmd.program as SwarmProgram];
    return { family: `swarm-${kind}`, profile: profile ?? `swarm/${kind}` };
  }
  const role = /researcher/.test(profile ?? cmd.program) ? 'researcher' : 'node';
  return { family: `fedbiomed-${role}`, profile: profile ?? `fedbiomed/${role}-v5` };
}

export interface ComposeProcess {
  components: Component[];
  /** The one line saying why its compose files could not be read. */
  problem?: string;
}

/** undefined when `p` is not a `docker compose … up`. */
export async function composeProcess(
  p: Proc,
  procRoot: string,
  opts: { readAgain?: boolean } = {},
): Promise<ComposeProcess | undefined> {
  const up = composeUpArgv(p.argv);
  if (!up) return undefined;
  const evidence = `pid ${p.pid} ${up.shown}`;
  if (up.files.includes('-'))
    return {
      components: [],
      problem: `${evidence}: -f -: its compose file came from standard input, which cannot be read again`,
    };
  try {
    const place = placer(p);
    const { env, denied } = await environOf(procRoot, p);
    const label = `pid ${p.pid} environ`;
    const projectDir = up.projectDir === undefined ? undefined : place(up.projectDir, '--project-directory');
    const envFiles = up.envFiles.map((f) => place(f, '--env-file'));
    let files = up.files.map((f) => place(f, '-f'));
    const cwd = () => place('.', 'its working directory');
    // The .env is read where compose works: --project-directory, the first -f file's directory, or its cwd.
    const wd = projectDir ?? (files.length ? dirname(files[0]!) : cwd());
    const vars = await projectEnv(wd, env, { envFiles, envLabel: label });
    const notes: string[] = [];
    if (denied)
      notes.push(
        deniedLine([denied], 'the variables of its environment, which the compose files may use, are not known'),
      );
    if (!files.length) {
      const list = composeFileVar(vars, cwd());
      if (list) notes.push(`its compose files from ${list.source}`);
      files = list?.files ?? defaultComposeFiles(wd);
    }
    const project = await loadComposeProject(files, env, new Map(), {
      dir: projectDir ?? dirname(files[0]!),
      project: vars,
    });
    const starts = started(project, up, vars);
    const cmds = (await commandsFromCompose(project, PROGRAMS)).filter((c) => c.service && starts.has(c.service));
    const components: Component[] = [];
    for (const cmd of cmds) {
      const from = [...files.slice(0, -1), `${files.at(-1)}#${cmd.service}`];
      const where = [`${evidence}: service ${cmd.service}`];
      // What its container's own process will show in /proc (same-service.ts).
      const svc = project.services.find((s) => s.name === cmd.service);
      const hostname = svc && stringOf(svc, 'hostname')?.value;
      const match = { args: cmd.args.map((w) => w.text), ...(hostname && { hostname }) };
      const known = { service: cmd.service!, match };
      try {
        const read = await foundFromCommand(cmd);
        // `check --from /proc/PID/cmdline` reads it as this process did: nothing to say of reading it again.
        const again =
          opts.readAgain === false ? [] : sameAgain(up, files, projectDir, fromEnviron(read, label), label, vars);
        const found: Found = { ...read, notes: [...notes, ...again, ...read.notes] };
        components.push({ ...familyOf(cmd, found.profile), evidence: where, found, from, ...known });
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        components.push({ ...familyOf(cmd, undefined), evidence: where, problem: e.message, ...known });
      }
    }
    return { components };
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return { components: [], problem: `${evidence}: cannot read its compose files: ${e.message}` };
  }
}

/** The variables of its environment that went into a value (`$HOST from pid 42 environ` in its source). */
function fromEnviron(found: Found, label: string): string[] {
  const re = new RegExp(`\\$(\\w+) from ${label}`, 'g');
  const all = Object.values(found.vars).flatMap((v) => [...v.source.matchAll(re)].map((m) => m[1]!));
  return [...new Set(all)];
}

/** What `check --from` cannot say of this process, so its values may differ from the ones read here. */
function sameAgain(
  up: ComposeUp,
  files: readonly string[],
  projectDir: string | undefined,
  usedEnv: readonly string[],
  label: string,
  vars: EnvLookup,
): string[] {
  const out: string[] = [];
  // `--from compose.yml` alone follows COMPOSE_FILE, as `docker compose` without -f does; with -f compose did not.
  const list = up.files.length === 1 ? composeFileVar(vars, dirname(files[0]!)) : undefined;
  if (list && (list.files.length !== 1 || list.files[0] !== files[0]))
    out.push(
      `${list.source}: check --from ${files[0]} alone would merge the files it names, which this process, given ` +
        '-f, did not; the --set command has the values this process uses',
    );
  const over = up.files.length === 1 && !list ? overrideBeside(files[0]!) : undefined;
  if (over)
    out.push(
      `check --from ${files[0]} alone would add ${over} beside it, as docker compose without -f does; this ` +
        'process, given -f, did not; the --set command has the values this process uses',
    );
  const differs = (what: string) =>
    `${what}: check --from reads the files with the .env beside ${files[0]} and this shell's environment; ` +
    'the --set command has the values this process uses';
  if (projectDir !== undefined && projectDir !== dirname(files[0]!))
    out.push(differs(`--project-directory ${up.projectDir}`));
  if (up.envFiles.length) out.push(differs(`--env-file ${up.envFiles.join(' ')}`));
  if (usedEnv.length) out.push(differs(`${usedEnv.map((n) => `$${n}`).join(', ')} from ${label}`));
  return out;
}
