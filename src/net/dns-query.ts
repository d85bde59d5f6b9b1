// The `dns` source: A and AAAA queries through c-ares (node:dns Resolver), whose sockets live on the
// event loop and can be cancelled, unlike getaddrinfo() blocked in a libuv thread that Node joins
// at exit. One Resolver per lookup: it reads the name servers from resolv.conf as it is now, keeps
// no cache between lookups, and cancel() ends exactly this lookup's queries.
import { Resolver } from 'node:dns';
import type { Family } from '../types.js';
import { candidateNames, type ResolvConf } from './resolv-conf.js';

/** What DNS said about a name: addresses, or why there are none. */
export type DnsAnswer =
  | { kind: 'found'; v4: string[]; v6: string[] }
  /** Every candidate name is NXDOMAIN (or cannot be a DNS name): the name does not exist. */
  | { kind: 'nxdomain' }
  /** A candidate exists but has no A/AAAA record. */
  | { kind: 'nodata' }
  /** No server gave a usable answer (unreachable, SERVFAIL, REFUSED, its own timeout): `code` is c-ares'. */
  | { kind: 'failed'; code: string; timedOut: boolean };

type One = { kind: 'found'; addresses: string[] } | { kind: 'nxdomain' | 'nodata' } | { kind: 'failed'; code: string };

function query(resolver: Resolver, name: string, type: 4 | 6): Promise<One> {
  return new Promise((resolve) => {
    const done = (err: NodeJS.ErrnoException | null, addresses: string[]) => {
      if (!err) resolve(addresses.length ? { kind: 'found', addresses } : { kind: 'nodata' });
      else if (err.code === 'ENOTFOUND' || err.code === 'EBADNAME') resolve({ kind: 'nxdomain' });
      else if (err.code === 'ENODATA') resolve({ kind: 'nodata' });
      else resolve({ kind: 'failed', code: err.code ?? 'EAI_AGAIN' });
    };
    if (type === 4) resolver.resolve4(name, done);
    else resolver.resolve6(name, done);
  });
}

/**
 * Asks each candidate name of `name` (search list, ndots) for A and AAAA in turn, and stops at the
 * first with an address. `signal` cancels every query at once; the promise then rejects with its reason.
 */
export async function queryDns(
  name: string,
  family: Family | undefined,
  conf: ResolvConf,
  signal: AbortSignal,
): Promise<DnsAnswer> {
  const resolver = new Resolver({ timeout: conf.timeoutMs, tries: conf.attempts });
  const onAbort = () => resolver.cancel();
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const types: (4 | 6)[] = family ? [family] : [4, 6];
    let failed: { code: string; timedOut: boolean } | undefined;
    let nodata = false;
    for (const candidate of candidateNames(name, conf)) {
      const answers = await Promise.all(types.map((t) => query(resolver, candidate, t)));
      if (signal.aborted) throw signal.reason;
      const v4 = answers[types.indexOf(4)];
      const v6 = answers[types.indexOf(6)];
      const list = (a: One | undefined) => (a?.kind === 'found' ? a.addresses : []);
      if (list(v4).length || list(v6).length) return { kind: 'found', v4: list(v4), v6: list(v6) };
      for (const a of answers) {
        if (a.kind === 'nodata') nodata = true;
        if (a.kind !== 'failed') continue;
        // As glibc's res_search: a SERVFAIL moves on to the next candidate; a server that does not
        // answer (or cannot be reached) would not answer for the next one either.
        if (a.code !== 'ESERVFAIL') return { kind: 'failed', code: a.code, timedOut: a.code === 'ETIMEOUT' };
        failed = { code: a.code, timedOut: false };
      }
    }
    // A server that failed may know the name: that is not proof that it does not exist.
    if (failed) return { kind: 'failed', ...failed };
    return nodata ? { kind: 'nodata' } : { kind: 'nxdomain' };
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
