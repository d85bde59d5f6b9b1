// The framework components of a compose project (one file or several, merged: compose-project.ts): each
// service's `entrypoint:` + `command:` (the last file's of each, as compose replaces them), a command run
// through `sh -c` with the container's environment, or a flwr/* image whose entrypoint is the program.
// The paths a component was given are placed through the service's mounts (compose-mounts.ts).
import { isScalar, isSeq, type Node } from 'yaml';
import type { ArgWord } from './argv.js';
import { programIndex, type FoundCommand } from './commands.js';
import { type ComposeContext, serviceEnvironment } from './compose-env.js';
import { fedbiomedService } from './compose-fedbiomed.js';
import { placeFound } from './compose-mounts.js';
import { type ComposeProject, type ComposeService, lastOf, stringOf } from './compose-project.js';
import { type EnvLookup, substitute } from './interpolate.js';
import { programName, shellCommands } from './shell.js';
import { unfold } from './yaml-lines.js';

const IMAGE_PROGRAMS: [RegExp, string][] = [
  [/(^|\/)flwr\/supernode(:|@|$)/, 'flower-supernode'],
  [/(^|\/)flwr\/superlink(:|@|$)/, 'flower-superlink'],
];

/** `compose.yml:6`, and for each variable whose value came from a file, that file's line too. */
function sourceOf(file: string, line: number, used: readonly string[], lookup: EnvLookup): string {
  const from = [...new Set(used)].flatMap((n) => {
    const src = lookup(n)?.source;
    return src ? [`$${n} from ${src}`] : [];
  });
  return `${file}:${line}${from.length ? ` (${from.join(', ')})` : ''}`;
}

const SHELLS = new Set(['sh', 'bash', 'dash', 'ash']);

/** `sh -c "flower-supernode --superlink $$HOST:9092"`: the container's shell runs it, with the container's
 * environment (env_file:, environment:); compose has already turned `$$` into `$`. */
function shellScript(
  all: readonly ArgWord[],
  lines: Lines,
): { script: ArgWord; line: number; file: string } | undefined {
  if (!all[0] || !SHELLS.has(programName(all[0].text))) return undefined;
  const c = all.findIndex((w, i) => i > 0 && /^-[a-z]*c[a-z]*$/.test(w.text));
  const script = c < 0 ? undefined : all[c + 1];
  const at = script && lines.get(script);
  return script && at ? { script, ...at } : undefined;
}

/** Where each word's text starts: file and line (a `sh -c` script's own lines count from there). */
type Lines = Map<ArgWord, { file: string; line: number }>;

/** `command:` / `entrypoint:` as words, each with its source line (`lines`: where a word starts, for sh -c). */
function words(n: Node | undefined, ctx: ComposeContext, lines: Lines): ArgWord[] | undefined {
  const { file, project } = ctx;
  const lineOf = (node: Node) => ctx.lineCounter.linePos(node.range?.[0] ?? 0).line;
  if (isSeq(n)) {
    return n.items.map((item) => {
      const node = item as Node;
      const raw = isScalar(node) ? String(node.value) : String(node);
      const { text, unresolved, defaulted, used } = substitute(raw, project, `${file}:${lineOf(node)}`);
      const w: ArgWord = {
        text,
        source: sourceOf(file, lineOf(node), used, project),
        ...(unresolved.length && { unresolved }),
        ...(defaulted.length && { defaulted }),
      };
      // A block scalar (`- |`) starts its text on the line after the indicator.
      lines.set(w, { file, line: lineOf(node) + (isScalar(node) && /^BLOCK/.test(String(node.type)) ? 1 : 0) });
      return w;
    });
  }
  if (isScalar(n) && typeof n.value === 'string') {
    // A string command is split the way compose does (shell-like words), interpolation first; a folded
    // block keeps each word's own line (yaml-lines.ts).
    const { text, line } = unfold(n, ctx);
    const lookup = (name: string) => project(name)?.value || undefined;
    return shellCommands(text.replace(/\$\$/g, '\u0000'), lookup, line)
      .flat()
      .map(({ used, line: at, ...w }) => {
        const word = { ...w, text: w.text.replace(/\u0000/g, '$'), source: sourceOf(file, at, used ?? [], project) };
        lines.set(word, { file, line: at });
        return word;
      });
  }
  return undefined;
}

async function serviceCommands(s: ComposeService, p: ComposeProject, programs: readonly string[]) {
  const where = `${p.files.length > 1 ? p.files.join(' + ') : p.files[0]} service ${s.name}`;
  const place = (found: Parameters<typeof placeFound>[2]) => placeFound(s, p, found);
  const base = { where, service: s.name, place };
  const lines: Lines = new Map();
  const part = (key: string) => {
    const at = lastOf(s, key);
    return (at && words(at.node, at.ctx, lines)) ?? [];
  };
  const entry = part('entrypoint');
  const command = part('command');
  const all = [...entry, ...command];
  const i = programIndex(all, programs);
  if (i >= 0) return [{ ...base, program: programName(all[i]!.text), args: all.slice(i + 1) }];
  const sh = shellScript(all, lines);
  if (sh) {
    const env = await serviceEnvironment(s.layers, s.name);
    const lookup = (n: string) => env[n]?.value || undefined;
    const envLookup: EnvLookup = (n) => env[n];
    const out: FoundCommand[] = [];
    for (const cmd of shellCommands(sh.script.text, lookup, sh.line)) {
      const j = programIndex(cmd, programs);
      if (j < 0) continue;
      const args = cmd.slice(j + 1).map(({ used, line, ...w }) => {
        // What compose itself could not resolve in the script is not known inside it either.
        const fromEnv = (used ?? []).filter((u) => env[u]?.unresolved).flatMap((u) => env[u]!.unresolved!);
        const unresolved = [...(sh.script.unresolved ?? []), ...(w.unresolved ?? []), ...fromEnv];
        return {
          ...w,
          source: sourceOf(sh.file, line, used ?? [], envLookup),
          ...(unresolved.length && { unresolved }),
        };
      });
      out.push({ ...base, program: programName(cmd[j]!.text), args });
    }
    return out;
  }
  const image = stringOf(s, 'image')?.value;
  const byImage = image === undefined ? undefined : IMAGE_PROGRAMS.find(([re]) => re.test(image))?.[1];
  // The flwr/* images' entrypoint is the program itself; `command:` holds only its options.
  if (byImage && programs.includes(byImage) && entry.length === 0)
    return [{ ...base, program: byImage, args: command }];
  const fbm = fedbiomedService(s, p, all);
  return fbm ? [{ ...base, ...fbm }] : [];
}

export async function commandsFromCompose(p: ComposeProject, programs: readonly string[]): Promise<FoundCommand[]> {
  const out: FoundCommand[] = [];
  for (const s of p.services) out.push(...(await serviceCommands(s, p, programs)));
  return out;
}
