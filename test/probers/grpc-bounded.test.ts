// A gRPC peer that never ends its answer (issue 7): the prober reads at most MAX_BODY bytes, then
// cancels the stream and says what it saw; a slow endless answer ends at the row's deadline.
// The hostile peers are fakes (no real server does this) in their own process, so the memory
// measured here is the prober's. Margins: deadline + 500 ms; RSS growth under 50 MB.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY } from '../../src/probers/grpc.js';
import { startHostilePeer, type GrpcServer } from '../helpers/grpc-server.js';
import { probeUrl } from '../helpers/probe.js';

let flood: GrpcServer, drip: GrpcServer;

beforeAll(async () => {
  [flood, drip] = await Promise.all([startHostilePeer('flood'), startHostilePeer('drip')]);
});

afterAll(async () => {
  await Promise.all([flood?.stop(), drip?.stop()]);
});

/** Runs `fn` while sampling this process's RSS every 5 ms; returns the peak growth and the time. */
async function measured<T>(fn: () => Promise<T>): Promise<{ value: T; rssGrowthMB: number; ms: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const start = performance.now();
  try {
    const value = await fn();
    const ms = performance.now() - start;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, rssGrowthMB: (peak - base) / 2 ** 20, ms };
  } finally {
    clearInterval(sampler);
  }
}

const FLOOD_DETAIL =
  'the server sent more than 64 KiB on one call without ending it (HTTP 200 application/grpc): fedprobe stopped ' +
  'reading there; a gRPC answer to this call is a few bytes';

describe('a peer that streams DATA forever', () => {
  it.each([
    ['the health check', {}],
    ['expectService', { expectService: 'flower-fleet' }],
  ])('%s: wrong-protocol after 64 KiB, well before the deadline, memory flat', async (_name, withOpts) => {
    const timeoutMs = 3000;
    const {
      value: r,
      rssGrowthMB,
      ms,
    } = await measured(() => probeUrl(`grpc://127.0.0.1:${flood.port}`, withOpts, { timeoutMs }));
    console.log(
      `flood (${_name}): ${ms.toFixed(0)} ms, RSS +${rssGrowthMB.toFixed(1)} MB, read ` +
        `${String(r.facts.bodyBytesRead)} B`,
    );
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'BODY_LIMIT' });
    expect(r.detail).toBe(FLOOD_DETAIL);
    expect(r.facts.bodyBytesRead).toBeLessThanOrEqual(MAX_BODY);
    expect(ms).toBeLessThan(timeoutMs + 500);
    expect(rssGrowthMB).toBeLessThan(50);
  });
});

describe('a peer that drips an answer it never ends', () => {
  it('no-response at the deadline, saying what came', async () => {
    const timeoutMs = 1000;
    const { value: r, ms } = await measured(() => probeUrl(`grpc://127.0.0.1:${drip.port}`, {}, { timeoutMs }));
    console.log(`drip: ${ms.toFixed(0)} ms, read ${String(r.facts.bodyBytesRead)} B`);
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'no-response', code: 'ETIMEDOUT' });
    expect(r.detail).toMatch(
      /^the server answered \(HTTP 200 application\/grpc, \d+ bytes of body\) but did not end the call within 1000 ms$/,
    );
    expect(ms).toBeGreaterThanOrEqual(timeoutMs - 50);
    expect(ms).toBeLessThan(timeoutMs + 500);
  });
});
