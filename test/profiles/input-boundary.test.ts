// The pure parts of the input boundary: durations, host and port values, "did you mean", the
// template split, and what expand() makes of values in each part of a probe URL.
import { describe, expect, it } from 'vitest';
import { durationMs } from '../../src/profile/duration.js';
import { expand } from '../../src/profile/expand.js';
import { hostProblem, portProblem } from '../../src/profile/host.js';
import { loadProfile } from '../../src/profile/load.js';
import { splitProbe } from '../../src/profile/probe-url.js';
import { closest, editDistance } from '../../src/profile/suggest.js';
import { parseDuration } from '../../src/cli/parse.js';
import type { Profile } from '../../src/types.js';

const cliFixture = (name: string) => new URL(`../cli/fixtures/${name}`, import.meta.url).pathname;

describe('durationMs', () => {
  it.each([
    ['2', 2000],
    [2, 2000],
    ['0.05', 50],
    ['500ms', 500],
    ['5s', 5000],
    ['1.5m', 90_000],
    ['1m', 60_000],
    ['24h', 86_400_000],
    [' 3s ', 3000],
  ] as const)('%j → %d ms', (text, ms) => expect(durationMs(text)).toBe(ms));
  it.each(['', '-1', '1e3', '5 s', '5sec', 'Infinity', '0x10', '1.', '.5', '1,5s'])('%j is not a duration', (text) => {
    expect(() => durationMs(text)).toThrow(/^expected a duration such as 5 \(seconds\), 500ms, 5s or 1m, got /);
  });
  it('bounds', () => {
    expect(() => durationMs('49ms')).toThrow('49ms is too short: give at least 50ms (a bare number is seconds)');
    expect(() => durationMs(0)).toThrow('0s is too short');
    expect(() => durationMs(Number.NaN)).toThrow('expected a duration');
    expect(() => durationMs('24.001h')).toThrow('24.001h is too long: give at most 24h');
    expect(() => durationMs('601', 600_000)).toThrow(
      '601s is too long: give at most 10m (a bare number is seconds; for milliseconds write 601ms)',
    );
  });
  it('a flag given twice reaches parseDuration as an array: still a usage error', () => {
    expect(() => parseDuration(['1', '2'] as unknown as string, '--timeout')).toThrow(
      '--timeout is given more than once; give it once',
    );
  });
});

describe('hostProblem / portProblem', () => {
  it.each([
    'fbm.example.org',
    'localhost',
    'a',
    'node_1.site',
    'x--y.example',
    '127.0.0.1',
    '::1',
    'fd77::2',
    '::ffff:10.0.0.1',
    `${'a'.repeat(63)}.org`,
    'example.org.',
  ])('%s is a host', (h) => expect(hostProblem(h)).toBeUndefined());
  it.each([
    ['', 'is empty'],
    ['127.0.0.1:9', 'contains ":"'],
    ['a/b', 'contains "/"'],
    ['a?b', 'contains "?" or "#"'],
    ['u@h', 'contains "@"'],
    ['a b', 'contains a space'],
    ['a\tb', 'contains a control character'],
    ['fe80::1%eth0', 'contains "%"'],
    ['bücher.de', 'contains non-ASCII characters'],
    ['a..b', 'has an empty label'],
    ['-a.org', 'has a label "-a"'],
    [`${'a'.repeat(64)}.org`, 'has a label of 64 characters'],
    [`${'a.'.repeat(127)}ab`, 'is 256 characters long'],
    ['10.1', 'is not a valid IPv4 address'],
    ['256.1.1.1', 'is not a valid IPv4 address'],
    ['0x7f.1', 'is not a valid IPv4 address'],
  ])('%j: %s', (h, why) => expect(hostProblem(h)).toContain(why));
  it('ports', () => {
    expect(portProblem('1')).toBeUndefined();
    expect(portProblem('65535')).toBeUndefined();
    expect(portProblem('0')).toContain('out of range');
    expect(portProblem('65536')).toContain('out of range');
    expect(portProblem('80/x')).toBe('is not a port number (1-65535)');
    expect(portProblem('')).toBe('is not a port number (1-65535)');
  });
});

