// A compose file's `extends:` and `include:`, as the compose-spec defines them (05-services.md "extends",
// 14-include.md) and compose-go loads them (loader/extends.go, loader/include.go):
// - `extends: NAME` or `{service, file}`: the referenced service's definition comes first and this one's merges
//   over it, by the same rules as several -f files, so here its layers come before this service's own. A `file:`
//   is relative to the directory the referring file's paths are relative to; the service read from it keeps its
//   own relative paths (compose-go resolves them against that file's directory). A cycle is an error.
// - `include: [PATH, {path, project_directory, env_file}]`: each is loaded as its own project (its paths
//   relative to its project directory, the first file's unless `project_directory` says otherwise; its
//   variables from its `.env` or `env_file`, the including project's winning), and its services, secrets and
//   configs join this project; a service defined on both sides is an error, as in compose, unless the two
//   definitions are the same (compose-go loader/include.go importResources: reflect.DeepEqual, so identical
//   copies, e.g. one file included from two places, are one service).
import { dirname, isAbsolute, join } from 'node:path';
import { isAlias, isMap, isScalar, isSeq, type Node, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.js';
import type { ComposeContext } from './compose-env.js';
import { type EnvMap, readEnvFile } from './dotenv.js';
import { type EnvLookup, substitute } from './interpolate.js';

export interface ExtendsLayer {
  svc: YAMLMap;
  ctx: ComposeContext;
}

/** A parsed file's services, as compose-project.ts reads them. */
export interface ParsedServices {
  ctx: ComposeContext;
  services: Map<string, YAMLMap>;
}

const lineOf = (ctx: ComposeContext, n: Node | undefined) => ctx.lineCounter.linePos(n?.range?.[0] ?? 0).line;

/** A scalar's text, interpolated as the rest of the file; undefined when it is not a string. */
function textOf(ctx: ComposeContext, n: unknown): string | undefined {
  if (!isScalar(n) || typeof n.value !== 'string') return undefined;
  return substitute(n.value, ctx.project, `${ctx.file}:${lineOf(ctx, n)}`).text;
}

const strings = (ctx: ComposeContext, n: unknown): string[] | undefined =>
  isSeq(n) ? n.items.flatMap((i) => textOf(ctx, i) ?? []) : isScalar(n) ? [textOf(ctx, n) ?? ''] : undefined;

const under = (dir: string, p: string) => (isAbsolute(p) ? p : join(dir, p));

/** The layers of service `name` of `file`: those of the services it extends, first, then its own. */
export async function extendedLayers(
  name: string,
  file: ParsedServices,
  parse: (path: string, dir: string, project: EnvLookup) => Promise<ParsedServices>,
  chain: readonly string[] = [],
): Promise<ExtendsLayer[]> {
  const svc = file.services.get(name)!;
  const own = { svc, ctx: file.ctx };
  const ext = svc.get('extends', true) as Node | undefined;
  if (ext === undefined || ext === null) return [own];
  const { ctx } = file;
  const at = `${ctx.file}:${lineOf(ctx, ext)}`;
  const here = `${ctx.file}#${name}`;
  if (chain.includes(here))
    throw new UsageError(`${at}: extends: a circular reference (${[...chain, here].join(' -> ')})`);
  const ref = isMap(ext) ? textOf(ctx, ext.get('service', true)) : textOf(ctx, ext);
  const refFile = isMap(ext) ? ext.get('file', true) : undefined;
  if (!ref) throw new UsageError(`${at}: extends: a service name, or a mapping with service: and file:`);
  let base = file;
  if (refFile !== undefined) {
    const path = textOf(ctx, refFile);
    if (!path) throw new UsageError(`${at}: extends: file: is not a path`);
    const abs = under(ctx.dir, path);
    // Its own relative paths stay relative to its own directory.
    base = await parse(abs, dirname(abs), ctx.project);
  }
  if (!base.services.has(ref))
    throw new UsageError(`${at}: extends: no service "${ref}" in ${base.ctx.file} (service ${name} extends it)`);
  return [...(await extendedLayers(ref, base, parse, [...chain, here])), own];
}

/** A layer as plain data, its strings interpolated, its mappings' keys sorted (deep-equal ignores order). */
function plain(ctx: ComposeContext, n: unknown): unknown {
  if (isMap(n)) {
    const pairs = n.items.map((p) => [String(isScalar(p.key) ? p.key.value : p.key), plain(ctx, p.value)] as const);
    return Object.fromEntries(pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  if (isSeq(n)) return n.items.map((i) => plain(ctx, i));
  if (isScalar(n)) return typeof n.value === 'string' ? textOf(ctx, n) : n.value;
  // An alias is compared by its name: the same only when both files wrote the same.
  if (isAlias(n)) return `*${n.source}`;
  return n ?? null;
}

/** Keys that may hold a relative path: compose resolves those against each side's project directory before it
 * compares, so the same text from two directories is two definitions. */
const PATH_KEYS = ['build', 'volumes', 'env_file', 'extends', 'label_file', 'develop'];

/** Whether two definitions of a service are the same once interpolated, as compose compares an included
 * service with one already there. Layer by layer: a definition written out in full on one side and built
 * with extends: or several files on the other is taken as different (the conflict is then reported); so is
 * one with a path-holding key written in two directories, even when none of its paths is relative. */
export function sameDefinition(a: readonly ExtendsLayer[], b: readonly ExtendsLayer[]): boolean {
  const dirOf = (l: ExtendsLayer) => (PATH_KEYS.some((k) => l.svc.has(k)) ? l.ctx.dir : '');
  const flat = (ls: readonly ExtendsLayer[]) => JSON.stringify(ls.map((l) => [dirOf(l), plain(l.ctx, l.svc)]));
  return a.length === b.length && flat(a) === flat(b);
}

export interface IncludeItem {
  /** Where it is written, for the lines that name it: `compose.yml:3`. */
  at: string;
  files: string[];
  dir: string;
  /** The included project's variables: the including project's, over its own .env or env_file. */
  project: EnvLookup;
}

/** The top-level `include:` of a file, each item with its files, project directory and variables. */
export async function includeItems(node: unknown, ctx: ComposeContext): Promise<IncludeItem[]> {
  if (node === undefined || node === null) return [];
  if (!isSeq(node))
    throw new UsageError(`${ctx.file}:${lineOf(ctx, node as Node)}: include: a list of paths or mappings`);
  const out: IncludeItem[] = [];
  for (const item of node.items as Node[]) {
    const at = `${ctx.file}:${lineOf(ctx, item)}`;
    const paths = isMap(item) ? strings(ctx, item.get('path', true)) : strings(ctx, item);
    if (!paths?.length || paths.some((p) => p === ''))
      throw new UsageError(`${at}: include: each item is a path, or a mapping whose path: is one or a list`);
    // Relative to the including project's directory (compose-go loader/include.go).
    const files = paths.map((p) => under(ctx.dir, p));
    const pd = isMap(item) ? textOf(ctx, item.get('project_directory', true)) : undefined;
    const dir = pd ? under(ctx.dir, pd) : dirname(files[0]!);
    const given = isMap(item) ? strings(ctx, item.get('env_file', true)) : undefined;
    const own: EnvMap = {};
    for (const f of given?.length ? given.map((e) => under(ctx.dir, e)) : [join(dir, '.env')]) {
      const what = given?.length ? 'an env_file of include' : 'the .env of an included project';
      await readEnvFile(f, what, { lookup: ctx.project, into: own, missing: given?.length ? 'error' : 'empty' });
    }
    const project: EnvLookup = (n) => ctx.project(n) ?? (Object.hasOwn(own, n) ? own[n] : undefined);
    out.push({ at, files, dir, project });
  }
  return out;
}
