// A compose service's container environment, each value with its line: `env_file:` (a path, a list, or
// the long form `- path: …` with `required: false`) read in order, later files winning, then `environment:`
// (list `K=V` / bare `K`, or map) over them — compose-go's WithServicesEnvironmentResolved. An env_file's
// ${VAR} sees the project's variables (the shell's environment, then the .env), then `environment:`, then
// the keys read before it. A command run through `sh -c` in the container expands from this environment.
// With several compose files, `environment:` is merged by name and `env_file:` entries are appended.
import { isAbsolute, join } from 'node:path';
import { isMap, isScalar, isSeq, type LineCounter, type Node, type YAMLMap } from 'yaml';
import { UsageError } from '../errors.js';
import type { Layer } from './compose-project.js';
import { type EnvMap, readEnvFile } from './dotenv.js';
import type { EnvLookup } from './interpolate.js';
import { substitute } from './interpolate.js';

export interface ComposeContext {
  file: string;
  lineCounter: LineCounter;
  /** The project's variables: the shell's environment over the .env beside the compose file. */
  project: EnvLookup;
  /** The project directory (the first compose file's): relative paths are relative to it. */
  dir: string;
  /** The file's text, for the lines inside a folded `command: >-` block. */
  text: string;
}

function lineOf(ctx: ComposeContext, n: Node | null | undefined): number {
  return ctx.lineCounter.linePos(n?.range?.[0] ?? 0).line;
}

/** `environment:` as compose resolves it: a bare name takes the project's value, or is left out. */
function environmentOf(svc: YAMLMap, ctx: ComposeContext): EnvMap {
  const node = svc.get('environment', true) as Node | undefined;
  const out: EnvMap = {};
  const put = (name: string, raw: string | null, at: Node) => {
    const source = `${ctx.file}:${lineOf(ctx, at)}`;
    if (raw === null) {
      const v = ctx.project(name);
      if (v) out[name] = { ...v, source: `${source} (${v.source ?? `$${name} from the environment`})` };
      return;
    }
    const s = substitute(raw, ctx.project, source);
    const via = [...new Set(s.used)].flatMap((n) => {
      const from = ctx.project(n)?.source;
      return from ? [`$${n} from ${from}`] : [];
    });
    out[name] = {
      value: s.text,
      source: via.length ? `${source} (${via.join(', ')})` : source,
      ...(s.unresolved.length && { unresolved: s.unresolved }),
    };
  };
  if (isSeq(node)) {
    for (const item of node.items) {
      const text = isScalar(item) ? String(item.value) : '';
      const eq = text.indexOf('=');
      put(eq < 0 ? text : text.slice(0, eq), eq < 0 ? null : text.slice(eq + 1), item as Node);
    }
  } else if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      const v = pair.value;
      put(key, isScalar(v) && v.value !== null ? String(v.value) : null, (v ?? pair.key) as Node);
    }
  }
  return out;
}

interface EnvFileEntry {
  path: string;
  required: boolean;
  line: number;
}

function envFilesOf(svc: YAMLMap, ctx: ComposeContext, service: string): EnvFileEntry[] {
  const node = svc.get('env_file', true) as Node | undefined;
  if (node === undefined) return [];
  const items = isSeq(node) ? (node.items as Node[]) : [node];
  return items.map((item) => {
    const line = lineOf(ctx, item);
    const bad = () =>
      new UsageError(`${ctx.file}:${line}: service ${service}: env_file must be a path or { path, required }`);
    const raw = (n: unknown) => {
      if (!isScalar(n) || typeof n.value !== 'string') throw bad();
      return substitute(n.value, ctx.project, `${ctx.file}:${line}`).text;
    };
    if (isScalar(item)) return { path: raw(item), required: true, line };
    if (!isMap(item)) throw bad();
    const required = item.get('required');
    if (required !== undefined && typeof required !== 'boolean') throw bad();
    return { path: raw(item.get('path', true)), required: required !== false, line };
  });
}

export async function serviceEnvironment(layers: readonly Layer[], service: string): Promise<EnvMap> {
  const environment: EnvMap = Object.assign({}, ...layers.map((l) => environmentOf(l.svc, l.ctx)));
  const fromFiles: EnvMap = {};
  for (const { svc, ctx } of layers) {
    const lookup: EnvLookup = (n) => ctx.project(n) ?? environment[n];
    for (const e of envFilesOf(svc, ctx, service)) {
      // Relative to the project directory, as compose resolves it.
      const path = isAbsolute(e.path) ? e.path : join(ctx.dir, e.path);
      const what = `the env_file of service ${service} (${ctx.file}:${e.line}${e.required ? ', required' : ''})`;
      await readEnvFile(path, what, {
        lookup,
        into: fromFiles,
        missing: e.required ? 'error' : 'empty',
      });
    }
  }
  return { ...fromFiles, ...environment };
}
