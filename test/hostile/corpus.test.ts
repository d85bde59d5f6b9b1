// The hostile corpus: every misbehaving peer in peers.ts against every prober it applies to, on
// loopback in the suite's namespace. Each row must end within its deadline plus MARGIN_MS, with the
// exact state and reason below (what the wire really showed), leave no descriptor open, and grow
// this process's RSS by less than RSS_GROWTH_LIMIT_MIB (memory.ts) while it runs.
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { PortState, Reason } from '../../src/types.js';
import { probeUrl } from '../helpers/probe.js';
import { peakRssGrowth, RSS_GROWTH_LIMIT_MIB } from './memory.js';
import { openFds, startSilentUdpPeer, startTcpPeer, TCP_PEERS, type HostilePeer, type TcpPeerKind } from './peers.js';

const DEADLINE_MS = 1000;
/** The runner's 250 ms grace for a prober that overruns, plus event-loop slack on a loaded machine. */
const MARGIN_MS = 500;

// rlpx needs a node id that is a point on the curve (the peer's public key) to encrypt its auth.
const NODE_ID = Buffer.from(secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), false).subarray(1)).toString(
  'hex',
);

type Expected = [PortState, Reason];
const OPEN_OK: Expected = ['open', 'ok'];
const SILENT: Expected = ['open', 'no-response'];
const WRONG: Expected = ['open', 'wrong-protocol'];
const RESET: Expected = ['closed', 'reset'];

type Scheme = 'tcp' | 'tls' | 'http' | 'https' | 'mqtt' | 'mqtts' | 'mqtt+ws' | 'mqtt+wss' | 'grpc' | 'grpcs' | 'rlpx';
const SCHEMES: Scheme[] = [
  'tcp',
  'tls',
  'http',
  'https',
  'mqtt',
  'mqtts',
  'mqtt+ws',
  'mqtt+wss',
  'grpc',
  'grpcs',
  'rlpx',
];

function expected(kind: TcpPeerKind, scheme: Scheme): Expected {
  // A plain connect proves only the listener: every peer that accepts is `open`, `ok`.
  if (scheme === 'tcp') return kind === 'reset' ? RESET : OPEN_OK;
  switch (kind) {
    case 'silent':
      return SILENT;
    case 'reset':
      // The RST arrives before any byte of ours is answered; the kernel had already accepted.
      return RESET;
    case 'garbage':
    case 'flood':
      // The first bytes decide: not a TLS record, not HTTP, not MQTT, not HTTP/2, not an RLPx ack.
      return WRONG;
    case 'drip':
      // One 0xff byte per 200 ms: HTTP and MQTT judge the first byte, RLPx its 2-byte size
      // prefix; TLS (a 5-byte record header) and HTTP/2 (a 9-byte frame header) need more than a
      // deadline's worth of it: no answer, but they say how many bytes came (dripDetail).
      return scheme === 'http' || scheme === 'mqtt' || scheme === 'mqtt+ws' || scheme === 'rlpx' ? WRONG : SILENT;
    case 'half-open':
      // A FIN in answer to our first bytes. MQTT and RLPx say no answer came (no CONNACK, no ack:
      // the protocol is not proven either way); the others name the protocol that was not spoken.
      return scheme === 'mqtt' || scheme === 'rlpx' ? SILENT : WRONG;
  }
}

/** What the TLS family and gRPC say of a drip: bytes came, the handshake did not complete. */
function dripDetail(scheme: Scheme): RegExp | undefined {
  const bytes = `^connected, then \\d+ bytes? within ${DEADLINE_MS} ms, but`;
  if (scheme === 'grpc') return new RegExp(`${bytes} no HTTP/2 SETTINGS frame: the HTTP/2 handshake did not complete`);
  const tlsFamily = ['tls', 'https', 'mqtts', 'mqtt+wss', 'grpcs'];
  if (tlsFamily.includes(scheme)) return new RegExp(`${bytes} the TLS handshake did not complete`);
  return undefined;
}

const withFor = (scheme: Scheme) => (scheme === 'rlpx' ? { nodeId: NODE_ID } : {});

