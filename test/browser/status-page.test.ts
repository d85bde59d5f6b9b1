// The HTML report and the daemon's status page, opened in headless Chromium: what a person sees
// (rows, colours, counts), with a screenshot kept as a test artefact.
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { Writable } from 'node:stream';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { renderHtml } from '../../src/report/html.js';
import { waitFor, get } from '../helpers/http.js';
import { sampleRun } from '../report/sample-run.js';

const artifacts = new URL('../../test-artifacts/', import.meta.url).pathname;
const fixture = new URL('../fixtures/good.yaml', import.meta.url).pathname;
let browser: Browser;

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    // The flags that keep Chromium from reaching out to the network at start.
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});
afterAll(async () => browser?.close());

const rgb = { pass: 'rgb(26, 127, 55)', fail: 'rgb(207, 34, 46)', warn: 'rgb(191, 135, 0)', inconclusive: 'rgb(130, 80, 223)' };

describe('HTML report in Chromium', () => {
  it('shows every row with its outcome colour, the counts and the hints', async () => {
    const file = `${artifacts}report.html`;
    writeFileSync(file, renderHtml(sampleRun()));
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(`file://${file}`);
    expect(await page.locator('tbody tr').count()).toBe(5);
    const outcomes = await page.locator('td.outcome').allTextContents();
    expect(outcomes).toEqual(['PASS', 'FAIL', 'WARN', 'INCONCLUSIVE', 'FAIL']);
    const colours = await page.locator('td.outcome').evaluateAll((cells) => cells.map((c) => getComputedStyle(c).backgroundColor));
    expect(colours).toEqual([rgb.pass, rgb.fail, rgb.warn, rgb.inconclusive, rgb.fail]);
    expect(await page.locator('.count').allTextContents()).toEqual(['1 pass', '2 fail', '1 warn', '1 inconclusive']);
    expect(await page.locator('tr[data-row="restful"] .hint').textContent()).toMatch(/Ask the network team to allow TCP\/8080/);
    // One arrow per row in the diagram, each stroked with its outcome colour.
    const strokes = await page.locator('svg g.arrow line').evaluateAll((ls) => ls.map((l) => l.getAttribute('stroke')));
    expect(strokes).toEqual(['#1a7f37', '#cf222e', '#bf8700', '#8250df', '#cf222e']);
    expect(await page.locator('svg g.component text').textContent()).toBe('node');
    await page.screenshot({ path: `${artifacts}report.png`, fullPage: true });
    await page.close();
  });
});

describe('daemon status page in Chromium', () => {
  let service: Server;
  const stop = new AbortController();
  let exit: Promise<number>;
  afterAll(async () => {
    stop.abort();
    await exit;
    await new Promise<void>((r) => service.close(() => r()));
  });

  it('shows the live rows of the last run', async () => {
    service = createServer((c) => c.destroy());
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    let listening!: (a: { port: number }) => void;
    const ready = new Promise<{ port: number }>((r) => (listening = r));
    exit = main(['daemon', fixture, '--set', `port_open=${(service.address() as { port: number }).port}`, '--interval', '1s', '--listen', '127.0.0.1:0', '--log-level', 'silent'], {
      stdout: new Writable({ write: (_c, _e, cb) => cb() }), stderr: new Writable({ write: (_c, _e, cb) => cb() }), env: {}, signal: stop.signal, onListening: (a) => listening(a),
    });
    const { port } = await ready;
    await waitFor('a finished run', async () => (await get(`http://127.0.0.1:${port}/results`)).status === 200);
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    await page.goto(`http://127.0.0.1:${port}/`);
    expect(await page.title()).toBe('fedprobe status');
    expect(await page.locator('tr[data-row="open"] td.outcome').textContent()).toBe('PASS');
    expect(await page.locator('tr[data-row="closed-optional"] td.outcome').textContent()).toBe('FAIL');
    expect(await page.locator('tr[data-row="closed-optional"] .hint').textContent()).toMatch(/no HTTP service listens on TCP\/1/);
    expect(await page.locator('meta[http-equiv="refresh"]').getAttribute('content')).toBe('5');
    await page.screenshot({ path: `${artifacts}status-page.png`, fullPage: true });
    await page.close();
  });
});