describe('did you mean', () => {
  it('Damerau-Levenshtein: a swap is one edit', () => {
    expect(editDistance('colector_host', 'collector_host')).toBe(1);
    expect(editDistance('netwrok_host', 'network_host')).toBe(1);
    expect(editDistance('networkhost', 'network_host')).toBe(1);
    expect(editDistance('abc', 'xyz')).toBe(3);
  });
  it('only the nearest names within two edits; none for an exact match', () => {
    expect(closest('tpc', ['tcp', 'tls', 'udp', 'grpc'])).toEqual(['tcp']);
    expect(closest('localonly', ['localOnly', 'payload'])).toEqual(['localOnly']);
    expect(closest('tcp', ['tcp', 'udp'])).toEqual([]);
    expect(closest('x', ['y'])).toEqual([]);
    expect(closest('a'.repeat(10_000), ['a'])).toEqual([]);
  });
});

describe('splitProbe', () => {
  it('names each part', () => {
    expect(splitProbe('mqtt://${h}:1883')).toEqual({
      scheme: 'mqtt',
      host: '${h}',
      bracketed: false,
      port: '1883',
      rest: '',
    });
    expect(splitProbe('https://[${v6}]:${p}/x?y#z')).toEqual({
      scheme: 'https',
      host: '${v6}',
      bracketed: true,
      port: '${p}',
      rest: '/x?y#z',
    });
    expect(splitProbe('listen://tcp/8484')).toEqual({
      scheme: 'listen',
      host: '',
      bracketed: false,
      port: undefined,
      rest: 'tcp/8484',
    });
  });
  it.each([
    ['tcp//h:1', 'is not a URL such as tcp://host:port'],
    ['${s}://h:1', 'the scheme cannot come from a variable'],
    ['mqtt://u:p@h:1', 'credentials do not belong in the probe URL'],
    ['tcp://fd77::2:1', 'an IPv6 address in a URL is written in brackets'],
    ['tcp://[::1:1', 'never closes it'],
    ['tcp://[::1]x:1', 'has text after'],
    ['tcp://:1', 'has no host'],
    ['tcp://h:', 'has a ":" but no port'],
  ])('%s', (url, why) => expect(() => splitProbe(url)).toThrow(why));
});

describe('expand', () => {
  const base: Profile = {
    id: 't',
    file: 't.yaml',
    schema: 'fedprobe/v1',
    framework: 'T',
    component: 'c',
    scenario: 's',
    vars: { host: {}, port: { default: '1883' }, path: { default: 'x' }, constructor: {} },
    rows: [
      {
        id: 'r',
        dir: 'out',
        source: 's',
        destination: 'd',
        port: 'tcp/1883',
        service: 'MQTT',
        type: 'backend',
        status: 'mandatory',
        probe: 'http://${host}:${port}/${path}',
      },
    ],
  };
  const run = (set: Record<string, string>) => expand(base, { set, timeoutMs: 3000, retries: 0 });

  it('brackets an IPv6 literal given for a host, once', () => {
    for (const host of ['fd77::2', '[fd77::2]']) {
      const [c] = run({ host });
      expect(c!.row.probe).toBe('http://[fd77::2]:1883/x');
      expect(c!.target).toMatchObject({ host: 'fd77::2', port: 1883 });
    }
  });
  it('a value never moves from the host to the port or path', () => {
    expect(() => run({ host: '127.0.0.1:9/x?' })).toThrow(
      't row r: variable host="127.0.0.1:9/x?" is not a host name or IP address: it contains ":"',
    );
    expect(() => run({ host: 'h', port: '9/x' })).toThrow('t row r: variable port="9/x" is not a port number');
    // A path value stays in the path: the host and port are the ones written.
    const [c] = run({ host: 'h.example', path: '@evil.example:1/' });
    expect(c!.target).toMatchObject({ host: 'h.example', port: 1883 });
  });
  it('a variable called constructor is a variable like any other', () => {
    expect(() => run({ host: 'h' })).not.toThrow();
    const p: Profile = { ...base, rows: [{ ...base.rows[0]!, probe: 'tcp://${constructor}:1' }] };
    expect(() => expand(p, { timeoutMs: 3000, retries: 0 })).toThrow('missing variable constructor.');
    expect(expand(p, { set: { constructor: 'h.example' }, timeoutMs: 3000, retries: 0 })[0]!.target.host).toBe(
      'h.example',
    );
  });
  it("a row's timeout: seconds, units, or --timeout", async () => {
    const p = await loadProfile(cliFixture('timeouts.yaml'));
    expect(expand(p, { timeoutMs: 3000, retries: 0 }).map((c) => [c.row.id, c.timeoutMs])).toEqual([
      ['bare', 2000],
      ['ms', 500],
      ['minute', 60_000],
      ['none', 3000],
    ]);
  });
});
