// A compose project as `docker compose -f a.yml -f b.yml` loads it: each file parsed with its own line
// numbers, services merged by name in file order (compose-spec "Merge"). What fedprobe reads of a service
// is kept per file (a layer), so every value still names the file and line it came from; the merge rules
// are applied where a key is read: the last file's `command:`/`entrypoint:`/`image:`/`working_dir:` wins,
// `environment:` is merged by name, `env_file:` appended, `volumes:`/`secrets:` merged by target. Relative
// paths are relative to the project directory, the first file's ("Paths are evaluated relative to the base
// file", Docker's "Merge Compose files"), and its `.env` is the one read.
import { dirname, join, resolve } from 'node:path';
import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  type Node,
  type Pair,
  parseDocument,
  YAMLMap,
} from 'yaml';
import { UsageError } from '../errors.js';
import type { ComposeContext } from './compose-env.js';
import { type EnvMap, processLookup, readEnvFile } from './dotenv.js';
import { type EnvLookup, substitute } from './interpolate.js';
import {
  extendedLayers,
  includeItems,
  type IncludeItem,
  type ParsedServices,
  sameDefinition,
} from './compose-include.js';
import { readConfigText } from './text.js';

export interface Layer {
  svc: YAMLMap;
  ctx: ComposeContext;
}

export interface ComposeService {
  name: string;
  /** The service as each file that names it wrote it, first file first. */
  layers: Layer[];
}

export interface ComposeProject {
  files: string[];
  dir: string;
  project: EnvLookup;
  services: ComposeService[];
  /** Top-level `secrets:` / `configs:` entries, merged by name (the last file's wins). */
  secrets: Map<string, Layer>;
  configs: Map<string, Layer>;
}

/** The node a key has in the last file that sets it, with that file's context. */
export function lastOf(s: ComposeService, key: string): { node: Node; ctx: ComposeContext } | undefined {
  for (let i = s.layers.length - 1; i >= 0; i--) {
    const l = s.layers[i]!;
    const node = l.svc.get(key, true) as Node | undefined;
    if (node !== undefined && node !== null) return { node, ctx: l.ctx };
  }
  return undefined;
}

/** A plain string value (`image:`, `working_dir:`), interpolated; undefined when absent. */
export function stringOf(s: ComposeService, key: string): { value: string; source: string } | undefined {
  const at = lastOf(s, key);
  if (!at || !isScalar(at.node) || typeof at.node.value !== 'string') return undefined;
  const line = at.ctx.lineCounter.linePos(at.node.range?.[0] ?? 0).line;
  return { value: interpolated(at.node.value, at.ctx, line), source: `${at.ctx.file}:${line}` };
}

function interpolated(text: string, ctx: ComposeContext, line: number): string {
  return substitute(text, ctx.project, `${ctx.file}:${line}`).text;
}

const isMergeKey = (k: unknown) => isScalar(k) && (k.source === '<<' || k.value === '<<');
const keyName = (k: unknown) => String(isScalar(k) ? k.value : k);

/** A mapping with its YAML merge keys (`<<: *standard-node`, as Fed-BioMed's compose file uses) applied:
 * its own keys first, then the merged mappings' in order; each pair keeps its node, so its line. */
function flatten(map: YAMLMap, doc: Document, depth = 0): YAMLMap {
  if (depth > 16 || !map.items.some((p) => isMergeKey(p.key))) return map;
  const pairs = new Map<string, Pair>();
  for (const p of map.items) if (!isMergeKey(p.key)) pairs.set(keyName(p.key), p);
  for (const p of map.items.filter((q) => isMergeKey(q.key))) {
    for (const src of isSeq(p.value) ? p.value.items : [p.value]) {
      const target = isAlias(src) ? src.resolve(doc) : src;
      if (!isMap(target)) continue;
      for (const q of flatten(target, doc, depth + 1).items)
        if (!pairs.has(keyName(q.key))) pairs.set(keyName(q.key), q as Pair);
    }
  }
  const out = new YAMLMap();
  out.items = [...pairs.values()];
  out.range = map.range ?? null;
  return out;
}

function parseFile(file: string, text: string, dir: string, project: EnvLookup) {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true });
  const err = doc.errors[0];
  if (err) throw new UsageError(`${file}:${err.linePos?.[0].line ?? 1}: not valid YAML: ${err.message.split('\n')[0]}`);
  const ctx: ComposeContext = { file, lineCounter, project, dir, text };
  const top = (key: string) => {
    const n = doc.get(key, true);
    if (!isMap(n)) return undefined;
    const out = new Map<string, YAMLMap>();
    for (const p of n.items) if (isMap(p.value)) out.set(keyName(p.key), flatten(p.value, doc));
    return out;
  };
  const services = top('services');
  return {
    ctx,
    services,
    secrets: top('secrets'),
    configs: top('configs'),
    include: doc.get('include', true),
    named: { ctx, services: services ?? new Map() } satisfies ParsedServices,
  };
}

