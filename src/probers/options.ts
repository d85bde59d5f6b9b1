// The `with:` options each prober accepts, validated strictly at load time so that a typo in a
// profile is an error naming its path, not an option silently ignored at probe time. Each
// protocol's schema lives in options/<protocol>.ts, apart from its prober: loading a profile
// must not load every prober and its libraries (ws, @noble/*). This map makes a missing one a
// compile error.
import { z } from 'zod';
import type { ProbeScheme } from '../types.js';
import { discv4Options, rlpxOptions } from './options/devp2p.js';
import { grpcOptions } from './options/grpc.js';
import { httpOptions } from './options/http.js';
import { mqttOptions } from './options/mqtt.js';
import { tlsOptions } from './options/tls.js';
import { wireguardOptions } from './options/wireguard.js';

/** Every TCP-based prober can go through an HTTP CONNECT proxy (`direct` ignores the environment's). */
const viaProxy = {
  proxy: z.string().optional().describe('HTTP CONNECT proxy for this row, e.g. http://proxy:3128, or "direct"'),
};

export const proberOptions = {
  tcp: z.strictObject({ ...viaProxy }),
  udp: z.strictObject({
    payload: z.string().optional().describe('datagram to send, as text; hex when written hex:0a0b...'),
  }),
  listen: z.strictObject({
    localOnly: z.boolean().optional().describe('the service must be bound to loopback only'),
  }),
  tls: tlsOptions.extend(viaProxy),
  http: httpOptions.extend(viaProxy),
  https: httpOptions.extend(viaProxy),
  mqtt: mqttOptions.extend(viaProxy),
  mqtts: mqttOptions.extend(viaProxy),
  'mqtt+ws': mqttOptions.extend(viaProxy),
  'mqtt+wss': mqttOptions.extend(viaProxy),
  grpc: grpcOptions.extend(viaProxy),
  grpcs: grpcOptions.extend(viaProxy),
  wireguard: wireguardOptions,
  discv4: discv4Options,
  rlpx: rlpxOptions.extend(viaProxy),
} satisfies { [S in ProbeScheme]: z.ZodObject };

/** Each built-in scheme's options as its prober receives them: its schema's output (registry.ts). */
export type SchemeOptions = { [S in ProbeScheme]: z.output<(typeof proberOptions)[S]> };

/** A scheme added from outside (api.ts registerProber): its options and the transport it speaks. */
interface ExtraScheme {
  options: z.ZodObject;
  protocol: 'tcp' | 'udp';
}

// Built-in schemes keep the typed map above; extra ones are known at run time only. Every lookup by
// scheme goes through optionsFor() here and loadProber() in registry.ts, which both know them.
const extraSchemes = new Map<string, ExtraScheme>();

/** What this module says (the rule in src/messages.ts: sentences in one table beside their code). */
const SAY = { taken: (scheme: string) => `probe scheme ${JSON.stringify(scheme)} is already registered` };

export function addExtraScheme(scheme: string, entry: ExtraScheme): void {
  if (Object.hasOwn(proberOptions, scheme) || extraSchemes.has(scheme)) {
    throw new Error(SAY.taken(scheme));
  }
  extraSchemes.set(scheme, entry);
}

export function extraScheme(scheme: string): ExtraScheme | undefined {
  return extraSchemes.get(scheme);
}

/** Every scheme a profile may use: the built-in ones, then the registered ones. */
export function knownSchemes(): string[] {
  return [...Object.keys(proberOptions), ...extraSchemes.keys()];
}

/** The `with:` schema of a scheme, built-in or registered. */
export function optionsFor(scheme: ProbeScheme): z.ZodObject {
  return Object.hasOwn(proberOptions, scheme) ? proberOptions[scheme] : extraSchemes.get(scheme)!.options;
}
