// Runs one probe URL through the real pipeline (option schema, runner, classify, judge), the way a
// profile row would, and returns the row's result. IPv4 only unless told, so that `localhost`
// does not also try ::1 where the test server may not listen.
import { silentLogger } from '../../src/log.js';
import { runCheck } from '../../src/probe/run.js';
import { proberOptions } from '../../src/probers/options.js';
import { parseTarget } from '../../src/profile/target.js';
import type { CheckResult, Expectation, Family, Row } from '../../src/types.js';

export interface ProbeUrlOptions {
  timeoutMs?: number;
  expect?: Expectation;
  family?: Family;
  secrets?: Record<string, string>;
}

export async function probeUrl(
  url: string,
  withOpts: Record<string, unknown> = {},
  o: ProbeUrlOptions = {},
): Promise<CheckResult> {
  const port = `${/^(udp|wireguard|discv4):/.test(url) ? 'udp' : 'tcp'}/${new URL(url).port}`;
  const target = parseTarget(url, port);
  // As the profile loader does: a bad option is a test bug, so throw.
  proberOptions[target.scheme].parse(withOpts);
  const row: Row = {
    id: 'row',
    dir: 'out',
    source: 'test',
    destination: 'svc',
    port,
    service: target.scheme.toUpperCase(),
    type: 'backend',
    status: 'mandatory',
    probe: url,
    with: withOpts,
  };
  return runCheck(
    {
      row,
      target,
      timeoutMs: o.timeoutMs ?? 3000,
      retries: 0,
      expect: o.expect ?? 'reachable',
      with: withOpts,
      secrets: o.secrets ?? {},
    },
    { concurrency: 1, family: o.family ?? 4, log: silentLogger },
  );
}
