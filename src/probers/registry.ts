// One typed registry: a scheme in PROBE_SCHEMES without a prober here does not compile.
import type { ProbeScheme, Prober } from '../types.js';
import { probeDiscv4, probeRlpx } from './devp2p.js';
import { probeGrpc } from './grpc.js';
import { probeHttp } from './http.js';
import { probeListen } from './listen.js';
import { probeMqtt } from './mqtt.js';
import { probeTcp } from './tcp.js';
import { probeTls } from './tls.js';
import { probeUdp } from './udp.js';
import { probeWireguard } from './wireguard.js';

export const probers: { [S in ProbeScheme]: Prober } = {
  tcp: probeTcp,
  udp: probeUdp,
  listen: probeListen,
  tls: probeTls,
  http: probeHttp,
  https: probeHttp,
  mqtt: probeMqtt,
  mqtts: probeMqtt,
  'mqtt+ws': probeMqtt,
  'mqtt+wss': probeMqtt,
  grpc: probeGrpc,
  grpcs: probeGrpc,
  wireguard: probeWireguard,
  discv4: probeDiscv4,
  rlpx: probeRlpx,
};
