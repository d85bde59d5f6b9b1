// `check --all`: the whole firewall request before anything is installed. Every row is expanded
// as for a run, its host name resolved (the only thing that leaves this machine: DNS queries), and
// for every address the source address the kernel's route would use is looked up without sending
// a packet. No row is probed: each is reported `not-checked`, with what a run would dial.
import { hostname } from 'node:os';
import { isIP } from 'node:net';
import pLimit from 'p-limit';
import type { CheckOptions } from './check.js';
import { REASON_SUMMARY, hintFor } from './messages.js';
import { expand } from './profile/expand.js';
import { classify } from './probe/classify.js';
import { judge } from './probe/judge.js';
import { rowProxy, selectProxy } from './net/proxy.js';
import { lookupWithin, type Found } from './net/resolve.js';
import { routeSource } from './net/socket.js';
import { buildReport } from './report/build.js';
import type { AddressResult, Check, CheckResult, Family, LocalSource, Profile, RunReport, ProxySpec } from './types.js';

function planned(check: Check, via: string): Omit<CheckResult, 'addresses' | 'detail' | 'hint' | 'timings'> {
  const row = check.row;
  return {
    id: row.id,
    dir: row.dir,
    source: row.source,
    destination: row.destination,
    port: row.port,
    service: row.service,
    type: row.type,
    status: row.status,
    comment: row.comment ?? '',
    ...(row.purpose !== undefined && { purpose: row.purpose }),
    probe: row.probe,
    expect: check.expect,
    outcome: 'skip',
    state: 'unknown',
    reason: 'not-checked',
    via,
    facts: {},
  };
}

function notChecked(address: string, family: Family | 0, local: LocalSource | undefined): AddressResult {
  return {
    address,
    family,
    ...(local && { localAddress: local }),
    outcome: 'skip',
    state: 'unknown',
    reason: 'not-checked',
    detail: REASON_SUMMARY['not-checked'],
    attempts: 0,
    timings: { totalMs: 0 },
    facts: {},
  };
}

/** The hop to the proxy: the proxy resolves the destination, this machine only reaches the proxy. */
async function proxySource(proxy: ProxySpec, check: Check, opts: CheckOptions): Promise<LocalSource | undefined> {
  try {
    const [first] = await lookupWithin(proxy.host, opts.family, check.timeoutMs, opts.signal);
    const hop = first && (await routeSource(first.address, proxy.port));
    return hop && { ...hop, kind: 'proxy' };
  } catch {
    return undefined;
  }
}

async function planCheck(check: Check, opts: CheckOptions): Promise<CheckResult> {
  const t = check.target;
  const proxy =
    t.protocol === 'udp' ? undefined : selectProxy(t.scheme, t.host, t.port, rowProxy(check.with), opts.proxy);
  const base = planned(check, proxy ? `proxy ${proxy.label}` : 'direct');
  const detail = REASON_SUMMARY['not-checked'];
  if (t.scheme === 'listen') {
    // What a run would find out from /proc: whether the service must stay on this machine only.
    const facts = check.with.localOnly === true ? { localOnly: true } : {};
    return {
      ...base,
      detail,
      hint: '',
      addresses: [notChecked('local', 0, undefined)],
      timings: { totalMs: 0 },
      facts,
    };
  }
  if (proxy) {
    const hop = await proxySource(proxy, check, opts);
    return {
      ...base,
      detail,
      hint: '',
      addresses: [notChecked(t.host, (isIP(t.host) || 0) as Family | 0, hop)],
      timings: { totalMs: 0 },
    };
  }
  const start = performance.now();
  let found: Found;
  try {
    found = await lookupWithin(t.host, opts.family, check.timeoutMs, opts.signal);
  } catch (error) {
    // A name that does not resolve is reported as a run reports it: the request cannot name addresses.
    const c = classify(error, { connected: false, protocol: t.protocol, timeoutMs: check.timeoutMs });
    const partial = { ...base, outcome: judge(c, { expect: check.expect }), state: c.state, reason: c.reason };
    return {
      ...partial,
      detail: `${t.host}: ${c.detail}`,
      hint: hintFor({ ...partial, host: t.host, ...(c.code !== undefined && { code: c.code }) }),
      ...(c.code !== undefined && { code: c.code }),
      addresses: [],
      timings: { totalMs: 0 },
    };
  }
  const dnsMs = Math.round((performance.now() - start) * 10) / 10;
  const addresses = await Promise.all(
    found.map(async (a) => notChecked(a.address, a.family, await routeSource(a.address, t.port))),
  );
  return { ...base, detail, hint: '', addresses, timings: { dnsMs, totalMs: dnsMs } };
}

/** The report of a planned request: every row, not checked, with its resolved addresses and sources. */
export async function planProfile(profile: Profile, opts: CheckOptions): Promise<RunReport> {
  const checks = expand(profile, opts);
  const startedAt = new Date();
  const t0 = performance.now();
  const limit = pLimit(Math.max(1, opts.concurrency));
  const results = await Promise.all(
    checks.map((c, i) =>
      limit(async () => {
        const r = await planCheck(c, opts);
        opts.onResult?.(r, i);
        return r;
      }),
    ),
  );
  const run = buildReport(profile, results, startedAt, performance.now() - t0, opts.strict);
  run.host = hostname();
  return run;
}
