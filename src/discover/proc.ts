// The processes of this machine (or of a shared process namespace, in a sidecar), read from /proc:
// pid, comm, argv (cmdline is NUL-separated), the working directory, the framework settings of its
// environment, and where its filesystem is when it runs in a container. The root is injectable so
// that tests can point it at a fake tree.
import { readdir, readFile, readlink, stat } from 'node:fs/promises';
import { SWARM_ENV } from '../frameworks/swarm-env.js';
import { fsErrorCode } from '../fs-error.js';

export interface Proc {
  pid: string;
  comm: string;
  argv: string[];
  /** The raw cmdline, as commandsFromCmdline() takes it. */
  cmdline: string;
  cwd?: string;
  /** FLWR_*, FBM_* and the Swarm run-* variables of its environment only: the rest may hold passwords. */
  environ?: Record<string, string>;
  /** `/proc/PID/root` when the process sees another filesystem than this one (a container): its paths
   * are read through it. Absent when it is the same root, or when it cannot be told. */
  root?: string;
  /** What of /proc/PID could not be read (another user's process, fedprobe unprivileged): `environ`,
   * `cwd`, `root`, each as `/proc/7/cwd: permission denied`. What depends on it is said, never guessed. */
  denied?: Partial<Record<'environ' | 'cwd' | 'root', string>>;
  /** The container it runs in, from /proc/PID/cgroup (`docker-<id>.scope`, `/docker/<id>`, libpod, containerd):
   * the id's first 12 digits, as `docker ps` shows it. */
  container?: string;
  /** HOSTNAME of its environment: in a container, the `hostname:` compose gave it (else the container id). */
  hostname?: string;
}

/** The container id a cgroup path names (docker, podman, containerd, cri-o); undefined on the host. */
function containerOf(cgroup: string): string | undefined {
  return /(?:docker|libpod|cri-containerd|crio)[-/]([0-9a-f]{64})\b/.exec(cgroup)?.[1]?.slice(0, 12);
}

/** `permission denied` for EACCES/EPERM, the code otherwise. */
function why(e: unknown): string {
  const code = fsErrorCode(e);
  return code === 'EACCES' || code === 'EPERM' ? 'permission denied' : (code ?? String(e));
}

/** A part of /proc/PID that is simply not there (a fake tree, a process gone) is no problem; denied is. */
async function part<T>(read: () => Promise<T>): Promise<{ value?: T; denied?: string }> {
  try {
    return { value: await read() };
  } catch (e) {
    return fsErrorCode(e) === 'ENOENT' ? {} : { denied: why(e) };
  }
}

/** Only the settings the readers know; never the whole environment (tokens, passwords). */
const SETTINGS = /^(FLWR|FBM)_[A-Z0-9_]+$/;
const keep = (name: string) => SETTINGS.test(name) || SWARM_ENV.test(name);

export function parseEnviron(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0 && keep(entry.slice(0, eq))) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

/** Its root when it is not ours (a container); `same` when it is, or when the tree has none (a fake one). */
async function rootOf(dir: string): Promise<{ value?: string; denied?: string }> {
  const r = await part(() => Promise.all([stat(`${dir}/root/`), stat('/')]));
  if (!r.value) return r.denied ? { denied: r.denied } : {};
  const [theirs, ours] = r.value;
  return theirs.dev === ours.dev && theirs.ino === ours.ino ? {} : { value: `${dir}/root` };
}

export type ReadResult = Proc | { pid: string; denied: string } | undefined;

/** One process; `denied` when even its cmdline cannot be read; undefined when it has no argv (a kernel
 * thread, a zombie) or has ended while being read. */
export async function readProcess(procRoot: string, pid: string): Promise<ReadResult> {
  const dir = `${procRoot}/${pid}`;
  const cmd = await part(() => readFile(`${dir}/cmdline`, 'utf8'));
  if (cmd.denied) return { pid, denied: `${dir}/cmdline: ${cmd.denied}` };
  const cmdline = cmd.value ?? '';
  if (cmdline === '') return undefined;
  const comm = (await readFile(`${dir}/comm`, 'utf8').catch(() => '')).trim();
  const [cwd, env, root, cgroup] = await Promise.all([
    part(() => readlink(`${dir}/cwd`)),
    part(() => readFile(`${dir}/environ`, 'utf8')),
    rootOf(dir),
    part(() => readFile(`${dir}/cgroup`, 'utf8')),
  ]);
  const container = containerOf(cgroup.value ?? '');
  const hostname = /(?:^|\0)HOSTNAME=([^\0]+)/.exec(env.value ?? '')?.[1];
  const environ = parseEnviron(env.value ?? '');
  const denied: Proc['denied'] = {
    ...(env.denied && { environ: `${dir}/environ: ${env.denied}` }),
    ...(cwd.denied && { cwd: `${dir}/cwd: ${cwd.denied}` }),
    ...(root.denied && { root: `${dir}/root: ${root.denied}` }),
  };
  const argv = cmdline.split('\0');
  if (argv.at(-1) === '') argv.pop();
  return {
    pid,
    comm,
    argv,
    cmdline,
    ...(cwd.value !== undefined && { cwd: cwd.value }),
    ...(Object.keys(environ).length > 0 && { environ }),
    ...(root.value !== undefined && { root: root.value }),
    ...(container !== undefined && { container }),
    ...(hostname !== undefined && { hostname }),
    ...(Object.keys(denied).length > 0 && { denied }),
  };
}

export function isProc(r: ReadResult): r is Proc {
  return r !== undefined && 'argv' in r;
}

/** The processes, and the pids whose command line could not be read (hidepid, another user's). */
export async function listProcesses(procRoot = '/proc'): Promise<{ procs: Proc[]; unreadable: string[] }> {
  const entries = await readdir(procRoot).catch(() => [] as string[]);
  const pids = entries.filter((e) => /^\d+$/.test(e)).sort((a, b) => Number(a) - Number(b));
  const procs: Proc[] = [];
  const unreadable: string[] = [];
  for (const pid of pids) {
    const p = await readProcess(procRoot, pid);
    if (isProc(p)) procs.push(p);
    else if (p) unreadable.push(p.pid);
  }
  return { procs, unreadable };
}
