// What a framework's own configuration says, as profile variables that each name their source.
// Readers collect *facts* (every value they understood); fitFacts() keeps those the chosen profile
// declares and turns the rest into notes, so the mapping follows the profile files as they change.
import { UsageError } from '../errors.js';
import { loadProfile } from '../profile/load.js';
import { terminalText as t } from '../escape.js';
import type { RunInput } from '../types.js';

export interface FoundVar {
  value: string;
  /** `config.ini:12`, `pid 1234 argv`, `env FBM_RESEARCHER_IP` */
  source: string;
  /** The value is a reference (a path or an environment variable name), never the secret itself. */
  secret?: boolean;
}

export interface Found {
  profile: string;
  vars: Record<string, FoundVar>;
  notes: string[];
  /** Variables the configuration sets but whose value cannot be used from here (a certificate path in a
   * named volume, a process whose cwd cannot be read): name → the one line that says why. The other
   * values stand; this one must be given. */
  unknown?: Record<string, string>;
}

/** Variables that name a file (a CA, a certificate, a key): read where the component reads them. */
export function isPathVar(name: string): boolean {
  return /(_ca|_cert|_certfile|_key|_keyfile|_file)$/.test(name);
}

/** Single-quotes a shell word unless it is plainly safe (`#` only inside a word: first, it starts a comment). */
export function shellWord(s: string): string {
  return /^[A-Za-z0-9_./:@%+=,-][A-Za-z0-9_./:@%+=,#-]*$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/** `fedprobe check PROFILE --set k=v …`, ready to paste. */
export function checkCommand(profile: string, set: Record<string, string>): string {
  return [
    'fedprobe',
    'check',
    profile,
    ...Object.entries(set).flatMap(([k, v]) => ['--set', shellWord(`${k}=${v}`)]),
  ].join(' ');
}

/** A found value that cannot be used, unless the operator gives it (`given`: --set/--site names, and
 * FEDPROBE_VAR_* of `env`): one line with why, and the command with the values read and that one to give. */
export function requireKnown(found: Found, given: readonly string[] = [], env: NodeJS.ProcessEnv = {}): void {
  const open = Object.entries(found.unknown ?? {}).filter(
    ([name]) => !given.includes(name) && env[`FEDPROBE_VAR_${name.toUpperCase()}`] === undefined,
  );
  if (!open.length) return;
  const cmd = `${checkCommand(found.profile, foundAssignments(found))} ${open.map(([n]) => `--set ${n}=…`).join(' ')}`;
  throw new UsageError(`${open.map(([, why]) => why).join('; ')}; with the other values as read: ${cmd}`);
}

export interface Fact extends FoundVar {
  /** The framework's default; a fact equal to it needs no note when the profile has no variable for it. */
  usual?: string;
  /** What the value is, for the note written when the profile has no variable for it. */
  what?: string;
}

export type Facts = Record<string, Fact>;

export interface ReadOptions {
  /** The environment the framework would see (Fed-BioMed lets FBM_* variables override its file). */
  env?: NodeJS.ProcessEnv;
  /** How a value from `env` is named as a source: `env` (default) or `pid 42 environ`. */
  envLabel?: string;
  /** Variables the operator gives (--set, --site): a found value that cannot be used is then no error. */
  given?: readonly string[];
}

/** Keeps the facts the profile declares as variables; the others become notes when they matter. */
export async function fitFacts(profile: string, facts: Facts, notes: string[] = []): Promise<Found> {
  const declared = (await loadProfile(profile)).vars;
  const vars: Record<string, FoundVar> = {};
  const extra: string[] = [];
  for (const [name, fact] of Object.entries(facts)) {
    const { value, source } = fact;
    // A secret is given by reference: <name>_file is what resolveVars() reads (src/profile/vars.ts).
    const varName = fact.secret && !name.endsWith('_file') ? `${name}_file` : name;
    const base = varName.endsWith('_file') ? varName.slice(0, -5) : varName;
    if (Object.hasOwn(declared, varName) || (fact.secret && declared[base]?.secret)) {
      // The profile's own default already says so: a --set for it would only be noise.
      if (!fact.secret && declared[varName]?.default === value) continue;
      vars[varName] = { value, source, ...(fact.secret && { secret: true }) };
    } else if (fact.usual === undefined || fact.usual !== value) {
      extra.push(`${fact.what ?? name} ${value} (${source}): ${profile} has no variable for it`);
    }
  }
  return { profile, vars, notes: [...notes, ...extra] };
}

/** `--set name=value` arguments, in a stable order, for the printed command and for check. */
export function foundAssignments(found: Found): Record<string, string> {
  return Object.fromEntries(Object.entries(found.vars).map(([k, v]) => [k, v.value]));
}

/** What the operator gave besides the configuration, strongest first: --set, FEDPROBE_VAR_*, --site. */
export interface StrongerInputs {
  set?: Record<string, string> | undefined;
  env?: NodeJS.ProcessEnv | undefined;
  site?: Record<string, string> | undefined;
}

/** What the report carries: each found variable with its source, and what replaced it when the
 * operator gave the same variable too (resolveVars() in src/profile/vars.ts has the same order). */
export function runInputs(found: Found, given: StrongerInputs = {}): RunInput[] {
  const by = (name: string): string | undefined => {
    const env = `FEDPROBE_VAR_${name.toUpperCase()}`;
    if (given.set && Object.hasOwn(given.set, name)) return '--set';
    if (given.env?.[env] !== undefined) return env;
    if (given.site && Object.hasOwn(given.site, name)) return '--site';
    return undefined;
  };
  return Object.entries(found.vars).map(([name, v]) => {
    const over = by(name);
    return {
      name,
      value: v.value,
      source: v.source,
      ...(v.secret && { secret: true }),
      ...(over && { overriddenBy: over }),
    };
  });
}

/** One line per variable, `name = value  (source)`: what `show` and the report print. */
export function describeFound(found: Found): string[] {
  const width = Math.max(0, ...Object.keys(found.vars).map((k) => k.length));
  // A configuration file's text reaches the terminal as data: controls shown, never acted on.
  const lines = Object.entries(found.vars).map(([k, v]) => `${k.padEnd(width)} = ${t(v.value)}  (${t(v.source)})`);
  return [`profile ${found.profile}`, ...lines, ...found.notes.map((n) => `note: ${t(n)}`)];
}

/** `host:port`, `[v6]:port`, or a bare host; a port that is not a number is a usage error. */
export function splitHostPort(text: string, where: string): { host: string; port?: string } {
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  if (v6) return { host: v6[1]!, ...(v6[2] !== undefined && { port: v6[2] }) };
  const i = text.lastIndexOf(':');
  // More than one colon and no brackets: a bare IPv6 address, no port.
  if (i < 0 || text.indexOf(':') !== i) return { host: text };
  const port = text.slice(i + 1);
  if (!/^\d{1,5}$/.test(port)) throw new UsageError(`${where}: "${text}" is not host:port`);
  return { host: text.slice(0, i), port };
}
