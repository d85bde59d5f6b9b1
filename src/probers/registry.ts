// One typed registry: a scheme in PROBE_SCHEMES without a prober here does not compile.
// Each prober's module is imported the first time a row needs it (a TCP-only profile never loads
// the MQTT, gRPC, WireGuard or devp2p code and their libraries): start-up is what a CLI is judged
// by. The entries are still Probers, so a test may replace one (`probers.tcp = …`).
import type { ProbeScheme, Prober } from '../types.js';

type Load = () => Promise<Prober>;

const loaders: { [S in ProbeScheme]: Load } = {
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
    p = loaders[scheme]().then((prober) => {
      if (probers[scheme] === stubs[scheme]) probers[scheme] = prober;
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
const stubs = Object.fromEntries(
  (Object.keys(loaders) as ProbeScheme[]).map((s) => [s, lazy(s)]),
) as { readonly [S in ProbeScheme]: Prober };

export const probers: { [S in ProbeScheme]: Prober } = { ...stubs };
