// tcp:// — a plain TCP connect. Proves a path and a listener, not which service answers.
import { dialTcp } from '../net/socket.js';
import type { TcpFacts } from '../facts.js';
import type { Prober } from '../types.js';

/** What this prober says (the rule in src/messages.ts: each prober's sentences in one table). */
const SAY = { accepted: 'TCP connection accepted' };

export const probeTcp: Prober<TcpFacts> = async (check, ctx) => {
  const socket = await dialTcp(check.target.port, ctx);
  const facts = { localAddress: socket.localAddress, localPort: socket.localPort };
  socket.destroy();
  return { state: 'open', reason: 'ok', detail: SAY.accepted, facts };
};
