// discv4:// (UDP) and rlpx:// (TCP): Ethereum devp2p, the protocol of HPE Swarm Learning's SN
// peer-to-peer port 30303. discv4 proves a node and names it with a signed PING/PONG. RLPx
// without the node's key can only show a TCP listener that waits silently, as devp2p nodes do.
import { createSocket } from 'node:dgram';
import { z } from 'zod';
import { ProbeError } from '../errors.js';
import { dialTcp } from '../probe/socket.js';
import type { Observation, Prober } from '../types.js';
import { checkPong, encodePing, newNodeKey } from './discv4-packet.js';
import { parseWith } from './tls.js';

const nodeIdOption = {
  nodeId: z.string().regex(/^(0x)?[0-9a-fA-F]{128}$/, 'a node id: 128 hex digits (the public key in the enode URL)').optional()
    .describe('the node id expected to answer (from its enode://<id>@host:port URL)'),
  enode: z.string().regex(/^enode:\/\/[0-9a-fA-F]{128}@/, 'an enode://<128 hex digits>@host:port URL').optional()
    .describe('the node\'s enode URL; its id is the one expected'),
};

export const discv4Options = z.strictObject({ ...nodeIdOption });
export const rlpxOptions = z.strictObject({ ...nodeIdOption });

function expectedId(o: { nodeId?: string | undefined; enode?: string | undefined }): string | undefined {
  const id = o.nodeId ?? o.enode?.slice('enode://'.length, 'enode://'.length + 128);
  return id?.replace(/^0x/, '').toLowerCase();
}

export const probeDiscv4: Prober = async (check, ctx) => {
  const o = parseWith(discv4Options, check);
  const expected = expectedId(o);
  const ping = encodePing(newNodeKey(), { address: ctx.address, port: check.target.port });
  // Connected, so that an ICMP port unreachable (no UDP listener) is reported, not silence.
  const socket = createSocket(ctx.address.includes(':') ? 'udp6' : 'udp4');
  try {
    const reply = await new Promise<Buffer>((resolve, reject) => {
      socket.on('error', reject);
      socket.on('message', (m) => resolve(m));
      ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      socket.connect(check.target.port, ctx.address, () => socket.send(ping.packet, (e) => e && reject(e)));
    });
    ctx.phase('handshake');
    const pong = checkPong(reply, ping);
    if (!pong.ok) throw new ProbeError('wrong-protocol', `something that is not a discv4 node answered: ${pong.why}`, { state: 'open' });
    const facts = { nodeId: pong.nodeId, ...(pong.enrSeq && { enrSeq: pong.enrSeq }) };
    if (expected && pong.nodeId !== expected) {
      throw new ProbeError('wrong-identity', `a devp2p node answered, but it is ${pong.nodeId.slice(0, 16)}…, not the expected ${expected.slice(0, 16)}…`, { state: 'open', facts });
    }
    return { state: 'open', reason: 'ok', detail: `discv4 PONG from node ${pong.nodeId.slice(0, 16)}…${expected ? ' (the expected node)' : ''}`, facts, timings: { totalMs: 0 } };
  } catch (e) {
    if (ctx.signal.aborted && e === ctx.signal.reason && (e as Error).name === 'TimeoutError') {
      return {
        state: 'open|filtered', reason: 'no-response', facts: {}, timings: { totalMs: 0 },
        detail: 'no PONG and no ICMP error: a node started with --nodiscover, or a firewall dropping UDP',
      } satisfies Observation;
    }
    if ((e as NodeJS.ErrnoException).code === 'ECONNREFUSED') {
      throw new ProbeError('refused', 'no UDP listener (ICMP port unreachable): HPE Swarm publishes 30303 over TCP only, so check this row with rlpx:// or tcp://', { code: 'ECONNREFUSED', state: 'closed' });
    }
    throw e;
  } finally {
    socket.close();
  }
};

/** How long to watch a fresh RLPx connection: the initiator speaks first, so a node stays quiet. */
const QUIET_MS = 1000;

export const probeRlpx: Prober = async (check, ctx) => {
  const o = parseWith(rlpxOptions, check);
  const socket = await dialTcp(check.target.port, ctx);
  const watch = Math.min(QUIET_MS, Math.max(100, ctx.timeoutMs / 3));
  const seen = await new Promise<{ kind: 'quiet' } | { kind: 'data'; bytes: Buffer } | { kind: 'closed' }>((resolve) => {
    const timer = setTimeout(() => resolve({ kind: 'quiet' }), watch);
    socket.once('data', (bytes: Buffer) => (clearTimeout(timer), resolve({ kind: 'data', bytes })));
    socket.once('close', () => (clearTimeout(timer), resolve({ kind: 'closed' })));
    socket.once('error', () => undefined);
  });
  socket.destroy();
  if (seen.kind === 'data') {
    const text = seen.bytes.subarray(0, 40).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw new ProbeError('wrong-protocol', `the server spoke first ("${text}"), which an RLPx node never does: another service listens here`, { state: 'open', facts: { firstBytes: seen.bytes.subarray(0, 32).toString('hex') } });
  }
  if (seen.kind === 'closed') {
    throw new ProbeError('reset', 'the connection was closed at once: a geth node does this to a second attempt within 30 s (throttling) or to an address outside --netrestrict; a proxy without a backend does too', { state: 'open' });
  }
  const expected = expectedId(o);
  return {
    state: 'open', reason: 'ok', timings: { totalMs: 0 },
    facts: { proof: 'tcp-only', ...(expected && { expectedNodeId: expected }) },
    detail: `a TCP listener that waits silently, as an RLPx node does${expected ? ' (fedprobe cannot prove the node id over TCP yet: discv4:// can, where UDP is published)' : '; this does not prove devp2p (use discv4:// where UDP is published)'}`,
  };
};
