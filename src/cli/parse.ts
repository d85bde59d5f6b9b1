// Parsers for flag values: durations, key=value pairs, id lists.
import { UsageError } from '../errors.js';
import { durationMs } from '../profile/duration.js';

/** `5` (seconds), `500ms`, `5s`, `1m`, `2h`: from 50ms to 24h, else a one-line usage error. */
export function parseDuration(text: string | number, flag: string): number {
  if (typeof text !== 'string' && typeof text !== 'number')
    throw new UsageError(`${flag} is given more than once; give it once`);
  try {
    return durationMs(text);
  } catch (e) {
    throw new UsageError(`${flag}: ${(e as Error).message}`);
  }
}

/** `name=value` pairs; a name given twice is an error, as a repeated single-value flag is. */
export function parseAssignments(
  items: readonly (string | number)[] | undefined,
  flag: string,
): Record<string, string> {
  // No prototype: `--set constructor=x` or `__proto__=x` are names like any other.
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const raw of items ?? []) {
    const item = String(raw);
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag}: expected name=value, got ${JSON.stringify(item)}`);
    const name = item.slice(0, eq);
    if (Object.hasOwn(out, name)) throw new UsageError(`${flag}: ${name} is given twice; give it once`);
    out[name] = item.slice(eq + 1);
  }
  return out;
}

export function parseList(items: readonly (string | number)[] | undefined): string[] | undefined {
  if (!items || items.length === 0) return undefined;
  return items
    .flatMap((i) => String(i).split(','))
    .map((s) => s.trim())
    .filter(Boolean);
}
