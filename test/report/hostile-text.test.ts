// Peer text is data (issue 7 item 3): a report whose peer-supplied fields (detail, code, facts) and
// profile fields carry terminal escapes, CR/LF, bidi overrides, Markdown/CSV/HTML syntax reaches no
// output format raw. Then the same end to end: a real hostile HTTP peer on loopback, through the CLI.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCodeOf } from '../../src/error-code.js';
import { buildReport } from '../../src/report/build.js';
import { render } from '../../src/report/formats.js';
import { renderHtml } from '../../src/report/html.js';
import type { CheckResult } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { sampleProfile, sampleResults } from './sample-run.js';

// What a hostile peer sends: a window title change, a screen clear, a fake green verdict on a line
// of its own, 8-bit CSI, bidi overrides and isolates, and each format's own syntax.
const TITLE = '\x1b]0;owned\x07';
const CLEAR = '\x1b[2J\x1b[H';
const FAKE = '\x1b[32mALL PATHS PASS\x1b[0m';
const HOSTILE =
  `${TITLE}${CLEAR}\r\n${FAKE}\n| x | y |\u202eevil\u2066iso\u2069 \x9b31m \`code\` ` +
  `[link](http://evil.example/) </td><script>alert(1)</script>`;
const FORMULA = "=cmd|'/C calc'!A0";

