// The runner owns everything around a prober: DNS (every A/AAAA address), the deadline (a timer
// held strongly, joined with the shutdown signal, and enforced even against a prober that ignores
// it), RTT-adaptive connect deadlines when asked (adaptive.ts), phase timing, retries,
// concurrency, the per-check logger, and result order. Probers only speak their protocol.
// It is on the hot path of 10,000-row runs: per attempt it makes one controller, one timer and
// no logger unless a log line is actually written.
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ProbeError } from '../errors.js';
import { hintFor } from '../messages.js';
import { bindProber, preloadProbers, type BoundProber } from '../probers/registry.js';
import type { AddressResult, Check, CheckResult, Family, Observation, ProbeContext, Timings } from '../types.js';
import { adaptiveDeadlines, RETRY_FACTOR, type AdaptiveDeadlines } from './adaptive.js';
import { classify } from './classify.js';
import { isDeadline } from '../net/error-kind.js';
import { lookupWithin } from '../net/resolve.js';
import { selectProxy, type ProxySettings, type ProxySpec } from '../net/proxy.js';
import { socketError, sourceFor } from '../net/socket.js';
import { OUTCOME_RANK, judge } from './judge.js';

export interface RunOptions {
  concurrency: number;
  /** --proxy and the environment's proxy variables. */
  proxy?: ProxySettings;
  family?: Family;
  signal?: AbortSignal;
  log: Logger;
  /** Called as each row finishes (progress on a TTY, daemon metrics). */
  onResult?: (result: CheckResult, index: number) => void;
  /** Cut silent TCP connection attempts early from each host's measured RTT (`--adaptive`). */
  adaptive?: boolean;
  /** Shared by the rows of one run (runChecks makes it when `adaptive` is set). */
  rtt?: AdaptiveDeadlines;
}

export const DEFAULT_CONCURRENCY = 16;

/**
 * How long after its deadline a prober may take to wind down (destroy its sockets, finish a
 * reply already arriving) before the runner stops waiting and reports the deadline itself.
 */
export const DEADLINE_GRACE_MS = 250;

interface Resolved {
  addresses: { address: string; family: Family | 0 }[];
  dnsMs?: number;
  error?: unknown;
}

