// The runner owns everything around a prober: DNS (every A/AAAA address), the deadline (a timer
// held strongly, joined with the shutdown signal, and enforced even against a prober that ignores
// it), RTT-adaptive connect deadlines when asked (adaptive.ts), phase timing, retries,
// concurrency, the per-check logger, and result order. Probers only speak their protocol.
// It is on the hot path of 10,000-row runs: per attempt it makes one timer, and no AbortController
// or logger unless a prober asks for its signal or a log line is actually written.
import { setMaxListeners } from 'node:events';
import { isIP } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { ProbeError } from '../errors.js';
import { hintFor } from '../messages.js';
import { bindProber, preloadProbers, type BoundProber } from '../probers/registry.js';
import type {
  AddressResult,
  AttemptState,
  Check,
  CheckResult,
  Family,
  Observation,
  ProbeContext,
  Timings,
  ProxySpec,
} from '../types.js';
import { adaptiveDeadlines, RETRY_FACTOR, type AdaptiveDeadlines } from './adaptive.js';
import { classify } from './classify.js';
import { isDeadline } from '../net/error-kind.js';
import { lookupWithin } from '../net/resolve.js';
import { proxyChooser, rowProxy, type ProxyChooser, type ProxySettings } from '../net/proxy.js';
import { sourceFor } from '../net/socket.js';
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
  /** `proxy` read once for the rows of one run (runChecks makes it). */
  chooseProxy?: ProxyChooser;
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

/** The addresses of a row that needs no lookup, else undefined. */
function knownAddress(check: Check, proxy: ProxySpec | undefined): Resolved | undefined {
  const host = check.target.host;
  if (check.target.scheme === 'listen') return { addresses: [{ address: 'local', family: 0 }] };
  // Through a proxy the proxy resolves the name: local DNS may not even know it.
  if (proxy) return { addresses: [{ address: host, family: (isIP(host) || 0) as Family | 0 }] };
  const literal = isIP(host);
  return literal ? { addresses: [{ address: host, family: literal as Family }] } : undefined;
}

