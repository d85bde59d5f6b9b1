// Fuzzes the profile and site-file loader through main(): structured profiles with hostile values
// in every field, and raw YAML-ish text (anchors, aliases, flow and block nesting, tags, duplicate
// keys). Only `validate`, `show` and a `check` that stops at --only send no traffic at all: every
// case must end in exit 0 or in exit 2 with one classified line, within the per-case bound.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { CASE_BOUND_MS, NUM_RUNS, expectClassified, fuzzSeed, runBounded } from './harness.js';

const dir = mkdtempSync(join(tmpdir(), 'fedprobe-fuzz-profile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string, ext = 'yaml') => {
  const f = join(dir, `case-${n++}.${ext}`);
  writeFileSync(f, text);
  return f;
};

/** Strings a hostile or careless author writes. */
const hostile = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '${',
    '${}',
    '${x',
    '$${x}',
    '${X}',
    '${constructor}',
    '${__proto__}',
    '${a}${b}',
    '127.0.0.1:9/x?',
    'fd77::2',
    '[::1]',
    '::1',
    'user:pw@h',
    '/etc/shadow',
    'AWS_SECRET_ACCESS_KEY',
    '\u001b]0;pwned\u0007',
    'a\nb',
    '\u0000',
    '💥',
    'x'.repeat(300),
    '0',
    '-1',
    '65536',
    'http://u:p@proxy:3128',
    'socks5://p:1',
    'direct',
    'tcp/0',
    'TCP/1883',
    'udp/51820',
    '(a+)+$',
    '1e400',
    'NaN',
    'true',
    'null',
  ),
);
const scalar = fc.oneof(hostile, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
const value = fc.oneof(scalar, fc.array(scalar, { maxLength: 3 }), fc.dictionary(hostile, scalar, { maxKeys: 3 }));

const schemes = [
  'tcp',
  'udp',
  'tls',
  'http',
  'https',
  'mqtt',
  'mqtts',
  'mqtt+ws',
  'mqtt+wss',
  'grpc',
  'grpcs',
  'wireguard',
  'discv4',
  'rlpx',
  'listen',
  'gopher',
  '',
];
const probe = fc.oneof(
  fc
    .tuple(
      fc.constantFrom(...schemes),
      fc.oneof(hostile, fc.constantFrom('${host}', '[${host}]', '127.0.0.1', 'x.invalid')),
      fc.oneof(hostile, fc.constantFrom('${port}', '1883', '0', '')),
      fc.oneof(fc.constant(''), hostile),
    )
    .map(
      ([s, h, p, rest]) =>
        `${s}://${h}${p === '' ? '' : `:${p}`}${rest.startsWith('/') || rest === '' ? rest : `/${rest}`}`,
    ),
  hostile,
);
const withKeys = [
  'proxy',
  'password',
  'passwordFile',
  'passwordEnv',
  'token',
  'username',
  'servername',
  'ca',
  'cert',
  'key',
  'insecure',
  'headers',
  'localOnly',
  'payload',
  'bodyMatch',
  'expectStatus',
  'method',
  'version',
  'clientId',
  'path',
  'nodeId',
  'privateKeyFile',
  'config',
  'minDaysValid',
];
const row = fc.record(
  {
    id: fc.oneof(fc.constantFrom('a', 'b', 'a'), hostile),
    dir: fc.oneof(fc.constantFrom('in', 'out'), hostile),
    source: hostile,
    destination: hostile,
    port: fc.oneof(fc.constantFrom('tcp/1883', 'udp/51820', 'tcp/0', 'tcp/65536'), hostile),
    service: hostile,
    type: fc.oneof(fc.constantFrom('backend', 'user'), hostile),
    status: fc.oneof(fc.constantFrom('mandatory', 'optional'), hostile),
    probe,
    timeout: fc.oneof(fc.constantFrom(2, '500ms', '1.5ms', '9999999h', 5000, -1, 0), hostile),
    expect: fc.constantFrom('reachable', 'blocked', 'maybe'),
    with: fc.dictionary(fc.oneof(fc.constantFrom(...withKeys), hostile), value, { maxKeys: 4 }),
  },
  { requiredKeys: ['id', 'dir', 'source', 'destination', 'port', 'service', 'type', 'status', 'probe'] },
);
const varDef = fc.record(
  { default: fc.oneof(hostile, fc.integer()), description: hostile, secret: fc.boolean() },
  { requiredKeys: [] },
);
const profile = fc.record(
  {
    schema: fc.constantFrom('fedprobe/v1', 'fedprobe/v2'),
    framework: hostile,
    component: hostile,
    scenario: hostile,
    vars: fc.dictionary(
      fc.oneof(fc.constantFrom('host', 'port', 'pw', 'constructor', '__proto__', 'toString'), hostile),
      varDef,
      { maxKeys: 4 },
    ),
    rows: fc.array(row, { minLength: 0, maxLength: 4 }),
    extra: value,
  },
  { requiredKeys: ['schema', 'rows'] },
);

/** A profile that passes the schema, with hostile values where the deeper checks look: probe URLs,
 * defaults in each part of the URL, `with:` options and credentials, timeouts. */
const goodSchemes = schemes.filter((x) => x !== '' && x !== 'gopher');
const mostly = <T>(valid: fc.Arbitrary<T>, bad: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: valid, weight: 4 }, { arbitrary: bad, weight: 1 });
const mostlyValid = fc
  .record({
    scheme: fc.constantFrom(...goodSchemes),
    host: mostly(fc.constantFrom('${host}', '[${host}]', '127.0.0.1', '[::1]', 'h.example'), hostile),
    port: mostly(fc.constantFrom('${port}', '1883', undefined), hostile),
    rest: mostly(fc.constantFrom('', '/', '/${path}', '/x?y=${host}'), hostile),
    hostDefault: fc.option(mostly(fc.constantFrom('10.0.0.1', 'fd77::2', 'h.example'), hostile)),
    portDefault: fc.option(mostly(fc.constantFrom('1', '65535'), fc.oneof(hostile, fc.constantFrom('0', '65536')))),
    secretDefault: fc.option(hostile, { freq: 8 }),
    with: mostly(
      fc.constantFrom(
        {},
        { proxy: 'direct' },
        { proxy: '${pw}' },
        { servername: 'x.example', insecure: true },
        { username: 'u', password: '${pw}' },
      ),
      fc.dictionary(
        fc.constantFrom(...withKeys),
        fc.oneof(value, fc.constantFrom('${pw}', '${host}', 'Bearer ${pw}', '${nope}')),
        { maxKeys: 3 },
      ),
    ),
    timeout: fc.option(
      mostly(fc.constantFrom(2, '500ms', '10m'), fc.oneof(fc.constantFrom('1.5ms', 5000, '11m'), hostile)),
    ),
  })
  .map((v) => ({
    schema: 'fedprobe/v1',
    framework: 'F',
    component: 'c',
    scenario: 's',
    vars: {
      host: v.hostDefault === null ? {} : { default: v.hostDefault },
      port: v.portDefault === null ? {} : { default: v.portDefault },
      path: {},
      pw: v.secretDefault === null ? { secret: true } : { secret: true, default: v.secretDefault },
    },
    rows: [
      {
        id: 'a',
        dir: 'out',
        source: 's',
        destination: 'd',
        port: v.scheme === 'udp' || v.scheme === 'wireguard' || v.scheme === 'discv4' ? 'udp/51820' : 'tcp/1883',
        service: 'S',
        type: 'backend',
        status: 'mandatory',
        probe:
          v.scheme === 'listen'
            ? `listen://tcp/${v.port ?? '1883'}`
            : `${v.scheme}://${v.host}${v.port === undefined ? '' : `:${v.port}`}${v.rest}`,
        with: v.with,
        ...(v.timeout !== null && { timeout: v.timeout }),
      },
    ],
  }));

