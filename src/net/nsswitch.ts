// Which sources glibc asks for a host name, from the `hosts:` line of /etc/nsswitch.conf. fedprobe
// resolves a name by itself only when that line names nothing but `files` and `dns` (the idea of
// Go's resolver): anything else (mdns, myhostname, resolve, ldap, sss, wins …) is a module only
// glibc can run, so the lookup stays with getaddrinfo().

type Source = 'files' | 'dns';

/** The sources in order; `stopIfNotFound`: `[NOTFOUND=return]` after a source that is not last. */
export type HostSources = { kind: 'own'; order: { source: Source; stopIfNotFound: boolean }[] };
type Fallback = { kind: 'getaddrinfo'; why: string };

// The action glibc takes on each status when a source names none: only a source that returns on
// success and continues otherwise behaves the way our own lookup does.
const DEFAULT_ACTION: Record<string, string> = {
  success: 'return',
  notfound: 'continue',
  unavail: 'continue',
  tryagain: 'continue',
};

/** The `hosts:` line of an nsswitch.conf text, or undefined when the file has none. */
function hostsLine(text: string): string | undefined {
  let found: string | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.replace(/#.*/, '').trim();
    const m = /^hosts\s*:(.*)$/i.exec(line);
    if (m) found = m[1]!.trim(); // glibc takes the last one
  }
  return found;
}

/**
 * How to look up host names under this nsswitch.conf text (undefined: the file does not exist,
 * where glibc, musl and Go all end up asking /etc/hosts, then DNS).
 */
export function hostSources(text: string | undefined): HostSources | Fallback {
  if (text === undefined) return { kind: 'own', order: [{ source: 'files', stopIfNotFound: false }, dnsLast()] };
  const line = hostsLine(text);
  if (!line) return { kind: 'own', order: [{ source: 'files', stopIfNotFound: false }, dnsLast()] };
  // "files [NOTFOUND=return] dns": a source, then its bracketed criteria.
  const tokens = line.match(/\[[^\]]*\]|[^\s[]+/g) ?? [];
  const order: HostSources['order'] = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i]!;
    if (token.startsWith('['))
      return { kind: 'getaddrinfo', why: `nsswitch.conf hosts: criteria out of place (${line})` };
    const source = token.toLowerCase();
    if (source !== 'files' && source !== 'dns') {
      return { kind: 'getaddrinfo', why: `nsswitch.conf hosts: source "${source}" needs glibc` };
    }
    if (order.some((o) => o.source === source)) return { kind: 'getaddrinfo', why: `nsswitch.conf hosts: ${line}` };
    const criteria = tokens[i + 1]?.startsWith('[') ? tokens[++i]! : '';
    const last = !tokens.slice(i + 1).some((t) => !t.startsWith('['));
    const actions = parseCriteria(criteria);
    if (!actions) return { kind: 'getaddrinfo', why: `nsswitch.conf hosts: criteria ${criteria}` };
    // After the last source every status ends the lookup anyway: any action there is the default.
    let stopIfNotFound = false;
    for (const [status, action] of actions) {
      if (last || action === DEFAULT_ACTION[status]) continue;
      if (status === 'notfound' && action === 'return') stopIfNotFound = true;
      else return { kind: 'getaddrinfo', why: `nsswitch.conf hosts: ${source} ${criteria}` };
    }
    order.push({ source, stopIfNotFound });
  }
  if (order.length === 0) return { kind: 'getaddrinfo', why: `nsswitch.conf hosts: ${line}` };
  return { kind: 'own', order };
}

function dnsLast(): { source: Source; stopIfNotFound: boolean } {
  return { source: 'dns', stopIfNotFound: false };
}

/** `[NOTFOUND=return !UNAVAIL=continue]` as status → action, or undefined for what we do not model
 * (a negation, an unknown status or action). */
function parseCriteria(criteria: string): Map<string, string> | undefined {
  const actions = new Map<string, string>();
  const body = criteria.replace(/^\[|\]$/g, '').trim();
  if (!body) return actions;
  for (const pair of body.split(/\s+/)) {
    const m = /^([a-z]+)=([a-z]+)$/i.exec(pair);
    if (!m) return undefined; // "!UNAVAIL=return" and the like
    const status = m[1]!.toLowerCase();
    const action = m[2]!.toLowerCase();
    if (!(status in DEFAULT_ACTION) || !['return', 'continue'].includes(action)) return undefined;
    actions.set(status, action);
  }
  return actions;
}
