// The HTML report and the daemon's status page, opened in headless Chromium: what a person sees
// (banner, rows, colours, history strip, times), with and without JavaScript, and screenshots kept
// as test artefacts. The daemon's rows flip because a real peer is stopped and started.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { Writable } from 'node:stream';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderHtml } from '../../src/report/html.js';
import { buildReport } from '../../src/report/build.js';
import { waitFor, get } from '../helpers/http.js';
import { sampleResults, sampleRun } from '../report/sample-run.js';

const artifacts = new URL('../../test-artifacts/', import.meta.url).pathname;
const fixture = new URL('./fixtures/two-localhost.yaml', import.meta.url).pathname;
/** The GUI row's port (listen:// rows take no variable); unusual, and the test runs in its own netns. */
const GUI_PORT = 28484;
const ZONE = 'Europe/Paris';
let browser: Browser;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // The flags that keep Chromium from reaching out to the network at start.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});
afterAll(async () => browser?.close());

const rgb = {
  pass: 'rgb(26, 127, 55)',
  fail: 'rgb(207, 34, 46)',
  warn: 'rgb(191, 135, 0)',
  inconclusive: 'rgb(130, 80, 223)',
};

/** "2026-11-24 11:00:00" in ZONE, the way the page's script writes local times. */
function localIn(zone: string, iso: string): string {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
      hourCycle: 'h23',
    })
      .formatToParts(new Date(iso))
      .map((x) => [x.type, x.value]),
  );
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

