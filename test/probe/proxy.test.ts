// HTTP CONNECT through a real tinyproxy: a proxy's refusal is the proxy's outcome, never the
// target's state; the environment's proxy variables are honoured; credentials never show.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bypassesProxy, selectProxy } from '../../src/net/proxy.js';
import { runCli } from '../helpers/cli.js';
import { startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js';

// Fixed ports are safe: the suite runs in its own network namespace.
const OPEN_PROXY = 18888;
const AUTH_PROXY = 18889;
const TARGET = 18890;
const CLOSED_TARGET = 18891;
const FORBIDDEN = 18892;

let open: Tinyproxy;
let auth: Tinyproxy;
let target: Server;
let forbidden: Server;

async function probe(url: string, args: string[] = [], env: NodeJS.ProcessEnv = {}) {
  const r = await runCli(['probe', url, '--timeout', '3s', '-f', 'json', ...args], env);
  expect(r.stderr).toBe('');
  return { code: r.code, stdout: r.stdout, result: JSON.parse(r.stdout).results[0] };
}

beforeAll(async () => {
  target = createServer((s) => s.end('hello\n'));
  forbidden = createServer((s) => s.destroy());
  await new Promise<void>((r) => target.listen(TARGET, '127.0.0.1', r));
  await new Promise<void>((r) => forbidden.listen(FORBIDDEN, '127.0.0.1', r));
  open = await startTinyproxy({ port: OPEN_PROXY, connectPorts: [TARGET, CLOSED_TARGET] });
  auth = await startTinyproxy({ port: AUTH_PROXY, connectPorts: [TARGET], basicAuth: ['probe', 's3cret-pw'] });
});
afterAll(async () => {
  await Promise.all([open?.stop(), auth?.stop()]);
  await new Promise<void>((r) => target.close(() => r()));
  await new Promise<void>((r) => forbidden.close(() => r()));
});

describe('through tinyproxy', () => {
  it('an allowed target passes, and the result says it went via the proxy', async () => {
    const { code, result } = await probe(`tcp://127.0.0.1:${TARGET}`, ['--proxy', `http://127.0.0.1:${OPEN_PROXY}`]);
    expect(code).toBe(0);
    expect(result).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      via: `proxy http://127.0.0.1:${OPEN_PROXY}`,
    });
  });

  it('a port the proxy forbids is proxy-error 403, not the target closed', async () => {
    const { result } = await probe(`tcp://127.0.0.1:${FORBIDDEN}`, ['--proxy', `http://127.0.0.1:${OPEN_PROXY}`]);
    expect(result).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'proxy-error', code: 'PROXY_403' });
    expect(result.detail).toMatch(/does not allow this destination or port \(403/);
  });

  it('a closed target behind the proxy is a proxy 5xx', async () => {
    const { result } = await probe(`tcp://127.0.0.1:${CLOSED_TARGET}`, ['--proxy', `http://127.0.0.1:${OPEN_PROXY}`]);
    expect(result).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'proxy-error' });
    expect(result.code).toMatch(/^PROXY_5\d\d$/);
  });

  it('a proxy that wants credentials: 407 without, pass with; the password never appears', async () => {
    const without = await probe(`tcp://127.0.0.1:${TARGET}`, ['--proxy', `http://127.0.0.1:${AUTH_PROXY}`]);
    expect(without.result).toMatchObject({ outcome: 'fail', reason: 'proxy-error', code: 'PROXY_407' });
    const withCreds = await probe(`tcp://127.0.0.1:${TARGET}`, [
      '--proxy',
      `http://probe:s3cret-pw@127.0.0.1:${AUTH_PROXY}`,
    ]);
    expect(withCreds.result).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
      via: `proxy http://127.0.0.1:${AUTH_PROXY}`,
    });
    expect(withCreds.stdout).not.toContain('s3cret-pw');
  });

  it('a proxy that is down is proxy-error, not the target refused', async () => {
    const { result } = await probe(`tcp://127.0.0.1:${TARGET}`, ['--proxy', 'http://127.0.0.1:1']);
    expect(result).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'proxy-error', code: 'ECONNREFUSED' });
    expect(result.detail).toMatch(/cannot reach the proxy http:\/\/127\.0\.0\.1:1/);
  });

  it('HTTPS_PROXY is honoured, NO_PROXY bypasses it, --proxy direct ignores it', async () => {
    const env = { HTTPS_PROXY: `http://127.0.0.1:${OPEN_PROXY}` };
    expect((await probe(`tcp://127.0.0.1:${FORBIDDEN}`, [], env)).result).toMatchObject({
      reason: 'proxy-error',
      via: `proxy http://127.0.0.1:${OPEN_PROXY}`,
    });
    expect((await probe(`tcp://127.0.0.1:${FORBIDDEN}`, [], { ...env, NO_PROXY: '127.0.0.1' })).result).toMatchObject({
      outcome: 'pass',
      via: 'direct',
    });
    expect((await probe(`tcp://127.0.0.1:${FORBIDDEN}`, ['--proxy', 'direct'], env)).result).toMatchObject({
      outcome: 'pass',
      via: 'direct',
    });
  });

  it('UDP never goes through a CONNECT proxy', () => {
    expect(
      selectProxy('udp', '127.0.0.1', 9, undefined, { env: { ALL_PROXY: 'http://127.0.0.1:3128' } }),
    ).toBeUndefined();
    expect(selectProxy('tcp', '127.0.0.1', 9, undefined, { env: { ALL_PROXY: 'http://127.0.0.1:3128' } })?.label).toBe(
      'http://127.0.0.1:3128',
    );
  });
});

describe('NO_PROXY matching', () => {
  it.each([
    ['*', 'any.host', 1, true],
    ['example.org', 'api.example.org', 443, true],
    ['.example.org', 'api.example.org', 443, true],
    ['example.org', 'example.org.evil.net', 443, false],
    ['10.0.0.1', '10.0.0.1', 80, true],
    ['10.0.0.1', '10.0.0.10', 80, false],
    ['svc.local:9092', 'svc.local', 9092, true],
    ['svc.local:9092', 'svc.local', 9093, false],
    ['', 'a', 1, false],
  ])('NO_PROXY=%s host=%s port=%s → %s', (noProxy, host, port, expected) => {
    expect(bypassesProxy(noProxy, host, port)).toBe(expected);
  });
});