async function resolveHost(
  check: Check,
  family: Family | undefined,
  signal: AbortSignal | undefined,
): Promise<Resolved> {
  const start = performance.now();
  try {
    const addresses = await lookupWithin(check.target.host, family, check.timeoutMs, signal);
    return { addresses, dnsMs: round(performance.now() - start) };
  } catch (error) {
    return { addresses: [], dnsMs: round(performance.now() - start), error };
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}

/** The shutdown listeners of a run's signal (runChecks): a Set costs a fraction of what an
 * EventTarget listener does, and every attempt of a 10,000-row run adds and removes one. */
const stopListeners = new WeakMap<AbortSignal, Set<Attempt>>();

/**
 * One attempt at one address: its deadline (the row's timeout on a referenced timer, shutdown, or
 * an adaptive cut), the context its prober sees, and the state its dial helpers share with the
 * runner (AttemptState). One object whose methods live on the prototype: a 10,000-row run makes
 * 10,000 of them, and the closures and spread literals they replace cost several times the memory
 * (each of them garbage that pushed the run's peak RSS up). Its AbortSignal is made only when a
 * prober asks for it: the dial helpers watch the attempt itself (onAbort).
 */
class Attempt implements ProbeContext, AttemptState {
  aborted = false;
  reason: unknown = undefined;
  source: AttemptState['source'] = undefined;
  socketError: Error | undefined = undefined;
  /** Phases as the prober marks them; the result's timings once totalMs is set. */
  readonly timings: Timings = { totalMs: 0 };
  connected = false;
  /** The adaptive window that cut this attempt, if one did. */
  cutMs: number | undefined = undefined;
  /** Stops the adaptive watch (AdaptiveDeadlines.watch), if any. */
  unwatch: (() => void) | undefined = undefined;
  declare proxy?: ProxySpec;
  private controller: AbortController | undefined = undefined;
  /** onAbort() listeners: one (the dialled socket's) on almost every attempt. */
  private hooks: (() => void)[] | undefined = undefined;
  private readonly timer: NodeJS.Timeout;
  private grace: NodeJS.Timeout | undefined = undefined;
  private giveUp: ((reason: unknown) => void) | undefined = undefined;
  private logger: Logger | undefined = undefined;
  private readonly listeners: Set<Attempt> | undefined;
  /** Only for a caller's own signal (runCheck called directly): runChecks' signal has a Set. */
  private onParent: (() => void) | undefined = undefined;

  constructor(
    private readonly check: Check,
    readonly address: string,
    readonly family: Family | 0,
    proxy: ProxySpec | undefined,
    private readonly start: number,
    private readonly opts: RunOptions,
    private readonly rtt: AdaptiveDeadlines | undefined,
  ) {
    if (proxy) this.proxy = proxy;
    // Held by the timer itself, not by AbortSignal.timeout() (see holdDeadline in socket.ts).
    this.timer = setTimeout(onDeadline, check.timeoutMs, this);
    const parent = opts.signal;
    this.listeners = parent && stopListeners.get(parent);
    if (parent?.aborted) this.stop();
    else if (this.listeners) this.listeners.add(this);
    else if (parent) {
      this.onParent = () => this.stop();
      parent.addEventListener('abort', this.onParent, { once: true });
    }
  }

  get timeoutMs(): number {
    return this.check.timeoutMs;
  }

  get attempt(): AttemptState {
    return this;
  }

  /** Made on first use, already aborted if the attempt is (with the same reason). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  onAbort(listener: () => void): () => void {
    if (this.aborted) return noop;
    this.hooks ??= [];
    this.hooks.push(listener);
    return () => {
      const i = this.hooks?.indexOf(listener) ?? -1;
      if (i >= 0) this.hooks!.splice(i, 1);
    };
  }

  /** The attempt ended at its deadline (or an adaptive cut) and `e` is what it aborted with. */
  endedBy(e: unknown): boolean {
    return isDeadline(e, this);
  }

  /** A child logger per row is costly at 10,000 rows: made only when a line is written. */
  get log(): Logger {
    this.logger ??= this.opts.log.child({ row: this.check.row.id, address: this.address });
    return this.logger;
  }

  phase(name: 'connect' | 'tls' | 'handshake' | 'firstByte'): void {
    const ms = round(performance.now() - this.start);
    if (name === 'connect') {
      this.connected = true;
      this.timings.connectMs = ms;
      this.unwatch?.();
      this.rtt?.sample(this.address, performance.now() - this.start);
    } else this.timings[`${name}Ms`] = ms;
  }

  /** Shutdown: the run's signal aborted. */
  stop(): void {
    this.abort(this.opts.signal!.reason);
  }

  abort(reason: unknown): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const hooks = this.hooks;
    this.hooks = undefined;
    if (hooks) for (const hook of hooks) hook();
    this.controller?.abort(reason);
    this.grace = setTimeout(onOverrun, DEADLINE_GRACE_MS, this, reason);
  }

  /**
   * The prober's observation, raced against its own deadline plus a grace: one that ignores its
   * signal is abandoned (its dialled sockets are destroyed by the abort, see dialTcp) and the row
   * still ends on time, with what was seen so far (no connection, or a connection and no answer).
   */
  observe(probing: Promise<Observation>): Promise<Observation> {
    return new Promise((resolve, reject) => {
      this.giveUp = reject;
      probing.then(resolve, reject);
    });
  }

  overrun(reason: unknown): void {
    const what = 'prober did not stop at its deadline (or shutdown): abandoned';
    this.log.warn({ scheme: this.check.target.scheme, timeoutMs: this.check.timeoutMs }, what);
    this.giveUp?.(reason);
  }

  dispose(): void {
    clearTimeout(this.timer);
    clearTimeout(this.grace);
    this.unwatch?.();
    if (this.listeners) this.listeners.delete(this);
    else if (this.onParent) this.opts.signal!.removeEventListener('abort', this.onParent);
  }
}

function noop(): void {}

// Timer callbacks outside the class: setTimeout(f, ms, attempt) needs no closure per attempt.
function onDeadline(a: Attempt): void {
  a.abort(new DOMException(`deadline of ${a.timeoutMs} ms reached`, 'TimeoutError'));
}

