// wireguard:// — WireGuard never answers a packet it cannot authenticate. Without keys the probe
// can only tell "closed" (ICMP port unreachable) from "open|filtered" (silence). With a dedicated
// probe peer's keys it sends a real handshake initiation: a response that decrypts proves the
// right server and an authorised peer. The peer must be dedicated: a handshake moves the server's
// endpoint for that peer to the probe, and its timestamp locks out older ones, so a production
// client's key would lose its tunnel.
import { ProbeError } from '../errors.js';
import { isDeadline } from '../net/error-kind.js';
import { dialUdp, type UdpLink } from '../net/udp-socket.js';
import type { WireguardFacts } from '../facts.js';
import type { Observation, ProbeContext, Prober } from '../types.js';
import { loadKeys } from './wireguard-keys.js';
import {
  buildInitiation,
  checkResponse,
  keylessInitiation,
  openCookieReply,
  type Initiation,
  type Keys,
} from './wireguard-noise.js';
import { SAY } from './wireguard-text.js';
import type { SchemeOptions } from './options.js';

const silence = (detail: string, facts: WireguardFacts): Observation<WireguardFacts> => ({
  state: 'open|filtered',
  reason: 'no-response',
  detail,
  facts,
});

async function handshake(
  link: UdpLink,
  keys: Keys,
  ctx: ProbeContext,
  facts: WireguardFacts,
): Promise<Observation<WireguardFacts>> {
  let init: Initiation = buildInitiation(keys);
  await link.send(init.packet);
  for (let round = 0; round < 2; round++) {
    const msg = await link.next();
    ctx.phase('handshake');
    const cookie = openCookieReply(msg, init, keys);
    if (cookie) {
      // The server is under load and wants proof of our address: answer with mac2. Its flood
      // check ignores initiations within 20 ms of the last, so wait a little longer.
      facts.cookieReply = true;
      await new Promise((r) => setTimeout(r, 30));
      init = buildInitiation(keys, cookie);
      await link.send(init.packet);
      continue;
    }
    const r = checkResponse(msg, init, keys);
    if (r.kind === 'handshake') {
      facts.handshake = 'verified';
      return {
        state: 'open',
        reason: 'ok',
        detail: SAY.handshakeOk,
        facts,
      };
    }
    if (r.kind === 'psk-mismatch') {
      throw new ProbeError<WireguardFacts>('auth-rejected', SAY.pskMismatch, {
        code: 'WG_PSK_MISMATCH',
        facts,
        state: 'open',
      });
    }
    throw new ProbeError<WireguardFacts>('wrong-protocol', SAY.notOurServer(r.why), {
      facts,
      state: 'open',
    });
  }
  throw new ProbeError<WireguardFacts>('no-response', SAY.cookieLoop, {
    facts,
    state: 'open',
  });
}

export const probeWireguard: Prober<WireguardFacts, SchemeOptions['wireguard']> = async (check, ctx, opts) => {
  const keys = loadKeys(opts);
  const facts: WireguardFacts = { keys: keys ? 'probe peer' : 'none' };
  const link = await dialUdp(check.target.port, ctx);
  try {
    if (!keys) {
      await link.send(keylessInitiation());
      const reply = await link.next();
      throw new ProbeError<WireguardFacts>('wrong-protocol', SAY.keylessReply(reply.length), { facts, state: 'open' });
    }
    return await handshake(link, keys, ctx, facts);
  } catch (e) {
    if (isDeadline(e, ctx.signal)) {
      return keys ? silence(SAY.silenceWithKeys, facts) : silence(SAY.silenceKeyless, facts);
    }
    throw e;
  } finally {
    link.close();
  }
};
