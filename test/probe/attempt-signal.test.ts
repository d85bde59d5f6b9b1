// The runner makes an attempt's AbortSignal only when a prober asks for it (src/probe/run.ts): the
// dial helpers watch the attempt itself, so a 10,000-row run makes no EventTarget per row. These
// pin the contract a prober relies on whenever it asks: a signal read late is already aborted, with
// the same reason the attempt ended with (its deadline, or the caller's shutdown); one read early
// hears the abort as an event. The probers here never dial: nothing leaves the machine.
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { check, registerProber, type Prober } from '../../src/index.js';

const oneRow = (scheme: string) => ({
  schema: 'fedprobe/v1',
  framework: 'Test',
  component: 'runner',
  scenario: 'signal',
  rows: [
    {
      id: scheme,
      dir: 'out',
      source: 'runner',
      destination: 'nowhere',
      port: 'tcp/9',
      service: 'TCP',
      type: 'backend',
      status: 'mandatory',
      probe: `${scheme}://127.0.0.1:9`,
    },
  ],
});

interface Seen {
  aborted: boolean;
  name: string;
  message: string;
}

const seenOf = (signal: AbortSignal): Seen => {
  const reason = signal.reason as Error | undefined;
  return { aborted: signal.aborted, name: reason?.name ?? '', message: reason?.message ?? '' };
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('an attempt signal made on demand', () => {
  it('read only after the deadline, it is already aborted with the deadline as its reason', async () => {
    let seen: Seen | undefined;
    const late: Prober = async (_check, ctx) => {
      await sleep(250); // past the 100 ms deadline, within the runner's 250 ms grace
      seen = seenOf(ctx.signal);
      throw ctx.signal.reason;
    };
    registerProber('late-signal', late, z.strictObject({}));
    const run = await check(oneRow('late-signal'), { timeoutMs: 100 });
    expect(seen).toEqual({ aborted: true, name: 'TimeoutError', message: 'deadline of 100 ms reached' });
    const [row] = run.results;
    expect([row?.outcome, row?.state, row?.reason]).toEqual(['fail', 'filtered', 'timeout']);
  });

  it('read before the deadline, it fires its abort event at the deadline', async () => {
    let seen: Seen | undefined;
    const early: Prober = (_check, ctx) =>
      new Promise((_, reject) => {
        const signal = ctx.signal;
        signal.addEventListener('abort', () => {
          seen = seenOf(signal);
          reject(signal.reason);
        });
      });
    registerProber('early-signal', early, z.strictObject({}));
    const run = await check(oneRow('early-signal'), { timeoutMs: 100 });
    expect(seen).toEqual({ aborted: true, name: 'TimeoutError', message: 'deadline of 100 ms reached' });
    const [row] = run.results;
    expect([row?.outcome, row?.state, row?.reason]).toEqual(['fail', 'filtered', 'timeout']);
  });

  it("read after a shutdown, it carries the shutdown's reason, not a deadline", async () => {
    let seen: Seen | undefined;
    const slow: Prober = async (_check, ctx) => {
      await sleep(150); // the caller stops the run at 50 ms; the deadline (5 s) is far away
      seen = seenOf(ctx.signal);
      throw ctx.signal.reason;
    };
    registerProber('shutdown-signal', slow, z.strictObject({}));
    const stop = new AbortController();
    setTimeout(() => stop.abort(new Error('stopped by SIGTERM')), 50);
    const run = await check(oneRow('shutdown-signal'), { timeoutMs: 5000, signal: stop.signal });
    expect(seen).toEqual({ aborted: true, name: 'Error', message: 'stopped by SIGTERM' });
    const [row] = run.results;
    expect([row?.outcome, row?.state, row?.reason, row?.detail]).toEqual([
      'fail',
      'unknown',
      'error',
      'stopped by SIGTERM',
    ]);
  });
});
