// discv4:// (UDP) and rlpx:// (TCP): Ethereum devp2p, the protocol of HPE Swarm Learning's SN
// peer-to-peer port 30303. discv4 proves a node and names it with a signed PING/PONG. RLPx with
// the node's key (nodeId/enode) proves it by the auth → ack → HELLO handshake; without the key it
// can only show a TCP listener that waits silently, as devp2p nodes do.
import type { Socket } from 'node:net';
import { ProbeError } from '../errors.js';
import { errorCode, isDeadline } from '../net/error-kind.js';
import { dialTcp } from '../net/socket.js';
import { dialUdp, type UdpLink } from '../net/udp-socket.js';
import type { Check, Observation, ProbeContext, Prober } from '../types.js';
import { checkPong, encodePing, newNodeKey, type Ping, type PongCheck } from './discv4-packet.js';
import { firstBytes } from './first-bytes.js';
import {
  ackLength,
  disconnectFrame,
  makeAuth,
  paddedSize,
  parseFirstMessage,
  readAck,
  type FirstMessage,
  type FrameCodec,
} from './rlpx.js';
import { parseWith } from './tls.js';
import { discv4Options, rlpxOptions } from './options/devp2p.js';

function expectedId(o: { nodeId?: string | undefined; enode?: string | undefined }): string | undefined {
  const id = o.nodeId ?? o.enode?.slice('enode://'.length, 'enode://'.length + 128);
  return id?.replace(/^0x/, '').toLowerCase();
}

const OTHER_REPLY_GRACE_MS = 250;

/**
 * Our PONG. The node may also send its own PING (geth's endpoint proof), perhaps before the PONG:
 * past a reply that is not our PONG, wait a moment for it before calling the service something else.
 */
async function awaitPong(link: UdpLink, ping: Ping): Promise<PongCheck & { ok: true }> {
  const first = checkPong(await link.next(), ping);
  if (first.ok) return first;
  const until = performance.now() + OTHER_REPLY_GRACE_MS;
  for (;;) {
    const left = until - performance.now();
    const m = left > 0 ? await link.next(left) : undefined;
    const why = `something that is not a discv4 node answered: ${first.why}`;
    if (!m) throw new ProbeError('wrong-protocol', why, { state: 'open' });
    const c = checkPong(m, ping);
    if (c.ok) return c;
  }
}

export const probeDiscv4: Prober = async (check, ctx) => {
  const o = parseWith(discv4Options, check);
  const expected = expectedId(o);
  const ping = encodePing(newNodeKey(), { address: ctx.address, port: check.target.port });
  // Connected, so that an ICMP port unreachable (no UDP listener) is reported, not silence.
  const link = await dialUdp(check.target.port, ctx);
  try {
    await link.send(ping.packet);
    const pong = await awaitPong(link, ping);
    ctx.phase('handshake');
    const facts = { nodeId: pong.nodeId, ...(pong.enrSeq && { enrSeq: pong.enrSeq }) };
    if (expected && pong.nodeId !== expected) {
      throw new ProbeError(
        'wrong-identity',
        `a devp2p node answered, but it is ${pong.nodeId.slice(0, 16)}…, ` +
          `not the expected ${expected.slice(0, 16)}…`,
        { state: 'open', facts },
      );
    }
    return {
      state: 'open',
      reason: 'ok',
      detail: `discv4 PONG from node ${pong.nodeId.slice(0, 16)}…${expected ? ' (the expected node)' : ''}`,
      facts,
      timings: { totalMs: 0 },
    };
  } catch (e) {
    if (isDeadline(e, ctx.signal)) {
      return {
        state: 'open|filtered',
        reason: 'no-response',
        facts: {},
        timings: { totalMs: 0 },
        detail: 'no PONG and no ICMP error: a node started with --nodiscover, or a firewall dropping UDP',
      } satisfies Observation;
    }
    if (errorCode(e) === 'ECONNREFUSED') {
      throw new ProbeError(
        'refused',
        'no UDP listener (ICMP port unreachable): HPE Swarm publishes 30303 over TCP only, so check this row with ' +
          'rlpx:// or tcp://',
        { code: 'ECONNREFUSED', state: 'closed' },
      );
    }
    throw e;
  } finally {
    link.close();
  }
};

