// The processes of this machine (or of a shared process namespace, in a sidecar), read from /proc:
// pid, comm, argv (cmdline is NUL-separated), the working directory, the framework settings of its
// environment, and where its filesystem is when it runs in a container. The root is injectable so
// that tests can point it at a fake tree.
import { readdir, readFile, readlink, stat } from 'node:fs/promises';

export interface Proc {
  pid: string;
  comm: string;
  argv: string[];
  /** The raw cmdline, as commandsFromCmdline() takes it. */
  cmdline: string;
  cwd?: string;
  /** FLWR_* and FBM_* variables of its environment only: the rest may hold passwords, and is not read on. */
  environ?: Record<string, string>;
  /** `/proc/PID/root` when the process sees another filesystem than this one (a container): its paths
   * are read through it. Absent when it is the same root, or when it cannot be told. */
  root?: string;
  /** Why its root could not be looked at (permission denied): its paths are then used as it gives them. */
  rootProblem?: string;
}

/** Only the settings the readers know; never the whole environment (tokens, passwords). */
const SETTINGS = /^(FLWR|FBM)_[A-Z0-9_]+$/;

export function parseEnviron(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0 && SETTINGS.test(entry.slice(0, eq))) out[entry.slice(0, eq)] = entry.slice(eq + 1);
  }
  return out;
}

async function rootOf(dir: string): Promise<Pick<Proc, 'root' | 'rootProblem'>> {
  try {
    const [theirs, ours] = await Promise.all([stat(`${dir}/root/`), stat('/')]);
    return theirs.dev === ours.dev && theirs.ino === ours.ino ? {} : { root: `${dir}/root` };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // No root entry (a process gone, a fake tree without one): the same filesystem as ours.
    return code === 'ENOENT' ? {} : { rootProblem: `${dir}/root: ${code === 'EACCES' ? 'permission denied' : code}` };
  }
}

/** One process, or undefined when it has no argv (a kernel thread, a zombie) or has ended. */
export async function readProcess(procRoot: string, pid: string): Promise<Proc | undefined> {
  const dir = `${procRoot}/${pid}`;
  // A process may end while it is being read; it is then simply not there.
  const cmdline = await readFile(`${dir}/cmdline`, 'utf8').catch(() => '');
  if (cmdline === '') return undefined;
  const comm = (await readFile(`${dir}/comm`, 'utf8').catch(() => '')).trim();
  const cwd = await readlink(`${dir}/cwd`).catch(() => undefined);
  // Another user's environ is unreadable without privileges: then there are simply no settings.
  const environ = parseEnviron(await readFile(`${dir}/environ`, 'utf8').catch(() => ''));
  const argv = cmdline.split('\0');
  if (argv.at(-1) === '') argv.pop();
  return {
    pid,
    comm,
    argv,
    cmdline,
    ...(cwd !== undefined && { cwd }),
    ...(Object.keys(environ).length > 0 && { environ }),
    ...(await rootOf(dir)),
  };
}

export async function listProcesses(procRoot = '/proc'): Promise<Proc[]> {
  const entries = await readdir(procRoot).catch(() => [] as string[]);
  const pids = entries.filter((e) => /^\d+$/.test(e)).sort((a, b) => Number(a) - Number(b));
  const out: Proc[] = [];
  for (const pid of pids) {
    const p = await readProcess(procRoot, pid);
    if (p) out.push(p);
  }
  return out;
}
