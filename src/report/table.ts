// --format table (the default): the matrix in the framework's own columns plus the verdict,
// with what happened and what to do under every row that did not pass. Every text from the peer or
// the profile goes through terminalText(): only fedprobe's own colour codes reach the terminal.
//
// Given a width (a terminal's columns), every line fits it, and a row's outcome is always on the
// row's own line: low-value columns are folded first (type dropped; dir, source and destination
// become one "peer" column; status becomes a mark on the outcome; then state and time go), then
// long names are cut with "…", and below MIN_TABLE_WIDTH each row becomes a block of lines.
// Without a width (piped, a file) the full matrix is printed and nothing is cut.
import type { CheckResult, Outcome, RunReport } from '../types.js';
import { MAX_CELL, terminalText as t } from '../escape.js';
import { portLabel } from './text.js';

export interface TableOptions {
  color: boolean;
  /** Columns to fit; undefined: no limit. */
  width?: number | undefined;
}

/** Below this many columns a table of even the folded columns is unreadable: one block per row. */
export const MIN_TABLE_WIDTH = 70;

// Only codes readable on dark and light backgrounds alike: bold in the default foreground, and the
// base colours red, green, yellow and magenta in bold. Never blue, whose dark shade vanishes on dark
// terminals, nor "bright black" (90), which some dark themes draw in the background colour; what
// is secondary stays in the default colour, unstyled. One code per sequence, as tmux sends them.
const SGR = {
  bold: ['1'],
  pass: ['1', '32'],
  fail: ['1', '31'],
  warn: ['1', '33'],
  inconclusive: ['1', '35'],
  skip: ['1'],
} as const;
type Style = keyof typeof SGR;
/** Every SGR code the table may emit: tests hold the terminal capture to this list. */
export const TABLE_SGR_CODES: readonly string[] = [...new Set([...Object.values(SGR).flat(), '0'])];

