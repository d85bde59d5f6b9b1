// udp:// — one datagram on a *connected* socket. Only a connected socket is told about the ICMP
// port-unreachable that means "closed"; an unconnected one just hears silence. Silence itself
// proves nothing (a DROP rule and a quiet service look the same), so it is open|filtered.
import { isDeadline } from '../net/error-kind.js';
import { dialUdp } from '../net/udp-socket.js';
import type { UdpFacts } from '../facts.js';
import type { Prober } from '../types.js';
import type { SchemeOptions } from './options.js';

/** What this prober says (the rule in src/messages.ts: each prober's sentences in one table). */
const SAY = {
  reply: (bytes: number) => `a ${bytes}-byte reply came back`,
  silence: (ms: number) =>
    `no reply and no ICMP error within ${ms} ms: ` +
    'open (a service that stays quiet) or filtered (a firewall dropping)',
};

/** What fedprobe sends when a row gives no payload; `fedprobe respond` echoes exactly this. */
export const UDP_PROBE_PAYLOAD = Buffer.from('fedprobe udp probe\n');

export function decodePayload(text: string | undefined): Buffer {
  if (text === undefined) return UDP_PROBE_PAYLOAD;
  return text.startsWith('hex:') ? Buffer.from(text.slice(4), 'hex') : Buffer.from(text, 'utf8');
}

export const probeUdp: Prober<UdpFacts, SchemeOptions['udp']> = async (check, ctx, opts) => {
  const payload = decodePayload(opts.payload);
  const link = await dialUdp(check.target.port, ctx);
  try {
    await link.send(payload);
    const reply = await link.next();
    ctx.phase('firstByte');
    const bytes = reply.length;
    const detail = SAY.reply(bytes);
    return { state: 'open', reason: 'ok', detail, facts: { replyBytes: bytes } };
  } catch (e) {
    if (!isDeadline(e, ctx.signal)) throw e;
    return {
      state: 'open|filtered',
      reason: 'no-response',
      detail: SAY.silence(ctx.timeoutMs),
      facts: {},
    };
  } finally {
    link.close();
  }
};
