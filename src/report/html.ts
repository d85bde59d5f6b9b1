// --format html and the daemon's status page: one self-contained page (no CDN, no external font,
// one small inline script allowed by its hash and nothing else): a ready / not-ready banner first
// (the same verdict as /readyz and the exit code), then per profile a lane diagram sized to its
// rows, the rows' history (the daemon's page; a report is one run), and the matrix table with
// reason and hint. Times are written as ISO in `datetime`/`data-at` and shown in UTC, so the page
// is right without JavaScript; the script rewrites them to the reader's local time and "3 min ago".
import { createHash } from 'node:crypto';
import type { RowHistory } from '../daemon/history.js';
import { runProblems } from '../daemon/readiness.js';
import type { CheckResult, Outcome, RunReport } from '../types.js';
import { cap, htmlText } from '../escape.js';
import { requestLine } from './request.js';
import { portLabel, sentence } from './text.js';

const COLOUR: Record<Outcome, string> = {
  pass: '#1a7f37',
  fail: '#cf222e',
  warn: '#bf8700',
  inconclusive: '#8250df',
  skip: '#6e7781',
};

// Every text, from the profile or from the peer, goes through htmlText (escape.ts).
const esc = (s: string): string => htmlText(s);

// ---- times ----------------------------------------------------------------------------------

/** "2026-11-24 10:00:00 UTC": what a reader without JavaScript sees. */
function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** "just now", "5 s ago", "3 min ago", "2 h ago", "4 days ago" (or "in …" for a clock ahead of ours). */
export function relative(ms: number, now: number): string {
  const s = Math.round((now - ms) / 1000);
  const a = Math.abs(s);
  if (a < 2) return 'just now';
  const t =
    a < 60
      ? `${a} s`
      : a < 3600
        ? `${Math.round(a / 60)} min`
        : a < 172_800
          ? `${Math.round(a / 3600)} h`
          : `${Math.round(a / 86_400)} days`;
  return s < 0 ? `in ${t}` : `${t} ago`;
}

/**
 * A point in time. `abs`: the date and time, plus "(N min ago)" when the page knows its own render
 * time (the daemon's; a report file read next week must not say "5 s ago"). `rel`: "N min ago"
 * alone, the date in the tooltip, for the daemon's page only.
 */
function timeTag(ms: number, now: number | undefined, style: 'abs' | 'rel' = 'abs'): string {
  const iso = new Date(ms).toISOString();
  const ago = now !== undefined ? relative(ms, now) : undefined;
  const text = style === 'rel' && ago ? ago : `${utc(ms)}${ago ? ` (${ago})` : ''}`;
  return `<time datetime="${iso}" data-style="${style}" title="${utc(ms)}">${text}</time>`;
}

// The only script: local and relative times, refreshed every 15 s. It reads attributes the page
// wrote itself (ISO times, outcome words) and writes text and titles, never HTML.
const SCRIPT = `(function () {
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
  function rel(ms) {
    var s = Math.round((Date.now() - ms) / 1000), a = Math.abs(s);
    if (a < 2) return 'just now';
    var t = a < 60 ? a + ' s' : a < 3600 ? Math.round(a / 60) + ' min'
      : a < 172800 ? Math.round(a / 3600) + ' h' : Math.round(a / 86400) + ' days';
    return s < 0 ? 'in ' + t : t + ' ago';
  }
  function local(ms) {
    var d = new Date(ms), p = function (n) { return String(n).padStart(2, '0'); };
    return d.getFullYear() + '-' + p(d.getMonth() + 1) + '-' + p(d.getDate()) + ' ' +
      p(d.getHours()) + ':' + p(d.getMinutes()) + ':' + p(d.getSeconds());
  }
  function tick() {
    document.querySelectorAll('time[datetime]').forEach(function (el) {
      var ms = Date.parse(el.getAttribute('datetime'));
      el.title = local(ms) + ' ' + zone;
      el.textContent = el.getAttribute('data-style') === 'rel' ? rel(ms) : local(ms) + ' (' + rel(ms) + ')';
    });
    document.querySelectorAll('[data-at]').forEach(function (el) {
      var ms = Date.parse(el.getAttribute('data-at'));
      el.title = local(ms) + ' ' + zone + ', ' + rel(ms) + ': ' + el.getAttribute('data-what');
    });
  }
  tick();
  setInterval(tick, 15000);
})();`;

/** The page's Content-Security-Policy: nothing loads from anywhere, only this script runs. Also
 * sent as a header by the daemon, which adds frame-ancestors (a meta tag cannot). */
