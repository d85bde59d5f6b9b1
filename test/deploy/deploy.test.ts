// The deployment examples, run as far as this machine allows: the systemd units' exact command
// lines (service with reload and stop, timer's one-shot check), and the Kubernetes sidecar's
// container args with its probes' paths and port. (No systemd or kubelet runs here; the commands
// they would start do.)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { get, waitFor } from '../helpers/http.js';

const root = new URL('../../', import.meta.url).pathname;
const bin = join(root, 'bin/fedprobe.js');
const dir = mkdtempSync(join(tmpdir(), 'fedprobe-deploy-'));

/** `Key=value` lines of a unit file's [Service] section. */
function unit(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(join(root, 'deploy/systemd', file), 'utf8').split('\n')) {
    const m = /^(\w+)=(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

/** The unit's command with this checkout's fedprobe and a test site file in place of /etc's. */
function localArgs(execStart: string, site: string): string[] {
  const args = execStart.split(/\s+/).slice(1);
  return args.map((a) => (a === '/etc/fedprobe/site.yaml' ? site : a));
}

function exited(child: ChildProcess): Promise<number | null> {
  return new Promise((r) => (child.exitCode !== null ? r(child.exitCode) : child.once('exit', (code) => r(code))));
}

describe('systemd units', () => {
  const site = join(dir, 'site.yaml');
  writeFileSync(site, 'vars:\n  network_host: 127.0.0.1\n');
  let daemon: ChildProcess | undefined;
  afterAll(() => daemon?.kill('SIGKILL'));

  it(
    'fedprobe.service: ExecStart serves on 127.0.0.1:9469, ExecReload (SIGHUP) keeps it up, stop (SIGTERM) exits 0 ' +
      'within TimeoutStopSec',
    async () => {
      const svc = unit('fedprobe.service');
      expect(svc.ExecStart).toMatch(/^\/usr\/local\/bin\/fedprobe daemon /);
      expect(svc.ExecReload).toBe('/bin/kill -HUP $MAINPID');
      daemon = spawn(process.execPath, [bin, ...localArgs(svc.ExecStart!, site)], { stdio: 'ignore' });
      await waitFor('/healthz', async () => (await get('http://127.0.0.1:9469/healthz')).status === 200);
      // The node's paths fail here (no network component): the readiness gate says so.
      await waitFor(
        'a finished run',
        async () =>
          (await get('http://127.0.0.1:9469/readyz')).status === 503 &&
          (await get('http://127.0.0.1:9469/results')).status === 200,
      );
      expect((await get('http://127.0.0.1:9469/readyz')).body).toMatch(
        /mandatory row mqtt \(TCP\/1883 to mqtt\) failed: refused/,
      );
      daemon.kill('SIGHUP');
      await new Promise((r) => setTimeout(r, 300));
      expect((await get('http://127.0.0.1:9469/healthz')).status).toBe(200);
      const stop = Date.now();
      daemon.kill('SIGTERM');
      expect(await exited(daemon)).toBe(0);
      expect(Date.now() - stop).toBeLessThan(Number(svc.TimeoutStopSec ?? 10) * 1000);
    },
  );

  it(
    'fedprobe-check.service (run by the timer): the one-shot check writes the textfile; its exit is one ' +
      'SuccessExitStatus allows',
    () => {
      const svc = unit('fedprobe-check.service');
      const textfile = join(dir, 'fedprobe.prom');
      const args = localArgs(svc.ExecStart!, site).map((a) => (a.endsWith('fedprobe.prom') ? textfile : a));
      const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8' });
      expect(svc.SuccessExitStatus!.split(/\s+/).map(Number)).toContain(r.status);
      expect(readFileSync(textfile, 'utf8')).toMatch(/^fedprobe_row_success\{profile="fedbiomed\/node",row="mqtt",/m);
      const timer = readFileSync(join(root, 'deploy/systemd/fedprobe-check.timer'), 'utf8');
      expect(timer).toMatch(/^OnUnitActiveSec=\S+$/m);
    },
  );
});

describe('Kubernetes sidecar', () => {
  let daemon: ChildProcess | undefined;
  afterAll(() => daemon?.kill('SIGKILL'));

  it("the container args start a daemon whose /readyz and /healthz answer on the probes' port", async () => {
    const docs = parse(readFileSync(join(root, 'deploy/kubernetes/sidecar.yaml'), 'utf8'));
    const container = docs.spec.template.spec.containers.find((c: { name: string }) => c.name === 'fedprobe');
    const port = container.ports.find(
      (p: { name: string }) => p.name === container.readinessProbe.httpGet.port,
    ).containerPort;
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    expect(container.livenessProbe.httpGet).toMatchObject({ path: '/healthz', port: 'metrics' });
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true });
    // The same args, pointed at this test's loopback instead of the cluster's SuperLink.
    const args = (container.args as string[]).map((a) => a.replace(/^superlink_host=.*/, 'superlink_host=127.0.0.1'));
    daemon = spawn(process.execPath, [bin, ...args], { stdio: 'ignore' });
    await waitFor('/healthz', async () => (await get(`http://127.0.0.1:${port}/healthz`)).status === 200);
    // No SuperLink here: the pod would be held out of service, with the reason.
    await waitFor('/readyz 503 after a run', async () => {
      const r = await get(`http://127.0.0.1:${port}/readyz`);
      return r.status === 503 && /mandatory row fleet/.test(r.body);
    });
    daemon.kill('SIGTERM');
    expect(await exited(daemon)).toBe(0);
  });
});
