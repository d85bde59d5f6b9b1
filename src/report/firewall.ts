// --format firewall (Markdown) and --format csv: a change request the network team can file. Per
// opening: source (host name and the source address used), destination (name and resolved
// addresses), protocol and port, direction, and the justification from the profile. After a run it
// lists the failing rows that a firewall change would fix, and apart from them the failures no
// firewall change will fix; after `check --all` (nothing sent) it lists every row.
import type { CheckResult, RunReport } from '../types.js';
import { csvField, markdownText as md } from '../escape.js';
import { REQUEST_HEADER, isPlan, needsOpening, requestCells, requestLine } from './request.js';
import { portLabel, sentence, sentences } from './text.js';

function mdTable(run: RunReport, rows: CheckResult[]): string[] {
  return [
    `| ${REQUEST_HEADER.join(' | ')} |`,
    `|${REQUEST_HEADER.map(() => '---').join('|')}|`,
    ...rows.map(
      (r) =>
        `| ${requestCells(requestLine(run, r))
          .map((x) => md(x))
          .join(' | ')} |`,
    ),
  ];
}

function heading(run: RunReport): string[] {
  const p = run.profile;
  const host = run.host ? `on the host ${md(run.host)}` : 'on this machine';
  return [
    `# Firewall change request: ${md(p.framework)} ${md(p.component)} (${md(p.scenario)})`,
    '',
    `Component: ${md(p.framework)} ${md(p.component)} ${host} (fedprobe profile ${md(p.id)}).`,
    '',
  ];
}

/** Where the matrix comes from, last: provenance for whoever reviews the request. */
function reference(run: RunReport): string[] {
  return run.profile.reference ? [`Matrix reference: ${md(sentence(run.profile.reference))}`, ''] : [];
}

function planned(run: RunReport): string[] {
  const allow = run.results.filter((r) => requestLine(run, r).action === 'allow');
  const rest = run.results.filter((r) => !allow.includes(r));
  const lines = [
    `Prepared by fedprobe ${md(run.tool.version)} on ${md(run.startedAt)} with \`check --all\`: every row of the ` +
      `profile, ` +
      "before anything is installed. Host names were resolved and each source address is the one this machine's " +
      'routes select; no traffic was sent to any destination.',
    '',
    `## Openings to allow (${allow.length})`,
    '',
  ];
  lines.push(...(allow.length ? mdTable(run, allow) : ['No opening is needed.']), '');
  if (rest.length) {
    lines.push(
      `## No opening: keep as it is (${rest.length})`,
      '',
      'Listed so that the request is complete: these paths must stay closed to other machines.',
      '',
    );
    lines.push(...mdTable(run, rest), '');
  }
  const unresolved = run.results.filter((r) => r.reason === 'dns-error');
  for (const r of unresolved) lines.push(`- **${md(r.id)}**: ${md(sentences(r.detail, r.hint))}`);
  if (unresolved.length) lines.push('');
  return lines;
}

function checked(run: RunReport): string[] {
  const open = run.results.filter(needsOpening);
  const other = run.results.filter((r) => r.outcome !== 'pass' && r.outcome !== 'skip' && !needsOpening(r));
  const working = run.results.length - open.length - other.length;
  const works =
    working === 0 ? 'no other row works yet' : `${working} other ${working === 1 ? 'row works' : 'rows work'} already`;
  const lines = [
    `Checked by fedprobe ${md(run.tool.version)} on ${md(run.startedAt)}. Only the rows that failed are listed; ` +
      `${works}. \`check --all\` lists the whole request without sending traffic.`,
    '',
  ];
  if (open.length === 0)
    lines.push('No firewall opening is needed: every row that failed, if any, failed for another reason (below).', '');
  else {
    lines.push(
      `## Please allow (${open.length})`,
      '',
      'These paths are dropped or rejected on the way. Allow them from the source to the destination, on the ' +
        'protocol and port given.',
      '',
    );
    lines.push(...mdTable(run, open), '');
  }
  if (other.length) {
    lines.push(
      `## Not a firewall problem (${other.length})`,
      '',
      'The path works or cannot be judged from here; the fix is on the service side.',
      '',
    );
    lines.push(...mdTable(run, other), '');
    for (const r of other) lines.push(`- **${md(r.id)}**: ${md(sentences(r.detail, r.hint))}`);
    lines.push('');
  }
  return lines;
}

export function renderFirewall(run: RunReport): string {
  return [...heading(run), ...(isPlan(run) ? planned(run) : checked(run)), ...reference(run)].join('\n');
}

/** --format csv: every row with the request's columns, its outcome and whether it needs an opening. */
export function renderCsv(run: RunReport): string {
  const header = [
    ...REQUEST_HEADER,
    'matrix port',
    'outcome',
    'state',
    'reason',
    'needs opening',
    'detail',
    'hint',
    'comment',
  ];
  const rows = run.results.map((r) => [
    ...requestCells(requestLine(run, r)),
    portLabel(r.port),
    r.outcome,
    r.state,
    r.reason,
    needsOpening(r) ? 'yes' : 'no',
    sentence(r.detail),
    sentence(r.hint),
    r.comment ?? '',
  ]);
  return `${[header, ...rows].map((row) => row.map((x) => csvField(x)).join(',')).join('\r\n')}\r\n`;
}
