// A probe URL template (`mqtt://${network_host}:1883`) split into scheme, host, port and the rest
// before any value is put in, so that each variable is known to be a host, a port or part of the
// path, and a value can never move from one part to another (`127.0.0.1:9/x?` is not a host).
import { quote } from '../errors.js';

export interface ProbeTemplate {
  scheme: string;
  /** Host text, without brackets; '' for listen://. */
  host: string;
  /** The host was written in brackets (`[${v6}]` or `[::1]`). */
  bracketed: boolean;
  /** Text after the host's ":", when there is one. */
  port: string | undefined;
  /** Path, query and fragment; for listen:// everything after the scheme. */
  rest: string;
}

/** Throws an Error that says what is wrong with the URL's form. */
export function splitProbe(template: string): ProbeTemplate {
  const schemeEnd = template.indexOf('://');
  if (schemeEnd <= 0) throw new Error(`${quote(template)} is not a URL such as tcp://host:port`);
  const scheme = template.slice(0, schemeEnd).toLowerCase();
  if (scheme.includes('${')) throw new Error('the scheme cannot come from a variable');
  const after = template.slice(schemeEnd + 3);
  if (scheme === 'listen') return { scheme, host: '', bracketed: false, port: undefined, rest: after };
  const end = after.search(/[/?#\\]/);
  const authority = end === -1 ? after : after.slice(0, end);
  const rest = end === -1 ? '' : after.slice(end);
  if (authority.includes('@')) {
    throw new Error(
      'credentials do not belong in the probe URL (user:password@): give them under with:, from a secret variable',
    );
  }
  let host: string;
  let port: string | undefined;
  let bracketed = false;
  if (authority.startsWith('[')) {
    const close = authority.indexOf(']');
    if (close === -1) throw new Error(`${quote(template)} opens "[" for an IPv6 address but never closes it`);
    host = authority.slice(1, close);
    bracketed = true;
    const tail = authority.slice(close + 1);
    if (tail !== '' && !tail.startsWith(':'))
      throw new Error(`${quote(template)} has text after the IPv6 address's "]"`);
    port = tail === '' ? undefined : tail.slice(1);
  } else {
    const colon = authority.indexOf(':');
    if (colon !== authority.lastIndexOf(':'))
      throw new Error(`${quote(template)}: an IPv6 address in a URL is written in brackets, e.g. tcp://[fd77::2]:1883`);
    host = colon === -1 ? authority : authority.slice(0, colon);
    port = colon === -1 ? undefined : authority.slice(colon + 1);
  }
  if (host === '') throw new Error(`${quote(template)} has no host`);
  if (port === '') throw new Error(`${quote(template)} has a ":" but no port after it`);
  return { scheme, host, bracketed, port, rest };
}

export function joinProbe(t: {
  scheme: string;
  host: string;
  bracketed: boolean;
  port: string | undefined;
  rest: string;
}): string {
  if (t.scheme === 'listen') return `listen://${t.rest}`;
  const host = t.bracketed ? `[${t.host}]` : t.host;
  return `${t.scheme}://${host}${t.port !== undefined ? `:${t.port}` : ''}${t.rest}`;
}
