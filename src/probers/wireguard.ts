// wireguard:// — WireGuard never answers a packet it cannot authenticate. Without keys the probe
// can only tell "closed" (ICMP port unreachable) from "open|filtered" (silence). With a dedicated
// probe peer's keys it sends a real handshake initiation: a response that decrypts proves the
// right server and an authorised peer. The peer must be dedicated: a handshake moves the server's
// endpoint for that peer to the probe, and its timestamp locks out older ones, so a production
// client's key would lose its tunnel.
import { createSocket, type Socket } from 'node:dgram';
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import type { Observation, ProbeContext, Prober } from '../types.js';
import { loadKeys } from './wireguard-keys.js';
import { buildInitiation, checkResponse, keylessInitiation, openCookieReply, type Initiation, type Keys } from './wireguard-noise.js';
import { parseWith } from './tls.js';

export const wireguardOptions = z.strictObject({
  config: z.string().optional().describe('wg-quick style file of a dedicated probe peer: [Interface] PrivateKey, [Peer] PublicKey (the server) and PresharedKey'),
  privateKeyFile: z.string().optional().describe('file holding the probe peer\'s private key (base64)'),
  privateKeyEnv: z.string().optional().describe('environment variable holding the probe peer\'s private key'),
  publicKey: z.string().optional().describe('the server\'s public key (base64; not a secret)'),
  presharedKeyFile: z.string().optional().describe('file holding the preshared key, if the peer has one'),
  presharedKeyEnv: z.string().optional().describe('environment variable holding the preshared key'),
});

interface Link {
  socket: Socket;
  next(): Promise<Buffer>;
}

/** A connected UDP socket: only a connected socket is told about ICMP port unreachable. */
function connectUdp(ctx: ProbeContext, port: number): Promise<Link> {
  const socket = createSocket(ctx.family === 6 || ctx.address.includes(':') ? 'udp6' : 'udp4');
  const queue: Buffer[] = [];
  let waiter: { resolve: (b: Buffer) => void; reject: (e: unknown) => void } | undefined;
  let failure: unknown;
  socket.on('message', (m) => (waiter ? (waiter.resolve(m), (waiter = undefined)) : queue.push(m)));
  socket.on('error', (e) => (waiter ? (waiter.reject(e), (waiter = undefined)) : (failure = e)));
  ctx.signal.addEventListener('abort', () => waiter?.reject(ctx.signal.reason), { once: true });
  return new Promise((resolve, reject) => {
    socket.once('error', reject);
    socket.connect(port, ctx.address, () => {
      socket.removeListener('error', reject);
      resolve({
        socket,
        next: () => new Promise<Buffer>((res, rej) => {
          if (failure) return rej(failure);
          if (ctx.signal.aborted) return rej(ctx.signal.reason);
          const m = queue.shift();
          if (m) return res(m);
          waiter = { resolve: res, reject: rej };
        }),
      });
    });
  });
}

const silence = (detail: string, facts: Record<string, unknown>): Observation => ({ state: 'open|filtered', reason: 'no-response', detail, facts, timings: { totalMs: 0 } });

function send(link: Link, b: Buffer): Promise<void> {
  return new Promise((res, rej) => link.socket.send(b, (e) => (e ? rej(e) : res())));
}

async function handshake(link: Link, keys: Keys, ctx: ProbeContext, facts: Record<string, unknown>): Promise<Observation> {
  let init: Initiation = buildInitiation(keys);
  await send(link, init.packet);
  for (let round = 0; round < 2; round++) {
    const msg = await link.next();
    ctx.phase('handshake');
    const cookie = openCookieReply(msg, init, keys);
    if (cookie) {
      // The server is under load and wants proof of our address: answer with mac2. Its flood
      // check ignores initiations within 20 ms of the last, so wait a little longer.
      facts['cookieReply'] = true;
      await new Promise((r) => setTimeout(r, 30));
      init = buildInitiation(keys, cookie);
      await send(link, init.packet);
      continue;
    }
    const r = checkResponse(msg, init, keys);
    if (r.kind === 'handshake') {
      facts['handshake'] = 'verified';
      return { state: 'open', reason: 'ok', detail: 'WireGuard handshake completed: the server holds its key and accepts this probe peer', facts, timings: { totalMs: 0 } };
    }
    if (r.kind === 'psk-mismatch') {
      throw new ProbeError('auth-rejected', 'the WireGuard server answered the handshake, but the preshared key does not match', { code: 'WG_PSK_MISMATCH', facts, state: 'open' });
    }
    throw new ProbeError('wrong-protocol', `something other than the expected WireGuard server answered: ${r.why}`, { facts, state: 'open' });
  }
  throw new ProbeError('no-response', 'the WireGuard server kept answering with cookie replies', { facts, state: 'open' });
}

export const probeWireguard: Prober = async (check, ctx) => {
  const keys = loadKeys(parseWith(wireguardOptions, check));
  const facts: Record<string, unknown> = { keys: keys ? 'probe peer' : 'none' };
  const link = await connectUdp(ctx, check.target.port);
  try {
    if (!keys) {
      await send(link, keylessInitiation());
      const reply = await link.next();
      throw new ProbeError('wrong-protocol', `a ${reply.length}-byte reply came back; a WireGuard server never answers a packet without valid keys, so this is another service`, { facts, state: 'open' });
    }
    return await handshake(link, keys, ctx, facts);
  } catch (e) {
    if (ctx.signal.aborted && e === ctx.signal.reason && (e as Error).name === 'TimeoutError') {
      return keys
        ? silence('no answer to a real handshake: the server key is not this one, this probe peer is not configured on the server, or a firewall drops UDP', facts)
        : silence('no answer, as from any WireGuard server without keys, and as from a firewall that drops UDP: give a probe peer\'s keys (with.config) to prove the tunnel', facts);
    }
    throw e;
  } finally {
    link.socket.close();
  }
};