/** How long to watch a fresh RLPx connection: the initiator speaks first, so a node stays quiet. */
const QUIET_MS = 1000;

export const probeRlpx: Prober = async (check, ctx) => {
  const o = parseWith(rlpxOptions, check);
  const expected = expectedId(o);
  return expected ? rlpxHandshake(check, ctx, expected) : rlpxListener(check, ctx);
};

/** Without the node's key nothing can be asked: watch whether the listener stays quiet. */
async function rlpxListener(check: Check, ctx: ProbeContext): Promise<Observation> {
  const socket = await dialTcp(check.target.port, ctx);
  const watch = Math.min(QUIET_MS, Math.max(100, ctx.timeoutMs / 3));
  const seen = await new Promise<{ kind: 'quiet' } | { kind: 'data'; bytes: Buffer } | { kind: 'closed' }>(
    (resolve) => {
      const timer = setTimeout(() => resolve({ kind: 'quiet' }), watch);
      socket.once('data', (bytes: Buffer) => {
        clearTimeout(timer);
        resolve({ kind: 'data', bytes });
      });
      socket.once('close', () => {
        clearTimeout(timer);
        resolve({ kind: 'closed' });
      });
      socket.once('error', () => undefined);
    },
  );
  socket.destroy();
  if (seen.kind === 'data') throw spokeFirst(seen.bytes);
  if (seen.kind === 'closed') {
    // 'reset', not 'no-response': the other end actively cut an accepted connection, which is
    // what the reset hint (a firewall, proxy or service cutting it) tells the operator to look for.
    throw new ProbeError(
      'reset',
      'closed at once: geth does this to a second attempt within 30 s (throttled) or to an address outside ' +
        '--netrestrict; a proxy with no upstream does it too',
      { state: 'open' },
    );
  }
  return {
    state: 'open',
    reason: 'ok',
    timings: { totalMs: 0 },
    facts: { proof: 'tcp-only' },
    detail:
      'a TCP listener that stays silent, as an RLPx node does; this does not prove devp2p: give with.nodeId or ' +
      'with.enode to prove it is the node',
  };
}

function spokeFirst(bytes: Buffer): ProbeError {
  const text = bytes
    .subarray(0, 40)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return new ProbeError(
    'wrong-protocol',
    `the server spoke first ("${text}"), which an RLPx node never does: another service listens here`,
    { state: 'open', facts: firstBytes(bytes) },
  );
}

class Closed extends Error {
  override name = 'Closed';
}

/** Reads exact byte counts from a socket; rejects when it closes, fails or the signal aborts. */
function byteReader(socket: Socket, signal: AbortSignal) {
  let buf = Buffer.alloc(0);
  let ended: Error | undefined;
  let wake: (() => void) | undefined;
  const poke = () => wake?.();
  socket.on('data', (d: Buffer) => {
    buf = Buffer.concat([buf, d]);
    poke();
  });
  socket.on('close', () => {
    ended ??= new Closed('the connection was closed');
    poke();
  });
  socket.on('error', (e) => {
    ended = e;
    poke();
  });
  signal.addEventListener('abort', poke, { once: true });
  return {
    buffered: () => buf,
    async read(n: number): Promise<Buffer> {
      while (buf.length < n) {
        if (signal.aborted) throw signal.reason;
        if (ended) throw ended;
        await new Promise<void>((r) => (wake = r));
        wake = undefined;
      }
      const out = buf.subarray(0, n);
      buf = buf.subarray(n);
      return out;
    },
  };
}

/** Larger than any ack or HELLO; a text banner read as a size prefix is ≥ 8 KiB. */
const MAX_ACK = 4096;
const MAX_HELLO = 65536;

