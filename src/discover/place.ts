// A file path a process was given, seen from here: relative to the process's cwd, and through
// /proc/PID/root when it runs in a container (another mount namespace). Used by discover and by
// `check --from /proc/PID/cmdline`, so both name the same file. When the parts of /proc/PID that say
// where its files are cannot be read (another user's process), that is one line, not a guess.
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';
import type { Found } from '../frameworks/found.js';
import type { Proc } from './proc.js';

/** Variables that name a file (a CA, a certificate, a key): read where the process reads them. */
const PATH_VAR = /(_ca|_cert|_certfile|_key|_keyfile|_file)$/;

export type ProcView = Pick<Proc, 'pid' | 'cwd' | 'root' | 'denied'>;

const AS_WHO = 'run discover as root or as the user of that process';

/** The parts of /proc/PID needed to place `path` that could not be read. */
function missingFor(p: ProcView, path: string): string[] {
  return [
    ...(!isAbsolute(path) && p.cwd === undefined && p.denied?.cwd ? [p.denied.cwd] : []),
    ...(p.denied?.root ? [p.denied.root] : []),
  ];
}

/** One line: what could not be read, and what that leaves unknown. */
export function deniedLine(parts: readonly string[], unknown: string): string {
  const split = [...new Set(parts)].map((part) => /^(.*?): (.*)$/.exec(part) ?? [part, part, '']);
  const reasons = new Set(split.map((m) => m[2]));
  // `/proc/7/cwd, /proc/7/root: permission denied` when they share the reason, as they do for another user's.
  const what =
    reasons.size === 1 ? `${split.map((m) => m[1]).join(', ')}: ${[...reasons][0]}` : [...new Set(parts)].join('; ');
  return `${what}, so ${unknown} (${AS_WHO})`;
}

/** `path` as this machine sees it; a UsageError when that cannot be told. */
export function hostPath(p: ProcView, path: string, what = path): string {
  const missing = missingFor(p, path);
  if (missing.length) throw new UsageError(deniedLine(missing, `where pid ${p.pid} finds ${what} cannot be told`));
  const abs = isAbsolute(path) || !p.cwd ? path : join(p.cwd, path);
  return p.root && isAbsolute(abs) ? join(p.root, abs) : abs;
}

/** The found file paths made usable from here, each source saying how. */
export function placePaths(p: ProcView, found: Found): Found {
  const vars = { ...found.vars };
  const paths = Object.entries(vars).filter(([name, v]) => PATH_VAR.test(name) && v.value !== '');
  const missing = paths.flatMap(([, v]) => missingFor(p, v.value));
  if (missing.length) {
    const what = paths.map(([, v]) => v.value).join(', ');
    throw new UsageError(deniedLine(missing, `where pid ${p.pid} finds ${what} cannot be told`));
  }
  for (const [name, v] of paths) {
    const there = hostPath(p, v.value);
    if (there === v.value) continue;
    const how = [
      ...(!isAbsolute(v.value) && p.cwd ? [`relative to its cwd ${p.cwd}`] : []),
      ...(p.root ? [`in its container, read through ${p.root}`] : []),
    ];
    vars[name] = { ...v, source: `${v.source}: ${v.value} ${how.join(', ')}`, value: there };
  }
  return { ...found, vars };
}
