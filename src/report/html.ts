// --format html and the daemon's status page: one self-contained page (no CDN, no script), the
// component in the middle, one arrow per row to its destination coloured by outcome, and the
// matrix table with reason and hint below.
import type { CheckResult, Outcome, RunReport } from '../types.js';
import { htmlText } from './escape.js';
import { portLabel } from './text.js';

const COLOUR: Record<Outcome, string> = { pass: '#1a7f37', fail: '#cf222e', warn: '#bf8700', inconclusive: '#8250df', skip: '#6e7781' };

// Every text, from the profile or from the peer, goes through htmlText (escape.ts).
const esc = (s: string): string => htmlText(s);

/** Where the line from (fx,fy) to the centre (tx,ty) of a box of half-size hw×hh meets its border. */
function edge(fx: number, fy: number, tx: number, ty: number, hw: number, hh: number): [number, number] {
  const dx = fx - tx;
  const dy = fy - ty;
  const t = Math.min(dx ? hw / Math.abs(dx) : Infinity, dy ? hh / Math.abs(dy) : Infinity, 1) * 1.06;
  return [tx + dx * t, ty + dy * t];
}

/** Star diagram: out rows point from the component to their destination, in rows point at it. */
function diagram(run: RunReport): string {
  const rows = run.results;
  const w = 760;
  const h = Math.max(320, 70 + rows.length * 34);
  const cx = w / 2;
  const cy = h / 2;
  const parts: string[] = [];
  const n = rows.length;
  rows.forEach((r, i) => {
    // Spread the destinations around an ellipse; out rows on the right half, in rows on the left.
    const angle = -Math.PI / 2 + (Math.PI * 2 * (i + 0.5)) / Math.max(1, n);
    const x = cx + Math.cos(angle) * (w / 2 - 110);
    const y = cy + Math.sin(angle) * (h / 2 - 40);
    const c = COLOUR[r.outcome];
    // Lines run between the two boxes' edges, so that the arrowhead stays visible.
    const [a, b] = r.dir === 'out' ? [edge(x, y, cx, cy, 90, 24), edge(cx, cy, x, y, 80, 16)] : [edge(cx, cy, x, y, 80, 16), edge(x, y, cx, cy, 90, 24)];
    const [x1, y1, x2, y2] = [a[0], a[1], b[0], b[1]];
    parts.push(
      `<g class="arrow" data-row="${esc(r.id)}" data-outcome="${r.outcome}">` +
        `<line x1="${x1.toFixed(1)}" y1="${y1.toFixed(1)}" x2="${x2.toFixed(1)}" y2="${y2.toFixed(1)}" stroke="${c}" stroke-width="3" marker-end="url(#head-${r.outcome})"/>` +
        `<rect x="${(x - 80).toFixed(1)}" y="${(y - 16).toFixed(1)}" width="160" height="32" rx="6" fill="#fff" stroke="${c}" stroke-width="2"/>` +
        `<text x="${x.toFixed(1)}" y="${(y - 2).toFixed(1)}" text-anchor="middle" font-size="12">${esc(r.destination === run.profile.component ? r.source : r.destination)}</text>` +
        `<text x="${x.toFixed(1)}" y="${(y + 11).toFixed(1)}" text-anchor="middle" font-size="10" fill="${c}">${esc(portLabel(r.port))} ${esc(r.outcome.toUpperCase())}</text>` +
        `</g>`,
    );
  });
  const markers = (Object.keys(COLOUR) as Outcome[])
    .map((o) => `<marker id="head-${o}" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${COLOUR[o]}"/></marker>`)
    .join('');
  return `<svg role="img" aria-label="network paths of ${esc(run.profile.component)}" viewBox="0 0 ${w} ${h}" width="100%" style="max-width:${w}px"><defs>${markers}</defs>${parts.join('')}` +
    `<g class="component"><rect x="${cx - 90}" y="${cy - 24}" width="180" height="48" rx="10" fill="#24292f"/><text x="${cx}" y="${cy + 5}" text-anchor="middle" fill="#fff" font-size="15" font-weight="bold">${esc(run.profile.component)}</text></g></svg>`;
}

function tableRow(r: CheckResult): string {
  const c = COLOUR[r.outcome];
  return `<tr data-row="${esc(r.id)}" data-outcome="${r.outcome}"><td>${esc(r.id)}</td><td>${esc(r.dir)}</td><td>${esc(r.source)}</td><td>${esc(r.destination)}</td><td>${esc(portLabel(r.port))}</td><td>${esc(r.service)}</td><td>${esc(r.type)}</td><td>${esc(r.status)}</td>` +
    `<td class="outcome" style="color:#fff;background:${c}">${r.outcome.toUpperCase()}</td><td>${esc(r.state)}</td><td>${esc(r.reason)}</td><td>${Math.round(r.timings.totalMs)} ms</td>` +
    `<td>${esc(r.detail)}${r.hint ? `<div class="hint">${esc(r.hint)}</div>` : ''}</td></tr>`;
}

function section(run: RunReport): string {
  const s = run.summary;
  const counts = (Object.keys(COLOUR) as Outcome[]).filter((o) => s[o]).map((o) => `<span class="count" data-outcome="${o}" style="background:${COLOUR[o]}">${s[o]} ${o}</span>`).join(' ');
  return `<section data-profile="${esc(run.profile.id)}" data-exit="${run.exitCode}">
<h2>${esc(run.profile.framework)} ${esc(run.profile.component)} <small>(${esc(run.profile.scenario)})</small></h2>
<p class="summary">${counts} · ${run.exitCode === 0 ? 'all mandatory paths work' : 'a mandatory path is broken'} · checked ${esc(run.startedAt)} in ${run.durationMs} ms${run.profile.reference ? ` · matrix: ${esc(run.profile.reference)}` : ''}</p>
${diagram(run)}
<table><thead><tr><th>id</th><th>dir</th><th>source</th><th>destination</th><th>port</th><th>service</th><th>type</th><th>status</th><th>outcome</th><th>state</th><th>reason</th><th>time</th><th>what happened / what to do</th></tr></thead>
<tbody>${run.results.map(tableRow).join('\n')}</tbody></table>
</section>`;
}

export interface HtmlOptions {
  /** Seconds between reloads (the daemon's page); none for a report file. */
  refreshSeconds?: number;
  title?: string;
}

export function renderHtml(runs: RunReport | RunReport[], opts: HtmlOptions = {}): string {
  const list = Array.isArray(runs) ? runs : [runs];
  const title = opts.title ?? `fedprobe: ${list.map((r) => r.profile.id).join(', ')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
${opts.refreshSeconds ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}<title>${esc(title)}</title>
<style>
body{font-family:system-ui,-apple-system,Segoe UI,sans-serif;margin:1.5rem;color:#24292f}
h1{font-size:1.3rem}h2{font-size:1.1rem;margin-top:2rem}small{color:#57606a;font-weight:normal}
table{border-collapse:collapse;font-size:.85rem;width:100%}th,td{border:1px solid #d0d7de;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.hint{color:#0969da;margin-top:.2rem}.count{color:#fff;border-radius:1rem;padding:.1rem .6rem}
.outcome{font-weight:bold;text-align:center}
</style></head><body>
<h1>${esc(title)}</h1>
${list.length ? list.map(section).join('\n') : '<p class="summary">No run has finished yet.</p>'}
<footer><small>fedprobe ${esc(list[0]?.tool.version ?? '')}</small></footer>
</body></html>
`;
}
