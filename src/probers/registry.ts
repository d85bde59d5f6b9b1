// One typed registry: a scheme in PROBE_SCHEMES without a prober here does not compile.
// Each prober's module is imported the first time a row needs it (a TCP-only profile never loads
// the MQTT, gRPC, WireGuard or devp2p code and their libraries): start-up is what a CLI is judged
// by. The entries are still Probers, so a test may replace one (`probers.tcp = …`).
import type { z } from 'zod';
import { ProbeError } from '../errors.js';
import type { ProbeFacts, SchemeFacts } from '../facts.js';
import type { Check, Observation, ProbeContext, ProbeScheme, Prober } from '../types.js';
import { addExtraScheme, optionsFor, type SchemeOptions } from './options.js';

/** A built-in scheme's entry: its prober, which must record that scheme's facts (facts.ts) and is
 * handed the output of that scheme's `with:` schema (the entry of the same name in options.ts). */
type SchemeLoad<S extends ProbeScheme> = () => Promise<Prober<SchemeFacts[S], SchemeOptions[S]>>;

const loaders: { [S in ProbeScheme]: SchemeLoad<S> } = {
  tcp: () => import('./tcp.js').then((m) => m.probeTcp),
  udp: () => import('./udp.js').then((m) => m.probeUdp),
  listen: () => import('./listen.js').then((m) => m.probeListen),
  tls: () => import('./tls.js').then((m) => m.probeTls),
  http: () => import('./http.js').then((m) => m.probeHttp),
  https: () => import('./http.js').then((m) => m.probeHttp),
  mqtt: () => import('./mqtt.js').then((m) => m.probeMqtt),
  mqtts: () => import('./mqtt-secure.js').then((m) => m.probeMqtts),
  'mqtt+ws': () => import('./mqtt-secure.js').then((m) => m.probeMqttWs),
  'mqtt+wss': () => import('./mqtt-secure.js').then((m) => m.probeMqttWss),
  grpc: () => import('./grpc.js').then((m) => m.probeGrpc),
  grpcs: () => import('./grpc.js').then((m) => m.probeGrpc),
  wireguard: () => import('./wireguard.js').then((m) => m.probeWireguard),
  discv4: () => import('./devp2p.js').then((m) => m.probeDiscv4),
  rlpx: () => import('./devp2p.js').then((m) => m.probeRlpx),
};

const loaded = new Map<ProbeScheme, Promise<Prober>>();
/** The schemes whose module has finished loading: bindProber needs no await for them. */
const ready = new Set<ProbeScheme>();

/**
 * A built-in scheme's prober, its module imported once. Once loaded it also takes the place of its
 * lazy stand-in in `probers`, so later rows call it directly (unless a test has put its own there).
 */
function loadProber(scheme: ProbeScheme): Promise<Prober> {
  let p = loaded.get(scheme);
  if (!p) {
    p = loaders[scheme]().then((prober) => {
      if (probers[scheme] === lazyStandIns[scheme]) probers[scheme] = prober;
      ready.add(scheme);
      return prober;
    });
    loaded.set(scheme, p);
  }
  return p;
}

/** Shipped with fedprobe, not registered from outside (those are loaded already). */
function isBuiltin(scheme: ProbeScheme): boolean {
  return Object.hasOwn(loaders, scheme);
}

/**
 * Imports the probers of these schemes before any deadline starts, so that loading code is
 * never counted against a row's timeout (nor measured in its timings).
 */
export async function preloadProbers(schemes: Iterable<ProbeScheme>): Promise<void> {
  await Promise.all([...new Set(schemes)].filter(isBuiltin).map((s) => loadProber(s)));
}

function lazy(scheme: ProbeScheme): Prober {
  return async (check, ctx, opts) => (await loadProber(scheme))(check, ctx, opts);
}

// Built from `loaders`, whose type already demands every scheme.
const lazyStandIns = Object.fromEntries((Object.keys(loaders) as ProbeScheme[]).map((s) => [s, lazy(s)])) as {
  readonly [S in ProbeScheme]: Prober;
};

