// The memory a hostile case costs: the peak growth of this process's resident set (RSS) while the
// case runs, sampled every few milliseconds, after a full garbage collection so that the baseline
// is not the last case's garbage. The probe and its hostile peer both run in this process (a vitest
// worker of its own), so an unbounded read anywhere shows here.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

// vitest's workers do not start with --expose-gc; V8 can still be asked for gc() afterwards.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/**
 * The bound every case must stay within, in MiB. The 69 corpus cases measured 0 to 7.3 MiB (the
 * largest: the first MQTT case, which loads that prober's modules); the rest is room for V8 growing
 * its young generation (16 MiB semi-spaces) on a loaded machine. An unbounded reader of the flood
 * peer holds every byte it is sent, and loopback carries hundreds of MiB within one 1 s deadline,
 * far above it (the last case in corpus.test.ts shows that the measure sees such a reader).
 */
export const RSS_GROWTH_LIMIT_MIB = 32;

export async function peakRssGrowth<T>(fn: () => Promise<T>): Promise<{ value: T; growthMiB: number }> {
  gc();
  const base = process.memoryUsage.rss();
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const sampler = setInterval(sample, 5);
  try {
    const value = await fn();
    sample();
    return { value, growthMiB: (peak - base) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}
