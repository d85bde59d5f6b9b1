// Which stand-in answers a row, by its probe scheme: a protocol-aware one where fedprobe has it,
// so that the demo and `fedprobe respond` prove protocols, not just TCP.
import type { ProbeScheme } from '../types.js';
import { startStandIns } from './standins.js';
import { selfSignedCert, type SelfSignedCert } from './tls-cert.js';

export interface RunningStandIn {
  port: number;
  close(): Promise<void>;
}

export interface StandInContext {
  /** One self-signed certificate shared by every TLS stand-in of a run. */
  cert: () => SelfSignedCert;
}

type Starter = (host: string, port: number, ctx: StandInContext) => Promise<RunningStandIn>;

const plain =
  (protocol: 'tcp' | 'udp'): Starter =>
  async (host, port) => {
    const s = await startStandIns([{ id: protocol, protocol, port, host }]);
    return { port: s.listening[0]!.boundPort, close: s.close };
  };

const http: Starter = async (host, port) => (await import('./http.js')).startHttpStandIn(host, port);
const https: Starter = async (host, port, ctx) => (await import('./http.js')).startHttpStandIn(host, port, ctx.cert());
const mqtt: Starter = async (host, port) => (await import('./mqtt.js')).startMqttStandIn(host, port);
const mqtts: Starter = async (host, port, ctx) => (await import('./mqtt.js')).startMqttStandIn(host, port, ctx.cert());
const grpc: Starter = async (host, port) => (await import('./grpc.js')).startGrpcStandIn(host, port);
const grpcs: Starter = async (host, port, ctx) => (await import('./grpc.js')).startGrpcStandIn(host, port, ctx.cert());
const tls: Starter = async (host, port, ctx) => (await import('./tls.js')).startTlsStandIn(host, port, ctx.cert());

/** What kind of stand-in each scheme gets, and a word for it in `respond`'s table. */
export const STAND_INS: { [S in ProbeScheme]: { kind: string; start: Starter } } = {
  tcp: { kind: 'TCP listener', start: plain('tcp') },
  listen: { kind: 'TCP listener', start: plain('tcp') },
  udp: { kind: 'UDP echo (fedprobe datagrams only)', start: plain('udp') },
  http: { kind: 'HTTP server', start: http },
  https: { kind: 'HTTPS server (self-signed)', start: https },
  tls: { kind: 'TLS server (self-signed)', start: tls },
  mqtt: { kind: 'MQTT broker stand-in', start: mqtt },
  mqtts: { kind: 'MQTT broker stand-in over TLS (self-signed)', start: mqtts },
  'mqtt+ws': { kind: 'HTTP server', start: http },
  'mqtt+wss': { kind: 'HTTPS server (self-signed)', start: https },
  grpc: { kind: 'gRPC health stand-in', start: grpc },
  grpcs: { kind: 'gRPC health stand-in over TLS (self-signed)', start: grpcs },
  wireguard: { kind: 'UDP echo (fedprobe datagrams only)', start: plain('udp') },
  discv4: { kind: 'UDP echo (fedprobe datagrams only)', start: plain('udp') },
  rlpx: { kind: 'TCP listener', start: plain('tcp') },
};

export function standInContext(names: string[] = ['localhost', '127.0.0.1', '::1']): StandInContext {
  let cert: SelfSignedCert | undefined;
  return { cert: () => (cert ??= selfSignedCert({ names })) };
}

/**
 * The stand-in for a row: its probe's scheme, or for a `listen://` row (which names no protocol)
 * the row's service column, so that `fedprobe respond` answers MQTT rows with a CONNACK.
 */
export function standInScheme(row: { probe: string; service: string; port: string }): ProbeScheme {
  const scheme = row.probe.split('://')[0]!.toLowerCase() as ProbeScheme;
  if (scheme !== 'listen') return scheme;
  if (row.port.startsWith('udp')) return 'udp';
  const service = row.service.toLowerCase();
  if (service.includes('mqtt')) return 'mqtt';
  if (service.includes('grpc')) return service.includes('tls') ? 'grpcs' : 'grpc';
  if (service.includes('https')) return 'https';
  if (service.includes('http')) return 'http';
  return 'tcp';
}
