// The embeddable API: check a profile, render the result, load a profile, add a prober. What a
// Flower or Fed-BioMed plugin or a CI step needs, and nothing of the CLI. Importing it is cheap:
// profile loading (yaml), the runner and the probers are imported when first used.
import type { Logger } from 'pino';
import type { z } from 'zod';
import type { ProbeFacts } from './facts.js';
import type { FormatName } from './report/formats.js';
import type { CheckResult, Family, Profile, Prober, RunReport } from './types.js';

export interface CheckOptions {
  /** Variable values, as `--set name=value` gives them (strongest). */
  set?: Record<string, string>;
  /** Variable values as a site file gives them (weaker than `set`). */
  site?: Record<string, string>;
  /** Where `FEDPROBE_VAR_<NAME>` and proxy variables are read; none unless given (e.g. process.env). */
  env?: NodeJS.ProcessEnv;
  /** Only these row ids. */
  only?: string[];
  /** Deadline per row and address, in milliseconds (default 3000); a row's own `timeout` wins. */
  timeoutMs?: number;
  /** Extra attempts for a row that did not pass (default 0). */
  retries?: number;
  /** Rows checked at once (default 16). */
  concurrency?: number;
  /** Optional rows count too: any row failing or inconclusive makes exitCode 1. */
  strict?: boolean;
  /** `direct`, or an HTTP CONNECT proxy URL for every TCP row (default: from `env`, else direct). */
  proxy?: string;
  /** Only this address family. */
  family?: Family;
  /** Stops the run: rows in flight end at once, as at their deadline. */
  signal?: AbortSignal;
  /** A pino logger for the run's logs; silent when absent. */
  logger?: Logger;
  /** Called as each row finishes, with its index in the profile's order. */
  onResult?: (result: CheckResult, index: number) => void;
}

/** A loaded Profile, a profile document as an object (as the YAML would read), or a reference:
 * a shipped id (`fedbiomed/node`) or a path to a .yaml/.json file. */
export type ProfileInput = Profile | Record<string, unknown> | string;

/** Loads a profile strictly (a shipped id or a path); errors are ProfileError / UsageError. */
export async function loadProfile(ref: string): Promise<Profile> {
  return (await import('./profile/load.js')).loadProfile(ref);
}

/** A loaded Profile carries its `file` and `id`; a document never does. */
function isLoaded(p: Profile | Record<string, unknown>): p is Profile {
  return typeof p.file === 'string' && typeof p.id === 'string' && Array.isArray(p.rows);
}

async function toProfile(input: ProfileInput): Promise<Profile> {
  if (typeof input === 'string') return loadProfile(input);
  if (isLoaded(input)) return input;
  // Checked as strictly as a file: unknown keys, bad URLs and options are errors naming the path.
  return (await import('./profile/load.js')).parseProfile(input, '(profile object)', 'profile');
}

/** Checks every row of the profile from this machine; never throws for a row that fails (that is
 * in the report), only for a bad profile or options (ProfileError, UsageError). */
export async function check(profile: ProfileInput, options: CheckOptions = {}): Promise<RunReport> {
  const p = await toProfile(profile);
  const [{ checkProfile }, log] = await Promise.all([import('./check.js'), options.logger ?? silentLogger()]);
  const o = options;
  return checkProfile(p, {
    concurrency: o.concurrency ?? 16,
    strict: o.strict ?? false,
    log,
    timeoutMs: o.timeoutMs ?? 3000,
    retries: o.retries ?? 0,
    env: o.env ?? {},
    proxy: { env: o.env ?? {}, ...(o.proxy !== undefined && { flag: o.proxy }) },
    ...(o.set !== undefined && { set: o.set }),
    ...(o.site !== undefined && { site: o.site }),
    ...(o.only !== undefined && { only: o.only }),
    ...(o.family !== undefined && { family: o.family }),
    ...(o.signal !== undefined && { signal: o.signal }),
    ...(o.onResult !== undefined && { onResult: o.onResult }),
  });
}

async function silentLogger(): Promise<Logger> {
  const { pino } = await import('pino');
  return pino({ level: 'silent' });
}

/** The run in one of the CLI's `--format`s: table, json, junit, prometheus, firewall, csv, html. */
export async function render(run: RunReport, format: FormatName, options: { color?: boolean } = {}): Promise<string> {
  return (await import('./report/formats.js')).render(run, format, { color: options.color ?? false });
}

/**
 * Adds a prober for a scheme fedprobe does not ship. Profiles loaded afterwards may use
 * `scheme://host:port`; `options` (a zod object schema) validates their `with:` as strictly as a
 * built-in scheme's, and the prober receives them parsed by it (its third argument, typed by it).
 * The prober observes (state, reason, detail, facts); fedprobe judges.
 */
export async function registerProber<O extends z.ZodObject>(
  scheme: string,
  prober: Prober<ProbeFacts, z.output<O>>,
  options: O,
  protocol: 'tcp' | 'udp' = 'tcp',
): Promise<void> {
  (await import('./probers/registry.js')).registerProber(scheme, prober, options, protocol);
}

/** The JSON Schema of `render(run, 'json')` (and `fedprobe schema --report`). */
export async function reportJsonSchema(): Promise<Record<string, unknown>> {
  return (await import('./report/report-schema.js')).reportJsonSchema();
}
