// Shared by the fuzz tests: a fixed run count, a seed printed so that a failure can be replayed
// (FUZZ_SEED=<seed> npx vitest run test/fuzz/…), main() in-process with a time bound per case,
// and the one property every bad input must have.
import { expect } from 'vitest';
import { runCli, type CliResult } from '../helpers/cli.js';

export const NUM_RUNS = Number(process.env.FUZZ_RUNS ?? 300);

export function fuzzSeed(name: string): number {
  const seed = process.env.FUZZ_SEED !== undefined ? Number(process.env.FUZZ_SEED) : Date.now() % 2 ** 31;
  console.log(`${name}: fast-check seed ${seed}, ${NUM_RUNS} runs (replay with FUZZ_SEED=${seed})`);
  return seed;
}

/** Per-case bound: a case that takes longer is a hang, whatever it would have printed. */
export const CASE_BOUND_MS = 10_000;

export async function runBounded(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const stop = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      stop.abort();
      reject(new Error(`no answer within ${CASE_BOUND_MS} ms: ${JSON.stringify(args).slice(0, 300)}`));
    }, CASE_BOUND_MS);
  });
  try {
    return await Promise.race([runCli(args, env, stop.signal), bound]);
  } finally {
    clearTimeout(timer);
  }
}

/** Exit 2 is one classified line: `fedprobe: …`, no stack trace, nothing on stdout. Never exit 3. */
export function expectClassified(r: CliResult, args: string[]): void {
  const where = JSON.stringify(args).slice(0, 400);
  expect(r.code, `${where}\n${r.stderr}`).not.toBe(3);
  expect([0, 1, 2], where).toContain(r.code);
  expect(r.stderr, where).not.toMatch(/unexpected error|\n\s+at /);
  if (r.code === 2 && r.stdout === '') {
    expect(r.stderr.endsWith('\n'), where).toBe(true);
    expect(r.stderr.slice(0, -1).split('\n'), where).toHaveLength(1);
    expect(r.stderr, where).toMatch(/^fedprobe: \S/);
    // Peer or user text is quoted: no raw control character reaches the terminal.
    expect(r.stderr.slice(0, -1), where).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f]/);
  }
}