/** Waits (bounded) for the descriptor count to come back to `baseline`; returns the last count. */
async function settleFds(baseline: number): Promise<number> {
  let now = await openFds();
  for (let i = 0; i < 20 && now !== baseline; i++) {
    await new Promise((r) => setTimeout(r, 50));
    now = await openFds();
  }
  return now;
}

async function probeAgainst(_peer: HostilePeer, url: string, withOpts: Record<string, unknown>) {
  const t0 = performance.now();
  const { value: r, growthMiB } = await peakRssGrowth(() => probeUrl(url, withOpts, { timeoutMs: DEADLINE_MS }));
  return { r, ms: performance.now() - t0, growthMiB };
}

describe.each(Object.keys(TCP_PEERS) as TcpPeerKind[])('TCP peer that %s', (kind) => {
  it.each(SCHEMES)(`%s:// ends within ${DEADLINE_MS} + ${MARGIN_MS} ms, truthfully, no fd left`, async (scheme) => {
    const baseline = await openFds();
    const peer = await startTcpPeer(kind);
    try {
      const { r, ms, growthMiB } = await probeAgainst(peer, `${scheme}://127.0.0.1:${peer.port}`, withFor(scheme));
      const [state, reason] = expected(kind, scheme);
      expect({ state: r.state, reason: r.reason, detail: r.detail }).toMatchObject({ state, reason });
      const drip = kind === 'drip' ? dripDetail(scheme) : undefined;
      if (drip) expect(r.detail).toMatch(drip);
      // Not "no answer": 0xff bytes did come.
      if (kind === 'drip') expect(r.detail).not.toMatch(/no answer/);
      expect(ms).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
      expect(growthMiB).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
      expect(peer.accepted()).toBe(1);
    } finally {
      await peer.close();
    }
    expect(await settleFds(baseline)).toBe(baseline);
  });
});

describe('UDP peer that reads and never answers', () => {
  it.each(['udp', 'wireguard', 'discv4'])(
    `%s:// is open|filtered, no-response, by ${DEADLINE_MS} + ${MARGIN_MS} ms`,
    async (scheme) => {
      const baseline = await openFds();
      const peer = await startSilentUdpPeer();
      try {
        const { r, ms, growthMiB } = await probeAgainst(peer, `${scheme}://127.0.0.1:${peer.port}`, {});
        expect({ state: r.state, reason: r.reason, outcome: r.outcome }).toEqual({
          state: 'open|filtered',
          reason: 'no-response',
          outcome: 'inconclusive',
        });
        expect(ms).toBeGreaterThanOrEqual(DEADLINE_MS - 5);
        expect(ms).toBeLessThanOrEqual(DEADLINE_MS + MARGIN_MS);
        expect(growthMiB).toBeLessThan(RSS_GROWTH_LIMIT_MIB);
        expect(peer.accepted()).toBeGreaterThanOrEqual(1);
      } finally {
        await peer.close();
      }
      expect(await settleFds(baseline)).toBe(baseline);
    },
  );
});

describe('the memory measure itself', () => {
  it(`sees an unbounded reader of the flood peer: more than ${RSS_GROWTH_LIMIT_MIB} MiB`, async () => {
    // What a prober without a read limit would do: keep every byte until the deadline. Bounded by
    // bytes (twice the limit) and by time, so it stops even on a slow machine.
    const peer = await startTcpPeer('flood');
    try {
      const { value: held, growthMiB } = await peakRssGrowth(
        () =>
          new Promise<number>((resolve, reject) => {
            const chunks: Buffer[] = [];
            let bytes = 0;
            const socket = connect(peer.port, '127.0.0.1');
            const done = () => {
              clearTimeout(timer);
              socket.destroy();
              resolve(chunks.reduce((n, c) => n + c.length, 0));
            };
            const timer = setTimeout(done, 5000);
            socket.on('error', reject);
            socket.on('data', (c: Buffer) => {
              chunks.push(c);
              bytes += c.length;
              if (bytes >= 2 * RSS_GROWTH_LIMIT_MIB * 2 ** 20) done();
            });
          }),
      );
      expect(held).toBeGreaterThanOrEqual(2 * RSS_GROWTH_LIMIT_MIB * 2 ** 20);
      expect(growthMiB).toBeGreaterThan(RSS_GROWTH_LIMIT_MIB);
    } finally {
      await peer.close();
    }
  });
});