/** YAML-ish text: the syntax that trips parsers, in random order. */
const yamlish = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        'a: ',
        'b:',
        '- ',
        '? ',
        '&x ',
        '*x',
        '&y [*x, *x, *x]',
        '*y',
        '[',
        ']',
        '{',
        '}',
        ', ',
        '\n',
        '\n  ',
        '\n    ',
        '!!str ',
        '!!binary ',
        '!foo ',
        '<<: *x',
        '"',
        "'",
        '|',
        '>',
        '#',
        '%YAML 1.2\n---\n',
        '---\n',
        '...\n',
        '\t',
        'schema: fedprobe/v1\n',
        'rows:\n',
        'vars:\n',
        '${',
      ),
      hostile,
    ),
    { maxLength: 60 },
  )
  .map((parts) => parts.join(''));

const KNOWN_GOOD = {
  schema: 'fedprobe/v1',
  framework: 'F',
  component: 'c',
  scenario: 's',
  vars: { host: { default: '127.0.0.1' }, port: {}, path: {}, pw: { secret: true } },
  rows: [
    {
      id: 'a',
      dir: 'out',
      source: 's',
      destination: 'd',
      port: 'tcp/1883',
      service: 'S',
      type: 'backend',
      status: 'mandatory',
      probe: 'mqtt://${host}:1883',
      with: {},
    },
  ],
};

