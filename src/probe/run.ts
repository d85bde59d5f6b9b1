// The runner owns everything around a prober: DNS (every A/AAAA address), the deadline (a timer
// held strongly, joined with the shutdown signal, and enforced even against a prober that ignores
// it), phase timing, retries, concurrency, the per-check logger, and result order. Probers only
// speak their protocol.
import { lookup } from 'node:dns/promises';
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import { ProbeError } from '../errors.js';
import { hintFor } from '../messages.js';
import { probers } from '../probers/registry.js';
import type { AddressResult, Check, CheckResult, Family, Observation, ProbeContext, Timings } from '../types.js';
import { classify } from './classify.js';
import { selectProxy, type ProxySettings, type ProxySpec } from './proxy.js';
import { afterAbort, holdDeadline, socketError } from './socket.js';
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

async function resolveHost(check: Check, family: Family | undefined, proxy: ProxySpec | undefined, signal: AbortSignal | undefined): Promise<Resolved> {
  const host = check.target.host;
  if (check.target.scheme === 'listen') return { addresses: [{ address: 'local', family: 0 }] };
  // Through a proxy the proxy resolves the name: local DNS may not even know it.
  if (proxy) return { addresses: [{ address: host, family: (isIP(host) || 0) as Family | 0 }] };
  const literal = isIP(host);
  if (literal) return { addresses: [{ address: host, family: literal as Family }] };
  const start = performance.now();
  try {
    // getaddrinfo() cannot be cancelled and may wait 5 s per attempt per resolver: bound it by the
    // row's deadline and the shutdown signal (the lookup itself finishes in the background).
    const deadline = holdDeadline(check.timeoutMs, signal, `no DNS answer for ${host} within ${check.timeoutMs} ms`);
    const lookedUp = lookup(host, { all: true, family: family ?? 0, verbatim: true });
    lookedUp.catch(() => undefined); // it may settle after the race is lost
    const late = afterAbort(deadline.signal, 0);
    let found: Awaited<typeof lookedUp>;
    try {
      found = await Promise.race([lookedUp, late.promise]);
    } catch (e) {
      const timedOut = e instanceof Error && e.name === 'TimeoutError';
      throw timedOut ? Object.assign(new Error(e.message), { code: 'EAI_AGAIN' }) : e;
    } finally {
      late.cancel();
      deadline.dispose();
    }
    const dnsMs = round(performance.now() - start);
    if (found.length === 0) return { addresses: [], dnsMs, error: Object.assign(new Error(`${host} has no address`), { code: 'ENODATA' }) };
    // /etc/hosts may list an address twice (localhost on two lines): probe each address once.
    const unique = [...new Map(found.map((a) => [a.address, { address: a.address, family: a.family as Family }])).values()];
    return { addresses: unique, dnsMs };
  } catch (error) {
    return { addresses: [], dnsMs: round(performance.now() - start), error };
  }
}

