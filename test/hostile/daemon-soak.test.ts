// Short daemon soak (the long one is bench/soak.ts): the daemon must keep its cycles coming against
// healthy, refusing, dropping, silent and hostile peers and probers that hang, with GC forced every
// 100 ms; its descriptors and RSS must come back near where they were after warm-up; and when a
// run hangs for good, /readyz and /healthz must turn 503 "schedule stalled" within interval + the
// run's bound (+ one run and interval before the hang takes effect, + a 2 s margin).
import { describe, expect, it } from 'vitest';
import { requireTestNetns } from '../helpers/netns.js';
import { soak } from './soak.js';

const SECONDS = Number(process.env.FEDPROBE_SOAK_SECONDS ?? 25);
/** Growth allowed over the warm-up figure: a pino buffer, a grown heap page, timers in flight. */
const FD_SLACK = 4;
const RSS_SLACK_BYTES = 24 * 1024 * 1024;

describe('daemon soak', () => {
  it(`${SECONDS} s at 1 s interval: cycles keep coming, fds and RSS stay put, a stall turns readiness 503`, {
    timeout: (SECONDS + 45) * 1000,
  }, async () => {
    requireTestNetns();
    const r = await soak({ durationMs: SECONDS * 1000, sampleEveryMs: 500 });
    console.log(JSON.stringify({ ...r, samples: r.samples.filter((_, i) => i % 4 === 0) }));
    const runs = r.samples.at(-1)!.runs;
    // A run of timeouts takes ~1 s (3 batches of 300 ms + grace), then 1 s of interval.
    expect(runs).toBeGreaterThanOrEqual(Math.floor(SECONDS / 3));
    expect(r.maxGapMs).toBeLessThan(r.expectedMaxSeconds * 1000);
    // Readiness was 200 throughout the healthy phase (the mandatory rows pass) after the first run.
    expect(r.samples.filter((s) => s.runs > 0).every((s) => s.ready === 200)).toBe(true);
    // Descriptors and RSS: the lowest of the last quarter against the lowest of the second quarter.
    const q = Math.floor(r.samples.length / 4);
    const low = (xs: SoakSample[], k: keyof SoakSample) => Math.min(...xs.map((s) => s[k]));
    const warm = r.samples.slice(q, 2 * q);
    const late = r.samples.slice(3 * q);
    expect(low(late, 'fds')).toBeLessThanOrEqual(low(warm, 'fds') + FD_SLACK);
    expect(low(late, 'rssBytes')).toBeLessThanOrEqual(low(warm, 'rssBytes') + RSS_SLACK_BYTES);
    // The stall: 503 on both, within the bound.
    const bound = 2 * (r.expectedMaxSeconds * 1000 + 1000) + 2000;
    expect(r.readyStalledAfterMs).toBeGreaterThan(0);
    expect(r.readyStalledAfterMs).toBeLessThanOrEqual(bound);
    expect(r.healthStalledAfterMs).toBeGreaterThan(0);
    expect(r.readyBody).toMatch(
      /^not ready:\n- .*soak\.yaml: schedule stalled: run started \d+ s ago \(expected at most \d+ s\)\n$/,
    );
  });
});

type SoakSample = Awaited<ReturnType<typeof soak>>['samples'][number];
