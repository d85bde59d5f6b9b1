// Where a file a container reads is on this machine: a service's `volumes:` (bind mounts `./dir:/target`,
// long form `type: bind`), `secrets:` and `configs:` (top-level `file:`), merged by target across compose
// files (compose-spec "Merge", "Unique resources"). A path under a bind mount or a file secret is read from
// its host path; one in a named volume, a tmpfs or the image itself cannot be read from here, which is said
// in one line, never guessed. The container's working directory, for a relative path, is `working_dir:` or
// the image's WORKDIR where fedprobe knows it (flwr/* images: /app, framework/docker/base/ubuntu/Dockerfile
// l.113 in adap/flower fdef7afb1d).
import { isAbsolute, join, posix } from 'node:path';
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { ComposeContext } from './compose-env.js';
import { type ComposeProject, type ComposeService, type Layer, stringOf } from './compose-project.js';
import { type Found, isPathVar } from './found.js';
import { substitute } from './interpolate.js';

interface Mount {
  target: string;
  /** The host path, for a bind mount or a file secret/config. */
  host?: string;
  /** How it is mounted, for a source: `bind mount ./etc (compose.yml:12)`, `named volume certs (…)`. */
  how: string;
}

const line = (ctx: ComposeContext, n: unknown) => ctx.lineCounter.linePos((n as Node).range?.[0] ?? 0).line;
const text = (ctx: ComposeContext, n: unknown, at: number): string | undefined =>
  isScalar(n) && (typeof n.value === 'string' || typeof n.value === 'number')
    ? substitute(String(n.value), ctx.project, `${ctx.file}:${at}`).text
    : undefined;

/** A bind source: a path (compose-go's loader: starts with `.`, `/` or `~`); otherwise a volume name. */
const isHostPath = (s: string) => /^[./~]/.test(s);

function hostOf(ctx: ComposeContext, source: string): string {
  const home = process.env.HOME ?? '~';
  const s = source.startsWith('~/') ? join(home, source.slice(2)) : source;
  return isAbsolute(s) ? s : join(ctx.dir, s);
}

function volumeMount(ctx: ComposeContext, item: Node): Mount | undefined {
  const at = line(ctx, item);
  const where = `${ctx.file}:${at}`;
  if (isMap(item)) {
    const type = text(ctx, item.get('type', true), at);
    const target = text(ctx, item.get('target', true), at);
    const source = text(ctx, item.get('source', true), at);
    if (!target) return undefined;
    if (type === 'bind' && source) return { target, host: hostOf(ctx, source), how: `bind mount ${source} (${where})` };
    if (type === 'volume' && source) return { target, how: `named volume ${source} (${where})` };
    return { target, how: `${type ?? 'volume'} mount (${where})` };
  }
  const raw = text(ctx, item, at);
  if (raw === undefined) return undefined;
  const parts = raw.split(':');
  if (parts.length === 1) return { target: parts[0]!, how: `anonymous volume (${where})` };
  const [source, target] = parts as [string, string];
  return isHostPath(source)
    ? { target, host: hostOf(ctx, source), how: `bind mount ${source} (${where})` }
    : { target, how: `named volume ${source} (${where})` };
}

/** `secrets:` / `configs:` of a service: short `name` or long `{source, target}`. */
function fileMount(
  ctx: ComposeContext,
  item: Node,
  kind: 'secret' | 'config',
  top: Map<string, Layer>,
): Mount | undefined {
  const at = line(ctx, item);
  const where = `${ctx.file}:${at}`;
  const name = isMap(item) ? text(ctx, item.get('source', true), at) : text(ctx, item, at);
  if (!name) return undefined;
  const given = isMap(item) ? text(ctx, item.get('target', true), at) : undefined;
  // Defaults: a secret at /run/secrets/<name>, a config at /<name>; a relative secret target is under /run/secrets.
  const base = kind === 'secret' ? '/run/secrets' : '/';
  const target = given === undefined ? posix.join(base, name) : posix.resolve(base, given);
  const def = top.get(name);
  const how = `${kind} ${name} (${where})`;
  if (!def) return { target, how: `${how}, defined nowhere` };
  const defAt = line(def.ctx, def.svc);
  const file = text(def.ctx, def.svc.get('file', true), defAt);
  if (file === undefined) return { target, how: `${how}, not a file (${def.ctx.file}:${defAt})` };
  const fileAt = line(def.ctx, def.svc.get('file', true));
  return { target, host: hostOf(def.ctx, file), how: `${how}, file ${file} (${def.ctx.file}:${fileAt})` };
}