type Paint = (style: Style, s: string) => string;
const paintWith = (on: boolean): Paint =>
  on ? (style, s) => (s ? `${SGR[style].map((c) => `\x1b[${c}m`).join('')}${s}\x1b[0m` : s) : (_s, s) => s;

function ms(n: number): string {
  return n >= 1000 ? `${(n / 1000).toFixed(1)} s` : `${Math.round(n)} ms`;
}

function verdictLine(run: RunReport): string {
  if (run.exitCode === 0) return run.summary.fail ? 'exit 0 (only optional rows failed)' : 'exit 0';
  return run.strict ? 'exit 1 (a row failed or was inconclusive, --strict)' : 'exit 1 (a mandatory row failed)';
}

const OPTIONAL_MARK = '*';
const cell = (s: string) => t(s, MAX_CELL);
/** The other end of the path, seen from this component: who connects in, or where it goes out to. */
const peer = (r: CheckResult) => (r.dir === 'in' ? `← ${cell(r.source)}` : `→ ${cell(r.destination)}`);
/** Status folded into the verdict: only a row that did not pass and does not count is marked. */
const markedOutcome = (r: CheckResult) =>
  r.outcome.toUpperCase() + (r.status === 'optional' && r.outcome !== 'pass' ? OPTIONAL_MARK : '');

interface Column {
  head: string;
  value: (r: CheckResult) => string;
  /** Narrowest width a cell may be cut to; absent: never cut. */
  min?: number;
  outcome?: boolean;
}

const COL = {
  id: { head: 'id', value: (r) => cell(r.id) },
  dir: { head: 'dir', value: (r) => r.dir },
  source: { head: 'source', value: (r) => cell(r.source), min: 10 },
  destination: { head: 'destination', value: (r) => cell(r.destination), min: 11 },
  peer: { head: 'peer', value: peer, min: 12 },
  port: { head: 'port', value: (r) => cell(portLabel(r.port)) },
  service: { head: 'service', value: (r) => cell(r.service), min: 10 },
  type: { head: 'type', value: (r) => r.type },
  status: { head: 'status', value: (r) => r.status },
  outcome: { head: 'outcome', value: (r) => r.outcome.toUpperCase(), outcome: true },
  marked: { head: 'outcome', value: markedOutcome, outcome: true },
  state: { head: 'state', value: (r) => r.state },
  reason: { head: 'reason', value: (r) => r.reason },
  time: { head: 'time', value: (r) => ms(r.timings.totalMs) },
} satisfies Record<string, Column>;

/** Widest first; the first that fits is used. `cut`: long cells may be shortened with "…". */
const LAYOUTS: { cols: Column[]; cut: boolean }[] = [
  {
    cols: [
      COL.id,
      COL.dir,
      COL.source,
      COL.destination,
      COL.port,
      COL.service,
      COL.type,
      COL.status,
      COL.outcome,
      COL.state,
      COL.reason,
      COL.time,
    ],
    cut: false,
  },
  {
    cols: [
      COL.id,
      COL.dir,
      COL.source,
      COL.destination,
      COL.port,
      COL.service,
      COL.status,
      COL.outcome,
      COL.state,
      COL.reason,
      COL.time,
    ],
    cut: false,
  },
  {
    cols: [COL.id, COL.peer, COL.port, COL.service, COL.status, COL.outcome, COL.state, COL.reason, COL.time],
    cut: false,
  },
  { cols: [COL.id, COL.peer, COL.port, COL.service, COL.marked, COL.state, COL.reason, COL.time], cut: false },
  { cols: [COL.id, COL.peer, COL.port, COL.service, COL.marked, COL.reason, COL.time], cut: false },
  // The time goes before any name is cut: a timeout is in the reason and the detail already.
  { cols: [COL.id, COL.peer, COL.port, COL.service, COL.marked, COL.reason], cut: false },
  { cols: [COL.id, COL.peer, COL.port, COL.service, COL.marked, COL.reason], cut: true },
];
const GAP = '  ';

/** Column widths for this layout within `width`, or undefined when it cannot fit. */
function fitWidths(cols: Column[], rows: string[][], width: number | undefined, cut: boolean): number[] | undefined {
  const widths = cols.map((c, i) => Math.max(c.head.length, ...rows.map((r) => r[i]!.length)));
  const total = () => widths.reduce((a, b) => a + b, 0) + GAP.length * (cols.length - 1);
  if (width === undefined || total() <= width) return widths;
  if (!cut) return undefined;
  // Narrow the widest cuttable column one character at a time: the cut is shared where it costs least.
  while (total() > width) {
    let widest = -1;
    cols.forEach((c, i) => {
      const floor = Math.max(c.min ?? Infinity, c.head.length);
      if (widths[i]! > floor && (widest < 0 || widths[i]! > widths[widest]!)) widest = i;
    });
    if (widest < 0) return undefined;
    widths[widest]!--;
  }
  return widths;
}

function clip(s: string, width: number): string {
  return s.length <= width ? s : `${s.slice(0, Math.max(0, width - 1))}…`;
}

/** Greedy word wrap to `width` (undefined: none); a word longer than a line is split. */
export function wrap(text: string, width: number | undefined, indent: string): string[] {
  if (width === undefined || text.length <= width) return [text];
  const lead = /^ */.exec(text)![0];
  const lines: string[] = [];
  let line = lead;
  const room = () => width - line.length;
  for (let word of text.slice(lead.length).split(' ')) {
    const prefix = line.trim() === '' ? '' : ' ';
    if (prefix.length + word.length > room() && line.trim() !== '') {
      lines.push(line);
      line = indent;
    }
    while (word.length > width - line.length) {
      const part = Math.max(1, width - line.length);
      lines.push(line + word.slice(0, part));
      word = word.slice(part);
      line = indent;
    }
    line += (line.trim() === '' ? '' : ' ') + word;
  }
  lines.push(line);
  return lines.filter((l, i) => i === 0 || l.trim() !== '');
}

/** What happened and what to do, under a row that did not pass. */
function notes(r: CheckResult, width: number | undefined, paint: Paint): string[] {
  if (r.outcome === 'pass') return [];
  const out = wrap(`  ↳ ${t(r.detail)}${r.code ? ` [${t(r.code, MAX_CELL)}]` : ''}`, width, '    ');
  if (r.hint) out.push(...wrap(`  → ${t(r.hint)}`, width, '    ').map((l) => paint('bold', l)));
  return out;
}

function tableLines(run: RunReport, width: number | undefined, paint: Paint): string[] | undefined {
  for (const { cols, cut } of LAYOUTS) {
    const rows = run.results.map((r) => cols.map((c) => c.value(r)));
    const widths = fitWidths(cols, rows, width, cut);
    if (!widths) continue;
    // Painted before padding, so that a colour never runs on over the gap.
    const line = (cells: string[], style: (i: number, s: string) => string) =>
      cells
        .map((s, i) => {
          const shown = clip(s, widths[i]!);
          return style(i, shown) + (i === cells.length - 1 ? '' : ' '.repeat(widths[i]! - shown.length));
        })
        .join(GAP)
        .trimEnd();
    const out = [
      line(
        cols.map((c) => c.head),
        (_i, s) => paint('bold', s),
      ),
    ];
    run.results.forEach((r, k) => {
      out.push(line(rows[k]!, (i, s) => (cols[i]!.outcome ? paint(r.outcome, s) : s)));
      out.push(...notes(r, width, paint));
    });
    if (cols.includes(COL.marked) && run.results.some((r) => markedOutcome(r).endsWith(OPTIONAL_MARK))) {
      const legend = `${OPTIONAL_MARK} optional row: it does not change the exit code (unless --strict)`;
      out.push(...wrap(legend, width, '  '));
    }
    return out;
  }
  return undefined;
}

/** Parts joined by `sep` on lines that start with `indent`, broken only between parts (a part
 * wider than a line is word-wrapped). */
function wrapParts(parts: string[], sep: string, width: number, indent: string): string[] {
  const lines: string[] = [];
  let line = indent;
  for (const part of parts) {
    if (line !== indent && line.length + sep.length + part.length > width) {
      lines.push(line);
      line = indent;
    }
    line += (line === indent ? '' : sep) + part;
  }
  lines.push(line);
  return lines.flatMap((l) => wrap(l, width, indent));
}

/** One block per row for narrow terminals: the verdict, id, port and service first. */
function blockLines(run: RunReport, width: number, paint: Paint): string[] {
  const w = Math.max(...run.results.map((r) => r.outcome.length));
  const indent = '    ';
  const out: string[] = [];
  for (const r of run.results) {
    const head = clip(`${cell(r.id)}  ${cell(portLabel(r.port))}  ${cell(r.service)}`, Math.max(1, width - w - 2));
    out.push(`${paint(r.outcome, r.outcome.toUpperCase())}${' '.repeat(w - r.outcome.length)}  ${head}`);
    const facts = [`${r.dir} ${peer(r)}`, r.type, r.status, `${r.state} ${r.reason}`, ms(r.timings.totalMs)];
    out.push(...wrapParts(facts, ' · ', width, indent));
    out.push(...notes(r, width, paint));
  }
  return out;
}

export function renderTable(run: RunReport, opts: TableOptions): string {
  const paint = paintWith(opts.color);
  const width = opts.width === undefined ? undefined : Math.max(20, Math.floor(opts.width));
  const p = run.profile;
  const lines: string[] = [];
  const title = t(`${p.framework} ${p.component} (${p.scenario})`);
  const meta = `profile ${t(p.id)} · fedprobe ${t(run.tool.version)}`;
  if (width === undefined || title.length + 2 + meta.length <= width) lines.push(`${paint('bold', title)}  ${meta}`);
  else lines.push(...wrap(title, width, '  ').map((l) => paint('bold', l)), ...wrap(meta, width, '  '));
  if (p.reference) lines.push(...wrap(`matrix: ${t(p.reference)}`, width, '  '));
  lines.push(...inputLines(run, width));
  lines.push('');
  const table = width === undefined || width >= MIN_TABLE_WIDTH ? tableLines(run, width, paint) : undefined;
  lines.push(...(table ?? blockLines(run, width!, paint)));
  lines.push('');
  const proxied = new Map<string, number>();
  for (const r of run.results) if (r.via !== 'direct') proxied.set(r.via, (proxied.get(r.via) ?? 0) + 1);
  for (const [via, n] of proxied) {
    const proxy = t(via.replace(/^proxy /, 'the proxy '));
    const text = `${n} of ${run.results.length} rows went through ${proxy} (--proxy direct to bypass it)`;
    lines.push(...wrap(text, width, '  '));
  }
  lines.push(...summary(run, width, paint));
  return `${lines.join('\n')}\n`;
}

/** `check --from`: each value the framework's configuration gave, with its source (a secret's is a path). */
function inputLines(run: RunReport, width: number | undefined): string[] {
  if (!run.inputs?.length) return [];
  const lines = ["variables from the framework's configuration:"];
  for (const i of run.inputs) {
    const notes = [
      t(i.source),
      ...(i.secret ? ['a secret, used by reference'] : []),
      ...(i.overriddenBy ? [`replaced by ${t(i.overriddenBy)}`] : []),
    ];
    lines.push(...wrap(`  ${t(i.name, MAX_CELL)} = ${t(i.value)}  (${notes.join('; ')})`, width, '    '));
  }
  return lines;
}

/** "5 rows: 1 pass, 2 fail · exit 1 (…) · 3.0 s", broken at its " · " when too wide. */
function summary(run: RunReport, width: number | undefined, paint: Paint): string[] {
  const s = run.summary;
  const n = run.results.length;
  const order = ['pass', 'fail', 'warn', 'inconclusive', 'skip'] as const satisfies readonly Outcome[];
  const shown = order.filter((o) => s[o] > 0);
  const rows = `${n} ${n === 1 ? 'row' : 'rows'}`;
  const parts = [
    {
      plain: `${rows}: ${shown.map((o) => `${s[o]} ${o}`).join(', ') || 'none'}`,
      painted: `${rows}: ${shown.map((o) => paint(o, `${s[o]} ${o}`)).join(', ') || 'none'}`,
    },
    { plain: verdictLine(run), painted: verdictLine(run) },
    { plain: ms(run.durationMs), painted: ms(run.durationMs) },
  ];
  const lines: string[] = [];
  let plain = '';
  let painted = '';
  for (const part of parts) {
    if (plain && width !== undefined && plain.length + 3 + part.plain.length > width) {
      lines.push(painted);
      plain = '';
      painted = '';
    }
    plain += (plain ? ' · ' : '') + part.plain;
    painted += (painted ? ' · ' : '') + part.painted;
  }
  lines.push(painted);
  // A part wider than the terminal on its own (a very narrow one): wrapped as words.
  if (width === undefined) return lines;
  return lines.flatMap((l) => (l.replace(/\x1b\[[0-9;]*m/g, '').length > width ? wrap(l, width, '  ') : [l]));
}
