// Daemon lifecycle in-process: start, scrape, readiness flips when a service goes down and comes
// back, SIGHUP with a broken site file keeps the last good one, shutdown stops promptly.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { get, waitFor } from '../helpers/http.js';
import { Writable } from 'node:stream';

const fixture = new URL('../fixtures/good.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-daemon-'));
const siteFile = join(dir, 'site.yaml');

function listen(port = 0): Promise<Server> {
  const s = createServer((c) => c.destroy());
  return new Promise((r) => s.listen(port, '127.0.0.1', () => r(s)));
}
const close = (s: Server) => new Promise<void>((r) => s.close(() => r()));
const portOf = (s: Server) => (s.address() as { port: number }).port;

const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('fedprobe daemon', () => {
  let service: Server;
  const stop = new AbortController();
  const reloaders = new Set<() => void>();
  let base = '';
  let exit: Promise<number>;

  afterAll(async () => {
    stop.abort();
    await exit;
    if (service.listening) await close(service);
  });

  it('starts, serves /healthz at once and /readyz 503 until a run has passed', async () => {
    service = await listen();
    writeFileSync(siteFile, `vars:\n  port_open: ${portOf(service)}\n`);
    let listening!: (a: { port: number }) => void;
    const ready = new Promise<{ port: number }>((r) => (listening = r));
    exit = main(
      [
        'daemon',
        fixture,
        '--site',
        siteFile,
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
      ],
      {
        stdout: sink(),
        stderr: sink(),
        env: {},
        signal: stop.signal,
        onReload: (l) => {
          reloaders.add(l);
          return () => reloaders.delete(l);
        },
        onListening: (a) => listening(a),
      },
    );
    const { port } = await ready;
    base = `http://127.0.0.1:${port}`;
    const health = await get(`${base}/healthz`);
    expect(health).toMatchObject({ status: 200, body: 'ok\n' });
    await waitFor('/readyz 200', async () => (await get(`${base}/readyz`)).status === 200);
  });

  it('/results is the JSON of `check --format json`, /metrics has the row series', async () => {
    const results = await get(`${base}/results`);
    expect(results.status).toBe(200);
    const run = JSON.parse(results.body);
    expect(run.profile.id).toBe(fixture);
    expect(run.results.map((r: { id: string; outcome: string }) => [r.id, r.outcome])).toEqual([
      ['open', 'pass'],
      ['closed-optional', 'fail'],
    ]);
    const metrics = await get(`${base}/metrics`);
    expect(metrics.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(metrics.body).toContain(
      `fedprobe_row_success{profile="${fixture}",row="open",dir="out",destination="svc",port="tcp/1883",` +
        'service="MQTT",status="mandatory"} 1',
    );
    expect(metrics.body).toContain(
      `fedprobe_row_info{profile="${fixture}",row="closed-optional",dir="out",destination="other",port="tcp/1",` +
        'service="HTTP",status="optional",state="closed",reason="refused"} 1',
    );
    expect(metrics.body).toMatch(/^fedprobe_profile_load_success\{profile=".*good\.yaml"\} 1$/m);
    expect(metrics.body).toMatch(/^process_cpu_user_seconds_total /m);
    const page = await get(`${base}/`);
    expect(page.type).toMatch(/text\/html/);
    expect(page.body).toContain('data-row="open" data-outcome="pass"');
  });

  it('readiness flips to 503 when the service goes down, back to 200 when it returns', async () => {
    const port = portOf(service);
    await close(service);
    await waitFor('/readyz 503', async () => (await get(`${base}/readyz`)).status === 503);
    const why = await get(`${base}/readyz`);
    expect(why.body).toMatch(/mandatory row open \(TCP\/1883 to svc\) failed: refused/);
    service = await listen(port);
    await waitFor('/readyz 200 again', async () => (await get(`${base}/readyz`)).status === 200);
  });

  it('SIGHUP with a broken site file keeps the last good profile and says so in metrics', async () => {
    writeFileSync(siteFile, 'vars: [this is: not a mapping\n');
    for (const l of reloaders) l();
    await waitFor('load success 0', async () =>
      /fedprobe_profile_load_success\{profile=".*"\} 0/.test((await get(`${base}/metrics`)).body),
    );
    // Still checking with the last good site file: the row still passes.
    const run = JSON.parse((await get(`${base}/results`)).body);
    expect(run.results[0].outcome).toBe('pass');
    writeFileSync(siteFile, `vars:\n  port_open: ${portOf(service)}\n`);
    for (const l of reloaders) l();
    await waitFor('load success 1', async () =>
      /fedprobe_profile_load_success\{profile=".*"\} 1/.test((await get(`${base}/metrics`)).body),
    );
  });

  it('unknown paths are 404 and only GET is served', async () => {
    expect((await get(`${base}/nope`)).status).toBe(404);
  });

  it('shutdown: stops scheduling, closes the server, exits 0 within a few seconds', async () => {
    const t0 = Date.now();
    stop.abort();
    expect(await exit).toBe(0);
    expect(Date.now() - t0).toBeLessThan(3000);
    await expect(get(`${base}/healthz`)).rejects.toThrow(/ECONNREFUSED/);
  });
});