/** Characters that must never come out raw: ESC, BEL, CR, C1, bidi. */
const RAW_CONTROL = /[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/;

function hostileResults(): CheckResult[] {
  return sampleResults.map((r, i) => ({
    ...r,
    // Profile text can be hostile too (a downloaded profile); peer text is in detail, code, facts.
    ...(i === 1 && {
      id: `row${FORMULA}`,
      service: `HTTP${HOSTILE}`,
      destination: FORMULA,
      comment: HOSTILE,
      purpose: `${FORMULA}${HOSTILE}`,
    }),
    detail: `${FORMULA}${HOSTILE}`,
    hint: i === 0 ? '' : r.hint,
    code: errorCodeOf(`E${TITLE}`),
    outcome: i === 0 ? 'fail' : r.outcome,
    reason: i === 0 ? 'not-serving' : r.reason,
    facts: {
      ...r.facts,
      statusText: HOSTILE,
      banner: FAKE,
      tls: { subject: { CN: HOSTILE }, notAfter: '2027-01-01T00:00:00.000Z' },
      // Hostile on purpose: facts no single prober records together.
    } as unknown as CheckResult['facts'],
    addresses: r.addresses.map((a) => ({ ...a, detail: HOSTILE })),
  }));
}

function hostileRun() {
  const profile = { ...sampleProfile, framework: `Fed${CLEAR}`, scenario: `s\n${FAKE}`, reference: HOSTILE };
  const run = buildReport(profile, hostileResults(), new Date('2026-11-24T10:00:00.000Z'), 3012.4, false);
  run.tool.version = '0.0.0-test';
  run.host = `node${HOSTILE}`;
  return run;
}

/** Lines that the payload's own newlines would have started. */
function injectedLines(text: string): string[] {
  return text.split('\n').filter((l) => /^\s*(\x1b\[32m)?ALL PATHS PASS|^\| x \| y \|/.test(l));
}

function common(text: string): void {
  expect(text).not.toMatch(RAW_CONTROL);
  expect(text).not.toContain(TITLE);
  expect(injectedLines(text)).toEqual([]);
}

describe('hostile peer text in every format', () => {
  it("table, with and without colour: only fedprobe's own SGR codes, no injected line", async () => {
    const plain = await render(hostileRun(), 'table', { color: false });
    common(plain);
    expect(plain).toContain('\\x1b]0;owned\\x07\\x1b[2J\\x1b[H\\r\\n\\x1b[32mALL PATHS PASS');
    expect(plain).toContain('\\u202eevil\\u2066iso\\u2069 \\x9b31m');
    const coloured = await render(hostileRun(), 'table', { color: true });
    const ours = coloured.replace(/\x1b\[(?:0|1|31|32|33|34|35|90)m/g, '');
    common(ours);
    expect(ours).not.toContain('\x1b');
  });

  it('firewall (Markdown): every table line keeps its 13 cells, no raw |, `, [, <', async () => {
    const md = await render(hostileRun(), 'firewall', { color: false });
    common(md);
    const rows = md.split('\n').filter((l) => l.startsWith('| '));
    // Two header lines (the |---| lines start otherwise), 2 rows to open, 3 other failures.
    expect(rows.length).toBe(2 + 2 + 3);
    // An unescaped pipe is one not preceded by a backslash that is itself unescaped.
    for (const l of rows) expect(l.match(/(?<!\\)(?:\\\\)*\|/g)).toHaveLength(14);
    const unescaped = (c: string) => new RegExp(`(?<!\\\\)(?:\\\\\\\\)*\\${c}`);
    // Without our own bold row ids and our own code span.
    const peerPart = md.replace(/^- \*\*(.*?)\*\*:/gm, '- $1:').replaceAll('`check --all`', 'check --all');
    for (const c of ['`', '[', ']', '<', '>', '*', '&']) expect(peerPart).not.toMatch(unescaped(c));
    expect(md).toContain('\\</td\\>\\<script\\>');
  });

  it('csv: one record per line, RFC 4180 quoting, no field starting a formula', async () => {
    const csv = await render(hostileRun(), 'csv', { color: false });
    // CRLF ends a record (RFC 4180); no other CR may appear.
    common(csv.replace(/\r\n/g, '\n'));
    const records = csv.split('\r\n');
    expect(records.pop()).toBe('');
    expect(records).toHaveLength(1 + 5);
    for (const rec of records) {
      // Quoted fields only: "…" separated by commas, with "" as the only quote inside a field.
      expect(rec).toMatch(/^"(?:[^"]|"")*"(?:,"(?:[^"]|"")*")*$/);
      const fields = rec.slice(1, -1).split('","');
      expect(fields).toHaveLength(21);
      for (const f of fields) expect(f).not.toMatch(/^[=+\-@\t\r]/);
    }
    expect(csv).toContain(`"'${FORMULA.replace(/"/g, '""')}`);
  });

  it('html (report and daemon status page): no tag, attribute or control from the peer', async () => {
    for (const html of [
      await render(hostileRun(), 'html', { color: false }),
      renderHtml([hostileRun(), hostileRun()], { refreshSeconds: 30, title: `t${HOSTILE}` }),
    ]) {
      common(html);
      // The page's own script (relative times) is the only one: none comes from the peer.
      expect(html.match(/<script/g)?.length ?? 0).toBeLessThanOrEqual(1);
      expect(html).not.toContain('<script>alert');
      expect(html).not.toContain('</td><script>');
      expect(html).toContain('&lt;/td&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
      expect(html.match(/<tr/g)?.length).toBe((html.match(/<section/g)?.length ?? 0) * 6);
    }
  });

  it('junit: well-formed XML 1.0 (xmllint), no raw control or markup from the peer', async () => {
    const xml = await render(hostileRun(), 'junit', { color: false });
    common(xml);
    expect(xml).not.toContain('<script');
    const r = spawnSync('xmllint', ['--noout', '-'], { input: xml, encoding: 'utf8' });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('prometheus: hostile label values stay printable and pass promtool', async () => {
    const prom = await render(hostileRun(), 'prometheus', { color: false });
    common(prom);
    expect(prom).toMatch(
      new RegExp(
        /^fedprobe_row_success\{profile="fedbiomed\/node",row="row=cmd\|'\/C calc'!A0",/.source +
          /.*service="HTTP\\\\x1b\]0;owned\\\\x07/.source,
        'm',
      ),
    );
    const r = spawnSync('promtool', ['check', 'metrics'], { input: prom, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });

  it('json: the data is kept exactly; no raw control, C1 or bidi character in the text', async () => {
    const run = hostileRun();
    const json = await render(run, 'json', { color: false });
    expect(json).not.toMatch(RAW_CONTROL);
    expect(JSON.parse(json)).toEqual(JSON.parse(JSON.stringify(run)));
    expect(JSON.parse(json).results[0].detail).toBe(`${FORMULA}${HOSTILE}`);
  });

  it('a long peer string is cut with "…" in the table', async () => {
    const run = hostileRun();
    run.results[0]!.detail = 'A'.repeat(100_000);
    const table = await render(run, 'table', { color: false });
    expect(table).toContain(`  ↳ ${'A'.repeat(499)}… [`);
    expect(table.length).toBeLessThan(20_000);
  });
});

// End to end: a real peer on loopback whose HTTP reason phrase carries escapes (node:http accepts
// ESC in a reason phrase), checked through the CLI.
describe('a hostile HTTP peer through the CLI', () => {
  let server: Server;
  let dir = '';
  let profile = '';
  const phrase = `${TITLE}${CLEAR}${FAKE}`;
  beforeAll(async () => {
    server = createServer((s) => {
      s.on('error', () => {});
      s.once('data', () => s.end(`HTTP/1.1 503 ${phrase}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`, 'latin1'));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    dir = mkdtempSync(join(tmpdir(), 'fedprobe-hostile-'));
    profile = join(dir, 'hostile.yaml');
    writeFileSync(
      profile,
      [
        'schema: fedprobe/v1',
        'framework: Test',
        'component: site',
        'scenario: hostile peer',
        'rows:',
        `  - { id: web, dir: out, source: site, destination: web, port: tcp/${port}, service: HTTP, type: backend, ` +
          `status: mandatory, probe: "http://127.0.0.1:${port}/" }`,
        '',
      ].join('\n'),
    );
  });
  afterAll(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it("--format table --color: the peer's escapes are shown as text; only our SGR codes are raw", async () => {
    const r = await runCli(['check', profile, '--format', 'table', '--color']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('\\x1b]0;owned\\x07\\x1b[2J\\x1b[H\\x1b[32mALL PATHS PASS\\x1b[0m');
    const foreign = r.stdout.replace(/\x1b\[(?:0|1|31|32|33|34|35|90)m/g, '');
    expect(foreign).not.toContain('\x1b');
    expect(foreign).not.toContain('\x07');
    expect(injectedLines(r.stdout)).toEqual([]);
    expect(r.stderr).not.toContain('\x1b]');
  });

  it('--format firewall: no ESC byte at all, the phrase is escaped Markdown text', async () => {
    const r = await runCli(['check', profile, '--format', 'firewall']);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('\x1b');
    expect(r.stdout).not.toContain('\x07');
    expect(r.stdout).toContain('- **web**: HTTP/1.1 503 \\\\x1b\\]0;owned\\\\x07\\\\x1b\\[2J');
  });
});
