// `respond --duration` must end on time even when garbage collection runs while it waits: its
// timer used to be an AbortSignal.timeout() held only through AbortSignal.any(), which Node 20
// collects, and the stand-ins then answered forever (seen: killed after 20 s for --duration 1s).
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
const profile = new URL('../../profiles/flower/superlink.yaml', import.meta.url).pathname;
/** Start-up, binding the stand-ins and closing them, on a loaded machine. */
const MARGIN_MS = 2500;

describe('respond --duration under forced GC', () => {
  it('--duration 1s ends after ~1 s with exit 0', () => {
    const t0 = Date.now();
    const r = spawnSync(
      process.execPath,
      [
        '--expose-gc',
        '--import',
        'data:text/javascript,setInterval(()=>gc(),20).unref()',
        bin,
        'respond',
        profile,
        '--bind',
        '127.0.0.1',
        '--duration',
        '1s',
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    const ms = Date.now() - t0;
    expect(r.signal).toBeNull();
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Stop with Ctrl-C \(or after 1s\)/);
    expect(ms).toBeGreaterThanOrEqual(1000);
    expect(ms).toBeLessThanOrEqual(1000 + MARGIN_MS);
  });

  it('a --duration beyond 32-bit timers is a one-line usage error, exit 2', () => {
    const r = spawnSync(process.execPath, [bin, 'respond', profile, '--duration', '600h'], {
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(r.status).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
