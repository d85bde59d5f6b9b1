// What may stand in the host part of a probe URL: a host name or an IP literal, nothing that
// could move the probe elsewhere (a port, a path, user info) or that no resolver would accept.
import { isIP } from 'node:net';

const MAX_NAME = 253;
const MAX_LABEL = 63;
const LABEL = /^[A-Za-z0-9_](?:[A-Za-z0-9_-]*[A-Za-z0-9_])?$/;

const FORBIDDEN: [RegExp, string][] = [
  [/[\u0000-\u001f\u007f]/, 'contains a control character'],
  [/\s/, 'contains a space'],
  [
    /:/,
    'contains ":" (give only the host; the port comes from the profile, and an IPv6 address is given alone, e.g. ' +
      'fd77::2)',
  ],
  [/[/\\]/, 'contains "/" (give only the host, without a path)'],
  [/[?#]/, 'contains "?" or "#" (give only the host)'],
  [/@/, 'contains "@" (user names and passwords never go in a host; give them as secret variables)'],
  [/%/, 'contains "%" (IPv6 zone ids are not supported; give a global or unique-local address)'],
  [/[^\x20-\x7e]/, 'contains non-ASCII characters (give an internationalised name in its xn-- form)'],
];

/** Why `host` (brackets already removed) is not a host name or IP literal, or undefined when it is. */
export function hostProblem(host: string): string | undefined {
  if (host === '') return 'is empty';
  if (isIP(host) !== 0) return host.includes('%') ? FORBIDDEN[6]![1] : undefined;
  if (host.length > MAX_NAME) return `is ${host.length} characters long; a host name has at most ${MAX_NAME}`;
  for (const [re, why] of FORBIDDEN) if (re.test(host)) return why;
  const name = host.endsWith('.') ? host.slice(0, -1) : host;
  const labels = name.split('.');
  for (const label of labels) {
    if (label === '') return 'has an empty label (two dots in a row, or a leading dot)';
    if (label.length > MAX_LABEL) return `has a label of ${label.length} characters; a label has at most ${MAX_LABEL}`;
    if (!LABEL.test(label))
      return (
        `has a label "${label}" with characters other than letters, digits, "-" and "_", or one that starts or ` +
        `ends with "-"`
      );
  }
  // URL parsers read 10.1, 127.1 or 0x7f.1 as IPv4 addresses: say so rather than probe a surprise.
  if (/^(?:0x[0-9a-f]*|[0-9]+)$/i.test(labels[labels.length - 1]!))
    return 'is not a valid IPv4 address (four numbers 0-255, such as 10.0.0.5)';
  return undefined;
}

/** A port given as text: 1-65535, digits only. */
export function portProblem(text: string): string | undefined {
  if (!/^[0-9]{1,5}$/.test(text)) return 'is not a port number (1-65535)';
  const n = Number(text);
  if (n < 1 || n > 65535)
    return `is out of range: a port is 1-65535${n === 0 ? ' (port 0 means "any port" and cannot be probed)' : ''}`;
  return undefined;
}
