// A file path a process was given, seen from here: relative to the process's cwd, and through
// /proc/PID/root when it runs in a container (another mount namespace). Used by discover and by
// `check --from /proc/PID/cmdline`, so both name the same file. When the parts of /proc/PID that say
// where its files are cannot be read (another user's process), that is one line per value, not a guess.
import { isAbsolute, join } from 'node:path';
import { UsageError } from '../errors.js';
import { type Found, isPathVar } from '../frameworks/found.js';
import type { Proc } from './proc.js';

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

/** The found file paths made usable from here, each source saying how. A path that cannot be placed (its
 * cwd or root unreadable) is that one value unknown, with the line that says why; the others stand. */
export function placePaths(p: ProcView, found: Found): Found {
  const vars = { ...found.vars };
  const unknown = { ...found.unknown };
  for (const [name, v] of Object.entries(found.vars)) {
    if (!isPathVar(name) || v.value === '') continue;
    const missing = missingFor(p, v.value);
    if (missing.length) {
      delete vars[name];
      unknown[name] = deniedLine(missing, `where pid ${p.pid} finds ${v.value} (${name}) cannot be told`);
      continue;
    }
    const there = hostPath(p, v.value);
    if (there === v.value) continue;
    const how = [
      ...(!isAbsolute(v.value) && p.cwd ? [`relative to its cwd ${p.cwd}`] : []),
      ...(p.root ? [`in its container, read through ${p.root}`] : []),
    ];
    vars[name] = { ...v, source: `${v.source}: ${v.value} ${how.join(', ')}`, value: there };
  }
  return { ...found, vars, ...(Object.keys(unknown).length && { unknown }) };
}