/** The service's mounts, merged by target: a later file's entry for the same target replaces the earlier. */
function mountsOf(s: ComposeService, p: ComposeProject): Mount[] {
  const byTarget = new Map<string, Mount>();
  for (const { svc, ctx } of s.layers) {
    const items = (key: string) => {
      const n = svc.get(key, true);
      return isSeq(n) ? (n.items as Node[]) : [];
    };
    const found = [
      ...items('volumes').map((i) => volumeMount(ctx, i)),
      ...items('secrets').map((i) => fileMount(ctx, i, 'secret', p.secrets)),
      ...items('configs').map((i) => fileMount(ctx, i, 'config', p.configs)),
    ];
    for (const m of found) if (m) byTarget.set(posix.normalize(m.target).replace(/(.)\/$/, '$1'), m);
  }
  return [...byTarget.entries()].map(([target, m]) => ({ ...m, target }));
}

const IMAGE_WORKDIR: [RegExp, string][] = [[/(^|\/)flwr\/[a-z-]+(:|@|$)/, '/app']];

/** The container's working directory: `working_dir:`, or the image's where known. */
function workdirOf(s: ComposeService): string | undefined {
  const wd = stringOf(s, 'working_dir');
  if (wd) return wd.value;
  const image = stringOf(s, 'image')?.value;
  return image === undefined ? undefined : IMAGE_WORKDIR.find(([re]) => re.test(image))?.[1];
}

type Placed = { host: string; how: string } | { unknown: string };

/** `path` as the service's container reads it, on this machine. */
export function placeInService(s: ComposeService, p: ComposeProject, path: string, what: string): Placed {
  const wd = workdirOf(s);
  const inside = posix.isAbsolute(path) ? path : wd && posix.join(wd, path);
  if (!inside)
    return {
      unknown:
        `${what} is relative to the working directory of service ${s.name}'s container, which its image sets ` +
        '(no working_dir: in the compose file), so where it is cannot be told',
    };
  const under = mountsOf(s, p)
    .filter((m) => inside === m.target || inside.startsWith(m.target === '/' ? '/' : `${m.target}/`))
    .sort((a, b) => b.target.length - a.target.length)[0];
  const at = inside === path ? '' : ` (${inside} in the container)`;
  if (!under)
    return {
      unknown:
        `${what}${at} is inside the image of service ${s.name}: no volume, bind mount, secret or config of it ` +
        'covers that path, so it cannot be read from here',
    };
  if (under.host === undefined)
    return { unknown: `${what}${at} is in the ${under.how} of service ${s.name}, which cannot be read from here` };
  return {
    host: join(under.host, posix.relative(under.target, inside)),
    how: `${inside} in the container, ${under.how}`,
  };
}

/** The found file paths, as the service's container reads them, placed on this machine. */
export function placeFound(s: ComposeService, p: ComposeProject, found: Found): Found {
  const vars = { ...found.vars };
  const unknown = { ...found.unknown };
  for (const [name, v] of Object.entries(found.vars)) {
    if (!isPathVar(name) || v.value === '') continue;
    const placed = placeInService(s, p, v.value, `${name} ${v.value} (${v.source})`);
    if ('unknown' in placed) {
      delete vars[name];
      unknown[name] = placed.unknown;
    } else {
      const rel = posix.isAbsolute(v.value) ? '' : `${v.value}, `;
      vars[name] = { ...v, value: placed.host, source: `${v.source}: ${rel}${placed.how}` };
    }
  }
  return { ...found, vars, ...(Object.keys(unknown).length && { unknown }) };
}