export const PAGE_CSP =
  `default-src 'none'; style-src 'unsafe-inline'; ` +
  `script-src 'sha256-${createHash('sha256').update(SCRIPT).digest('base64')}'; base-uri 'none'; form-action 'none'`;

// ---- diagram --------------------------------------------------------------------------------

const LANE = 58;
const BOX_W = 210;
const BOX_H = 46;
const COMP_W = 180;
const ARROW = 190;
const PAD = 12;
const MONO = 'ui-monospace,monospace';

/** host:port the row dials, from its probe URL; for a listen:// row, the port on this machine. */
export function peerOf(r: CheckResult): string {
  const port = r.port.split('/')[1] ?? '';
  // listen://tcp/9094: the port the probe read, which may differ from the matrix's column.
  if (r.probe.startsWith('listen:')) return `:${/(\d+)\/?$/.exec(r.probe)?.[1] ?? port} on this host`;
  try {
    const u = new URL(r.probe);
    return `${u.hostname}:${u.port || port}`;
  } catch {
    return r.port;
  }
}

/** The name on a row's box: the other end of the path (the source of an `in` row). */
const peerName = (r: CheckResult): string => (r.dir === 'in' ? r.source : r.destination);

/** An SVG element; attribute values are numbers or fedprobe's own words, `body` is escaped by the caller. */
function el(name: string, attrs: Record<string, string | number>, body?: string): string {
  const a = Object.entries(attrs)
    .map(([k, v]) => ` ${k}="${v}"`)
    .join('');
  return body === undefined ? `<${name}${a}/>` : `<${name}${a}>${body}</${name}>`;
}

const centred = { 'text-anchor': 'middle' } as const;

/** One lane per row: `in` rows on the left pointing at the component, `out` rows on the right. */
function diagram(run: RunReport, host: string | undefined): string {
  const ins = run.results.filter((r) => r.dir === 'in');
  const outs = run.results.filter((r) => r.dir === 'out');
  const lanes = Math.max(ins.length, outs.length, 1);
  const h = lanes * LANE - (LANE - BOX_H) + 2 * PAD;
  const compX = ins.length ? PAD + BOX_W + ARROW : PAD;
  const outX = compX + COMP_W + ARROW;
  const w = (outs.length ? outX + BOX_W : compX + COMP_W) + PAD;
  // The shorter side is centred against the longer one.
  const laneY = (i: number, n: number) => PAD + ((lanes - n) * LANE) / 2 + i * LANE + BOX_H / 2;
  const parts = run.results.map((r) => {
    const side = r.dir === 'in' ? ins : outs;
    const y = laneY(side.indexOf(r), side.length);
    const boxX = r.dir === 'in' ? PAD : outX;
    const [x1, x2] = r.dir === 'in' ? [PAD + BOX_W, compX - 3] : [compX + COMP_W, outX - 3];
    const mid = (x1 + x2) / 2;
    const c = COLOUR[r.outcome];
    const outcome = r.outcome.toUpperCase();
    const path = `${portLabel(r.port)} ${r.service}`;
    const tip = `${r.id}: ${r.source} → ${r.destination} (${peerOf(r)}), ${path}: ${outcome} (${r.reason})`;
    const top = y - BOX_H / 2;
    const tx = boxX + BOX_W / 2 + 3;
    return (
      `<g class="arrow" data-row="${esc(r.id)}" data-outcome="${r.outcome}"><title>${esc(tip)}</title>` +
      el('line', { x1, y1: y, x2, y2: y, stroke: c, 'stroke-width': 3, 'marker-end': `url(#head-${r.outcome})` }) +
      el('text', { x: mid, y: y - 7, ...centred, 'font-size': 11, fill: '#57606a' }, esc(cap(path, 30))) +
      el('text', { x: mid, y: y + 16, ...centred, 'font-size': 10, 'font-weight': 'bold', fill: c }, outcome) +
      el('rect', { x: boxX, y: top, width: BOX_W, height: BOX_H, rx: 6, fill: '#fff', stroke: c, 'stroke-width': 2 }) +
      el('rect', { x: boxX, y: top, width: 6, height: BOX_H, rx: 3, fill: c }) +
      el(
        'text',
        { class: 'name', x: tx, y: y - 4, ...centred, 'font-size': 13, 'font-weight': 600 },
        esc(cap(peerName(r), 26)),
      ) +
      el(
        'text',
        { class: 'peer', x: tx, y: y + 13, ...centred, 'font-size': 11, 'font-family': MONO, fill: '#57606a' },
        esc(cap(peerOf(r), 30)),
      ) +
      '</g>'
    );
  });
  const markers = (Object.keys(COLOUR) as Outcome[])
    .map((o) =>
      el(
        'marker',
        {
          id: `head-${o}`,
          viewBox: '0 0 10 10',
          refX: 10,
          refY: 5,
          markerWidth: 7,
          markerHeight: 7,
          orient: 'auto-start-reverse',
        },
        el('path', { d: 'M0,0 L10,5 L0,10 z', fill: COLOUR[o] }),
      ),
    )
    .join('');
  const cy = h / 2;
  const cx = compX + COMP_W / 2;
  const name = run.profile.component;
  const component =
    `<g class="component"><title>${esc(`${name}${host ? ` on ${host}` : ''}`)}</title>` +
    el('rect', { x: compX, y: PAD, width: COMP_W, height: h - 2 * PAD, rx: 10, fill: '#24292f' }) +
    el(
      'text',
      {
        class: 'name',
        x: cx,
        y: host ? cy - 3 : cy + 5,
        ...centred,
        fill: '#fff',
        'font-size': 15,
        'font-weight': 700,
      },
      esc(cap(name, 20)),
    ) +
    (host
      ? el(
          'text',
          { class: 'host', x: cx, y: cy + 15, ...centred, fill: '#d0d7de', 'font-size': 11, 'font-family': MONO },
          esc(cap(host, 26)),
        )
      : '') +
    '</g>';
  return (
    `<svg class="diagram" role="img" aria-label="network paths of ${esc(name)}" viewBox="0 0 ${w} ${h}" ` +
    `width="${w}" height="${h}" style="max-width:100%;height:auto"><defs>${markers}</defs>` +
    `${component}${parts.join('')}</svg>`
  );
}

