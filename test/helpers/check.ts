// A matrix row as a Check (the way the profile expander makes one), run once through the real
// runner (DNS, deadline, retries, classify, judge) with a silent logger.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { silentLogger } from '../../src/log.js';
import { runCheck } from '../../src/probe/run.js';
import { parseTarget } from '../../src/profile/target.js';
import type { Check, CheckResult, Direction, Expectation, Family } from '../../src/types.js';

export interface CheckOptions {
  id?: string;
  dir?: Direction;
  timeoutMs?: number;
  retries?: number;
  expect?: Expectation;
  with?: Record<string, unknown>;
  secrets?: Record<string, string>;
}

export interface ProbeOptions extends CheckOptions {
  /** Only this address family from DNS (the CLI's --family). */
  family?: Family;
  signal?: AbortSignal;
}

export function makeCheck(url: string, portColumn: string, opts: CheckOptions = {}): Check {
  const target = parseTarget(url, portColumn);
  const w = opts.with ?? {};
  return {
    row: {
      id: opts.id ?? 'row',
      dir: opts.dir ?? (target.scheme === 'listen' ? 'in' : 'out'),
      source: 'test',
      destination: 'svc',
      port: portColumn,
      service: target.scheme.toUpperCase(),
      type: 'backend',
      status: 'mandatory',
      probe: url,
      ...(opts.expect && { expect: opts.expect }),
      ...(opts.timeoutMs !== undefined && { timeout: opts.timeoutMs }),
      with: w,
    },
    target,
    timeoutMs: opts.timeoutMs ?? 1000,
    retries: opts.retries ?? 0,
    expect: opts.expect ?? 'reachable',
    with: w,
    secrets: opts.secrets ?? {},
  };
}

export function probeOnce(url: string, portColumn: string, opts: ProbeOptions = {}): Promise<CheckResult> {
  return runCheck(makeCheck(url, portColumn, opts), {
    concurrency: 1,
    log: silentLogger,
    ...(opts.family !== undefined && { family: opts.family }),
    ...(opts.signal && { signal: opts.signal }),
  });
}

const run = promisify(execFile);
const DIST_RUN = fileURLToPath(new URL('../../dist/probe/run.js', import.meta.url));
const DIST_LOG = fileURLToPath(new URL('../../dist/log.js', import.meta.url));

// Runs in the child: the same runCheck, from the build test/run.sh makes before every run.
const CHILD = `
const [{ runCheck }, { silentLogger }] = await Promise.all([import(process.env.FP_RUN), import(process.env.FP_LOG)]);
const { check, family } = JSON.parse(process.env.FP_CHECK);
const result = await runCheck(check, { concurrency: 1, log: silentLogger, ...(family && { family }) });
process.stdout.write(JSON.stringify(result));
process.exit(0);
`;

/**
 * probeOnce() with `hosts` as /etc/hosts: a child process in a private mount namespace
 * (`unshare -m`, so only the child sees the bind mount) runs the real getaddrinfo against it.
 * Same network namespace as the test, so servers the test starts are reachable.
 */
export async function probeWithHosts(
  hosts: string,
  url: string,
  portColumn: string,
  opts: ProbeOptions = {},
): Promise<CheckResult> {
  const dir = await mkdtemp(join(tmpdir(), 'fedprobe-hosts-'));
  try {
    await writeFile(join(dir, 'hosts'), hosts);
    const env = {
      ...process.env,
      FP_RUN: DIST_RUN,
      FP_LOG: DIST_LOG,
      FP_CHECK: JSON.stringify({ check: makeCheck(url, portColumn, opts), family: opts.family }),
    };
    const { stdout } = await run(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        'mount --bind "$0" /etc/hosts && exec "$1" --input-type=module -e "$2"',
        join(dir, 'hosts'),
        process.execPath,
        CHILD,
      ],
      { env, timeout: 20_000 },
    );
    return JSON.parse(stdout) as CheckResult;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