/** A page that fails the test on any script error or CSP violation. */
async function openPage(url: string, opts: { js?: boolean; height?: number } = {}) {
  const context = await browser.newContext({
    viewport: { width: 1280, height: opts.height ?? 900 },
    timezoneId: ZONE,
    javaScriptEnabled: opts.js ?? true,
    locale: 'en-GB',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  await page.goto(url);
  return { page, errors };
}

describe('HTML report (one run) in Chromium', () => {
  it('banner, rows with their colours, counts, hints, lanes sized to the rows, "one run", local times', async () => {
    const file = `${artifacts}report.html`;
    writeFileSync(file, renderHtml({ ...sampleRun(), host: 'node-1.hospital.example' }));
    const { page, errors } = await openPage(`file://${file}`);
    // The exit code's verdict, first: restful is a failed mandatory row.
    expect(await page.locator('header.banner').getAttribute('data-ready')).toBe('false');
    expect(await page.locator('.banner .verdict').textContent()).toBe('✖ NOT READY');
    expect(await page.locator('.banner .reasons li').allTextContents()).toEqual([
      'fedbiomed/node: mandatory row restful (TCP/8080 to restful) failed: timeout',
    ]);
    expect(await page.locator('.banner .host').textContent()).toBe('node-1.hospital.example');
    expect(await page.locator('tbody tr').count()).toBe(5);
    expect(await page.locator('td.outcome').allTextContents()).toEqual([
      'PASS',
      'FAIL',
      'WARN',
      'INCONCLUSIVE',
      'FAIL',
    ]);
    const colours = await page
      .locator('td.outcome')
      .evaluateAll((cells) => cells.map((c) => getComputedStyle(c).backgroundColor));
    expect(colours).toEqual([rgb.pass, rgb.fail, rgb.warn, rgb.inconclusive, rgb.fail]);
    expect(await page.locator('.count').allTextContents()).toEqual(['1 pass', '2 fail', '1 warn', '1 inconclusive']);
    expect(await page.locator('tr[data-row="restful"] .hint').textContent()).toMatch(
      /Ask the network team to allow TCP\/8080/,
    );
    // One arrow per row, each stroked with its outcome colour; 4 out rows right, the in row left.
    const strokes = await page.locator('svg g.arrow line').evaluateAll((ls) => ls.map((l) => l.getAttribute('stroke')));
    expect(strokes).toEqual(['#1a7f37', '#cf222e', '#bf8700', '#8250df', '#cf222e']);
    expect(await page.locator('svg g.component text.name').textContent()).toBe('node');
    expect(await page.locator('svg g.component text.host').textContent()).toBe('node-1.hospital.example');
    expect(await page.locator('svg g.arrow[data-row="mqtt"] text.peer').textContent()).toBe('fbm.example.org:1883');
    expect(await page.locator('svg g.arrow[data-row="gui"] text.name').textContent()).toBe('localhost');
    expect(await page.locator('svg g.arrow[data-row="gui"] text.peer').textContent()).toBe(':8484 on this host');
    // Sized to its rows: 4 lanes of 58 px, not a fixed canvas.
    expect(await page.locator('svg.diagram').getAttribute('height')).toBe('244');
    // A report has no history: it says so instead of drawing a one-cell strip.
    expect(await page.locator('.history').count()).toBe(0);
    expect(await page.locator('.history-note').textContent()).toMatch(/^History: one run\./);
    // The script ran (the CSP hash matches) and wrote the local time with "ago"; the tooltip names the zone.
    const checked = page.locator('.summary time');
    expect(await checked.getAttribute('datetime')).toBe('2026-11-24T10:00:00.000Z');
    expect(await checked.textContent()).toMatch(/^2026-11-24 11:00:00 \(\d+ days ago\)$/);
    expect(await checked.getAttribute('title')).toBe(`2026-11-24 11:00:00 ${ZONE}`);
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${artifacts}report.png`, fullPage: true });
    await page.context().close();
  });

  it('without JavaScript the times are UTC and still right; a report file never says "ago"', async () => {
    const { page } = await openPage(`file://${artifacts}report.html`, { js: false });
    expect(await page.locator('.summary time').textContent()).toBe('2026-11-24 10:00:00 UTC');
    await page.context().close();
  });

  it('a two-row profile gets a two-lane diagram, not a canvas of white space', async () => {
    const profile = { id: 'flower/supernode', framework: 'Flower', component: 'SuperNode', scenario: 'TLS' };
    const run = buildReport(profile, sampleResults.slice(0, 2), new Date(0), 5, false);
    const file = `${artifacts}two-rows.html`;
    writeFileSync(file, renderHtml(run));
    const { page } = await openPage(`file://${file}`);
    const box = (await page.locator('svg.diagram').boundingBox())!;
    expect(box.height).toBe(2 * 58 - 12 + 24);
    expect(box.width).toBe(12 + 180 + 190 + 210 + 12);
    await page.context().close();
  });
});

describe('daemon status page with history in Chromium', () => {
  const stop = new AbortController();
  let broker: Server | undefined;
  let api: Server;
  let gui: Server;
  let brokerPort = 0;
  let exit: Promise<number> | undefined;
  let base = '';

  const listen = (port: number, host = '127.0.0.1') =>
    new Promise<Server>((r) => {
      const s = createServer((c) => c.destroy());
      s.listen(port, host, () => r(s));
    });
  const close = (s: Server | undefined) => new Promise<void>((r) => (s?.listening ? s.close(() => r()) : r()));
  type Row = {
    id: string;
    runs: { at: string; outcome: string; reason: string }[];
    lastChangedAt: string | null;
    lastChangedFrom: string | null;
    changes: number;
    flapping: boolean;
  };
  type Hist = { size: number; profiles: { profile: string; rows: Row[] }[] };
  const history = async (): Promise<Hist> => JSON.parse((await get(`${base}/history`)).body);
  const brokerRuns = async () => (await history()).profiles[0]!.rows.find((r) => r.id === 'broker')?.runs ?? [];
  /** Waits for a run that started after this call and saw the broker `outcome`. */
  async function runWith(outcome: 'pass' | 'fail'): Promise<void> {
    const since = Date.now();
    await waitFor(
      `a run with broker ${outcome}`,
      async () => {
        const last = (await brokerRuns()).at(-1);
        return last !== undefined && Date.parse(last.at) >= since && last.outcome === outcome;
      },
      10_000,
    );
  }

  afterAll(async () => {
    stop.abort();
    await exit;
    await Promise.all([close(broker), close(api), close(gui)]);
  });

  it('starts the daemon against real listeners', async () => {
    broker = await listen(0);
    brokerPort = (broker.address() as { port: number }).port;
    api = await listen(0);
    gui = await listen(GUI_PORT);
    const apiPort = (api.address() as { port: number }).port;
    let listening!: (a: { port: number }) => void;
    const ready = new Promise<{ port: number }>((r) => (listening = r));
    const sink = new Writable({ write: (_c, _e, cb) => cb() });
    exit = main(
      [
        'daemon',
        fixture,
        '--set',
        `broker_port=${brokerPort}`,
        '--set',
        `api_port=${apiPort}`,
        '--interval',
        '1s',
        '--jitter',
        '0',
        '--timeout',
        '500ms',
        '--history',
        '30',
        '--listen',
        '127.0.0.1:0',
        '--log-level',
        'silent',
      ],
      {
        stdout: sink,
        stderr: sink,
        env: {},
        signal: stop.signal,
        onListening: (a) => listening(a),
      },
    );
    base = `http://127.0.0.1:${(await ready).port}`;
    await runWith('pass');
  });

  it('while every mandatory row passes, the banner says READY, on this host', async () => {
    expect((await get(`${base}/readyz`)).status).toBe(200);
    const { page, errors } = await openPage(`${base}/`);
    expect(await page.locator('header.banner').getAttribute('data-ready')).toBe('true');
    expect(await page.locator('.banner .verdict').textContent()).toBe('✔ READY');
    expect(await page.locator('.banner .reasons').count()).toBe(0);
    expect(await page.locator('.banner .host').textContent()).toBe(hostname());
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('the broker is stopped and started: the strip, "last changed", flapping, and NOT READY with the reason', {
    timeout: 60_000,
  }, async () => {
    // pass → fail → pass → fail → pass → fail: five changes, more than the three that make a row flap.
    for (const outcome of ['fail', 'pass', 'fail', 'pass', 'fail'] as const) {
      if (outcome === 'fail') await close(broker);
      else broker = await listen(brokerPort);
      await runWith(outcome);
    }
    const hist = await history();
    expect(hist.size).toBe(30);
    const rows = hist.profiles[0]!.rows;
    const b = rows.find((r) => r.id === 'broker')!;
    expect(b).toMatchObject({ changes: 5, flapping: true, lastChangedFrom: 'pass' });
    expect(b.runs.at(-1)).toMatchObject({ outcome: 'fail', reason: 'refused' });
    const a = rows.find((r) => r.id === 'api')!;
    expect(a).toMatchObject({ changes: 0, flapping: false, lastChangedAt: null });
    expect(a.runs.every((m) => m.outcome === 'pass')).toBe(true);
    const readyz = await get(`${base}/readyz`);
    expect(readyz.status).toBe(503);

    const { page, errors } = await openPage(`${base}/`, { height: 700 });
    // The banner shows the /readyz list, word for word.
    expect(await page.locator('header.banner').getAttribute('data-ready')).toBe('false');
    expect(await page.locator('.banner .verdict').textContent()).toBe('✖ NOT READY');
    const reasons = await page.locator('.banner .reasons li').allTextContents();
    expect(reasons).toEqual([`${fixture}: mandatory row broker (TCP/1883 to localhost) failed: refused`]);
    expect(readyz.body).toBe(`not ready:\n- ${reasons[0]}\n`);
    expect(await page.locator('.banner .host').textContent()).toBe(hostname());
    expect(await page.locator('svg g.component text.host').textContent()).toBe(hostname());

    // The strip: one cell per kept run, in order, coloured by outcome, the rest of the 30 empty.
    // The page may have been rendered a run later than /history was read: compare its own cells.
    const cells = page.locator('.hrow[data-row="broker"] .cell:not(.empty)');
    const shown = await cells.evaluateAll((cs) =>
      cs.map((c) => ({
        at: c.getAttribute('data-at')!,
        outcome: c.getAttribute('data-outcome')!,
        bg: getComputedStyle(c).backgroundColor,
        title: c.getAttribute('title')!,
      })),
    );
    const fresh = (await history()).profiles[0]!.rows.find((r) => r.id === 'broker')!.runs;
    expect(shown.map((c) => [c.at, c.outcome])).toEqual(fresh.slice(0, shown.length).map((m) => [m.at, m.outcome]));
    expect(shown.length).toBeGreaterThanOrEqual(b.runs.length);
    expect(await page.locator('.hrow[data-row="broker"] .cell.empty').count()).toBe(30 - shown.length);
    for (const c of shown) expect(c.bg).toBe(c.outcome === 'pass' ? rgb.pass : rgb.fail);
    // The outcome sequence holds exactly the five flips.
    const flips = shown.filter((c, i) => i > 0 && c.outcome !== shown[i - 1]!.outcome).length;
    expect(flips).toBe(5);
    // Tooltips: the run's local time in the reader's zone, how long ago, and its outcome.
    for (const c of shown) {
      const what = c.outcome === 'pass' ? 'PASS \\(ok\\)' : 'FAIL \\(refused\\)';
      const when = `${localIn(ZONE, c.at)} ${ZONE.replace('/', '\\/')}, (\\d+ s ago|just now)`;
      expect(c.title).toMatch(new RegExp(`^${when}: ${what}$`));
    }

    // "last changed" and the flapping mark on the broker; the api row is steady.
    const changed = page.locator('.hrow[data-row="broker"] .changed');
    expect(await changed.locator('.from').textContent()).toBe('PASS → FAIL');
    expect(await changed.locator('time').getAttribute('datetime')).toBe(b.lastChangedAt);
    expect(await changed.locator('time').textContent()).toMatch(/^(\d+ s ago|just now)$/);
    expect(await changed.locator('.flapping').textContent()).toBe('flapping');
    expect(await changed.locator('.flapping').getAttribute('title')).toMatch(
      /^5 changes of outcome in the last \d+ runs$/,
    );
    expect(await page.locator('.hrow[data-row="api"] .flapping').count()).toBe(0);
    expect(await page.locator('.hrow[data-row="api"] .steady').textContent()).toMatch(/^no change in \d+ runs$/);
    const apiCells = await page.locator('.hrow[data-row="api"] .cell:not(.empty)').count();
    expect(await page.locator('.hrow[data-row="api"] .cell.empty').count()).toBe(30 - apiCells);

    // Three boxes the matrix calls "localhost", told apart by what each dials or listens on.
    const box = (row: string) => page.locator(`svg g.arrow[data-row="${row}"]`);
    expect(await box('broker').locator('text.name').textContent()).toBe('localhost');
    expect(await box('api').locator('text.name').textContent()).toBe('localhost');
    expect(await box('gui').locator('text.name').textContent()).toBe('localhost');
    const apiPort = (api.address() as { port: number }).port;
    expect(await box('broker').locator('text.peer').textContent()).toBe(`127.0.0.1:${brokerPort}`);
    expect(await box('api').locator('text.peer').textContent()).toBe(`127.0.0.1:${apiPort}`);
    expect(await box('gui').locator('text.peer').textContent()).toBe(`:${GUI_PORT} on this host`);
    expect(await box('broker').locator('line').getAttribute('stroke')).toBe('#cf222e');
    expect(await box('gui').locator('line').getAttribute('stroke')).toBe('#1a7f37');
    // Two out lanes, one in lane: sized to its rows.
    expect(await page.locator('svg.diagram').getAttribute('height')).toBe(String(2 * 58 - 12 + 24));

    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('5');
    expect(await page.title()).toBe('fedprobe status');
    expect(errors).toEqual([]);
    await page.screenshot({ path: `${artifacts}status-page.png`, fullPage: true });
    await page.context().close();
  });

  it('without JavaScript the page is still right: UTC times with "N s ago" from when it was served', async () => {
    const { page } = await openPage(`${base}/`, { js: false });
    expect(await page.locator('.banner .meta time').textContent()).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC \((\d+ s ago|just now)\)$/,
    );
    expect(await page.locator('.hrow[data-row="broker"] .changed time').textContent()).toMatch(
      /^(\d+ s ago|just now)$/,
    );
    const title = await page.locator('.hrow[data-row="broker"] .cell:not(.empty)').last().getAttribute('title');
    expect(title).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC: FAIL \(refused\)$/);
    await page.context().close();
  });

  it('the page is served with a CSP that allows nothing but its own script, and loads nothing else', async () => {
    const res = await fetch(`${base}/`);
    expect(res.headers.get('content-security-policy')).toMatch(
      new RegExp(
        "^default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-[A-Za-z0-9+/]+=*'; " +
          "base-uri 'none'; form-action 'none'; frame-ancestors 'none'$",
      ),
    );
    const { page } = await openPage('about:blank');
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${base}/`);
    expect(requests).toEqual([`${base}/`]);
    await page.context().close();
  });
});