// ---- history --------------------------------------------------------------------------------

/** Runs of the strip, oldest first, padded on the left to `size` so that strips line up. */
function strip(runs: RowHistory['runs'], size: number): string {
  const empty = '<span class="cell empty"></span>'.repeat(Math.max(0, size - runs.length));
  const cells = runs.map((m) => {
    const what = `${m.outcome.toUpperCase()} (${m.reason})`;
    const at = new Date(m.at).toISOString();
    return (
      `<span class="cell" data-outcome="${m.outcome}" style="background:${COLOUR[m.outcome]}" ` +
      `data-at="${at}" data-what="${esc(what)}" title="${utc(m.at)}: ${esc(what)}"></span>`
    );
  });
  return `<span class="strip">${empty}${cells.join('')}</span>`;
}

function historyRow(r: CheckResult, hist: RowHistory | undefined, size: number, now: number | undefined): string {
  const runs = hist?.runs ?? [];
  const from = hist?.changedFrom?.toUpperCase() ?? '';
  const changed =
    hist?.changedAt !== undefined
      ? `<span class="from">${from} → ${r.outcome.toUpperCase()}</span> ${timeTag(hist.changedAt, now, 'rel')}`
      : `<span class="steady">no change in ${runs.length === 1 ? 'one run' : `${runs.length} runs`}</span>`;
  const why = `${hist?.changes} changes of outcome in the last ${runs.length} runs`;
  const flap = hist?.flapping ? ` <span class="flapping" title="${why}">flapping</span>` : '';
  const flagged = hist?.flapping ? ' data-flapping="true"' : '';
  return (
    `<div class="hrow" data-row="${esc(r.id)}" data-outcome="${r.outcome}"${flagged}>` +
    `<span class="hid" title="${esc(`${r.destination} (${peerOf(r)})`)}">${esc(r.id)}</span>` +
    `<span class="now" style="background:${COLOUR[r.outcome]}">${r.outcome.toUpperCase()}</span>` +
    `${strip(runs, size)}<span class="changed">${changed}${flap}</span></div>`
  );
}

/** The daemon's per-row history; rows are divs, not table rows, so the matrix table stays the one table. */
function historyBlock(run: RunReport, history: HtmlHistory | undefined, now: number | undefined): string {
  if (!history) {
    return (
      '<p class="history-note">History: one run. <code>fedprobe daemon</code> keeps the last runs of every row ' +
      'on its status page.</p>'
    );
  }
  const byId = new Map(history.rows(run.profile.id).map((h) => [h.id, h]));
  return (
    `<div class="history" data-size="${history.size}"><h3>Last ${history.size} runs ` +
    '<small>oldest left, newest right; hover a cell for its time and outcome</small></h3>\n' +
    run.results.map((r) => historyRow(r, byId.get(r.id), history.size, now)).join('\n') +
    `\n</div>`
  );
}

