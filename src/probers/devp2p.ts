// discv4:// (UDP) and rlpx:// (TCP): Ethereum devp2p, the protocol of HPE Swarm Learning's SN
// peer-to-peer port 30303. discv4 proves a node and names it with a signed PING/PONG. RLPx with
// the node's key (nodeId/enode) proves it by the auth → ack → HELLO handshake; without the key it
// can only show a TCP listener that waits silently, as devp2p nodes do.
import type { Socket } from 'node:net';
import { ProbeError } from '../errors.js';
import { errorCode, isDeadline } from '../net/error-kind.js';
import { dialTcp } from '../net/socket.js';
import { dialUdp, type UdpLink } from '../net/udp-socket.js';
import type { Discv4Facts, RlpxFacts } from '../facts.js';
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
import { SAY } from './devp2p-text.js';
import type { SchemeOptions } from './options.js';

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
    const why = SAY.notDiscv4(first.why);
    if (!m) throw new ProbeError('wrong-protocol', why, { state: 'open' });
    const c = checkPong(m, ping);
    if (c.ok) return c;
  }
}

export const probeDiscv4: Prober<Discv4Facts, SchemeOptions['discv4']> = async (check, ctx, o) => {
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
      throw new ProbeError<Discv4Facts>(
        'wrong-identity',
        SAY.otherNode(pong.nodeId.slice(0, 16), expected.slice(0, 16)),
        {
          state: 'open',
          facts,
        },
      );
    }
    return {
      state: 'open',
      reason: 'ok',
      detail: SAY.pong(pong.nodeId.slice(0, 16), Boolean(expected)),
      facts,
    };
  } catch (e) {
    if (isDeadline(e, ctx.signal)) {
      return {
        state: 'open|filtered',
        reason: 'no-response',
        facts: {},
        detail: SAY.noPong,
      } satisfies Observation;
    }
    if (errorCode(e) === 'ECONNREFUSED') {
      throw new ProbeError('refused', SAY.noUdpListener, { code: 'ECONNREFUSED', state: 'closed' });
    }
    throw e;
  } finally {
    link.close();
  }
};

/** How long to watch a fresh RLPx connection: the initiator speaks first, so a node stays quiet. */
const QUIET_MS = 1000;

export const probeRlpx: Prober<RlpxFacts, SchemeOptions['rlpx']> = async (check, ctx, o) => {
  const expected = expectedId(o);
  return expected ? rlpxHandshake(check, ctx, expected) : rlpxListener(check, ctx);
};

/** Without the node's key nothing can be asked: watch whether the listener stays quiet. */
async function rlpxListener(check: Check, ctx: ProbeContext): Promise<Observation<RlpxFacts>> {
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
    throw new ProbeError('reset', SAY.closedAtOnce, { state: 'open' });
  }
  return {
    state: 'open',
    reason: 'ok',
    facts: { proof: 'tcp-only' },
    detail: SAY.silentListener,
  };
}

function spokeFirst(bytes: Buffer): ProbeError<RlpxFacts> {
  const text = bytes
    .subarray(0, 40)
    .toString('latin1')
    .replace(/[^\x20-\x7e]/g, '.');
  return new ProbeError<RlpxFacts>('wrong-protocol', SAY.spokeFirst(text), { state: 'open', facts: firstBytes(bytes) });
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
    ended ??= new Closed(SAY.connectionClosed);
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
async function rlpxHandshake(check: Check, ctx: ProbeContext, expected: string): Promise<Observation<RlpxFacts>> {
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
        const how = cut ? SAY.closedAfterAuth : SAY.nothingWithin(ctx.timeoutMs);
        throw new ProbeError<RlpxFacts>('no-response', SAY.noAck(how, short), {
          state: 'open',
          facts: { expectedNodeId: expected },
        });
      }
      throw e;
    }
    let codec: FrameCodec;
    try {
      codec = readAck(init, ack).codec;
    } catch (e) {
      throw new ProbeError<RlpxFacts>('wrong-protocol', SAY.notOurAck((e as Error).message, short), {
        state: 'open',
        facts: firstBytes(ack),
      });
    }
    const facts: RlpxFacts = { proof: 'rlpx-ack', nodeId: expected };
    let first: FirstMessage;
    try {
      const size = codec.openHeader(await reader.read(32));
      if (size > MAX_HELLO) throw new Error(SAY.firstFrameTooBig(size));
      first = parseFirstMessage(codec.openBody(await reader.read(paddedSize(size) + 16), size));
    } catch (e) {
      if (isDeadline(e, ctx.signal)) {
        return {
          state: 'open',
          reason: 'ok',
          facts,
          detail: SAY.ackNoHello(short, ctx.timeoutMs),
        };
      }
      if (e instanceof Closed)
        throw new ProbeError<RlpxFacts>('reset', SAY.closedBeforeHello(short), { state: 'open', facts });
      if (e instanceof Error && !(e instanceof ProbeError) && !('code' in e))
        throw new ProbeError<RlpxFacts>('wrong-protocol', SAY.brokenFrame(e.message), {
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
      throw new ProbeError<RlpxFacts>('auth-rejected', SAY.refusedSession(short, first.name), {
        state: 'open',
        facts: { ...facts, disconnect: first.name },
      });
    }
    if (first.kind === 'other')
      throw new ProbeError<RlpxFacts>('wrong-protocol', SAY.notHello(short, first.id), {
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
      detail: SAY.hello(short, h.clientId, h.protocolVersion, h.capabilities),
    };
  } finally {
    if (!leaving) socket.destroy();
  }
}