function onOverrun(a: Attempt, reason: unknown): void {
  a.overrun(reason);
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
  const debug = opts.log.isLevelEnabled('debug');
  // Adaptive cuts apply to direct TCP connection attempts only (not UDP silence, not a proxy).
  const direct = !proxy && check.target.protocol === 'tcp' && check.target.scheme !== 'listen';
  const rtt = opts.adaptive && direct ? opts.rtt : undefined;
  let cutWindows: number[] | undefined;
  let extraTry = false;
  while (attempts <= check.retries || extraTry) {
    extraTry = false;
    attempts++;
    const start = performance.now();
    const attempt = new Attempt(check, address, family, proxy, start, opts, rtt);
    if (rtt) {
      attempt.unwatch = rtt.watch(address, start, cutWindows ? RETRY_FACTOR : 1, (windowMs) => {
        if (windowMs >= check.timeoutMs) return; // the row's own deadline comes first anyway
        attempt.cutMs = windowMs;
        attempt.abort(new DOMException(`${ADAPTIVE_CUT}: ${Math.round(windowMs)} ms`, 'TimeoutError'));
      });
    }
    let obs: Observation;
    try {
      obs = await attempt.observe(probe(attempt));
    } catch (thrown) {
      // A deadline that passed after a dialled socket had already failed: the failure is the news.
      const early = attempt.endedBy(thrown) ? attempt.socketError : undefined;
      const error = early ?? thrown;
      const facts = error instanceof ProbeError ? error.facts : {};
      const waited = attempt.cutMs ?? check.timeoutMs;
      const seen = classify(error, {
        connected: attempt.connected,
        protocol: check.target.protocol,
        timeoutMs: waited,
      });
      obs = { ...seen, facts, timings: attempt.timings };
      if (debug) attempt.log.debug({ err: error }, 'probe error');
    } finally {
      attempt.dispose();
    }
    const totalMs = round(performance.now() - start);
    const connected = attempt.connected;
    const cutMs = attempt.cutMs;
    // A refusal (RST) or an ICMP error is an answer too: it measures the path as well as a SYN-ACK.
    if (rtt && !connected && obs.state !== 'filtered' && obs.reason !== 'timeout' && obs.code !== undefined) {
      rtt.sample(address, totalMs);
    }
    const wasCut = cutMs !== undefined && !connected && obs.reason === 'timeout';
    if (wasCut) {
      cutWindows ??= [];
      cutWindows.push(cutMs);
      obs = { ...obs, detail: adaptiveDetail(cutWindows, rtt!, address) };
    }
    // Credentials from secret variables, or ones the prober says it sent (a user name in with:).
    const credentialsGiven = Object.keys(check.secrets).length > 0 || obs.facts.credentialsGiven === true;
    const outcome = judge(obs, { expect: check.expect, credentialsGiven });
    // This machine's side of the path: what the socket used, else the route's pick (nothing sent).
    const localAddress =
      address === 'local'
        ? undefined
        : (attempt.source ?? (await sourceFor(attempt, address, check.target.port, proxy)));
    // The attempt's own timings object, completed in place (the same keys in the same order as a copy).
    const timings = attempt.timings;
    if (obs.timings && obs.timings !== timings) Object.assign(timings, obs.timings);
    timings.totalMs = totalMs;
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
      timings,
      facts: obs.facts,
    };
    // Every outcome short of a pass is tried again (a warn or inconclusive may pass next time);
    // shutdown ends the retries. An adaptive cut is always tried once more, with a longer window,
    // before "filtered" is said (nmap retransmits the same way).
    // A cut is retried whatever the verdict: with `expect: blocked` a cut reads as a pass.
    if (opts.signal?.aborted) break;
    if (wasCut && cutWindows!.length === 1) {
      if (attempts > check.retries) extraTry = true;
      continue;
    }
    if (outcome === 'pass') break;
  }
  return last!;
}

/** A row's result, built in one literal (no intermediate copies: 10,000 of them are kept for the report). */
function rowResult(
  check: Check,
  seen: Pick<
    CheckResult,
    'outcome' | 'state' | 'reason' | 'detail' | 'code' | 'addresses' | 'via' | 'timings' | 'facts'
  >,
  host: string,
): CheckResult {
  const row = check.row;
  const { outcome, state, reason } = seen;
  const expect = check.expect;
  const { dir, port, service, destination, probe } = row;
  return {
    id: row.id,
    dir,
    source: row.source,
    destination,
    port,
    service,
    type: row.type,
    status: row.status,
    comment: row.comment ?? '',
    ...(row.purpose !== undefined && { purpose: row.purpose }),
    probe,
    expect,
    outcome,
    state,
    reason,
    detail: seen.detail,
    hint: hintFor({
      reason,
      outcome,
      expect,
      dir,
      port,
      service,
      destination,
      state,
      host,
      probe,
      code: seen.code,
      // No source address even from the route lookup: the kernel itself had no route (nothing was sent).
      noLocalRoute:
        seen.code === 'ENETUNREACH' &&
        seen.addresses.length > 0 &&
        seen.addresses.every((a) => a.localAddress === undefined),
    }),
    ...(seen.code !== undefined && { code: seen.code }),
    addresses: seen.addresses,
    via: seen.via,
    timings: seen.timings,
    facts: seen.facts,
  };
}

