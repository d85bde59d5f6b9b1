// Durations as people write them: a bare number is seconds (as `nc -w`, `curl --max-time` and
// nmap's timing flags read it), or a number with a unit: 500ms, 5s, 1.5m, 2h. Shared by every
// duration flag and by a profile's `timeout:`, so that both read "2" the same way.
import { quote } from '../errors.js';

/** Below this, a deadline only measures the machine's own latency and reads as a firewall fault. */
const MIN_DURATION_MS = 50;
/** 24 h: far beyond any sensible deadline or interval, and well inside Node's timer range (2^31-1 ms). */
const MAX_DURATION_MS = 24 * 3_600_000;
/** A row's own deadline: a probe that needs more than 10 minutes is not a handshake. */
export const MAX_ROW_TIMEOUT_MS = 600_000;

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
const DURATION = /^([0-9]{1,12}(?:\.[0-9]{1,6})?)(ms|s|m|h)?$/;

/** Milliseconds, or an Error whose message says what was expected (callers prefix the flag or path). */
export function durationMs(value: string | number, maxMs = MAX_DURATION_MS): number {
  const text = typeof value === 'number' ? String(value) : value.trim();
  const m = typeof value === 'number' && !Number.isFinite(value) ? null : DURATION.exec(text);
  if (!m) throw new Error(`expected a duration such as 5 (seconds), 500ms, 5s or 1m, got ${quote(String(value), 40)}`);
  const bare = m[2] === undefined;
  const ms = Number(m[1]) * UNIT_MS[(m[2] ?? 's') as keyof typeof UNIT_MS];
  const shown = `${text}${bare ? 's' : ''}`;
  if (ms < MIN_DURATION_MS)
    throw new Error(`${shown} is too short: give at least ${MIN_DURATION_MS}ms (a bare number is seconds)`);
  if (ms > maxMs) {
    // `timeout: 5000` was milliseconds once: say how to write that now.
    const hint = bare ? ` (a bare number is seconds; for milliseconds write ${text}ms)` : '';
    throw new Error(`${shown} is too long: give at most ${formatDuration(maxMs)}${hint}`);
  }
  return Math.round(ms);
}

/** 600000 → `10m`, 86400000 → `24h`. */
function formatDuration(ms: number): string {
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