/** A file `extends: {file:}` names: its services only, its own directory for its relative paths. */
async function parseExtended(path: string, dir: string, project: EnvLookup): Promise<ParsedServices> {
  return parseFile(path, await readConfigText(path), dir, project).named;
}

export interface ProjectEnvOptions {
  /** `--env-file` (absolute), read in order instead of the project directory's `.env` (compose-go
   * WithEnvFiles); unlike the default `.env`, a missing one is an error, as in docker compose. */
  envFiles?: readonly string[];
  /** How a value of the shell's environment is named as a source (`pid 42 environ`); none for ours. */
  envLabel?: string;
}

/** The project's variables: the shell's environment over the `.env` of `dir` (or the --env-files). */
export async function projectEnv(
  dir: string,
  env: NodeJS.ProcessEnv,
  opts: ProjectEnvOptions = {},
): Promise<EnvLookup> {
  // The .env's ${VAR}s see the shell's environment first (compose-go GetEnvFromFile), and the shell's
  // environment wins over it, as in docker compose.
  const plain = processLookup(env);
  const label = opts.envLabel;
  const shell: EnvLookup = (n) => {
    const v = plain(n);
    return v && label ? { ...v, source: label } : v;
  };
  const dotenv: EnvMap = {};
  const files = opts.envFiles?.length ? opts.envFiles : undefined;
  for (const file of files ?? [join(dir, '.env')]) {
    const what = files ? 'the --env-file docker compose was given' : 'the .env docker compose would read';
    await readEnvFile(file, what, { lookup: shell, into: dotenv, missing: files ? 'error' : 'empty' });
  }
  return (n) => shell(n) ?? (Object.hasOwn(dotenv, n) ? dotenv[n] : undefined);
}

/** Reads and merges the files; `texts` may hold a file's text already read. The project directory is the
 * first file's unless `opts.dir` (`--project-directory`) says otherwise; `opts.project`: its variables. */
export async function loadComposeProject(
  files: readonly string[],
  env: NodeJS.ProcessEnv,
  texts: ReadonlyMap<string, string> = new Map(),
  opts: { dir?: string; project?: EnvLookup } = {},
): Promise<ComposeProject> {
  const dir = opts.dir ?? dirname(files[0]!);
  const project = opts.project ?? (await projectEnv(dir, env));
  return loadFiles(files, dir, project, texts, files);
}

async function loadFiles(
  files: readonly string[],
  dir: string,
  project: EnvLookup,
  texts: ReadonlyMap<string, string>,
  including: readonly string[],
): Promise<ComposeProject> {
  const services = new Map<string, ComposeService>();
  const secrets = new Map<string, Layer>();
  const configs = new Map<string, Layer>();
  const includes: IncludeItem[] = [];
  let withServices = 0;
  for (const file of files) {
    const text = texts.get(file) ?? (await readConfigText(file));
    const parsed = parseFile(file, text, dir, project);
    if (parsed.services) withServices++;
    for (const name of parsed.services?.keys() ?? []) {
      const s = services.get(name) ?? { name, layers: [] };
      s.layers.push(...(await extendedLayers(name, parsed.named, parseExtended)));
      services.set(name, s);
    }
    for (const [into, map] of [
      [secrets, parsed.secrets],
      [configs, parsed.configs],
    ] as const) {
      for (const [name, value] of map ?? []) into.set(name, { svc: value, ctx: parsed.ctx });
    }
    includes.push(...(await includeItems(parsed.include, parsed.ctx)));
  }
  // After the files are merged, as compose does: a service both here and in an included project is an error,
  // unless both define it the same (then it is kept once, with the first definition's lines).
  for (const inc of includes) {
    const key = inc.files.join(' + ');
    const again = inc.files.find((f) => including.some((g) => resolve(g) === resolve(f)));
    if (again) throw new UsageError(`${inc.at}: include ${key}: a cycle (${again} is already being read)`);
    const sub = await loadFiles(inc.files, inc.dir, inc.project, new Map(), [...including, ...inc.files]);
    for (const s of sub.services) {
      const mine = services.get(s.name);
      if (mine && sameDefinition(mine.layers, s.layers)) continue;
      if (mine)
        throw new UsageError(
          `${inc.at}: include ${key}: service ${s.name} is also defined in ` +
            `${[...new Set(mine.layers.map((l) => l.ctx.file))].join(', ')}; compose refuses the conflict`,
        );
      services.set(s.name, s);
    }
    for (const [into, from] of [
      [secrets, sub.secrets],
      [configs, sub.configs],
    ] as const)
      for (const [name, layer] of from) if (!into.has(name)) into.set(name, layer);
  }
  if (!withServices && !services.size)
    throw new UsageError(`${files.length > 1 ? files.join(' + ') : files[0]}: a compose file without services:`);
  return { files: [...files], dir, project, services: [...services.values()], secrets, configs };
}