/** The attempt's own deadline passed (not shutdown, not a prober's error). */
function isDeadline(e: unknown, signal: AbortSignal): boolean {
  return signal.aborted && e === signal.reason && e instanceof Error && e.name === 'TimeoutError';
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

async function probeAddress(check: Check, address: string, family: Family | 0, proxy: ProxySpec | undefined, opts: RunOptions): Promise<AddressResult> {
  let attempts = 0;
  let last: AddressResult | undefined;
  const log = opts.log.child({ row: check.row.id, address });
  while (attempts <= check.retries) {
    attempts++;
    const start = performance.now();
    const timings: Timings = { totalMs: 0 };
    let connected = false;
    const deadline = holdDeadline(check.timeoutMs, opts.signal);
    const signal = deadline.signal;
    const ctx: ProbeContext = {
      address, family, signal, timeoutMs: check.timeoutMs, log, ...(proxy && { proxy }),
      phase(name) {
        const ms = round(performance.now() - start);
        if (name === 'connect') {
          connected = true;
          timings.connectMs = ms;
        } else timings[`${name}Ms`] = ms;
      },
    };
    // The prober is raced against its own deadline plus a grace: one that ignores its signal is
    // abandoned (its dialled sockets are destroyed by the abort, see dialTcp) and the row still
    // ends on time, with what was seen so far (no connection, or a connection and no answer).
    const overrun = afterAbort(signal, DEADLINE_GRACE_MS);
    let obs: Observation;
    try {
      const probing = probers[check.target.scheme](check, ctx);
      probing.catch(() => undefined);
      obs = await Promise.race([probing, overrun.promise.catch((e: unknown) => {
        const what = 'prober did not stop at its deadline (or shutdown): abandoned';
        log.warn({ scheme: check.target.scheme, timeoutMs: check.timeoutMs }, what);
        throw e;
      })]);
    } catch (thrown) {
      // A deadline that passed after a dialled socket had already failed: the failure is the news.
      const early = isDeadline(thrown, signal) ? socketError(signal) : undefined;
      const error = early ?? thrown;
      const facts = error instanceof ProbeError ? error.facts : {};
      obs = { ...classify(error, { connected, protocol: check.target.protocol, timeoutMs: check.timeoutMs }), facts, timings };
      log.debug({ err: error }, 'probe error');
    } finally {
      overrun.cancel();
      deadline.dispose();
    }
    const totalMs = round(performance.now() - start);
    // Credentials from secret variables, or ones the prober says it sent (a user name in with:).
    const credentialsGiven = Object.keys(check.secrets).length > 0 || obs.facts['credentialsGiven'] === true;
    const outcome = judge(obs, { expect: check.expect, credentialsGiven });
    last = {
      address, family, outcome, state: obs.state, reason: obs.reason, detail: obs.detail,
      ...(obs.code !== undefined && { code: obs.code }),
      attempts, timings: { ...timings, ...obs.timings, totalMs }, facts: obs.facts,
    };
    // Every outcome short of a pass is tried again (a warn or inconclusive may pass next time);
    // shutdown ends the retries.
    if (outcome === 'pass' || opts.signal?.aborted) break;
  }
  return last!;
}

function combine(check: Check, resolved: Resolved, results: AddressResult[], via: string): CheckResult {
  const row = check.row;
  const base = {
    id: row.id, dir: row.dir, source: row.source, destination: row.destination, port: row.port, service: row.service,
    type: row.type, status: row.status, comment: row.comment ?? '', probe: row.probe, expect: check.expect,
  };
  if (results.length === 0) {
    const c = classify(resolved.error, { connected: false, protocol: check.target.protocol, timeoutMs: check.timeoutMs });
    const outcome = judge(c, { expect: check.expect });
    const partial = { ...base, outcome, state: c.state, reason: c.reason };
    return {
      ...partial, detail: `${check.target.host}: ${c.detail}`, hint: hintFor({ ...partial, host: check.target.host }),
      ...(c.code !== undefined && { code: c.code }), addresses: [], via,
      timings: { ...(resolved.dnsMs !== undefined && { dnsMs: resolved.dnsMs }), totalMs: resolved.dnsMs ?? 0 }, facts: {},
    };
  }
  const sorted = [...results].sort((a, b) => OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome]);
  const best = sorted[0]!;
  const worst = sorted[sorted.length - 1]!;
  // One good address is enough for the row to work; a bad sibling is worth a warning.
  const mixed = best.outcome === 'pass' && worst.outcome !== 'pass';
  const outcome = mixed ? 'warn' : best.outcome;
  const shown = mixed ? worst : best;
  const detail = mixed ? `${best.address} works, but ${worst.address}: ${worst.detail}` : results.length > 1 || check.target.host !== best.address && best.address !== 'local' ? `${best.address}: ${best.detail}` : best.detail;
  const partial = { ...base, outcome, state: shown.state, reason: shown.reason };
  return {
    ...partial, detail, hint: hintFor({ ...partial, host: check.target.host || 'this machine' }),
    ...(shown.code !== undefined && { code: shown.code }), addresses: results, via,
    timings: { ...(resolved.dnsMs !== undefined && { dnsMs: resolved.dnsMs }), ...best.timings, totalMs: round((resolved.dnsMs ?? 0) + best.timings.totalMs) },
    facts: best.facts,
  };
}

export async function runCheck(check: Check, opts: RunOptions): Promise<CheckResult> {
  const proxy = selectProxy(check.target.scheme, check.target.host, check.target.port, check.with['proxy'] as string | undefined, opts.proxy);
  const resolved = await resolveHost(check, opts.family, proxy, opts.signal);
  const results = await Promise.all(resolved.addresses.map((a) => probeAddress(check, a.address, a.family, proxy, opts)));
  const result = combine(check, resolved, results, proxy ? `proxy ${proxy.label}` : 'direct');
  if (result.outcome === 'fail') opts.log.warn({ row: result.id, reason: result.reason, detail: result.detail }, 'row failed');
  return result;
}

/** Runs every check with bounded concurrency; results keep the profile's row order. */
export async function runChecks(checks: Check[], opts: RunOptions): Promise<CheckResult[]> {
  const limit = pLimit(Math.max(1, opts.concurrency));
  // Every row in flight listens for shutdown: give them one run-scoped signal of our own, whose
  // listener count may exceed Node's warning threshold, instead of piling onto the caller's.
  const run = new AbortController();
  setMaxListeners(0, run.signal);
  const onStop = () => run.abort(opts.signal!.reason);
  if (opts.signal?.aborted) onStop();
  else opts.signal?.addEventListener('abort', onStop, { once: true });
  const rowOpts: RunOptions = { ...opts, ...(opts.signal && { signal: run.signal }) };
  try {
    return await Promise.all(
      checks.map((check, i) =>
        limit(async () => {
          const r = await runCheck(check, rowOpts);
          opts.onResult?.(r, i);
          return r;
        }),
      ),
    );
  } finally {
    opts.signal?.removeEventListener('abort', onStop);
  }
}
