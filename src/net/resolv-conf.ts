// What /etc/resolv.conf asks of a client-side resolver beyond its name servers (c-ares reads those itself):
// the search list, ndots, and the per-try timeout and attempts. Node's Resolver queries a name as
// given (ares_query), so the search list is applied here, the way glibc's res_search and Go do.

export interface ResolvConf {
  search: string[];
  ndots: number;
  timeoutMs: number;
  attempts: number;
}

/** Options that change no answer we compute (transport, EDNS, caching of the file itself). */
const HARMLESS_OPTIONS = /^(rotate|edns0|trust-ad|no-reload|single-request|single-request-reopen|use-vc)$/;

/**
 * The file's search list, ndots, timeout and attempts (glibc's defaults where it says nothing:
 * ndots 1, 5 s, 2 attempts, the search domain from this machine's own name), or why fedprobe
 * should leave the lookup to getaddrinfo (an option that changes answers, e.g. `inet6`).
 */
export function parseResolvConf(text: string, hostname: string): ResolvConf | { why: string } {
  const conf: ResolvConf = { search: [], ndots: 1, timeoutMs: 5000, attempts: 2 };
  let search: string[] | undefined;
  for (const raw of text.split('\n')) {
    const words = raw
      .replace(/[#;].*/, '')
      .trim()
      .split(/\s+/);
    const [keyword, ...args] = words;
    // The last of `search` and `domain` wins, as in glibc.
    if (keyword === 'search') search = args.filter(Boolean);
    else if (keyword === 'domain') search = args[0] ? [args[0]] : [];
    else if (keyword === 'options') {
      for (const option of args) {
        const [name, value] = option.split(':');
        const n = Number(value);
        if (name === 'ndots' && Number.isInteger(n) && n >= 0) conf.ndots = Math.min(n, 15);
        else if (name === 'timeout' && Number.isInteger(n) && n >= 1) conf.timeoutMs = Math.min(n, 30) * 1000;
        else if (name === 'attempts' && Number.isInteger(n) && n >= 1) conf.attempts = Math.min(n, 5);
        else if (!HARMLESS_OPTIONS.test(option)) return { why: `resolv.conf option "${option}"` };
      }
    } else if (keyword === 'sortlist') return { why: 'resolv.conf sortlist' };
  }
  // Without search or domain, glibc searches the domain of this machine's own name.
  const dot = hostname.indexOf('.');
  conf.search = (search ?? (dot > 0 ? [hostname.slice(dot + 1)] : [])).map((d) => d.replace(/\.$/, '')).filter(Boolean);
  return conf;
}

/**
 * The fully qualified names to ask DNS, in order: a name with a trailing dot only as it is; a name
 * with at least `ndots` dots first as it is, then with each search domain; a shorter one with each
 * search domain first, then as it is.
 */
export function candidateNames(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const asIs = (name.match(/\./g)?.length ?? 0) >= conf.ndots;
  // A domain name is at most 253 characters written out (RFC 1035's 255 octets on the wire).
  const searched = conf.search.map((d) => `${name}.${d}`).filter((n) => n.length <= 253);
  const names = asIs ? [name, ...searched] : [...searched, name];
  return [...new Set(names)];
}
