// The published JSON Schema of the report (`fedprobe schema --report`) against what fedprobe really
// writes: the golden file, the sample runs, and real runs of every scheme the suite can run cheaply
// on loopback (its own network namespace). A report missing any documented key must fail it.
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { check } from '../../src/api.js';
import { runReportSchema, reportJsonSchema } from '../../src/report/report-schema.js';
import type { RunReport } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { samplePlan, sampleRun } from './sample-run.js';

const closers: (() => Promise<void>)[] = [];
let certs: TestCerts;
const ports = { tcp: 0, http: 0, tls: 0, mtls: 0, udp: 0, closed: 0 };

type Listener = Server | ReturnType<typeof createHttpServer> | ReturnType<typeof createTlsServer>;

function listening(server: Listener): Promise<number> {
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      closers.push(() => new Promise((done) => server.close(() => done())));
      resolve((server.address() as { port: number }).port);
    }),
  );
}

beforeAll(async () => {
  certs = await makeCerts();
  ports.tcp = await listening(createServer((s) => s.on('error', () => undefined).end()));
  ports.http = await listening(createHttpServer((_req, res) => res.end('ok')));
  const key = readFileSync(certs.serverKey);
  const cert = readFileSync(certs.serverCert);
  // Kept open: a TLS 1.3 server that closes at once looks like one refusing a client certificate.
  ports.tls = await listening(createTlsServer({ key, cert }, (s) => s.on('error', () => undefined)));
  const ca = readFileSync(certs.caCert);
  const asks = { key, cert, ca, requestCert: true, rejectUnauthorized: true };
  const mtls = createTlsServer(asks, (s) => s.on('error', () => undefined));
  ports.mtls = await listening(mtls);
  const udp: UdpSocket = createSocket('udp4').on('message', (msg, from) => udp.send(msg, from.port, from.address));
  await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', () => resolve()));
  ports.udp = udp.address().port;
  closers.push(() => new Promise((done) => udp.close(() => done())));
  const spare = createServer();
  ports.closed = await listening(spare);
  await closers.pop()!();
}, 30_000);
afterAll(async () => {
  for (const close of closers) await close();
});

const row = (id: string, probe: string, port: string, more: Record<string, unknown> = {}) => ({
  id,
  dir: 'out',
  source: 'test',
  destination: id,
  port,
  service: id,
  type: 'backend',
  status: 'optional',
  probe,
  ...more,
});

/** One real run with a passing and a failing row of every cheap scheme. */
async function realRun(): Promise<RunReport> {
  const h = '127.0.0.1';
  return check(
    {
      schema: 'fedprobe/v1',
      framework: 'Test',
      component: 'loopback',
      scenario: 'every cheap scheme',
      rows: [
        row('tcp-open', `tcp://${h}:${ports.tcp}`, `tcp/${ports.tcp}`, { comment: 'a comment' }),
        row('tcp-closed', `tcp://${h}:${ports.closed}`, `tcp/${ports.closed}`, { purpose: 'a purpose' }),
        row('udp-echo', `udp://${h}:${ports.udp}`, `udp/${ports.udp}`, { with: { payload: 'ping' } }),
        row('udp-closed', `udp://${h}:${ports.closed}`, `udp/${ports.closed}`),
        row('http', `http://${h}:${ports.http}/`, `tcp/${ports.http}`),
        row('tls', `tls://localhost:${ports.tls}`, `tcp/${ports.tls}`, {
          with: { ca: certs.caCert, minDaysValid: 10 },
        }),
        row('tls-untrusted', `tls://${h}:${ports.tls}`, `tcp/${ports.tls}`),
        row('tls-mtls', `tls://localhost:${ports.mtls}`, `tcp/${ports.mtls}`, { with: { ca: certs.caCert } }),
        row('https-plain', `https://${h}:${ports.http}/`, `tcp/${ports.http}`),
        row('listen', `listen://tcp/${ports.tcp}`, `tcp/${ports.tcp}`, { dir: 'in', with: { localOnly: true } }),
        row('listen-none', `listen://tcp/${ports.closed}`, `tcp/${ports.closed}`, { dir: 'in' }),
      ],
    },
    { timeoutMs: 2000 },
  );
}

function problems(report: unknown): string[] {
  const r = runReportSchema.safeParse(report);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
}

