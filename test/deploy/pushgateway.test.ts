// --push against Debian's prometheus-pushgateway, and the pushed series queried back through a real
// Prometheus that scrapes the gateway with honor_labels: true (the batch-job path of the
// Prometheus world), both on loopback inside the suite's namespace.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { get, waitFor } from '../helpers/http.js';
import { startPrometheus } from '../helpers/prometheus.js';
import { freePort } from '../helpers/servers.js';

const fixture = new URL('../fixtures/good.yaml', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-push-'));

describe('--push to a Pushgateway', () => {
  let gateway: ChildProcess;
  let prometheus: ChildProcess | undefined;
  let service: Server;
  let gatewayPort: number;
  let servicePort: number;

  beforeAll(async () => {
    service = createServer((c) => c.destroy());
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    servicePort = (service.address() as { port: number }).port;
    gatewayPort = await freePort();
    gateway = spawn(
      'prometheus-pushgateway',
      [`--web.listen-address=127.0.0.1:${gatewayPort}`, '--persistence.file='],
      { stdio: 'ignore' },
    );
    await waitFor(
      'the Pushgateway',
      async () => (await get(`http://127.0.0.1:${gatewayPort}/-/ready`)).status === 200,
      20_000,
      200,
    );
  });

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    gateway?.kill('SIGTERM');
    await new Promise<void>((r) => service.close(() => r()));
  });

  it('pushes the run under job, instance and profile; a real Prometheus returns the row series', async () => {
    const r = await runCli([
      'check',
      fixture,
      '--set',
      `port_open=${servicePort}`,
      '--only',
      'open',
      '--format',
      'json',
      '--push',
      `http://127.0.0.1:${gatewayPort}`,
      '--push-instance',
      'site-a',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).summary.pass).toBe(1);
    const pushed = (await get(`http://127.0.0.1:${gatewayPort}/metrics`)).body;
    expect(pushed).toMatch(
      new RegExp(
        `^fedprobe_row_success\\{.*instance="site-a".*job="fedprobe".*` +
          `profile="${fixture.replace(/[.]/g, '\\.')}".*row="open".*\\} 1$`,
        'm',
      ),
    );
    expect(pushed).toMatch(/^push_failure_time_seconds\{.*instance="site-a".*\} 0$/m);

    const prom = await startPrometheus(dir, {
      name: 'pushgateway',
      target: `127.0.0.1:${gatewayPort}`,
      honorLabels: true,
    });
    prometheus = prom.process;
    const result = await prom.series('fedprobe_row_success{row="open"}', 'the gateway');
    expect(result).toHaveLength(1);
    expect(result[0]!.metric).toMatchObject({
      job: 'fedprobe',
      instance: 'site-a',
      profile: fixture,
      row: 'open',
      port: 'tcp/1883',
    });
    expect(result[0]!.value[1]).toBe('1');
  }, 60_000);

  it('a push that fails is one line on stderr and never exit 0; the report is still printed', async () => {
    const closed = await freePort();
    const r = await runCli([
      'check',
      fixture,
      '--set',
      `port_open=${servicePort}`,
      '--only',
      'open',
      '--format',
      'json',
      '--push',
      `http://user:s3cret-push@127.0.0.1:${closed}`,
    ]);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).summary.pass).toBe(1);
    expect(r.stderr.trim().split('\n')).toEqual([
      `fedprobe: cannot push to ` +
        `http://127.0.0.1:${closed}/metrics/job/fedprobe/instance/${(await import('node:os')).hostname()}` +
        `/profile@base64/${Buffer.from(fixture).toString('base64url')}: ECONNREFUSED`,
    ]);
    expect(r.stderr).not.toContain('s3cret-push');
  });

  it('a bad --push URL is bad input: exit 2, one line', async () => {
    const r = await runCli(['check', fixture, '--push', 'pushgateway:9091']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('fedprobe: --push: expected an http:// or https:// URL, got pushgateway:');
  });
});
