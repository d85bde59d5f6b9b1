// wireguard:// — WireGuard never answers a packet it cannot authenticate. Without keys the probe
// can only tell "closed" (ICMP port unreachable) from "open|filtered" (silence). With a dedicated
// probe peer's keys it sends a real handshake initiation: a response that decrypts proves the
// right server and an authorised peer. The peer must be dedicated: a handshake moves the server's
// endpoint for that peer to the probe, and its timestamp locks out older ones, so a production
// client's key would lose its tunnel.
import { ProbeError } from '../errors.js';
import { isDeadline } from '../net/error-kind.js';
import { dialUdp, type UdpLink } from '../net/udp-socket.js';
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
import { parseWith } from './tls.js';
import { wireguardOptions } from './options/wireguard.js';

const silence = (detail: string, facts: Record<string, unknown>): Observation => ({
  state: 'open|filtered',
  reason: 'no-response',
  detail,
  facts,
  timings: { totalMs: 0 },
});

async function handshake(
  link: UdpLink,
  keys: Keys,
  ctx: ProbeContext,
  facts: Record<string, unknown>,
): Promise<Observation> {
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
        detail: 'WireGuard handshake completed: the server holds its key and accepts this probe peer',
        facts,
        timings: { totalMs: 0 },
      };
    }
    if (r.kind === 'psk-mismatch') {
      throw new ProbeError(
        'auth-rejected',
        'the WireGuard server answered the handshake, but the preshared key does not match',
        { code: 'WG_PSK_MISMATCH', facts, state: 'open' },
      );
    }
    throw new ProbeError('wrong-protocol', `something other than the expected WireGuard server answered: ${r.why}`, {
      facts,
      state: 'open',
    });
  }
  throw new ProbeError('no-response', 'the WireGuard server kept answering with cookie replies', {
    facts,
    state: 'open',
  });
}

export const probeWireguard: Prober = async (check, ctx) => {
  const keys = loadKeys(parseWith(wireguardOptions, check));
  const facts: Record<string, unknown> = { keys: keys ? 'probe peer' : 'none' };
  const link = await dialUdp(check.target.port, ctx);
  try {
    if (!keys) {
      await link.send(keylessInitiation());
      const reply = await link.next();
      throw new ProbeError(
        'wrong-protocol',
        `a ${reply.length}-byte reply came back; a WireGuard server never answers a packet without valid keys, so ` +
          `this is another service`,
        { facts, state: 'open' },
      );
    }
    return await handshake(link, keys, ctx, facts);
  } catch (e) {
    if (isDeadline(e, ctx.signal)) {
      return keys
        ? silence(
            'no answer to a real handshake: the server key is not this one, this probe peer is not configured on ' +
              'the server, or a firewall drops UDP',
            facts,
          )
        : silence(
            'no answer, as from any WireGuard server without keys, and as from a firewall that drops UDP: give a ' +
              "probe peer's keys (with.config) to prove the tunnel",
            facts,
          );
    }
    throw e;
  } finally {
    link.close();
  }
};