function combine(check: Check, resolved: Resolved, results: AddressResult[], via: string): CheckResult {
  const dnsMs = resolved.dnsMs;
  if (results.length === 0) {
    const c = classify(resolved.error, {
      connected: false,
      protocol: check.target.protocol,
      timeoutMs: check.timeoutMs,
    });
    const outcome = judge(c, { expect: check.expect });
    const seen = {
      outcome,
      state: c.state,
      reason: c.reason,
      detail: `${check.target.host}: ${c.detail}`,
      ...(c.code !== undefined && { code: c.code }),
      addresses: [],
      via,
      timings: { ...(dnsMs !== undefined && { dnsMs }), totalMs: dnsMs ?? 0 },
      facts: {},
    };
    return rowResult(check, seen, check.target.host);
  }
  const sorted =
    results.length === 1 ? results : [...results].sort((a, b) => OUTCOME_RANK[a.outcome] - OUTCOME_RANK[b.outcome]);
  const best = sorted[0]!;
  const worst = sorted[sorted.length - 1]!;
  // One good address is enough for the row to work; a bad sibling is worth a warning.
  const mixed = best.outcome === 'pass' && worst.outcome !== 'pass';
  const shown = mixed ? worst : best;
  const detail = mixed
    ? `${best.address} works, but ${worst.address}: ${worst.detail}`
    : results.length > 1 || (check.target.host !== best.address && best.address !== 'local')
      ? `${best.address}: ${best.detail}`
      : best.detail;
  // Without a lookup the row's timings are its best address's (totalMs is rounded already).
  const timings =
    dnsMs === undefined ? best.timings : { dnsMs, ...best.timings, totalMs: round(dnsMs + best.timings.totalMs) };
  const seen = {
    outcome: mixed ? 'warn' : best.outcome,
    state: shown.state,
    reason: shown.reason,
    detail,
    ...(shown.code !== undefined && { code: shown.code }),
    addresses: results,
    via,
    timings,
    facts: best.facts,
  } as const;
  return rowResult(check, seen, check.target.host || 'this machine');
}

export async function runCheck(check: Check, opts: RunOptions): Promise<CheckResult> {
  // The prober's code is loaded before the deadline starts (a no-op once loaded), its options parsed once.
  const bound = bindProber(check);
  const probe = typeof bound === 'function' ? bound : await bound;
  // An HTTP CONNECT proxy carries TCP only (a registered UDP scheme is not in proxy.ts's list).
  const t = check.target;
  const proxy =
    t.protocol === 'udp'
      ? undefined
      : (opts.chooseProxy ?? proxyChooser(opts.proxy))(t.scheme, t.host, t.port, rowProxy(check.with));
  // No lookup (an address, a proxy, listen://): no promise to wait for either.
  const resolved = knownAddress(check, proxy) ?? (await resolveHost(check, opts.family, opts.signal));
  const results =
    resolved.addresses.length === 1
      ? [await probeAddress(check, probe, resolved.addresses[0]!.address, resolved.addresses[0]!.family, proxy, opts)]
      : await Promise.all(resolved.addresses.map((a) => probeAddress(check, probe, a.address, a.family, proxy, opts)));
  const result = combine(check, resolved, results, proxy ? `proxy ${proxy.label}` : 'direct');
  if (result.outcome === 'fail' && opts.log.isLevelEnabled('warn'))
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
  const listeners = new Set<Attempt>();
  stopListeners.set(run.signal, listeners);
  run.signal.addEventListener('abort', () => {
    for (const attempt of listeners) attempt.stop();
  });
  // process.env is slow to read (a native lookup per name): read it once for every row.
  const rowOpts: RunOptions = {
    ...opts,
    chooseProxy: proxyChooser(opts.proxy),
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