export const probers: { [S in ProbeScheme]: Prober } = { ...lazyStandIns };

/** A check's prober with the check bound: what the runner calls for each address and attempt. */
export type BoundProber = (ctx: ProbeContext) => Promise<Observation>;

/**
 * The check's prober, ready to call: its code loaded (before any deadline starts) and the row's
 * `with:` parsed once by its scheme's schema, so that the prober receives typed options with the
 * schema's coercions applied (`minDaysValid: "30"` is 30, `ca: ""` is none). A profile's rows were
 * validated by the same schema when it loaded; a check built by hand that fails it is a row error.
 * Synchronous once the scheme's module is loaded (every row after runChecks' preload): a promise
 * only when there is code to wait for, since an `await` per row is a tick and a promise each.
 */
export function bindProber(check: Check): BoundProber | Promise<BoundProber> {
  const scheme = check.target.scheme;
  if (!isBuiltin(scheme)) {
    const bind = extraBinders.get(scheme);
    if (!bind) throw new Error(SAY.noProber(scheme));
    return bind(check);
  }
  // Taken once loaded: a test may have put its own prober in `probers`.
  if (ready.has(scheme)) return bindWith(optionsFor(scheme), probers[scheme], check);
  return loadProber(scheme).then(() => bindWith(optionsFor(scheme), probers[scheme], check));
}

/** One schema and the prober whose options it parses, typed together. */
function bindWith<O extends z.ZodObject>(
  schema: O,
  prober: Prober<ProbeFacts, z.output<O>>,
  check: Check,
): BoundProber {
  const parsed = parseOptions(schema, check.with);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return async () => {
      throw new ProbeError('error', SAY.badOption(issue.path.join('.'), issue.message));
    };
  }
  const opts = parsed.data;
  return (ctx) => prober(check, ctx, opts);
}

/**
 * Most rows have no `with:` (a `{}` from the loader): their options are the schema's defaults,
 * parsed once per schema and shared, where zod would parse a fresh `{}` for every row. Probers
 * only read their options.
 */
const EMPTY_PARSED = new WeakMap<z.ZodObject, z.ZodSafeParseResult<unknown>>();

function parseOptions<O extends z.ZodObject>(schema: O, given: Readonly<Record<string, unknown>>) {
  let empty = true;
  for (const _ in given) {
    empty = false;
    break;
  }
  if (!empty) return schema.safeParse(given);
  let parsed = EMPTY_PARSED.get(schema) as z.ZodSafeParseResult<z.output<O>> | undefined;
  if (!parsed) {
    parsed = schema.safeParse({});
    EMPTY_PARSED.set(schema, parsed);
  }
  return parsed;
}

/** What this module says (the rule in src/messages.ts: sentences in one table beside their code). */
const SAY = {
  badOption: (path: string, problem: string) => `with.${path}: ${problem}`,
  noProber: (scheme: string) => `no prober for probe scheme ${JSON.stringify(scheme)}`,
  notAScheme: (scheme: string) =>
    `${JSON.stringify(scheme.slice(0, 40))} is not a URL scheme (lower-case letters, digits, + - .)`,
};

/** A registered scheme's prober, bound to its own schema (they were handed in together). */
const extraBinders = new Map<string, (check: Check) => BoundProber>();

/**
 * Adds a prober for a scheme fedprobe does not ship (`myproto://host:port`), from outside: profiles
 * loaded afterwards may use it, its `with:` options validated by `options` as strictly as a built-in
 * scheme's. `protocol` is the transport the port column names (`tcp/…`, `udp/…`). Built-in schemes
 * cannot be replaced.
 */
export function registerProber<O extends z.ZodObject>(
  scheme: string,
  prober: Prober<ProbeFacts, z.output<O>>,
  options: O,
  protocol: 'tcp' | 'udp' = 'tcp',
): void {
  if (!/^[a-z][a-z0-9+.-]{0,31}$/.test(scheme)) {
    throw new Error(SAY.notAScheme(scheme));
  }
  addExtraScheme(scheme, { options, protocol });
  extraBinders.set(scheme, (check) => bindWith(options, prober, check));
}
