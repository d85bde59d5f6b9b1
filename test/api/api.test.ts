// The embeddable API, as a plugin or a CI step would use it: no CLI, no logger, real listeners on
// loopback (the suite runs in its own network namespace).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import * as api from '../../src/index.js';
import { ProfileError, check, loadProfile, registerProber, render, type Prober } from '../../src/index.js';

let server: Server;
let port: number;

beforeAll(async () => {
  // Greets each client with one line, like an SMTP or FTP banner.
  // The tcp prober resets the connection once it is open: not the server's concern.
  server = createServer((s) => s.on('error', () => undefined).end('HELLO fedprobe-test\r\n'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const oneRow = (probe: string, portColumn: string, more: Record<string, unknown> = {}) => ({
  schema: 'fedprobe/v1',
  framework: 'Embedder',
  component: 'plugin',
  scenario: 'loopback',
  rows: [
    {
      id: 'svc',
      dir: 'out',
      source: 'plugin',
      destination: 'service',
      port: portColumn,
      service: 'TCP',
      type: 'backend',
      status: 'mandatory',
      probe,
      ...more,
    },
  ],
});

describe('the public surface', () => {
  it('is the documented one: no CLI, no internals', () => {
    expect(Object.keys(api).sort()).toEqual([
      'OUTCOMES',
      'PORT_STATES',
      'ProbeError',
      'ProfileError',
      'REASONS',
      'REPORT_SCHEMA_VERSION',
      'UsageError',
      'check',
      'loadProfile',
      'registerProber',
      'render',
      'reportJsonSchema',
    ]);
  });
});

describe('check() without a logger', () => {
  it('checks a one-row profile object against a local TCP listener', async () => {
    const run = await check(oneRow(`tcp://127.0.0.1:${port}`, `tcp/${port}`));
    expect(run.schemaVersion).toBe('fedprobe.report/v1');
    expect(run.exitCode).toBe(0);
    expect(run.summary.pass).toBe(1);
    const [row] = run.results;
    expect([row?.id, row?.outcome, row?.state, row?.reason]).toEqual(['svc', 'pass', 'open', 'ok']);
  });

  it('reports a closed port in the run, not as a throw', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const free = (closed.address() as { port: number }).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await check(oneRow(`tcp://127.0.0.1:${free}`, `tcp/${free}`), { timeoutMs: 2000 });
    expect(run.exitCode).toBe(1);
    const [row] = run.results;
    expect([row?.outcome, row?.state, row?.reason, row?.code]).toEqual(['fail', 'closed', 'refused', 'ECONNREFUSED']);
  });

  it('rejects a bad profile object as strictly as a file, naming the path', async () => {
    const bad = oneRow(`tcp://127.0.0.1:${port}`, `tcp/${port}`, { colour: 'red' });
    const err = await check(bad).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ProfileError);
    expect((err as Error).message).toContain('rows[0]');
    expect((err as Error).message).toContain('unknown key "colour"');
  });

  it('takes variables through set, as --set does', async () => {
    const doc = oneRow(`tcp://\${host}:${port}`, `tcp/${port}`);
    const vars = { host: { description: 'the service host' } };
    const run = await check({ ...doc, vars }, { set: { host: '127.0.0.1' } });
    expect(run.results[0]?.outcome).toBe('pass');
  });
});

describe('registerProber()', () => {
  // A banner prober from outside: connects, reads the first line, passes when it starts as expected.
  const banner: Prober = (c, ctx) =>
    new Promise((resolve, reject) => {
      const socket = connect({ host: ctx.address, port: c.target.port, signal: ctx.signal });
      socket.once('connect', () => ctx.phase('connect'));
      socket.once('error', reject);
      socket.once('data', (data) => {
        socket.destroy();
        const line = data.toString('latin1').split('\r\n')[0] ?? '';
        const want = String(c.with.startsWith ?? '');
        const reason = line.startsWith(want) ? 'ok' : 'wrong-protocol';
        resolve({ state: 'open', reason, detail: `banner ${line}`, facts: { banner: line }, timings: { totalMs: 0 } });
      });
    });
  const bannerOptions = z.strictObject({ startsWith: z.string().optional().describe('the banner starts with this') });

  it('is unknown to the loader before it is registered', async () => {
    const profile = oneRow(`banner://127.0.0.1:${port}`, `tcp/${port}`);
    await expect(check(profile)).rejects.toThrow('unknown probe scheme "banner://"');
  });

  it('runs end to end through loadProfile and check, its options validated by the loader', async () => {
    await registerProber('banner', banner, bannerOptions);
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-api-'));
    const file = join(dir, 'banner.json');
    const doc = oneRow(`banner://127.0.0.1:${port}`, `tcp/${port}`, { with: { startsWith: 'HELLO' } });
    writeFileSync(file, JSON.stringify(doc));
    const profile = await loadProfile(file);
    const run = await check(profile);
    const [row] = run.results;
    expect([row?.outcome, row?.state, row?.reason]).toEqual(['pass', 'open', 'ok']);
    expect(row?.detail).toBe('banner HELLO fedprobe-test');
    expect(row?.facts).toEqual({ banner: 'HELLO fedprobe-test' });

    const other = await check(oneRow(`banner://127.0.0.1:${port}`, `tcp/${port}`, { with: { startsWith: 'SSH-' } }));
    expect([other.results[0]?.outcome, other.results[0]?.reason]).toEqual(['fail', 'wrong-protocol']);

    const typo = oneRow(`banner://127.0.0.1:${port}`, `tcp/${port}`, { with: { startWith: 'HELLO' } });
    await expect(check(typo)).rejects.toThrow(
      'rows[0].with: unknown key "startWith" for banner:// (did you mean startsWith?)',
    );
  });

  it('refuses to replace a built-in scheme or register one twice', async () => {
    const again = (scheme: string) => registerProber(scheme, banner, bannerOptions);
    await expect(again('tcp')).rejects.toThrow('probe scheme "tcp" is already registered');
    await expect(again('banner')).rejects.toThrow('probe scheme "banner" is already registered');
    await expect(registerProber('Not A Scheme', banner, bannerOptions)).rejects.toThrow('is not a URL scheme');
  });
});

describe('loadProfile()', () => {
  it('loads a shipped profile by id, and names the shipped ones for an unknown id', async () => {
    const p = await loadProfile('fedbiomed/node');
    expect([p.framework, p.component]).toEqual(['Fed-BioMed', 'node']);
    expect(p.rows.map((r) => r.id)).toContain('mqtt');
    await expect(loadProfile('fedbiomed/nod')).rejects.toThrow('unknown profile "fedbiomed/nod": did you mean');
  });
});

describe('render()', () => {
  it('renders a run in the CLI formats, json round-tripping the run', async () => {
    const run = await check(oneRow(`tcp://127.0.0.1:${port}`, `tcp/${port}`));
    expect(JSON.parse(await render(run, 'json'))).toEqual(run);
    const table = await render(run, 'table');
    expect(table).toContain('svc');
    expect(table).not.toContain('\u001b[');
    expect(await render(run, 'junit')).toContain('<testcase');
  });
});
