// One typed registry: a scheme in PROBE_SCHEMES without a prober here does not compile.
import type { ProbeScheme, Prober } from '../types.js';
import { probeListen } from './listen.js';
import { probeTcp } from './tcp.js';
import { probeUdp } from './udp.js';

export const probers: { [S in ProbeScheme]: Prober } = {
  tcp: probeTcp,
  udp: probeUdp,
  listen: probeListen,
};
