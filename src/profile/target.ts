// Parses a probe URL (variables already substituted) into a ProbeTarget. Used at load time, with
// placeholder values, to reject bad URLs early, and at expand time for real.
import { PROBE_SCHEMES, type ProbeScheme, type ProbeTarget } from '../types.js';
import { PORT_PATTERN } from './schema.js';

export const UDP_SCHEMES: ReadonlySet<ProbeScheme> = new Set<ProbeScheme>(['udp', 'wireguard', 'discv4']);

export function isProbeScheme(s: string): s is ProbeScheme {
  return (PROBE_SCHEMES as readonly string[]).includes(s);
}

/** `tcp/1883` → ['tcp', 1883]. The schema has already checked the form. */
export function parsePortColumn(port: string): { protocol: 'tcp' | 'udp'; port: number } {
  const m = PORT_PATTERN.exec(port);
  if (!m) throw new Error(`"${port}" is not a port such as tcp/1883`);
  return { protocol: m[1]!.toLowerCase() as 'tcp' | 'udp', port: Number(m[2]) };
}

/** Throws an Error whose message says what was expected; callers add file and path. */
export function parseTarget(url: string, portColumn: string): ProbeTarget {
  const column = parsePortColumn(portColumn);
  const schemeEnd = url.indexOf('://');
  if (schemeEnd <= 0) throw new Error(`"${url}" is not a URL such as tcp://host:port (known schemes: ${PROBE_SCHEMES.join(', ')})`);
  const scheme = url.slice(0, schemeEnd).toLowerCase();
  if (!isProbeScheme(scheme)) throw new Error(`unknown probe scheme "${scheme}://" (known: ${PROBE_SCHEMES.join(', ')})`);

  if (scheme === 'listen') {
    // listen://tcp/8484 : no host, the port is on this machine.
    const m = /^listen:\/\/(tcp|udp)\/([0-9]{1,5})\/?$/i.exec(url);
    if (!m) throw new Error(`"${url}" is not a listen URL such as listen://tcp/8484`);
    const port = Number(m[2]);
    if (port < 1 || port > 65535) throw new Error(`port ${port} is out of range 1-65535`);
    const protocol = m[1]!.toLowerCase() as 'tcp' | 'udp';
    if (protocol !== column.protocol) throw new Error(`probe listens on ${protocol} but the port column says ${portColumn}`);
    return { scheme, url, host: '', port, protocol, path: '' };
  }

  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`"${url}" is not a valid URL`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new Error(`"${url}" has no host`);
  // A URL without an explicit port uses the matrix's port column (new URL() also drops default ports).
  const port = parsed.port ? Number(parsed.port) : column.port;
  const protocol = UDP_SCHEMES.has(scheme) ? 'udp' : 'tcp';
  if (protocol !== column.protocol) throw new Error(`${scheme}:// speaks ${protocol} but the port column says ${portColumn}`);
  return { scheme, url, host, port, protocol, path: parsed.pathname + parsed.search };
}