/** With the node's key: auth → ack → the node's first frame (HELLO or DISCONNECT). */
async function rlpxHandshake(check: Check, ctx: ProbeContext, expected: string): Promise<Observation> {
  const socket = await dialTcp(check.target.port, ctx);
  const reader = byteReader(socket, ctx.signal);
  const short = `${expected.slice(0, 16)}…`;
  let leaving = false;
  try {
    const init = makeAuth(Buffer.from(expected, 'hex'));
    socket.write(init.auth);
    let ack: Buffer;
    try {
      const head = await reader.read(2);
      const len = ackLength(head);
      if (len > MAX_ACK) throw spokeFirst(Buffer.concat([head, reader.buffered()]));
      ack = Buffer.concat([head, await reader.read(len - 2)]);
    } catch (e) {
      // A reset here is the same answer as a close (which one depends on whether our auth reached
      // the peer before it closed): the connection ended without an ack.
      const cut = e instanceof Closed || ['ECONNRESET', 'EPIPE'].includes(errorCode(e) ?? '');
      if (cut || isDeadline(e, ctx.signal)) {
        const how = cut ? 'the connection was closed after our auth' : `nothing came back within ${ctx.timeoutMs} ms`;
        throw new ProbeError(
          'no-response',
          `no RLPx ack (${how}): the node here holds another key than ${short} (check nodeId/enode), or this is not ` +
            `a devp2p node; geth also closes at once a repeat attempt within 30 s`,
          { state: 'open', facts: { expectedNodeId: expected } },
        );
      }
      throw e;
    }
    let codec: FrameCodec;
    try {
      codec = readAck(init, ack).codec;
    } catch (e) {
      throw new ProbeError(
        'wrong-protocol',
        `an answer that is not an RLPx ack for us (${(e as Error).message}): not a devp2p node, or not node ${short}`,
        { state: 'open', facts: firstBytes(ack) },
      );
    }
    const facts: Record<string, unknown> = { proof: 'rlpx-ack', nodeId: expected };
    let first: FirstMessage;
    try {
      const size = codec.openHeader(await reader.read(32));
      if (size > MAX_HELLO) throw new Error(`a ${size}-byte first frame`);
      first = parseFirstMessage(codec.openBody(await reader.read(paddedSize(size) + 16), size));
    } catch (e) {
      if (isDeadline(e, ctx.signal)) {
        return {
          state: 'open',
          reason: 'ok',
          facts,
          timings: { totalMs: 0 },
          detail: `RLPx ack from node ${short} (it holds the node key), but no HELLO within ${ctx.timeoutMs} ms`,
        };
      }
      if (e instanceof Closed)
        throw new ProbeError(
          'reset',
          `node ${short} acked (it holds the key), then closed the connection before its HELLO`,
          { state: 'open', facts },
        );
      if (e instanceof Error && !(e instanceof ProbeError) && !('code' in e))
        throw new ProbeError('wrong-protocol', `an RLPx ack, then a broken frame (${e.message})`, {
          state: 'open',
          facts,
        });
      throw e;
    }
    ctx.phase('handshake');
    // Leave as a client does, so the node logs a clean disconnect rather than a read error.
    leaving = true;
    socket.end(codec.seal(disconnectFrame()));
    setTimeout(() => socket.destroy(), 1000).unref();
    if (first.kind === 'disconnect') {
      throw new ProbeError(
        'auth-rejected',
        `node ${short} answered (RLPx handshake done, key proven) and refused a session: ${first.name}`,
        { state: 'open', facts: { ...facts, disconnect: first.name } },
      );
    }
    if (first.kind === 'other')
      throw new ProbeError('wrong-protocol', `node ${short} acked, then sent message ${first.id} where HELLO belongs`, {
        state: 'open',
        facts,
      });
    const h = first.hello;
    Object.assign(facts, {
      proof: 'rlpx-hello',
      clientId: h.clientId,
      protocolVersion: h.protocolVersion,
      capabilities: h.capabilities,
      listenPort: h.listenPort,
      ...(h.nodeId !== expected && { helloNodeId: h.nodeId }),
    });
    return {
      state: 'open',
      reason: 'ok',
      facts,
      timings: { totalMs: 0 },
      detail:
        `RLPx handshake with node ${short}: ${h.clientId || 'no client id'} (p2p ` +
        `v${h.protocolVersion}${h.capabilities.length ? `, ${h.capabilities.join(' ')}` : ''})`,
    };
  } finally {
    if (!leaving) socket.destroy();
  }
}
