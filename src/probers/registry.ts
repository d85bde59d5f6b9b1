// One typed registry: a scheme in PROBE_SCHEMES without a prober here does not compile.
// Each prober's module is imported the first time a row needs it (a TCP-only profile never loads
// the MQTT, gRPC, WireGuard or devp2p code and their libraries): start-up is what a CLI is judged
// by. The entries are still Probers, so a test may replace one (`probers.tcp = …`).
import type { z } from 'zod';
import type { SchemeFacts } from '../facts.js';
import type { ProbeScheme, Prober } from '../types.js';
import { addExtraScheme } from './options.js';

type Load = () => Promise<Prober>;
/** A built-in scheme's entry: its prober, which must record that scheme's facts (facts.ts); its
 * `with:` schema is the entry of the same name in options.ts. */
type SchemeLoad<S extends ProbeScheme> = () => Promise<Prober<SchemeFacts[S]>>;

const loaders: { [S in ProbeScheme]: SchemeLoad<S> } = {
  tcp: () => import('./tcp.js').then((m) => m.probeTcp),
  udp: () => import('./udp.js').then((m) => m.probeUdp),
  listen: () => import('./listen.js').then((m) => m.probeListen),
  tls: () => import('./tls.js').then((m) => m.probeTls),
  http: () => import('./http.js').then((m) => m.probeHttp),
  https: () => import('./http.js').then((m) => m.probeHttp),
  mqtt: () => import('./mqtt.js').then((m) => m.probeMqtt),
  mqtts: () => import('./mqtt.js').then((m) => m.probeMqtt),
  'mqtt+ws': () => import('./mqtt.js').then((m) => m.probeMqtt),
  'mqtt+wss': () => import('./mqtt.js').then((m) => m.probeMqtt),
  grpc: () => import('./grpc.js').then((m) => m.probeGrpc),
  grpcs: () => import('./grpc.js').then((m) => m.probeGrpc),
  wireguard: () => import('./wireguard.js').then((m) => m.probeWireguard),
  discv4: () => import('./devp2p.js').then((m) => m.probeDiscv4),
  rlpx: () => import('./devp2p.js').then((m) => m.probeRlpx),
};

const loaded = new Map<ProbeScheme, Promise<Prober>>();

/**
 * The scheme's prober, its module imported once. Once loaded it also takes the place of its lazy
 * stand-in in `probers`, so later rows call it directly (unless a test has put its own there).
 */
export function loadProber(scheme: ProbeScheme): Promise<Prober> {
  let p = loaded.get(scheme);
  if (!p) {
    const load = Object.hasOwn(loaders, scheme) ? loaders[scheme] : extraLoader(scheme);
    p = load().then((prober) => {
      if (probers[scheme] === lazyStandIns[scheme]) probers[scheme] = prober;
      return prober;
    });
    loaded.set(scheme, p);
  }
  return p;
}

/**
 * Imports the probers of these schemes before any deadline starts, so that loading code is
 * never counted against a row's timeout (nor measured in its timings).
 */
export async function preloadProbers(schemes: Iterable<ProbeScheme>): Promise<void> {
  await Promise.all([...new Set(schemes)].map((s) => loadProber(s)));
}

function lazy(scheme: ProbeScheme): Prober {
  return async (check, ctx) => (await loadProber(scheme))(check, ctx);
}

// Built from `loaders`, whose type already demands every scheme.
const lazyStandIns = Object.fromEntries((Object.keys(loaders) as ProbeScheme[]).map((s) => [s, lazy(s)])) as {
  readonly [S in ProbeScheme]: Prober;
};

export const probers: { [S in ProbeScheme]: Prober } = { ...lazyStandIns };

/** What this module says (the rule in src/messages.ts: sentences in one table beside their code). */
const SAY = {
  noProber: (scheme: string) => `no prober for probe scheme ${JSON.stringify(scheme)}`,
  notAScheme: (scheme: string) =>
    `${JSON.stringify(scheme.slice(0, 40))} is not a URL scheme (lower-case letters, digits, + - .)`,
};

/** A registered scheme's prober is already loaded: it was handed in. */
const extraProbers = new Map<string, Prober>();

function extraLoader(scheme: string): Load {
  const prober = extraProbers.get(scheme);
  if (!prober) throw new Error(SAY.noProber(scheme));
  return () => Promise.resolve(prober);
}

/**
 * Adds a prober for a scheme fedprobe does not ship (`myproto://host:port`), from outside: profiles
 * loaded afterwards may use it, its `with:` options validated by `options` as strictly as a built-in
 * scheme's. `protocol` is the transport the port column names (`tcp/…`, `udp/…`). Built-in schemes
 * cannot be replaced.
 */
export function registerProber(
  scheme: string,
  prober: Prober,
  options: z.ZodObject,
  protocol: 'tcp' | 'udp' = 'tcp',
): void {
  if (!/^[a-z][a-z0-9+.-]{0,31}$/.test(scheme)) {
    throw new Error(SAY.notAScheme(scheme));
  }
  addExtraScheme(scheme, { options, protocol });
  extraProbers.set(scheme, prober);
  // Known at run time only: the typed map holds the built-in schemes.
  (probers as Record<string, Prober>)[scheme] = prober;
}
