// Every flag the daemon accepts does something: --output FILE is rewritten after every run in
// --format prometheus (default, for node_exporter), json or html; what the daemon cannot honour is
// refused with one line, exit 2. With several profiles, /results is the list of their last runs
// (renderJson of the list) and /history holds each row's last runs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { get, waitFor } from '../helpers/http.js';

const good = new URL('../fixtures/good.yaml', import.meta.url).pathname;
const second = new URL('./fixtures/second.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-daemon-flags-'));
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('daemon flags it cannot honour are refused with one line, exit 2', () => {
  const cases: [string, string[], RegExp][] = [
    [
      '--format without --output',
      ['--format', 'json'],
      new RegExp(
        '^fedprobe: --format json: the daemon writes a report only to --output FILE; ' +
          'it serves json at /results, prometheus at /metrics and html at /$',
      ),
    ],
    [
      '--format table, the default of check, given explicitly',
      ['-f', 'table'],
      /^fedprobe: --format table: the daemon writes a report only to --output FILE/,
    ],
    [
      'a format that holds one profile',
      ['--output', join(dir, 'x.xml'), '--format', 'junit'],
      new RegExp(
        "^fedprobe: --format junit: the daemon's --output holds every profile and is rewritten " +
          'after each run: use prometheus, json, html$',
      ),
    ],
    ['--color', ['--color'], /^fedprobe: --color: the daemon prints no table/],
    ['--no-color', ['--no-color'], /^fedprobe: --color: the daemon prints no table/],
    ['--history 0', ['--history', '0'], /^fedprobe: --history: expected a whole number of runs from 1 to 1000$/],
    ['--history 1001', ['--history', '1001'], /^fedprobe: --history: expected a whole number of runs from 1 to 1000$/],
    [
      '--output in a directory that does not exist',
      ['--output', '/nonexistent-fedprobe-dir/f.prom'],
      /^fedprobe: --output: cannot write \/nonexistent-fedprobe-dir\/f\.prom: ENOENT on its directory$/,
    ],
    [
      '--set of a variable no profile declares',
      ['--set', 'port_opne=1'],
      /^fedprobe: --set port_opne: .* has no variable of that name .*did you mean port_open/,
    ],
  ];
  for (const [name, flags, message] of cases) {
    it(name, async () => {
      const r = await runCli(['daemon', good, '--set', 'port_open=1', '--listen', '127.0.0.1:0', ...flags]);
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n').filter(Boolean)).toHaveLength(1);
      expect(r.stderr.trimEnd()).toMatch(message);
    });
  }
});

