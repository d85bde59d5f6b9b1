// The daemon's memory of past runs, for the status page and /history: per profile and row, the
// outcomes of the last N runs in a fixed-size ring, when the outcome last changed, and whether it
// flaps. Memory is bounded by N x rows x profiles: a row that a reload removed is forgotten at the
// next run of its profile, and nothing grows with uptime.
import type { Outcome, Reason, RunReport } from '../types.js';

/** Runs kept per row by default: half an hour at the default 60 s interval. */
export const DEFAULT_HISTORY = 30;
/** Largest --history accepted: 1000 runs x 100 rows is a few MB at most. */
export const MAX_HISTORY = 1000;
/** A row whose outcome changed more than this many times within the kept runs is flapping. */
export const FLAP_CHANGES = 3;

/** One run of one row, as the strip shows it. */
interface Mark {
  /** When the run started (epoch ms). */
  at: number;
  outcome: Outcome;
  reason: Reason;
}

/** A fixed-size ring of marks, oldest first when read. */
interface Ring {
  items: Mark[];
  /** Index of the oldest mark once the ring is full. */
  start: number;
}

interface RowMemory {
  ring: Ring;
  /** When the outcome last differed from the run before (epoch ms); kept after it leaves the ring. */
  changedAt?: number | undefined;
  /** The outcome before that change. */
  changedFrom?: Outcome | undefined;
}

/** What the page and /history show for one row. */
export interface RowHistory {
  id: string;
  /** Oldest first; at most `size` marks. */
  runs: Mark[];
  /** When the outcome last changed, if it ever did while the daemon ran. */
  changedAt?: number;
  changedFrom?: Outcome;
  /** Outcome changes between consecutive kept runs. */
  changes: number;
  flapping: boolean;
}

export interface History {
  size: number;
  record(profileId: string, run: RunReport): void;
  /** Rows of the profile's last recorded run, in its order; empty before the first run. */
  rows(profileId: string): RowHistory[];
}

function push(ring: Ring, size: number, mark: Mark): void {
  if (ring.items.length < size) ring.items.push(mark);
  else {
    ring.items[ring.start] = mark;
    ring.start = (ring.start + 1) % size;
  }
}

function newest(ring: Ring): Mark | undefined {
  return ring.items[(ring.start + ring.items.length - 1) % Math.max(1, ring.items.length)];
}

function ordered(ring: Ring): Mark[] {
  return [...ring.items.slice(ring.start), ...ring.items.slice(0, ring.start)];
}

function countChanges(runs: readonly Mark[]): number {
  let n = 0;
  for (let i = 1; i < runs.length; i++) if (runs[i]!.outcome !== runs[i - 1]!.outcome) n++;
  return n;
}

export function createHistory(size = DEFAULT_HISTORY, flapChanges = FLAP_CHANGES): History {
  if (!Number.isInteger(size) || size < 1 || size > MAX_HISTORY) throw new RangeError(`history size ${size}`);
  const profiles = new Map<string, { order: string[]; rows: Map<string, RowMemory> }>();
  return {
    size,
    record(profileId, run) {
      const at = Date.parse(run.startedAt);
      const before = profiles.get(profileId)?.rows ?? new Map<string, RowMemory>();
      // Rebuilt from this run's rows: a row a reload removed is dropped here, so the map never grows.
      const rows = new Map<string, RowMemory>();
      for (const r of run.results) {
        const mem = before.get(r.id) ?? { ring: { items: [], start: 0 } };
        const last = newest(mem.ring);
        if (last && last.outcome !== r.outcome) {
          mem.changedAt = at;
          mem.changedFrom = last.outcome;
        }
        push(mem.ring, size, { at, outcome: r.outcome, reason: r.reason });
        rows.set(r.id, mem);
      }
      profiles.set(profileId, { order: run.results.map((r) => r.id), rows });
    },
    rows(profileId) {
      const p = profiles.get(profileId);
      if (!p) return [];
      return p.order.flatMap((id) => {
        const mem = p.rows.get(id);
        if (!mem) return [];
        const runs = ordered(mem.ring);
        const changes = countChanges(runs);
        return [
          {
            id,
            runs,
            changes,
            flapping: changes > flapChanges,
            ...(mem.changedAt !== undefined && { changedAt: mem.changedAt }),
            ...(mem.changedFrom !== undefined && { changedFrom: mem.changedFrom }),
          },
        ];
      });
    },
  };
}

/** /history: the same data as JSON, times as ISO strings. */
export function historyJson(history: History, profileIds: readonly string[], flapChanges = FLAP_CHANGES): unknown {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    size: history.size,
    flappingAbove: flapChanges,
    profiles: profileIds.map((profile) => ({
      profile,
      rows: history.rows(profile).map((r) => ({
        id: r.id,
        runs: r.runs.map((m) => ({ at: iso(m.at), outcome: m.outcome, reason: m.reason })),
        lastChangedAt: r.changedAt !== undefined ? iso(r.changedAt) : null,
        lastChangedFrom: r.changedFrom ?? null,
        changes: r.changes,
        flapping: r.flapping,
      })),
    })),
  };
}
