// The one bounded name lookup, for a run (run.ts) and a plan (plan.ts) alike, raced against the
// row's deadline (held strongly) and the shutdown signal.
//
// getaddrinfo() cannot be cancelled: it blocks a libuv thread for resolv.conf's timeout x attempts,
// and Node joins those threads at exit, so a silent resolver kept the process alive ≈10 s after
// its report (and after SIGTERM). Where nsswitch.conf leaves host names to `files` and `dns` only
// (most servers and containers), fedprobe therefore resolves by itself, as Go's resolver does:
// /etc/hosts (hosts-file.ts), then A/AAAA over c-ares (dns-query.ts), whose queries are cancelled
// at the deadline. Anything else in nsswitch.conf (mdns, myhostname, resolve, ldap, sss …), an
// option that changes answers, or resolver variables in the environment: getaddrinfo(), and its limit.
import { lookup } from 'node:dns/promises';
import { readFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';
import { ProbeError } from '../errors.js';
import type { Family } from '../types.js';
import { type DnsAnswer, queryDns } from './dns-query.js';
import { hostsFileAddresses } from './hosts-file.js';
import { type HostSources, hostSources } from './nsswitch.js';
import { parseResolvConf, type ResolvConf } from './resolv-conf.js';
import { afterAbort, holdDeadline } from './socket.js';

export type Found = { address: string; family: Family }[];

/**
 * Every A/AAAA address of `host`, each once. Rejects with a dns-error ProbeError (code ETIMEOUT)
 * when no answer came by the deadline, with code ENOTFOUND for a name that does not exist, ENODATA
 * for a name without addresses, EAI_AGAIN when no server gave a usable answer, or the shutdown's reason.
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
  // getaddrinfo() may settle after the race is lost; our own lookup rejects at the abort.
  const work = systemPlan(host).then((plan) => lookupBy(plan, host, family, deadline.signal));
  work.catch(() => undefined);
  try {
    const list = await Promise.race([work, late.promise]);
    if (list.length === 0) throw Object.assign(new Error(`${host} has no address`), { code: 'ENODATA' });
    return [...new Map(list.map((a) => [a.address, a])).values()];
  } catch (e) {
    if (!(e instanceof Error && e.name === 'TimeoutError')) throw e;
    throw new ProbeError('dns-error', `${e.message} (the resolver did not answer)`, {
      code: 'ETIMEOUT',
      state: 'unknown',
    });
  } finally {
    late.cancel();
    deadline.dispose();
  }
}

type Plan = { kind: 'own'; sources: HostSources['order']; hosts: string; conf: ResolvConf } | { kind: 'getaddrinfo' };

const read = (file: string) =>
  readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));

/** Read afresh for every lookup, as glibc does: a daemon sees an edited file on its next cycle. */
async function systemPlan(host: string): Promise<Plan> {
  try {
    // glibc's resolver reads these variables too; rare enough to leave them to it.
    if (['LOCALDOMAIN', 'RES_OPTIONS', 'HOSTALIASES'].some((v) => process.env[v])) return { kind: 'getaddrinfo' };
    // A host name that is not a DNS name (a zone, a backslash) is getaddrinfo's to interpret.
    if (/[%\\\s]/.test(host)) return { kind: 'getaddrinfo' };
    const [nss, hosts, resolv] = await Promise.all([
      read('/etc/nsswitch.conf'),
      read('/etc/hosts'),
      read('/etc/resolv.conf'),
    ]);
    const sources = hostSources(nss);
    if (sources.kind !== 'own') return { kind: 'getaddrinfo' };
    const conf = parseResolvConf(resolv ?? '', hostname());
    if (!('search' in conf)) return { kind: 'getaddrinfo' };
    return { kind: 'own', sources: sources.order, hosts: hosts ?? '', conf };
  } catch {
    return { kind: 'getaddrinfo' }; // a file we cannot read: glibc may be allowed to
  }
}

async function lookupBy(plan: Plan, host: string, family: Family | undefined, signal: AbortSignal): Promise<Found> {
  if (plan.kind === 'getaddrinfo') {
    const list = await lookup(host, { all: true, family: family ?? 0, verbatim: true });
    return list.map((a) => ({ address: a.address, family: a.family as Family }));
  }
  const start = performance.now();
  // RFC 6761 §6.3: localhost names are loopback, whether or not /etc/hosts says so, never a DNS question.
  const localhost = /(^|\.)localhost\.?$/i.test(host);
  let answer: DnsAnswer | undefined;
  for (const { source, stopIfNotFound } of plan.sources) {
    if (localhost && source === 'dns') continue;
    if (source === 'files') {
      const found = hostsFileAddresses(plan.hosts, host, family);
      if (found.length) return ordered(found);
    } else {
      answer = await queryDns(host, family, plan.conf, signal);
      if (answer.kind === 'found') return ordered([...answer.v6, ...answer.v4]);
    }
    // [NOTFOUND=return]: glibc's dns source says NOTFOUND for NXDOMAIN and NODATA alike.
    if (stopIfNotFound && (source === 'files' || answer?.kind === 'nxdomain' || answer?.kind === 'nodata')) break;
  }
  if (localhost) return [family === 6 ? loopback6 : loopback4];
  throw notFound(host, answer, plan.conf, Math.round(performance.now() - start));
}

const loopback4 = { address: '127.0.0.1', family: 4 as const };
const loopback6 = { address: '::1', family: 6 as const };

function notFound(host: string, answer: DnsAnswer | undefined, conf: ResolvConf, ms: number): Error {
  if (answer?.kind === 'failed' && answer.timedOut) {
    // The row's deadline was longer than resolv.conf lets a lookup wait, as getaddrinfo() would.
    const limits = `resolv.conf: timeout ${conf.timeoutMs / 1000} s, attempts ${conf.attempts}`;
    const message = `no DNS answer for ${host} within ${ms} ms (the resolver did not answer; ${limits})`;
    return new ProbeError('dns-error', message, { code: 'ETIMEOUT', state: 'unknown' });
  }
  if (answer?.kind === 'failed') {
    const why = FAILURES[answer.code] ?? `no usable answer from DNS (${answer.code})`;
    return new ProbeError('dns-error', `the name does not resolve: ${why}`, { code: 'EAI_AGAIN', state: 'unknown' });
  }
  const code = answer?.kind === 'nodata' ? 'ENODATA' : 'ENOTFOUND';
  return Object.assign(new Error(`${host}: ${code}`), { code });
}

/** c-ares' codes for a lookup no server answered usefully, in words. */
const FAILURES: Record<string, string> = {
  ECONNREFUSED: 'no DNS server could be reached',
  ESERVFAIL: 'the DNS server failed to answer (SERVFAIL)',
  EREFUSED: 'the DNS server refused the query (REFUSED)',
};

/**
 * RFC 6724's destination order, simplified (getaddrinfo sorts the same way): loopback ::1 first,
 * then global IPv6 when this machine has a global IPv6 address of its own, then IPv4, then other
 * IPv6 (unique-local, or global without a global source). Stable: otherwise the answer's order.
 */
function ordered(addresses: string[]): Found {
  const globalSource = Object.values(networkInterfaces()).some((list) =>
    list?.some((i) => i.family === 'IPv6' && !i.internal && isGlobal6(i.address)),
  );
  const precedence = (a: string) => {
    if (isIP(a) === 4) return 35;
    if (a === '::1') return 50;
    return isGlobal6(a) && globalSource ? 40 : 3;
  };
  return addresses
    .map((address) => ({ address, family: isIP(address) as Family }))
    .sort((x, y) => precedence(y.address) - precedence(x.address));
}

/** 2000::/3, the global unicast block. */
function isGlobal6(address: string): boolean {
  const first = Number.parseInt(address.split(':')[0] || '0', 16);
  return first >= 0x2000 && first <= 0x3fff;
}
