// --format firewall (Markdown) and --format csv: what the network team needs — the failing rows
// as firewall openings to request, in the framework matrix's own columns, and apart from them
// the failures no firewall change will fix (a service not running, a certificate...).
import type { CheckResult, Reason, RunReport } from '../types.js';
import { csvField, markdownText as md } from './escape.js';
import { portLabel } from './text.js';

/** Reasons that point at the path (firewall, router, proxy), not at the service. */
const PATH_REASONS: ReadonlySet<Reason> = new Set<Reason>(['timeout', 'unreachable', 'reset', 'proxy-error']);

export function needsOpening(r: CheckResult): boolean {
  if (r.outcome === 'pass' || r.outcome === 'skip' || r.expect === 'blocked') return false;
  return PATH_REASONS.has(r.reason) || r.state === 'open|filtered';
}

/** The host the row was probed at (a name or an address), from its probe URL. */
export function targetHost(r: CheckResult): string {
  if (r.probe.startsWith('listen://')) return 'this machine';
  try {
    return new URL(r.probe).hostname.replace(/^\[(.*)\]$/, '$1');
  } catch {
    return '';
  }
}

function addresses(r: CheckResult): string {
  const list = r.addresses.map((a) => a.address).filter((a) => a !== 'local');
  return list.length ? list.join(' ') : '';
}

const HEADER = ['dir', 'source machine', 'destination machine', 'destination host', 'destination addresses', 'destination port', 'service', 'status', 'observed', 'comment'];

function cells(r: CheckResult): string[] {
  return [r.dir, r.source, r.destination, targetHost(r), addresses(r), portLabel(r.port), r.service, r.status, `${r.state} (${r.reason})`, r.comment ?? ''];
}

function mdTable(rows: string[][]): string[] {
  return [`| ${HEADER.join(' | ')} |`, `|${HEADER.map(() => '---').join('|')}|`, ...rows.map((c) => `| ${c.map((x) => md(x)).join(' | ')} |`)];
}

export function renderFirewall(run: RunReport): string {
  const p = run.profile;
  const open = run.results.filter(needsOpening);
  const other = run.results.filter((r) => r.outcome !== 'pass' && r.outcome !== 'skip' && !needsOpening(r));
  const lines = [
    `# Network openings for ${md(p.framework)} ${md(p.component)} (${md(p.scenario)})`,
    '',
    `Checked by fedprobe ${md(run.tool.version)} on ${md(run.startedAt)} from this machine (the source of every "out" row).`,
    ...(p.reference ? [`Matrix: ${md(p.reference)}.`] : []),
    '',
  ];
  if (open.length === 0) lines.push('No firewall opening is needed: every row that failed, if any, failed for another reason (below).', '');
  else {
    lines.push(`## Please allow (${open.length})`, '', 'These paths are dropped or rejected on the way. Allow them from the source machine to the destination, on the port and protocol given.', '');
    lines.push(...mdTable(open.map(cells)), '');
  }
  if (other.length) {
    lines.push(`## Not a firewall problem (${other.length})`, '', 'The path works or cannot be judged from here; the fix is on the service side.', '');
    lines.push(...mdTable(other.map(cells)), '');
    for (const r of other) lines.push(`- **${md(r.id)}**: ${md(r.detail)}${r.hint ? ` ${md(r.hint)}` : ''}`);
    lines.push('');
  }
  return lines.join('\n');
}

/** --format csv: every row with its outcome and whether it needs a firewall opening. */
export function renderCsv(run: RunReport): string {
  const header = ['id', ...HEADER.slice(0, 8), 'outcome', 'state', 'reason', 'needs opening', 'detail', 'hint', 'comment'];
  const rows = run.results.map((r) => [r.id, ...cells(r).slice(0, 8), r.outcome, r.state, r.reason, needsOpening(r) ? 'yes' : 'no', r.detail, r.hint, r.comment ?? '']);
  return [header, ...rows].map((row) => row.map((x) => csvField(x)).join(',')).join('\r\n') + '\r\n';
}
