// varsFromConfig(): `--from PATH[#NAME]` → the profile and the variables a framework's own
// configuration gives it. Which reader runs follows from the file's content, not a flag.
import { existsSync } from 'node:fs';
import { basename } from 'node:path';
import { UsageError } from '../errors.js';
import {
  commandsFromCmdline,
  commandsFromCompose,
  commandsFromScript,
  commandsFromUnit,
  type FoundCommand,
} from './commands.js';
import { looksLikeFedbiomedIni, looksLikeFedbiomedVpnEnv, readFedbiomedIni, readFedbiomedVpnEnv } from './fedbiomed.js';
import { FLOWER_PROGRAMS, superlinkFromArgs, supernodeFromArgs } from './flower-args.js';
import { looksLikeFlowerToml, readFlowerToml } from './flower-toml.js';
import type { Found, ReadOptions } from './found.js';
import { SWARM_PROGRAMS, swarmFromArgs, type SwarmProgram } from './swarm.js';
import { readConfigText } from './text.js';

export type { Found, FoundVar } from './found.js';

export const PROGRAMS: readonly string[] = [...FLOWER_PROGRAMS, ...SWARM_PROGRAMS];

/** One framework command line → its profile and variables. */
export function foundFromCommand(cmd: FoundCommand): Promise<Found> {
  if (cmd.program === 'flower-supernode') return supernodeFromArgs(cmd.args, cmd.where);
  if (cmd.program === 'flower-superlink') return superlinkFromArgs(cmd.args, cmd.where);
  return swarmFromArgs(cmd.program as SwarmProgram, cmd.args, cmd.where);
}

function splitSelector(path: string): { file: string; selector?: string } {
  const hash = path.lastIndexOf('#');
  if (hash <= 0 || existsSync(path)) return { file: path };
  return { file: path.slice(0, hash), selector: path.slice(hash + 1) };
}

async function fromCommands(file: string, cmds: FoundCommand[], selector: string | undefined): Promise<Found> {
  const what = 'flower-supernode, flower-superlink, run-sn, run-sl, run-swop or run-swci';
  if (selector !== undefined) {
    const named = cmds.filter((c) => c.service === selector || c.program === selector);
    if (!named.length)
      throw new UsageError(
        `${file}: no service or program "${selector}" running ${what} (found: ` +
        `${cmds.map((c) => c.service ?? `${c.program} at ${c.where}`).join(', ') || 'none'})`,
      );
    cmds = named;
  }
  if (!cmds.length) {
    throw new UsageError(
      `${file}: no Fed-BioMed, Flower or HPE Swarm Learning configuration found (a Fed-BioMed .ini or ` +
      `config.env, a Flower pyproject.toml or config.toml, or a command line of ${what})`,
    );
  }
  const found = await Promise.all(cmds.map(foundFromCommand));
  const key = (f: Found) => JSON.stringify([f.profile, Object.entries(f.vars).map(([k, v]) => [k, v.value])]);
  const first = found[0]!;
  if (found.every((f) => key(f) === key(first))) {
    const others = cmds.slice(1).map((c) => c.service ?? c.where);
    return others.length
      ? { ...first, notes: [...first.notes, `the same settings also in ${others.join(', ')}`] }
      : first;
  }
  const names = cmds.map((c, i) => `${c.service ?? c.where} (${found[i]!.profile})`).join(', ');
  const hint = cmds.every((c) => c.service !== undefined)
    ? `: pick one with --from ${file}#SERVICE`
    : new Set(cmds.map((c) => c.program)).size === cmds.length
      ? `: pick one with --from ${file}#PROGRAM`
      : ': keep one per file';
  throw new UsageError(`${file}: several components with different settings: ${names}${hint}`);
}

export async function varsFromConfig(path: string, opts: ReadOptions = {}): Promise<Found> {
  const { file, selector } = splitSelector(path);
  const env = opts.env ?? {};
  const text = await readConfigText(file);
  const pid = /(?:^|\/)(\d+)\/cmdline$/.exec(file)?.[1];
  if (pid !== undefined || text.includes('\0')) {
    return fromCommands(file, commandsFromCmdline(text, pid ?? basename(file), PROGRAMS), undefined);
  }
  if (/\.toml$/i.test(file) || looksLikeFlowerToml(text)) return readFlowerToml(file, text, selector);
  if (looksLikeFedbiomedIni(text)) return readFedbiomedIni(file, text, opts);
  if (looksLikeFedbiomedVpnEnv(text)) return readFedbiomedVpnEnv(file, text);
  if (/\.ini$/i.test(file))
    throw new UsageError(
      `${file}: an INI file without "[default] component = NODE|RESEARCHER": not a Fed-BioMed configuration`,
    );
  if (/\.service$/i.test(file) || /^\s*\[Service\]/m.test(text))
    return fromCommands(file, commandsFromUnit(text, file, PROGRAMS), selector);
  if (/\.ya?ml$/i.test(file) || /^services:/m.test(text))
    return fromCommands(file, commandsFromCompose(text, file, PROGRAMS, env), selector);
  return fromCommands(
    file,
    commandsFromScript(text, file, PROGRAMS, (n) => env[n] || undefined),
    selector,
  );
}
