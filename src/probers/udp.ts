// udp:// — one datagram on a *connected* socket. Only a connected socket is told about the ICMP
// port-unreachable that means "closed"; an unconnected one just hears silence. Silence itself
// proves nothing (a DROP rule and a quiet service look the same), so it is open|filtered.
import DgramAsPromised from 'dgram-as-promised';
import { aborted } from '../probe/socket.js';
import type { Prober } from '../types.js';

/** What fedprobe sends when a row gives no payload; `fedprobe respond` echoes exactly this. */
export const UDP_PROBE_PAYLOAD = Buffer.from('fedprobe udp probe\n');

export function decodePayload(text: string | undefined): Buffer {
  if (text === undefined) return UDP_PROBE_PAYLOAD;
  return text.startsWith('hex:') ? Buffer.from(text.slice(4), 'hex') : Buffer.from(text, 'utf8');
}

export const probeUdp: Prober = async (check, ctx) => {
  const payload = decodePayload(check.with['payload'] as string | undefined);
  // A fresh socket per probe: after a recv timeout, dgram-as-promised keeps rejecting with it.
  const sock = DgramAsPromised.createSocket(ctx.family === 6 ? 'udp6' : 'udp4');
  try {
    await new Promise<void>((resolve, reject) => {
      sock.socket.once('error', reject);
      sock.socket.connect(check.target.port, ctx.address, () => {
        sock.socket.removeListener('error', reject);
        resolve();
      });
    });
    await new Promise<void>((resolve, reject) => sock.socket.send(payload, (err) => (err ? reject(err) : resolve())));
    try {
      const packet = await Promise.race([sock.recv(), aborted(ctx.signal)]);
      ctx.phase('firstByte');
      const bytes = packet?.msg.length ?? 0;
      return { state: 'open', reason: 'ok', detail: `a ${bytes}-byte reply came back`, facts: { replyBytes: bytes }, timings: { totalMs: 0 } };
    } catch (e) {
      if (e instanceof Error && e.name === 'TimeoutError') {
        return {
          state: 'open|filtered',
          reason: 'no-response',
          detail: `no reply and no ICMP error within ${ctx.timeoutMs} ms: open (a service that stays quiet) or filtered (a firewall dropping)`,
          facts: {},
          timings: { totalMs: 0 },
        };
      }
      throw e;
    }
  } finally {
    // dgram-as-promised's destroy() only removes its own listeners: without close() every probe
    // leaked a descriptor and a ref'd handle that kept the process (the CLI) alive.
    sock.destroy();
    sock.socket.on('error', () => {});
    try {
      sock.socket.close();
    } catch {
      // already closed
    }
  }
};