describe('profile loader fuzz', () => {
  it('structured profiles with hostile values: validate, show', { timeout: NUM_RUNS * CASE_BOUND_MS }, async () => {
    const outcomes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(fc.oneof(profile, mostlyValid), fc.boolean(), async (p, asJson) => {
        // JSON is YAML too; the YAML form (via JSON.stringify of each scalar) reaches the YAML parser.
        const f = file(JSON.stringify(p, null, asJson ? 0 : 2), asJson ? 'json' : 'yaml');
        for (const args of [
          ['validate', f],
          ['show', f, '-f', 'json'],
        ]) {
          const r = await runBounded(args);
          expectClassified(r, args);
          if (r.code === 0 && args[0] === 'validate') expect(r.stdout).toMatch(/^ok: /);
          expect(r.code === 0 || r.code === 2).toBe(true);
          outcomes.set(r.code, (outcomes.get(r.code) ?? 0) + 1);
        }
      }),
      // Valid cases are rare among the generated ones (a seed may draw none): these two always run,
      // so "some cases load" below holds for every seed and still fails if a valid profile is refused.
      {
        numRuns: NUM_RUNS,
        seed: fuzzSeed('profile structure'),
        examples: [
          [KNOWN_GOOD, false],
          [KNOWN_GOOD, true],
        ],
      },
    );
    console.log('profile structure: exit codes', Object.fromEntries(outcomes));
    // Some cases must load, or the fuzzer only ever exercised the schema's first refusal.
    expect(outcomes.get(0) ?? 0).toBeGreaterThan(0);
  });

  it('raw YAML-ish text: validate, and as a site file (check stops at --only, no traffic)', {
    timeout: NUM_RUNS * CASE_BOUND_MS,
  }, async () => {
    const good = new URL('../fixtures/good.yaml', import.meta.url).pathname;
    await fc.assert(
      fc.asyncProperty(yamlish, async (text) => {
        const f = file(text);
        const validate = await runBounded(['validate', f]);
        expectClassified(validate, ['validate', text]);
        expect(validate.code).toBe(2); // never a whole profile by chance
        const args = ['check', good, '--site', f, '--only', 'no-such-row'];
        const site = await runBounded(args);
        expectClassified(site, [...args, text]);
        expect(site.code).toBe(2);
        expect(site.stdout).toBe('');
      }),
      { numRuns: NUM_RUNS, seed: fuzzSeed('raw yaml') },
    );
  });
});