function tableRow(run: RunReport, r: CheckResult): string {
  const c = COLOUR[r.outcome];
  // The firewall request's columns (report/request.ts): hosts with the addresses used, and why.
  const q = requestLine(run, r);
  const ends =
    `<td>${esc(q.source)}<div ` +
    `class="addr">${esc(q.sourceAddresses)}</div></td><td>${esc(q.destination)}<div ` +
    `class="addr">${esc(q.destinationAddresses)}</div></td>`;
  return (
    `<tr data-row="${esc(r.id)}" ` +
    `data-outcome="${r.outcome}"><td>${esc(r.id)}</td><td>${esc(r.dir)}</td>${ends}` +
    `<td>${esc(portLabel(r.port))}</td><td>${esc(r.service)}</td><td>${esc(r.type)}</td>` +
    `<td>${esc(r.status)}</td><td class="why">${esc(q.justification)}</td>` +
    `<td class="outcome" ` +
    `style="color:#fff;background:${c}">${r.outcome.toUpperCase()}</td><td>${esc(r.state)}</td>` +
    `<td>${esc(r.reason)}</td><td>${Math.round(r.timings.totalMs)} ms</td>` +
    `<td>${esc(sentence(r.detail))}${r.hint ? `<div class="hint">${esc(sentence(r.hint))}</div>` : ''}</td></tr>`
  );
}

/** The results table's header cells, in tableRow's column order. */
const TABLE_HEAD =
  '<th>id</th><th>dir</th><th>source (addresses)</th><th>destination (addresses)</th><th>port</th>' +
  '<th>service</th><th>type</th><th>status</th><th>justification</th><th>outcome</th><th>state</th>' +
  '<th>reason</th><th>time</th><th>what happened / what to do</th>';

function section(run: RunReport, opts: HtmlOptions): string {
  const s = run.summary;
  const now = opts.now?.getTime();
  const about = `(${esc(run.profile.scenario)}) · ${esc(run.profile.id)}`;
  const verdict = run.exitCode === 0 ? 'all mandatory paths work' : 'a mandatory path is broken';
  const checked = timeTag(Date.parse(run.startedAt), now);
  const matrix = run.profile.reference ? ` · matrix: ${esc(run.profile.reference)}` : '';
  const counts = (Object.keys(COLOUR) as Outcome[])
    .filter((o) => s[o])
    .map((o) => `<span class="count" data-outcome="${o}" style="background:${COLOUR[o]}">${s[o]} ${o}</span>`)
    .join(' ');
  return `<section data-profile="${esc(run.profile.id)}" data-exit="${run.exitCode}">
<h2>${esc(run.profile.framework)} ${esc(run.profile.component)} <small>${about}</small></h2>
<p class="summary">${counts} · ${verdict} · checked ${checked} in ${run.durationMs} ms${matrix}</p>
${diagram(run, opts.host ?? run.host)}
${historyBlock(run, opts.history, now)}
<table><thead><tr>${TABLE_HEAD}</tr></thead>
<tbody>${run.results.map((r) => tableRow(run, r)).join('\n')}</tbody></table>
</section>`;
}

/** What the status page reads of the daemon's history (src/daemon/history.ts). */
export interface HtmlHistory {
  size: number;
  rows(profileId: string): RowHistory[];
}

export interface HtmlOptions {
  /** Seconds between reloads (the daemon's page); none for a report file. */
  refreshSeconds?: number;
  title?: string;
  /** The machine the checks run from; default: the run's own `host`. */
  host?: string;
  /** Why the daemon is not ready (its /readyz list), empty when it is; default: the runs' own
   * blocking rows, the exit code's verdict. */
  notReady?: string[];
  /** The daemon's per-row history; without it the page says it shows one run. */
  history?: HtmlHistory;
  /** When the page is rendered; given by the daemon, so times also read "N min ago" without script. */
  now?: Date;
}

