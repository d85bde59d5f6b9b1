// The processes of this machine (or of a shared process namespace, in a sidecar), read from /proc:
// pid, comm, argv (cmdline is NUL-separated) and the working directory. The root is injectable so
// that tests can point it at a fake tree.
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface Proc {
  pid: string;
  comm: string;
  argv: string[];
  /** The raw cmdline, as commandsFromCmdline() takes it. */
  cmdline: string;
  cwd?: string;
}

export async function listProcesses(procRoot = '/proc'): Promise<Proc[]> {
  const entries = await readdir(procRoot).catch(() => [] as string[]);
  const pids = entries.filter((e) => /^\d+$/.test(e)).sort((a, b) => Number(a) - Number(b));
  const out: Proc[] = [];
  for (const pid of pids) {
    // A process may end while it is being read; it is then simply not there.
    const cmdline = await readFile(`${procRoot}/${pid}/cmdline`, 'utf8').catch(() => '');
    if (cmdline === '') continue; // kernel threads and zombies have no argv
    const comm = (await readFile(`${procRoot}/${pid}/comm`, 'utf8').catch(() => '')).trim();
    const cwd = await readlink(`${procRoot}/${pid}/cwd`).catch(() => undefined);
    const argv = cmdline.split('\0');
    if (argv.at(-1) === '') argv.pop();
    out.push({ pid, comm, argv, cmdline, ...(cwd !== undefined && { cwd }) });
  }
  return out;
}
