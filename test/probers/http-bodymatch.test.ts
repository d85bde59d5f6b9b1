// bodyMatch is matched by RE2 (re2js) in linear time: a pattern with catastrophic backtracking in
// a backtracking engine, such as (a+)+$, against a body of a's that ends otherwise, blocked the event
// loop for minutes with RegExp (deadline and SIGTERM included). Here it answers at once.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

describe('http bodyMatch', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_req, res) => res.end(`${'a'.repeat(5000)}!`));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  it('(a+)+$ against "aaa…a!": a truthful no-match well inside the deadline, not a frozen process', async () => {
    const started = performance.now();
    const r = await runCli([
      'probe',
      `http://127.0.0.1:${port}/`,
      '--with',
      'bodyMatch=(a+)+$',
      '--timeout',
      '2s',
      '-f',
      'json',
    ]);
    const took = performance.now() - started;
    const row = JSON.parse(r.stdout).results[0];
    expect({ outcome: row.outcome, state: row.state, reason: row.reason }).toEqual({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
    });
    expect(row.detail).toContain('but the body does not match /(a+)+$/');
    expect(took).toBeLessThan(2000 + 500);
  });

  it('a matching pattern passes; a pattern RE2 cannot compile is bad input (exit 2, one line)', async () => {
    const ok = await runCli(['probe', `http://127.0.0.1:${port}/`, '--with', 'bodyMatch=^a{3}', '-f', 'json']);
    expect(JSON.parse(ok.stdout).results[0].outcome).toBe('pass');
    const bad = await runCli(['probe', `http://127.0.0.1:${port}/`, '--with', 'bodyMatch=(?<=a)b']);
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toMatch(/bodyMatch.*expected a valid regular expression \(RE2 syntax\)/);
  });
});
