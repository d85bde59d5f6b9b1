// Which compose files docker compose loads when no `-f` names them (compose-go cli/options.go): the files of
// COMPOSE_FILE, split at COMPOSE_PATH_SEPARATOR (":" on Linux), both read from the shell's environment or
// the project directory's `.env`, relative paths from where compose runs (WithConfigFileEnv); without it,
// compose.yaml / compose.yml / docker-compose.yml / docker-compose.yaml in that directory or the nearest
// parent, with its first override file beside it (WithDefaultConfigPath).
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import type { EnvLookup } from './interpolate.js';

export interface ComposeFileList {
  files: string[];
  /** `/srv/flower/.env:3 COMPOSE_FILE=compose.yml:with-tls.yml`, for the note that says why they merge. */
  source: string;
}

/** COMPOSE_FILE's files, absolute (relative ones from `cwd`); undefined when it is not set. */
export function composeFileVar(project: EnvLookup, cwd: string): ComposeFileList | undefined {
  const v = project('COMPOSE_FILE');
  if (!v) return undefined;
  const sep = project('COMPOSE_PATH_SEPARATOR');
  const named = (n: string, e: { value: string; source?: string }) =>
    `${e.source ?? 'the environment'} ${n}=${e.value}`;
  const source = [named('COMPOSE_FILE', v), ...(sep?.value ? [named('COMPOSE_PATH_SEPARATOR', sep)] : [])].join(', ');
  const parts = v.value.split(sep?.value || ':');
  // compose would take an empty name for its working directory and fail on it: said, not skipped.
  if (parts.some((f) => f === '')) throw new UsageError(`${source}: an empty file name in COMPOSE_FILE`);
  return { files: parts.map((f) => (isAbsolute(f) ? f : resolve(cwd, f))), source };
}

const DEFAULT_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'];
const OVERRIDE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
];

/** The override file docker compose adds to `file` when no -f and no COMPOSE_FILE name the files: the first of
 * OVERRIDE_NAMES beside it, when `file` is the one compose picks in its directory (compose-go
 * WithDefaultConfigPath); undefined otherwise, as with `-f file`. */
export function overrideBeside(file: string): string | undefined {
  const d = dirname(resolve(file));
  const main = DEFAULT_NAMES.map((n) => join(d, n)).find((f) => existsSync(f));
  if (main !== resolve(file)) return undefined;
  return OVERRIDE_NAMES.map((n) => join(d, n)).find((f) => existsSync(f));
}

/** The default compose file of `dir` or its nearest parent, and the override beside it; a UsageError when
 * there is none (compose's "can't find a suitable configuration file"). */
export function defaultComposeFiles(dir: string): string[] {
  for (let d = dir; ; d = dirname(d)) {
    const main = DEFAULT_NAMES.map((n) => join(d, n)).find((f) => existsSync(f));
    if (main) {
      const over = OVERRIDE_NAMES.map((n) => join(d, n)).find((f) => existsSync(f));
      return over ? [main, over] : [main];
    }
    if (dirname(d) === d) throw new UsageError(`${dir}: no ${DEFAULT_NAMES.join(', ')} there or in a parent directory`);
  }
}
