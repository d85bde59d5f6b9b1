// --format table (the default): the matrix in the framework's own columns plus the verdict,
// with what happened and what to do under every row that did not pass. Every text from the peer or
// the profile goes through terminalText(): only fedprobe's own colour codes reach the terminal.
import type { CheckResult, Outcome, RunReport } from '../types.js';
import { MAX_CELL, terminalText as t } from './escape.js';
import { columns, painter, portLabel, type Colour } from './text.js';

export interface TableOptions {
  color: boolean;
}

const OUTCOME_COLOUR: Record<Outcome, Colour> = { pass: 'green', fail: 'red', warn: 'yellow', inconclusive: 'magenta', skip: 'gray' };

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
}

function verdictLine(run: RunReport): string {
  if (run.exitCode === 0) return run.summary.fail ? 'exit 0 (only optional rows failed)' : 'exit 0';
  return run.strict ? 'exit 1 (a row failed or was inconclusive, --strict)' : 'exit 1 (a mandatory row failed)';
}

export function renderTable(run: RunReport, opts: TableOptions): string {
  const paint = painter(opts.color);
  const p = run.profile;
  const lines: string[] = [];
  lines.push(paint('bold', t(`${p.framework} ${p.component} (${p.scenario})`)) + paint('gray', `  profile ${t(p.id)} · fedprobe ${t(run.tool.version)}`));
  if (p.reference) lines.push(paint('gray', `matrix: ${t(p.reference)}`));
  lines.push('');
  const header = ['id', 'dir', 'source', 'destination', 'port', 'service', 'type', 'status', 'outcome', 'state', 'reason', 'time'];
  const body: string[][] = [header.map((h) => paint('bold', h))];
  const notes = new Map<number, string[]>();
  run.results.forEach((r: CheckResult, i) => {
    const cell = (s: string) => t(s, MAX_CELL);
    body.push([
      cell(r.id), r.dir, cell(r.source), cell(r.destination), cell(portLabel(r.port)), cell(r.service), r.type, r.status,
      paint(OUTCOME_COLOUR[r.outcome], r.outcome.toUpperCase()), r.state, r.reason, ms(r.timings.totalMs),
    ]);
    const n: string[] = [];
    if (r.outcome !== 'pass') {
      n.push(`  ↳ ${t(r.detail)}${r.code ? ` [${t(r.code, MAX_CELL)}]` : ''}`);
      if (r.hint) n.push(paint('blue', `  → ${t(r.hint)}`));
    }
    notes.set(i + 1, n);
  });
  columns(body).forEach((line, i) => {
    lines.push(line);
    for (const n of notes.get(i) ?? []) lines.push(n);
  });
  lines.push('');
  const s = run.summary;
  const counts = (['pass', 'fail', 'warn', 'inconclusive', 'skip'] as const).filter((o) => s[o] > 0).map((o) => paint(OUTCOME_COLOUR[o], `${s[o]} ${o}`));
  const proxied = new Map<string, number>();
  for (const r of run.results) if (r.via !== 'direct') proxied.set(r.via, (proxied.get(r.via) ?? 0) + 1);
  for (const [via, n] of proxied) lines.push(paint('gray', `${n} of ${run.results.length} rows went through ${t(via.replace(/^proxy /, 'the proxy '))} (--proxy direct to bypass it)`));
  lines.push(`${run.results.length} ${run.results.length === 1 ? "row" : "rows"}: ${counts.join(', ') || 'none'} · ${verdictLine(run)} · ${ms(run.durationMs)}`);
  return lines.join('\n') + '\n';
}
