// listen:// — for `dir: in` rows, checked on the component itself: does anything listen on the
// port, on which addresses, and is a localhost-only service really bound to loopback only?
// Read from /proc/net/*; no traffic is sent.
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { ProbeError } from '../errors.js';
import { errorCode } from '../net/error-kind.js';
import type { ListenFacts } from '../facts.js';
import type { Prober } from '../types.js';
import type { SchemeOptions } from './options.js';

/** What this prober says (the rule in src/messages.ts: each prober's sentences in one table). */
const SAY = {
  unreadable: (file: string, why: string) =>
    `cannot read ${file} (${why}): the listening ` + `sockets of this machine are unknown`,
  notListening: (protocol: string, port: number) => `nothing on this machine listens on ${protocol}/${port}`,
  allAddresses: (address: string) => `all addresses (${address})`,
  exposed: (where: string) => `should be reachable from this machine only, but listens on ${where}`,
  listening: (on: string) => `listening on ${on}`,
};

const TCP_LISTEN = '0A';
/** UDP sockets have no LISTEN state; a bound, unconnected socket shows 07 (TCP_CLOSE). */
const UDP_BOUND = '07';

/** /proc/net stores each 32-bit word of an address in host (little-endian) byte order. */
export function decodeProcAddress(hex: string): string {
  if (hex.length === 8) return Buffer.from(hex, 'hex').reverse().join('.');
  const words: string[] = [];
  for (let i = 0; i < 32; i += 8)
    words.push(
      Buffer.from(hex.slice(i, i + 8), 'hex')
        .reverse()
        .toString('hex'),
    );
  const hex32 = words.join('');
  // IPv4-mapped (a dual-stack socket's view of an IPv4 peer): written the usual dotted way.
  if (hex32.startsWith('00000000000000000000ffff')) return `::ffff:${Buffer.from(hex32.slice(24), 'hex').join('.')}`;
  const full = hex32.match(/.{4}/g)!.join(':');
  // The WHATWG URL parser writes IPv6 addresses in their canonical, compressed form.
  return new URL(`http://[${full}]/`).hostname.slice(1, -1);
}

export function isLoopback(address: string): boolean {
  if (address === '::1') return true;
  if (address.startsWith('::ffff:')) return isLoopback(address.slice(7));
  return isIP(address) === 4 && address.startsWith('127.');
}

export interface ListeningSocket {
  address: string;
  port: number;
  family: 4 | 6;
}

/**
 * Reads a socket table. A table that cannot be read is an error, never "nothing listens": that
 * would pass every `expect: blocked` row on a machine whose /proc is hidden (a hardened container).
 * Only a missing IPv6 table is normal (a kernel without IPv6): then no socket is IPv6.
 */
async function readTable(file: string, family: 4 | 6): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    const code = errorCode(e);
    if (family === 6 && code === 'ENOENT') return '';
    const why = SAY.unreadable(file, code ?? (e as Error).message);
    throw new ProbeError('error', why, { ...(code && { code }), cause: e, state: 'unknown' });
  }
}

export async function listeningSockets(protocol: 'tcp' | 'udp', procRoot = '/proc'): Promise<ListeningSocket[]> {
  const out: ListeningSocket[] = [];
  for (const family of [4, 6] as const) {
    const file = `${procRoot}/net/${protocol}${family === 6 ? '6' : ''}`;
    const text = await readTable(file, family);
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4) continue;
      const [addrHex, portHex] = cols[1]!.split(':') as [string, string];
      const state = cols[3]!;
      if (state !== (protocol === 'tcp' ? TCP_LISTEN : UDP_BOUND)) continue;
      // A UDP socket with a remote address is a client's connected socket, not a service.
      if (protocol === 'udp' && !/^0+:0000$/.test(cols[2]!)) continue;
      out.push({ address: decodeProcAddress(addrHex), port: parseInt(portHex, 16), family });
    }
  }
  return out;
}

export const probeListen: Prober<ListenFacts, SchemeOptions['listen']> = async (check, _ctx, opts) => {
  const { port, protocol } = check.target;
  const localOnly = opts.localOnly === true;
  const sockets = (await listeningSockets(protocol)).filter((s) => s.port === port);
  const addresses = [...new Set(sockets.map((s) => (s.family === 6 ? `[${s.address}]` : s.address)))];
  const facts = { listeningOn: addresses.map((a) => `${a}:${port}`), localOnly };
  if (sockets.length === 0) {
    return {
      state: 'closed',
      reason: 'not-listening',
      detail: SAY.notListening(protocol, port),
      facts,
    };
  }
  const exposed = sockets.filter((s) => !isLoopback(s.address));
  if (localOnly && exposed.length > 0) {
    const where = exposed
      .map((s) => (s.address === '0.0.0.0' || s.address === '::' ? SAY.allAddresses(s.address) : s.address))
      .join(', ');
    return {
      state: 'open',
      reason: 'exposed',
      detail: SAY.exposed(where),
      facts,
    };
  }
  return {
    state: 'open',
    reason: 'ok',
    detail: SAY.listening(facts.listeningOn.join(', ')),
    facts,
  };
};
