// A real Prometheus server scrapes the daemon and a row's series is queried back; the live /metrics
// passes `promtool check metrics`; the shipped scrape config and alert rules pass promtool, and the
// alert rules' unit tests (fedprobe-rules.test.yml) pass `promtool test rules`; the cron line's
// textfile passes promtool too.
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { get } from '../helpers/http.js';
import { startPrometheus } from '../helpers/prometheus.js';

const fixture = new URL('../fixtures/good.yaml', import.meta.url).pathname;
const deploy = (p: string) => new URL(`../../deploy/${p}`, import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-prom-'));
const sink = () => new Writable({ write: (_c, _e, cb) => cb() });

describe('Prometheus integration', () => {
  let service: Server;
  let prometheus: ChildProcess | undefined;
  const stop = new AbortController();
  let exit: Promise<number> | undefined;

  afterAll(async () => {
    prometheus?.kill('SIGTERM');
    stop.abort();
    await exit;
    await new Promise<void>((r) => (service ? service.close(() => r()) : r()));
  });

  it('a real Prometheus scrapes the daemon and returns the row series', async () => {
    service = createServer((c) => c.destroy());
    await new Promise<void>((r) => service.listen(0, '127.0.0.1', r));
    const servicePort = (service.address() as { port: number }).port;
    let listening!: (a: { port: number }) => void;
    const ready = new Promise<{ port: number }>((r) => (listening = r));
    exit = main(
      [
        'daemon',
        fixture,
        '--set',
        `port_open=${servicePort}`,
        '--interval',
        '1s',
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
        onListening: (a) => listening(a),
      },
    );
    const { port } = await ready;

    const prom = await startPrometheus(dir, { name: 'fedprobe', target: `127.0.0.1:${port}` });
    prometheus = prom.process;
    const result = await prom.series('fedprobe_row_success{row="open"}', 'fedprobe_row_success');
    expect(result).toHaveLength(1);
    expect(result[0]!.metric).toMatchObject({
      __name__: 'fedprobe_row_success',
      job: 'fedprobe',
      profile: fixture,
      row: 'open',
      port: 'tcp/1883',
      service: 'MQTT',
      status: 'mandatory',
      destination: 'svc',
    });
    expect(result[0]!.value[1]).toBe('1');
    const up = JSON.parse((await get(`http://127.0.0.1:${prom.port}/api/v1/query?query=up`)).body).data.result;
    expect(up[0].value[1]).toBe('1');

    // The live exposition, process metrics included, passes the real linter.
    const live = await get(`http://127.0.0.1:${port}/metrics`);
    expect(live.body).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(live.body).toMatch(/^nodejs_active_handles\{type="\w+"\} \d+$/m);
    expect(live.body).toMatch(/^fedprobe_schedule_stalled\{profile=".*good\.yaml"\} 0$/m);
    expect(live.body).not.toMatch(/^nodejs_active_(handles|requests|resources)_total/m);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: live.body, encoding: 'utf8' });
    expect(lint.stdout + lint.stderr).toBe('');
    expect(lint.status).toBe(0);
  }, 60_000);

  it('the shipped scrape config and alert rules pass promtool', () => {
    const config = spawnSync('promtool', ['check', 'config', deploy('prometheus/prometheus.yml')], {
      encoding: 'utf8',
    });
    expect(config.stdout).toMatch(/SUCCESS: .*prometheus\.yml is valid prometheus config file syntax/);
    expect(config.status).toBe(0);
    const rules = spawnSync('promtool', ['check', 'rules', deploy('prometheus/fedprobe-rules.yml')], {
      encoding: 'utf8',
    });
    expect(rules.stdout).toMatch(/SUCCESS: 6 rules found/);
    expect(rules.status).toBe(0);
    const unit = spawnSync('promtool', ['test', 'rules', 'fedprobe-rules.test.yml'], {
      encoding: 'utf8',
      cwd: new URL('.', import.meta.url).pathname,
    });
    expect(unit.stdout).toMatch(/SUCCESS/);
    expect(unit.status).toBe(0);
  });

  it('the cron line: check --format prometheus --output writes a textfile promtool accepts', async () => {
    const file = join(dir, 'fedprobe.prom');
    const r = await runCli(['check', fixture, '--set', 'port_open=1', '--format', 'prometheus', '--output', file]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^fedprobe_row_success\{profile=".*good\.yaml",row="open",.*\} 0$/m);
    expect(text).toMatch(/^fedprobe_last_run_exit_code\{profile=".*good\.yaml"\} 1$/m);
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(lint.status).toBe(0);
    const cron = readFileSync(deploy('cron/fedprobe'), 'utf8');
    expect(cron).toMatch(/fedprobe check \S+ .*--format prometheus --output \S+\.prom/);
  });
});