function banner(list: RunReport[], opts: HtmlOptions): string {
  const own = list.length ? list.flatMap((r) => runProblems(r.profile.id, r)) : ['no run has finished yet'];
  const why = opts.notReady ?? own;
  const host = opts.host ?? list.find((r) => r.host)?.host;
  const ok = why.length === 0;
  const plural = why.length === 1 ? '' : 's';
  const meta = [
    host ? `on <b class="host">${esc(host)}</b>` : '',
    list.length
      ? `last run ${timeTag(Math.max(...list.map((r) => Date.parse(r.startedAt))), opts.now?.getTime())}`
      : '',
    opts.refreshSeconds ? `this page reloads every ${opts.refreshSeconds} s` : '',
  ]
    .filter(Boolean)
    .join(' · ');
  const profiles = list.length === 1 ? 'its mandatory path' : 'their mandatory paths';
  return `<header class="banner ${ok ? 'ready' : 'not-ready'}" data-ready="${ok}">
<div class="verdict">${ok ? '✔ READY' : '✖ NOT READY'}</div>
<div class="verdict-text">${ok ? `every profile passed ${profiles}` : `${why.length} problem${plural}:`}</div>
${ok ? '' : `<ul class="reasons">${why.map((w) => `<li>${esc(w)}</li>`).join('')}</ul>\n`}<p class="meta">${meta}</p>
</header>`;
}

const STYLE =
  `
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#24292f;background:#f6f8fa}
main{padding:1rem 1.5rem 2rem;max-width:1400px}
h1{font-size:1.1rem;margin:0 0 .2rem;font-weight:600;color:#57606a}h2{font-size:1.15rem;margin:1.6rem 0 .3rem}
h3{font-size:.95rem;margin:.2rem 0 .5rem}small{color:#57606a;font-weight:normal}
.banner{padding:1rem 1.5rem;color:#fff}.banner.ready{background:#1a7f37}.banner.not-ready{background:#cf222e}
.verdict{font-size:1.6rem;font-weight:800;letter-spacing:.03em}.verdict-text{font-size:1rem;margin-top:.15rem}
.reasons{margin:.4rem 0 0;padding-left:1.3rem}.reasons li{margin:.1rem 0}
.banner .meta{margin:.5rem 0 0;opacity:.92;font-size:.9rem}
section{background:#fff;border:1px solid #d0d7de;border-radius:8px;padding:.2rem 1.2rem 1rem;margin-top:1rem;
  overflow-x:auto}
.summary{margin:.2rem 0 .6rem}.count{color:#fff;border-radius:1rem;padding:.1rem .6rem}
svg.diagram{display:block;margin:.6rem 0 .8rem}
table{border-collapse:collapse;font-size:.85rem;width:100%}` +
  // One line in the output (the golden report is byte-compared); split here only to keep the source narrow.
  `th,td{border:1px solid #d0d7de;padding:.3rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f8fa}.hint{color:#0969da;margin-top:.2rem}.addr{color:#57606a;font-size:.8rem}
.outcome{font-weight:bold;text-align:center}
.history{margin:.4rem 0 1rem}
.hrow{display:flex;align-items:center;gap:.7rem;padding:.22rem 0;border-bottom:1px solid #eaeef2;font-size:.85rem}
.hid{width:11rem;font-weight:600;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.now{color:#fff;font-weight:bold;font-size:.72rem;border-radius:3px;padding:.1rem 0;width:7.5rem;text-align:center}
.strip{display:inline-flex;gap:2px}.cell{display:inline-block;width:9px;height:20px;border-radius:2px}
.cell.empty{background:#eaeef2}.changed{color:#57606a}.from{font-weight:600;color:#24292f}
.flapping{background:#bf8700;color:#fff;border-radius:1rem;padding:.05rem .5rem;font-size:.75rem;font-weight:bold;
  margin-left:.3rem}
.history-note{color:#57606a;font-size:.85rem}
footer{margin-top:1rem;color:#57606a}
`;

export function renderHtml(runs: RunReport | RunReport[], opts: HtmlOptions = {}): string {
  const list = Array.isArray(runs) ? runs : [runs];
  const title = opts.title ?? `fedprobe: ${list.map((r) => r.profile.id).join(', ')}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${PAGE_CSP}">
${opts.refreshSeconds ? `<meta http-equiv="refresh" content="${opts.refreshSeconds}">` : ''}<title>${esc(title)}</title>
<style>${STYLE}</style></head><body>
${banner(list, opts)}
<main>
<h1>${esc(title)}</h1>
${list.length ? list.map((r) => section(r, opts)).join('\n') : '<p class="summary">No run has finished yet.</p>'}
<footer><small>fedprobe ${esc(list[0]?.tool.version ?? '')}</small></footer>
</main>
<script>${SCRIPT}</script>
</body></html>
`;
}
