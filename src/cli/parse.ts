// Parsers for flag values: durations, key=value pairs, id lists.
import { UsageError } from '../errors.js';

/** `3s`, `500ms`, `1m`, `1.5s` or plain milliseconds. */
export function parseDuration(text: string | number, flag: string): number {
  if (typeof text === 'number') {
    if (Number.isFinite(text) && text > 0) return text;
    throw new UsageError(`${flag}: expected a positive duration such as 3s or 500ms, got ${text}`);
  }
  const m = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: expected a duration such as 3s, 500ms or 1m, got "${text}"`);
  const n = Number(m[1]) * ({ ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const)[(m[2] ?? 'ms') as 'ms'];
  if (n <= 0) throw new UsageError(`${flag}: the duration must be positive`);
  return n;
}

export function parseAssignments(items: readonly (string | number)[] | undefined, flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const raw of items ?? []) {
    const item = String(raw);
    const eq = item.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag}: expected name=value, got "${item}"`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

export function parseList(items: readonly (string | number)[] | undefined): string[] | undefined {
  if (!items || items.length === 0) return undefined;
  return items.flatMap((i) => String(i).split(',')).map((s) => s.trim()).filter(Boolean);
}