describe('daemon with two profiles and --output', () => {
  let service: Server;
  const stops: AbortController[] = [];
  const exits: Promise<number>[] = [];
  afterAll(async () => {
    for (const s of stops) s.abort();
    expect(await Promise.all(exits)).toEqual(exits.map(() => 0));
    await new Promise<void>((r) => (service?.listening ? service.close(() => r()) : r()));
  });

  /** Starts a daemon on both profiles with extra flags; resolves with its base URL. */
  async function daemon(flags: string[]): Promise<string> {
    const stop = new AbortController();
    stops.push(stop);
    let listening!: (a: { port: number }) => void;
    const ready = new Promise<{ port: number }>((r) => (listening = r));
    const port = (service.address() as { port: number }).port;
    const args = [
      'daemon',
      good,
      second,
      '--set',
      `port_open=${port}`,
      '--interval',
      '1s',
      '--jitter',
      '0',
      '--timeout',
      '500ms',
      '--listen',
      '127.0.0.1:0',
      '--log-level',
      'silent',
      ...flags,
    ];
    exits.push(
      main(args, {
        stdout: sink(),
        stderr: sink(),
        env: {},
        signal: stop.signal,
        onListening: (a) => listening(a),
      }),
    );
    return `http://127.0.0.1:${(await ready).port}`;
  }

  it('--output FILE alone: a prometheus textfile of both profiles, promtool-clean, rewritten after each run', {
    timeout: 20_000,
  }, async () => {
    service = createServer((c) => c.destroy());
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const file = join(dir, 'fedprobe.prom');
    const base = await daemon(['--output', file]);
    const written = () => (existsSync(file) ? readFileSync(file, 'utf8') : '');
    const upstream = (v: 0 | 1) =>
      new RegExp(`^fedprobe_row_success\\{profile="${second}",row="upstream",.*\\} ${v}$`, 'm');
    await waitFor(
      'the textfile with both profiles',
      async () =>
        written().includes(`fedprobe_row_success{profile="${second}"`) && written().includes(`profile="${good}"`),
    );
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(new RegExp(`^fedprobe_row_success\\{profile="${good}",row="open",.*\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^fedprobe_row_success\\{profile="${second}",row="upstream",.*\\} 1$`, 'm'));
    expect(text).toMatch(new RegExp(`^fedprobe_last_run_exit_code\\{profile="${second}"\\} 0$`, 'm'));
    // The textfile holds the runs' series only: no process metrics of the daemon.
    expect(text).not.toMatch(/^process_/m);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
    // /results with several profiles: the list of last runs, one per profile, in the order given.
    type Run = { profile: { id: string }; results: { id: string; outcome: string }[] };
    const results = JSON.parse((await get(`${base}/results`)).body) as Run[];
    expect(results.map((r) => r.profile.id)).toEqual([good, second]);
    expect(results[1]!.results.map((r) => [r.id, r.outcome])).toEqual([['upstream', 'pass']]);
    // The service goes down: the next run rewrites the file with 0.
    const port = (service.address() as { port: number }).port;
    await new Promise<void>((r) => service.close(() => r()));
    await waitFor('the textfile to say the row fails', async () => upstream(0).test(written()));
    service = createServer((c) => c.destroy());
    await new Promise<void>((r) => service.listen(port, '127.0.0.1', r));
    await waitFor('the textfile to say the row passes again', async () => upstream(1).test(written()));
    // /history remembers the flip: pass, fail …, pass.
    const hist = JSON.parse((await get(`${base}/history`)).body);
    expect(hist.size).toBe(30);
    expect(hist.profiles.map((p: { profile: string }) => p.profile)).toEqual([good, second]);
    const row = hist.profiles[1].rows[0] as {
      id: string;
      changes: number;
      lastChangedFrom: string;
      flapping: boolean;
      runs: { outcome: string; reason: string }[];
    };
    expect(row).toMatchObject({ id: 'upstream', changes: 2, lastChangedFrom: 'fail', flapping: false });
    expect(row.runs.at(-1)).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(row.runs.some((m) => m.outcome === 'fail' && m.reason === 'refused')).toBe(true);
  });

  it('--output FILE --format json: the same list /results serves', { timeout: 15_000 }, async () => {
    const file = join(dir, 'runs.json');
    const base = await daemon(['--output', file, '--format', 'json', '--history', '5']);
    await waitFor(
      'the json file with both profiles',
      async () => existsSync(file) && JSON.parse(readFileSync(file, 'utf8')).length === 2,
    );
    const written = JSON.parse(readFileSync(file, 'utf8')) as { profile: { id: string } }[];
    expect(written.map((r) => r.profile.id)).toEqual([good, second]);
    const served = JSON.parse((await get(`${base}/results`)).body) as { profile: { id: string }; startedAt: string }[];
    expect(Object.keys(served[0]!)).toEqual(Object.keys(written[0]!));
    expect(JSON.parse((await get(`${base}/history`)).body).size).toBe(5);
  });

  it('--output FILE --format html: the status page as a file, banner and history included', {
    timeout: 15_000,
  }, async () => {
    const file = join(dir, 'status.html');
    await daemon(['--output', file, '--format', 'html']);
    await waitFor(
      'the html file',
      async () => existsSync(file) && readFileSync(file, 'utf8').includes(`data-profile="${second}"`),
    );
    const html = readFileSync(file, 'utf8');
    expect(html).toMatch(/<header class="banner (ready|not-ready)"/);
    expect(html).toContain('<div class="history" data-size="30">');
    expect(html).toContain('<title>fedprobe status</title>');
  });
});
