// The sidecar's footprint (issue 11): `fedprobe daemon` on a 30-row loopback profile (15 open, 15
// refused). An hour at the 10 s interval is 360 runs; the daemon runs here at its shortest
// interval (1 s, no jitter) so that those 360 runs take six minutes. RSS is read from /proc every
// second (nothing asked of the daemon), the run count from /metrics every 10 s, CPU time
// (utime + stime) from /proc/PID/stat at the end of the warm-up and at the end.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { FEDPROBE, mix, startTargets, writeProfile, type Scenario } from './lib.js';

export interface DaemonFootprint {
  /** Runs measured after the warm-up. */
  cycles: number;
  warmup: number;
  seconds: number;
  /** Median RSS over the first and the last tenth of the measured runs, and the highest seen. */
  rssWarmMb: number;
  rssEndMb: number;
  rssMaxMb: number;
  cpuMsPerCycle: number;
}

const rssMb = (pid: number) =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** utime + stime in ms (fields 14 and 15, counted after the command name's closing parenthesis). */
function cpuMs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // USER_HZ is 100 on Linux
}

async function runsSoFar(base: string): Promise<number> {
  const body = await fetch(`${base}/metrics`).then(
    (r) => r.text(),
    () => '',
  );
  return Number(/^fedprobe_runs_total\{[^}]*\} (\d+)/m.exec(body)?.[1] ?? 0);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)] ?? 0;

/** `nodeFlags`: e.g. ['--lite-mode'] (V8 without its optimising compiler: less memory for a process
 * that mostly waits). `slot` keeps two measurements apart (ports, listen address). */
export async function daemonFootprint(
  dir: string,
  cycles: number,
  nodeFlags: string[] = [],
  slot = 0,
  warmup = 30,
): Promise<DaemonFootprint> {
  const s: Scenario = {
    name: `daemon-30-${slot}`,
    protocol: 'tcp',
    base: 34000 + 100 * slot,
    kinds: mix(30, 0.5),
    timeoutMs: 1000,
    concurrency: 16,
  };
  const targets = await startTargets(s);
  const profile = writeProfile(s, dir);
  const listen = `127.0.0.1:${19471 + slot}`;
  const args = ['daemon', profile, '--interval', '1s', '--jitter', '0', '--listen', listen, '--log-level', 'error'];
  // bin/fedprobe.js turns lite mode on for `daemon` itself; FEDPROBE_LITE=0 measures full V8.
  const lite = nodeFlags.includes('--lite-mode') ? '1' : '0';
  const child = spawn(process.execPath, [...nodeFlags, FEDPROBE, ...args, '--timeout', '1s'], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, FEDPROBE_LITE: lite },
  });
  const pid = child.pid!;
  const base = `http://${listen}`;
  const rss: { run: number; mb: number }[] = [];
  let runs = 0;
  const sampler = setInterval(() => rss.push({ run: runs, mb: rssMb(pid) }), 1000);
  try {
    // Bounded: a run of 30 loopback rows takes milliseconds; twice the runs' seconds is plenty.
    const deadline = Date.now() + (warmup + cycles) * 2000 + 30_000;
    const until = async (n: number, pollMs: number) => {
      for (runs = await runsSoFar(base); runs < n && Date.now() < deadline; runs = await runsSoFar(base))
        await sleep(pollMs);
    };
    await until(warmup, 1000);
    const cpu0 = cpuMs(pid);
    const runs0 = runs;
    const t0 = performance.now();
    await until(runs0 + cycles, 10_000);
    const cpu1 = cpuMs(pid);
    const measured = rss.filter((x) => x.run >= runs0);
    const tenth = Math.max(1, Math.floor(measured.length / 10));
    return {
      cycles: runs - runs0,
      warmup: runs0,
      seconds: (performance.now() - t0) / 1000,
      rssWarmMb: median(measured.slice(0, tenth).map((x) => x.mb)),
      rssEndMb: median(measured.slice(-tenth).map((x) => x.mb)),
      rssMaxMb: Math.max(...measured.map((x) => x.mb)),
      cpuMsPerCycle: (cpu1 - cpu0) / Math.max(1, runs - runs0),
    };
  } finally {
    clearInterval(sampler);
    child.kill();
    targets.kill();
  }
}
