// A file path a process was given, seen from here: relative to the process's cwd, and through
// /proc/PID/root when it runs in a container (another mount namespace). Used by discover and by
// `check --from /proc/PID/cmdline`, so both name the same file.
import { isAbsolute, join } from 'node:path';
import type { Found } from '../frameworks/found.js';
import type { Proc } from './proc.js';

/** Variables that name a file (a CA, a certificate, a key): read where the process reads them. */
const PATH_VAR = /(_ca|_cert|_certfile|_key|_keyfile|_file)$/;

export type ProcView = Pick<Proc, 'pid' | 'cwd' | 'root' | 'rootProblem'>;

export function hostPath(p: ProcView, path: string): string {
  const abs = isAbsolute(path) || !p.cwd ? path : join(p.cwd, path);
  return p.root && isAbsolute(abs) ? join(p.root, abs) : abs;
}

/** The found file paths made usable from here, each source saying how. */
export function placePaths(p: ProcView, found: Found): Found {
  const vars = { ...found.vars };
  for (const [name, v] of Object.entries(vars)) {
    if (!PATH_VAR.test(name) || v.value === '') continue;
    const there = hostPath(p, v.value);
    if (there === v.value) continue;
    const how = [
      ...(!isAbsolute(v.value) && p.cwd ? [`relative to its cwd ${p.cwd}`] : []),
      ...(p.root ? [`in its container, read through ${p.root}`] : []),
    ];
    vars[name] = { ...v, value: there, source: `${v.source}: ${v.value} ${how.join(', ')}` };
  }
  const notes = p.rootProblem
    ? [...found.notes, `cannot look into ${p.rootProblem}: its file paths are used as pid ${p.pid} gives them`]
    : found.notes;
  return { ...found, vars, notes };
}