async function resolveHost(
  check: Check,
  family: Family | undefined,
  proxy: ProxySpec | undefined,
  signal: AbortSignal | undefined,
): Promise<Resolved> {
  const host = check.target.host;
  if (check.target.scheme === 'listen') return { addresses: [{ address: 'local', family: 0 }] };
  // Through a proxy the proxy resolves the name: local DNS may not even know it.
  if (proxy) return { addresses: [{ address: host, family: (isIP(host) || 0) as Family | 0 }] };
  const literal = isIP(host);
  if (literal) return { addresses: [{ address: host, family: literal as Family }] };
  const start = performance.now();
  try {
    const addresses = await lookupWithin(host, family, check.timeoutMs, signal);
    return { addresses, dnsMs: round(performance.now() - start) };
  } catch (error) {
    return { addresses: [], dnsMs: round(performance.now() - start), error };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** An attempt's deadline: the row's timeout (a referenced timer), shutdown, or an adaptive cut. */
interface AttemptDeadline {
  signal: AbortSignal;
  cut(reason: Error): void;
  /** Rejects DEADLINE_GRACE_MS after the abort: raced against a prober that ignores its signal. */
  overrun: Promise<never>;
  dispose(): void;
}

/** The shutdown listeners of a run's signal (runChecks): a Set costs a fraction of what an
 * EventTarget listener does, and every attempt of a 10,000-row run adds and removes one. */
const stopListeners = new WeakMap<AbortSignal, Set<() => void>>();

function attemptDeadline(ms: number, parent: AbortSignal | undefined): AttemptDeadline {
  const controller = new AbortController();
  let grace: NodeJS.Timeout | undefined;
  let giveUp: (reason: unknown) => void = () => {};
  const overrun = new Promise<never>((_, reject) => (giveUp = reject));
  const abort = (reason: unknown) => {
    if (controller.signal.aborted) return;
    controller.abort(reason);
    grace = setTimeout(() => giveUp(reason), DEADLINE_GRACE_MS);
  };
  const onParent = () => abort(parent!.reason);
  // Held by the timer itself, not by AbortSignal.timeout() (see holdDeadline in socket.ts).
  const timer = setTimeout(() => abort(new DOMException(`deadline of ${ms} ms reached`, 'TimeoutError')), ms);
  const listeners = parent && stopListeners.get(parent);
  if (parent?.aborted) onParent();
  else if (listeners) listeners.add(onParent);
  else parent?.addEventListener('abort', onParent, { once: true });
  return {
    signal: controller.signal,
    cut: abort,
    overrun,
    dispose() {
      clearTimeout(timer);
      clearTimeout(grace);
      if (listeners) listeners.delete(onParent);
      else parent?.removeEventListener('abort', onParent);
    },
  };
}

/** Marks the reason of an adaptive cut, so that the result can say so. */
const ADAPTIVE_CUT = 'adaptive connect deadline';

function adaptiveDetail(windows: number[], rtt: AdaptiveDeadlines, address: string): string {
  const tries = windows.map((w) => `${Math.round(w)} ms`).join(', then ');
  const window = rtt.windowMs(address);
  const seen = window !== undefined ? `; this host answered other rows well within ${Math.round(window / 2)} ms` : '';
  return (
    `no answer to ${windows.length} connection attempts (waited ${tries}${seen}; --adaptive): a firewall ` +
    'dropping packets, or a path much slower for this port than for the others'
  );
}

async function probeAddress(
  check: Check,
  probe: BoundProber,
  address: string,
  family: Family | 0,
  proxy: ProxySpec | undefined,
  opts: RunOptions,
): Promise<AddressResult> {
  let attempts = 0;
  let last: AddressResult | undefined;
  let log: Logger | undefined;
  // A child logger per row is costly at 10,000 rows: made only when a line is written.
  const rowLog = () => (log ??= opts.log.child({ row: check.row.id, address }));
  const debug = opts.log.isLevelEnabled('debug');
  // Adaptive cuts apply to direct TCP connection attempts only (not UDP silence, not a proxy).
  const direct = !proxy && check.target.protocol === 'tcp' && check.target.scheme !== 'listen';
  const rtt = opts.adaptive && direct ? opts.rtt : undefined;
  const cutWindows: number[] = [];
  let extraTry = false;
  while (attempts <= check.retries || extraTry) {
    extraTry = false;
    attempts++;
    const start = performance.now();
    const timings: Timings = { totalMs: 0 };
    let connected = false;
    let cutMs: number | undefined;
    const deadline = attemptDeadline(check.timeoutMs, opts.signal);
    const signal = deadline.signal;
    const unwatch = rtt?.watch(address, start, cutWindows.length === 0 ? 1 : RETRY_FACTOR, (windowMs) => {
      if (windowMs >= check.timeoutMs) return; // the row's own deadline comes first anyway
      cutMs = windowMs;
      deadline.cut(new DOMException(`${ADAPTIVE_CUT}: ${Math.round(windowMs)} ms`, 'TimeoutError'));
    });
    const ctx: ProbeContext = {
      address,
      family,
      signal,
      timeoutMs: check.timeoutMs,
      ...(proxy && { proxy }),
      get log() {
        return rowLog();
      },
      phase(name) {
        const ms = round(performance.now() - start);
        if (name === 'connect') {
          connected = true;
          timings.connectMs = ms;
          unwatch?.();
          rtt?.sample(address, performance.now() - start);
        } else timings[`${name}Ms`] = ms;
      },
    };
    // The prober is raced against its own deadline plus a grace: one that ignores its signal is
    // abandoned (its dialled sockets are destroyed by the abort, see dialTcp) and the row still
    // ends on time, with what was seen so far (no connection, or a connection and no answer).
    let obs: Observation;
    try {
      const probing = probe(ctx);
      probing.catch(() => undefined);
      obs = await Promise.race([
        probing,
        deadline.overrun.catch((e: unknown) => {
          const what = 'prober did not stop at its deadline (or shutdown): abandoned';
          rowLog().warn({ scheme: check.target.scheme, timeoutMs: check.timeoutMs }, what);
          throw e;
        }),
      ]);
    } catch (thrown) {
      // A deadline that passed after a dialled socket had already failed: the failure is the news.
      const early = isDeadline(thrown, signal) ? socketError(signal) : undefined;
      const error = early ?? thrown;
      const facts = error instanceof ProbeError ? error.facts : {};
      const waited = cutMs ?? check.timeoutMs;
      obs = { ...classify(error, { connected, protocol: check.target.protocol, timeoutMs: waited }), facts, timings };
      if (debug) rowLog().debug({ err: error }, 'probe error');
    } finally {
      deadline.dispose();
      unwatch?.();
    }
    const totalMs = round(performance.now() - start);
    // A refusal (RST) or an ICMP error is an answer too: it measures the path as well as a SYN-ACK.
    if (rtt && !connected && obs.state !== 'filtered' && obs.reason !== 'timeout' && obs.code !== undefined) {
      rtt.sample(address, totalMs);
    }
    const wasCut = cutMs !== undefined && !connected && obs.reason === 'timeout';
    if (wasCut) {
      cutWindows.push(cutMs!);
      obs = { ...obs, detail: adaptiveDetail(cutWindows, rtt!, address) };
    }
    // Credentials from secret variables, or ones the prober says it sent (a user name in with:).
    const credentialsGiven = Object.keys(check.secrets).length > 0 || obs.facts.credentialsGiven === true;
    const outcome = judge(obs, { expect: check.expect, credentialsGiven });
    // This machine's side of the path: what the socket used, else the route's pick (nothing sent).
    const localAddress = address === 'local' ? undefined : await sourceFor(signal, address, check.target.port, proxy);
    last = {
      address,
      family,
      ...(localAddress && { localAddress }),
      outcome,
      state: obs.state,
      reason: obs.reason,
      detail: obs.detail,
      ...(obs.code !== undefined && { code: obs.code }),
      attempts,
      timings: { ...timings, ...obs.timings, totalMs },
      facts: obs.facts,
    };
    // Every outcome short of a pass is tried again (a warn or inconclusive may pass next time);
    // shutdown ends the retries. An adaptive cut is always tried once more, with a longer window,
    // before "filtered" is said (nmap retransmits the same way).
    // A cut is retried whatever the verdict: with `expect: blocked` a cut reads as a pass.
    if (opts.signal?.aborted) break;
    if (wasCut && cutWindows.length === 1) {
      if (attempts > check.retries) extraTry = true;
      continue;
    }
    if (outcome === 'pass') break;
  }
  return last!;
}

function combine(check: Check, resolved: Resolved, results: AddressResult[], via: string): CheckResult {
  const row = check.row;
  const base = {
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
  };
  if (results.length === 0) {
    const c = classify(resolved.error, {
      connected: false,
      protocol: check.target.protocol,
      timeoutMs: check.timeoutMs,
    });
    const outcome = judge(c, { expect: check.expect });
    const partial = { ...base, outcome, state: c.state, reason: c.reason };
    return {
      ...partial,
      detail: `${check.target.host}: ${c.detail}`,
      hint: hintFor({ ...partial, host: check.target.host }),
      ...(c.code !== undefined && { code: c.code }),
      addresses: [],
      via,
      timings: { ...(resolved.dnsMs !== undefined && { dnsMs: resolved.dnsMs }), totalMs: resolved.dnsMs ?? 0 },
      facts: {},
    };
  }
  const sorted =
    results.length === 1 ? results : [...results].sort((a, b) => OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome]);
  const best = sorted[0]!;
  const worst = sorted[sorted.length - 1]!;
  // One good address is enough for the row to work; a bad sibling is worth a warning.
  const mixed = best.outcome === 'pass' && worst.outcome !== 'pass';
  const outcome = mixed ? 'warn' : best.outcome;
  const shown = mixed ? worst : best;
  const detail = mixed
    ? `${best.address} works, but ${worst.address}: ${worst.detail}`
    : results.length > 1 || (check.target.host !== best.address && best.address !== 'local')
      ? `${best.address}: ${best.detail}`
      : best.detail;
  const partial = { ...base, outcome, state: shown.state, reason: shown.reason };
  return {
    ...partial,
    detail,
    hint: hintFor({ ...partial, host: check.target.host || 'this machine' }),
    ...(shown.code !== undefined && { code: shown.code }),
    addresses: results,
    via,
    timings: {
      ...(resolved.dnsMs !== undefined && { dnsMs: resolved.dnsMs }),
      ...best.timings,
      totalMs: round((resolved.dnsMs ?? 0) + best.timings.totalMs),
    },
    facts: best.facts,
  };
}

export async function runCheck(check: Check, opts: RunOptions): Promise<CheckResult> {
  // The prober's code is loaded before the deadline starts (a no-op once loaded), its options parsed once.
  const probe = await bindProber(check);
  // An HTTP CONNECT proxy carries TCP only (a registered UDP scheme is not in proxy.ts's list).
  const proxy =
    check.target.protocol === 'udp'
      ? undefined
      : selectProxy(
          check.target.scheme,
          check.target.host,
          check.target.port,
          check.with.proxy as string | undefined,
          opts.proxy,
        );
  const resolved = await resolveHost(check, opts.family, proxy, opts.signal);
  const results =
    resolved.addresses.length === 1
      ? [await probeAddress(check, probe, resolved.addresses[0]!.address, resolved.addresses[0]!.family, proxy, opts)]
      : await Promise.all(resolved.addresses.map((a) => probeAddress(check, probe, a.address, a.family, proxy, opts)));
  const result = combine(check, resolved, results, proxy ? `proxy ${proxy.label}` : 'direct');
  if (result.outcome === 'fail')
    opts.log.warn({ row: result.id, reason: result.reason, detail: result.detail }, 'row failed');
  return result;
}

/** Runs every check with bounded concurrency; results keep the profile's row order. */
export async function runChecks(checks: Check[], opts: RunOptions): Promise<CheckResult[]> {
  await preloadProbers(checks.map((c) => c.target.scheme));
  // Every row in flight listens for shutdown: give them one run-scoped signal of our own, whose
  // listener count may exceed Node's warning threshold, instead of piling onto the caller's.
  const run = new AbortController();
  setMaxListeners(0, run.signal);
  const onStop = () => run.abort(opts.signal!.reason);
  if (opts.signal?.aborted) onStop();
  else opts.signal?.addEventListener('abort', onStop, { once: true });
  const rtt = opts.adaptive ? (opts.rtt ?? adaptiveDeadlines(() => performance.now())) : undefined;
  const listeners = new Set<() => void>();
  stopListeners.set(run.signal, listeners);
  run.signal.addEventListener('abort', () => {
    for (const listener of listeners) listener();
  });
  // process.env is slow to read (a native lookup per name) and selectProxy reads it per row.
  const proxy = opts.proxy && { ...opts.proxy, env: { ...opts.proxy.env } };
  const rowOpts: RunOptions = {
    ...opts,
    ...(proxy && { proxy }),
    ...(opts.signal && { signal: run.signal }),
    ...(rtt && { rtt }),
  };
  // A fixed pool of workers taking the next row: no promise, closure or queue entry per waiting
  // row, so 10,000 rows cost what `concurrency` rows cost, plus their results.
  const results: CheckResult[] = new Array<CheckResult>(checks.length);
  let next = 0;
  const worker = async () => {
    while (next < checks.length) {
      const i = next++;
      const r = await runCheck(checks[i]!, rowOpts);
      results[i] = r;
      opts.onResult?.(r, i);
    }
  };
  try {
    const workers = Math.min(checks.length, Math.max(1, opts.concurrency));
    await Promise.all(Array.from({ length: workers }, worker));
    return results;
  } finally {
    opts.signal?.removeEventListener('abort', onStop);
    if (rtt && !opts.rtt) rtt.close();
  }
}
