// Parses a probe URL (variables already substituted) into a ProbeTarget. Used at load time, with
// placeholder values, to reject bad URLs early, and at expand time for real.
import { isIP } from 'node:net';
import { extraScheme, knownSchemes } from '../probers/options.js';
import { PROBE_SCHEMES, type ProbeScheme, type ProbeTarget } from '../types.js';
import { hostProblem, portProblem } from './host.js';
import { splitProbe } from './probe-url.js';
import { didYouMean } from './suggest.js';

export const UDP_SCHEMES: ReadonlySet<ProbeScheme> = new Set<ProbeScheme>(['udp', 'wireguard', 'discv4']);

/** A built-in scheme, or one registered from outside (registerProber), which from here on travels
 * as a ProbeScheme: every lookup by scheme (optionsFor, loadProber) knows the registered ones. */
export function isProbeScheme(s: string): s is ProbeScheme {
  return (PROBE_SCHEMES as readonly string[]).includes(s) || extraScheme(s) !== undefined;
}

/** The transport a scheme speaks, for the port column's `tcp/` or `udp/`. */
function schemeProtocol(scheme: ProbeScheme): 'tcp' | 'udp' {
  return extraScheme(scheme)?.protocol ?? (UDP_SCHEMES.has(scheme) ? 'udp' : 'tcp');
}

export function unknownSchemeMessage(scheme: string): string {
  const known = knownSchemes();
  const hint = didYouMean(scheme, known, (s) => `${s}://`);
  const named = JSON.stringify(`${scheme.slice(0, 40)}://`);
  return `unknown probe scheme ${named} (${hint ? `${hint} ` : ''}known: ${known.join(', ')})`;
}

/** A port column with its value in: `tcp/1883`, never `tcp/${name}`. */
const RESOLVED_PORT = /^(tcp|udp)\/([0-9]{1,5})$/i;

/** `tcp/1883` → ['tcp', 1883]. The schema has already checked the form; a loaded profile's rows
 * carry their port variables' defaults (load.ts), an expanded row the operator's values. */
export function parsePortColumn(port: string): { protocol: 'tcp' | 'udp'; port: number } {
  const m = RESOLVED_PORT.exec(port);
  if (!m) throw new Error(`"${port}" is not a port such as tcp/1883`);
  return { protocol: m[1]!.toLowerCase() as 'tcp' | 'udp', port: Number(m[2]) };
}

/** Throws an Error whose message says what was expected; callers add file and path. */
export function parseTarget(url: string, portColumn: string): ProbeTarget {
  const column = parsePortColumn(portColumn);
  const parts = splitProbe(url);
  const scheme = parts.scheme;
  if (!isProbeScheme(scheme)) throw new Error(unknownSchemeMessage(scheme));

  if (scheme === 'listen') {
    // listen://tcp/8484 : no host, the port is on this machine.
    const m = /^listen:\/\/(tcp|udp)\/([0-9]{1,5})\/?$/i.exec(url);
    if (!m) throw new Error(`${JSON.stringify(url.slice(0, 80))} is not a listen URL such as listen://tcp/8484`);
    const bad = portProblem(m[2]!);
    if (bad) throw new Error(`port ${m[2]} ${bad}`);
    const port = Number(m[2]);
    const protocol = m[1]!.toLowerCase() as 'tcp' | 'udp';
    if (protocol !== column.protocol)
      throw new Error(`probe listens on ${protocol} but the port column says ${portColumn}`);
    return { scheme, url, host: '', port, protocol, path: '' };
  }

  const badHost = hostProblem(parts.host);
  if (badHost) throw new Error(`the host ${JSON.stringify(parts.host.slice(0, 80))} ${badHost}`);
  if (parts.port !== undefined) {
    const badPort = portProblem(parts.port);
    if (badPort) throw new Error(`the port ${JSON.stringify(parts.port.slice(0, 20))} ${badPort}`);
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`${JSON.stringify(url.slice(0, 120))} is not a valid URL`);
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  // The URL parser must agree with the split: the host is the one written, never one smuggled in.
  if (isIP(parts.host) === 0 && host.toLowerCase() !== parts.host.toLowerCase())
    throw new Error(`${JSON.stringify(url.slice(0, 120))} does not name ${parts.host} as its host`);
  // Without an explicit port, the matrix's port column (new URL() also drops default ports, so the
  // split's port is the one written).
  const port = parts.port !== undefined ? Number(parts.port) : column.port;
  const protocol = schemeProtocol(scheme);
  if (protocol !== column.protocol)
    throw new Error(`${scheme}:// speaks ${protocol} but the port column says ${portColumn}`);
  return { scheme, url, host, port, protocol, path: parsed.pathname + parsed.search };
}