describe('the report schema', () => {
  it('accepts the json golden file and the sample runs', () => {
    const golden: unknown = JSON.parse(readFileSync(new URL('./golden/run.json', import.meta.url), 'utf8'));
    expect(problems(golden)).toEqual([]);
    expect(problems(sampleRun())).toEqual([]);
    expect(problems(sampleRun(true))).toEqual([]);
    expect(problems(samplePlan())).toEqual([]);
  });

  it('accepts real runs of tcp, udp, http, https, tls and listen, and sees their outcomes', async () => {
    const run = await realRun();
    expect(run.results.map((r) => [r.id, r.outcome, r.reason])).toEqual([
      ['tcp-open', 'pass', 'ok'],
      ['tcp-closed', 'fail', 'refused'],
      ['udp-echo', 'pass', 'ok'],
      ['udp-closed', 'fail', 'refused'],
      ['http', 'pass', 'ok'],
      ['tls', 'pass', 'ok'],
      ['tls-untrusted', 'fail', 'tls-error'],
      ['tls-mtls', 'warn', 'auth-rejected'],
      ['https-plain', 'fail', 'wrong-protocol'],
      ['listen', 'pass', 'ok'],
      ['listen-none', 'fail', 'not-listening'],
    ]);
    expect(problems(run)).toEqual([]);
    // What goes on the wire of --format json is what the schema describes.
    expect(problems(JSON.parse(JSON.stringify(run)))).toEqual([]);
  }, 30_000);

  it("holds the sample run's facts to the shapes real probers produce", async () => {
    const run = await realRun();
    const real = (id: string) => run.results.find((r) => r.id === id)!;
    const sample = (id: string) => sampleRun().results.find((r) => r.id === id)!;
    const keys = (o: unknown) => Object.keys(o as object).sort();
    // tls:// refused for want of a client certificate: the same facts.tls, key for key.
    expect(keys(sample('researcher').facts)).toEqual(keys(real('tls-mtls').facts));
    expect(keys(sample('researcher').facts.tls)).toEqual(keys(real('tls-mtls').facts.tls));
    expect(keys(sample('gui').facts)).toEqual(keys(real('listen').facts));
    // The row carries the facts of the address that decided it, in the sample as in a real run.
    for (const r of [...run.results, ...sampleRun().results]) expect(r.facts, r.id).toEqual(r.addresses[0]?.facts);
  }, 30_000);

  it('fails a report missing any required key, at every level', async () => {
    const run = await realRun();
    const schema = reportJsonSchema() as { required: string[] };
    const rowKeys = Object.keys(runReportSchema.shape.results.element.shape);
    const rowShape = runReportSchema.shape.results.element.shape;
    const requiredRow = rowKeys.filter((k) => !rowShape[k as 'id'].safeParse(undefined).success);
    expect(schema.required).toContain('schemaVersion');
    for (const key of schema.required) {
      const { [key as keyof RunReport]: _gone, ...rest } = run;
      expect(problems(rest), key).not.toEqual([]);
    }
    expect(requiredRow.length).toBeGreaterThan(15);
    for (const r of run.results) {
      // Every row holds every required key, and only documented ones (the schema is strict).
      for (const key of requiredRow) expect(Object.keys(r), `${r.id}.${key}`).toContain(key);
      for (const key of Object.keys(r)) expect(rowKeys, `${r.id}.${key}`).toContain(key);
    }
    for (const key of requiredRow) {
      const broken = structuredClone(run);
      delete (broken.results[0] as unknown as Record<string, unknown>)[key];
      expect(problems(broken), `results[0].${key}`).not.toEqual([]);
    }
    const broken = structuredClone(run);
    delete (broken.results[0]!.addresses[0] as unknown as Record<string, unknown>).attempts;
    const missing = 'results.0.addresses.0.attempts: Invalid input: expected number, received undefined';
    expect(problems(broken)).toEqual([missing]);
    expect(problems({ ...run, schemaVersion: 'fedprobe.report/v0' })).not.toEqual([]);
    expect(problems({ ...run, extra: 1 })).not.toEqual([]);
  }, 30_000);

  it('is printed by `fedprobe schema --report`, and the profile schema stays the default', async () => {
    const r = await runCli(['schema', '--report']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual(reportJsonSchema());
    const published = JSON.parse(r.stdout) as { $id: string; properties: { schemaVersion: { const: string } } };
    expect(published.$id).toBe('https://fedprobe.invalid/schema/report-v1.json');
    expect(published.properties.schemaVersion.const).toBe('fedprobe.report/v1');
    const profile = await runCli(['schema']);
    expect((JSON.parse(profile.stdout) as { $id: string }).$id).toBe('https://fedprobe.invalid/schema/profile-v1.json');
  });
});
