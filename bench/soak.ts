// The long daemon soak (`npm run soak`; the short one runs in `npm test`): the same peers, profile
// and checks as test/hostile/daemon-soak.test.ts, for a duration given as the first argument in
// minutes (default 10). Prints a sample per minute and a summary; exits 1 when the cycles stopped,
// descriptors or RSS did not come back near their warm-up level, or readiness missed the stall.
// Runs inside a throwaway network namespace as root (the dropping peer uses nftables).
import { soak, type SoakSample } from '../test/hostile/soak.js';

const minutes = Number(process.argv[2] ?? 10);
if (!(minutes > 0)) {
  console.error('usage: npm run soak -- [minutes=10]');
  process.exit(2);
}
const FD_SLACK = 4;
const RSS_SLACK_BYTES = 32 * 1024 * 1024;

let lastPrinted = -Infinity;
const r = await soak({
  durationMs: minutes * 60_000,
  sampleEveryMs: 1000,
  onSample: (s) => {
    if (s.atMs - lastPrinted < 60_000) return;
    lastPrinted = s.atMs;
    console.log(
      `${(s.atMs / 60_000).toFixed(1)} min: ${s.runs} runs, ${s.fds} fds, ${(s.rssBytes / 2 ** 20).toFixed(1)} MiB ` +
        `RSS, readyz ${s.ready}`,
    );
  },
});
const q = Math.floor(r.samples.length / 4);
const low = (xs: SoakSample[], k: 'fds' | 'rssBytes') => Math.min(...xs.map((s) => s[k]));
const warm = r.samples.slice(q, 2 * q);
const late = r.samples.slice(3 * q);
const runs = r.samples.at(-1)?.runs ?? 0;
const checks: [string, boolean][] = [
  [
    `cycles: ${runs} runs in ${minutes} min, longest gap ${r.maxGapMs} ms (bound ${r.expectedMaxSeconds} s)`,
    runs >= (minutes * 60) / 3 && r.maxGapMs < r.expectedMaxSeconds * 1000,
  ],
  [
    `fds: lowest ${low(warm, 'fds')} after warm-up, ${low(late, 'fds')} at the end`,
    low(late, 'fds') <= low(warm, 'fds') + FD_SLACK,
  ],
  [
    `RSS: lowest ${(low(warm, 'rssBytes') / 2 ** 20).toFixed(1)} MiB after warm-up, ` +
      `${(low(late, 'rssBytes') / 2 ** 20).toFixed(1)} MiB at the end`,
    low(late, 'rssBytes') <= low(warm, 'rssBytes') + RSS_SLACK_BYTES,
  ],
  [
    `stall: /readyz 503 after ${r.readyStalledAfterMs} ms, /healthz 503 after ${r.healthStalledAfterMs} ms`,
    r.readyStalledAfterMs > 0 && r.healthStalledAfterMs > 0,
  ],
];
console.log(`fedprobe soak: ${r.rows} rows (${r.mandatory} mandatory), ${minutes} min`);
for (const [line, ok] of checks) console.log(`${ok ? 'ok  ' : 'FAIL'} ${line}`);
process.exit(checks.every(([, ok]) => ok) ? 0 : 1);
