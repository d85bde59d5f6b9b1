// The one bounded name lookup, for a run (run.ts) and a plan (plan.ts) alike. getaddrinfo() cannot
// be cancelled and may wait 5 s per attempt per resolver, so it is raced against the row's deadline
// (held strongly) and the shutdown signal; the lookup itself finishes in the background.
import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { Family } from '../types.js';
import { afterAbort, holdDeadline } from './socket.js';

export type Found = { address: string; family: Family }[];

/**
 * Every A/AAAA address of `host`, each once (/etc/hosts may list one twice). Rejects with code
 * EAI_AGAIN at the deadline, ENODATA for a name without addresses, or the lookup's own error.
 */
export async function lookupWithin(
  host: string,
  family: Family | undefined,
  ms: number,
  signal?: AbortSignal,
): Promise<Found> {
  const literal = isIP(host);
  if (literal) return [{ address: host, family: literal as Family }];
  const deadline = holdDeadline(ms, signal, `no DNS answer for ${host} within ${ms} ms`);
  const late = afterAbort(deadline.signal, 0);
  const found = lookup(host, { all: true, family: family ?? 0, verbatim: true });
  found.catch(() => undefined); // it may settle after the race is lost
  try {
    const list = await Promise.race([found, late.promise]);
    if (list.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENODATA' });
    return [...new Map(list.map((a) => [a.address, { address: a.address, family: a.family as Family }])).values()];
  } catch (e) {
    const timedOut = e instanceof Error && e.name === 'TimeoutError';
    throw timedOut ? Object.assign(new Error(e.message), { code: 'EAI_AGAIN' }) : e;
  } finally {
    late.cancel();
    deadline.dispose();
  }
}
