// tcp:// — a plain TCP connect. Proves a path and a listener, not which service answers.
import { dialTcp } from '../net/socket.js';
import type { Prober } from '../types.js';

export const probeTcp: Prober = async (check, ctx) => {
  const socket = await dialTcp(check.target.port, ctx);
  const facts = { localAddress: socket.localAddress, localPort: socket.localPort };
  socket.destroy();
  return { state: 'open', reason: 'ok', detail: 'TCP connection accepted', facts, timings: { totalMs: 0 } };
};
