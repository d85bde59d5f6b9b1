// The columns of a firewall change request, one line per row, shared by --format firewall, csv and
// html: who talks to whom (host names and the addresses actually used or resolved), on which
// protocol and port, in which direction, and why (the row's purpose from the profile). Pure: every
// fact comes from the RunReport (the runner records source addresses, --all plans them).
import type { CheckResult, Reason, RunReport } from '../types.js';
import { sentence } from './text.js';

/** Reasons that point at the path (firewall, router, proxy), not at the service. */
const PATH_REASONS: ReadonlySet<Reason> = new Set<Reason>(['timeout', 'unreachable', 'reset', 'proxy-error']);

/** A failed row that a firewall opening would fix (from a real run). */
export function needsOpening(r: CheckResult): boolean {
  if (r.outcome === 'pass' || r.outcome === 'skip' || r.expect === 'blocked') return false;
  return PATH_REASONS.has(r.reason) || r.state === 'open|filtered';
}

/** The run planned the request (`check --all`): nothing was probed. */
export function isPlan(run: RunReport): boolean {
  return run.results.some((r) => r.reason === 'not-checked');
}

/** The host the row was probed at (a name or an address), from its probe URL; '' for listen://. */
export function targetHost(r: Pick<CheckResult, 'probe'>): string {
  if (r.probe.startsWith('listen://')) return '';
  try {
    return new URL(r.probe).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return '';
  }
}

function localOnly(r: CheckResult): boolean {
  return r.dir === 'in' && r.facts.localOnly === true;
}

/** What the network team is asked to do with the path. */
type Action =
  | 'allow'
  | 'allow (works already)'
  | 'keep blocked'
  | 'none (this machine only)'
  | 'none (fix the service)';

/** In a plan every path the component needs is requested; after a run, what the run showed decides. */
function actionFor(r: CheckResult, plan: boolean): Action {
  if (r.expect === 'blocked') return 'keep blocked';
  if (localOnly(r)) return 'none (this machine only)';
  if (plan || needsOpening(r)) return 'allow';
  return r.outcome === 'pass' || r.outcome === 'skip' ? 'allow (works already)' : 'none (fix the service)';
}

export interface RequestLine {
  id: string;
  action: Action;
  dir: string;
  /** Host name and matrix role of the side that opens the connection. */
  source: string;
  sourceAddresses: string;
  destination: string;
  destinationAddresses: string;
  protocol: string;
  port: string;
  service: string;
  status: string;
  justification: string;
  observed: string;
}

function unique(list: string[]): string[] {
  return [...new Set(list)];
}

function proxyLabel(r: CheckResult): string {
  return r.via.startsWith('proxy ') ? r.via.slice('proxy '.length) : '';
}

function outSourceAddresses(r: CheckResult): string {
  const proxy = proxyLabel(r);
  const local = unique(r.addresses.flatMap((a) => (a.localAddress ? [a.localAddress.address] : [])));
  if (local.length === 0)
    return proxy ? `this machine's address towards the proxy ${proxy}` : 'unknown (no route from this machine)';
  return proxy ? `${local.join(', ')} (towards the proxy ${proxy})` : local.join(', ');
}

function outDestinationAddresses(r: CheckResult): string {
  const proxy = proxyLabel(r);
  if (proxy) return `resolved by the proxy ${proxy}`;
  const list = r.addresses.map((a) => a.address).filter((a) => a !== 'local');
  return list.length
    ? list.join(', ')
    : `none (${r.reason === 'dns-error' ? 'the name does not resolve' : 'not resolved'})`;
}

/** Addresses a listener was found on (listen:// facts: `0.0.0.0:8484`, `[::1]:9094`). */
function listeningAddresses(r: CheckResult): string[] {
  return (r.facts.listeningOn ?? []).map((x) => x.replace(/:\d+$/, '').replace(/^\[(.*)\]$/, '$1'));
}

/** The justification: the profile's purpose, else what the matrix row says, as one sentence. */
function justification(run: RunReport, r: CheckResult): string {
  const who = `${run.profile.framework} ${run.profile.component}`;
  if (r.purpose) return sentence(r.purpose);
  return r.dir === 'out'
    ? sentence(`${who} connects to ${r.destination} over ${r.service}`)
    : sentence(`${who} accepts ${r.service} connections from ${r.source}`);
}

function observed(r: CheckResult): string {
  if (r.reason === 'not-checked') return 'not checked (planned)';
  return `${r.outcome}: ${r.state} (${r.reason})`;
}

export function requestLine(run: RunReport, r: CheckResult): RequestLine {
  const me = run.host ?? 'this machine';
  const [protocol = '', port = ''] = r.port.split('/');
  const common = {
    id: r.id,
    action: actionFor(r, isPlan(run)),
    dir: r.dir,
    protocol: protocol.toUpperCase(),
    port,
    service: r.service,
    status: r.status,
    justification: justification(run, r),
    observed: observed(r),
  };
  if (r.dir === 'in') {
    // Inbound: the peer opens the connection, so it is the source; this machine is the destination.
    const listening = listeningAddresses(r);
    return {
      ...common,
      source: localOnly(r) ? `${me} (${r.source}, on this machine)` : r.source,
      sourceAddresses: localOnly(r) ? '127.0.0.1, ::1 (loopback only)' : `the addresses of the ${r.source}`,
      destination: `${me} (${r.destination})`,
      destinationAddresses: listening.length ? listening.join(', ') : "this machine's addresses",
    };
  }
  const host = targetHost(r);
  return {
    ...common,
    source: `${me} (${r.source})`,
    sourceAddresses: outSourceAddresses(r),
    destination: host && host !== r.destination ? `${host} (${r.destination})` : r.destination,
    destinationAddresses: outDestinationAddresses(r),
  };
}

/** Column titles, in the order of requestCells(). */
export const REQUEST_HEADER = [
  'id',
  'action',
  'dir',
  'source',
  'source addresses',
  'destination',
  'destination addresses',
  'protocol',
  'port',
  'service',
  'status',
  'justification',
  'observed',
] as const;

export function requestCells(l: RequestLine): string[] {
  return [
    l.id,
    l.action,
    l.dir,
    l.source,
    l.sourceAddresses,
    l.destination,
    l.destinationAddresses,
    l.protocol,
    l.port,
    l.service,
    l.status,
    l.justification,
    l.observed,
  ];
}
