// The YAML fast path (src/profile/fast-yaml.ts) may only ever accept: whatever it reads must be what
// yaml reads, and everything else must go to yaml (undefined), which words the problems with a line.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { parseDocument } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readDocument } from '../../src/profile/document.js';
import { fastYaml } from '../../src/profile/fast-yaml.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** yaml's reading, as document.ts does it; undefined when yaml finds an error. */
function slow(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  return doc.errors.length ? undefined : doc.toJS();
}

/** Accepted documents equal yaml's value; returns whether the fast path took it. */
function agrees(text: string): boolean {
  const fast = fastYaml(text);
  if (fast !== undefined) expect(fast, text).toStrictEqual(slow(text));
  return fast !== undefined;
}

const ROW = (p: number) =>
  `  - { id: p${p}, dir: out, source: site, destination: svc, port: tcp/${p}, service: TCP, type: backend, ` +
  `status: mandatory, probe: "tcp://127.0.0.1:${p}" }`;

describe('fastYaml', () => {
  it('reads a generated flow-style profile exactly as yaml does', () => {
    const text = ['schema: fedprobe/v1', 'framework: bench', 'component: site', 'scenario: s', 'rows:']
      .concat(Array.from({ length: 50 }, (_, i) => ROW(20000 + i)))
      .join('\n');
    expect(agrees(text)).toBe(true);
    expect((fastYaml(text)!.rows as unknown[]).length).toBe(50);
  });

  it('reads block mappings, sequences, comments, quotes and core-schema scalars as yaml does', () => {
    const accepted = [
      'a: 1\nb: true\nc: null\nd: ~\ne: False\nf: x y  # comment\n# a comment line\ng: "q # not a comment"\n',
      "a: 'it''s'\nb: \"\"\nc: ''\nd: tcp://h:1\ne: 127.0.0.1\nf: 1.2.3\ng: v1.0\nh: a,b[c]{d}\n",
      'rows:\n- id: a\n  with: { x: 1, y: [a, "b", \'c\'] }\n- id: b\n  list:\n    - 1\n    - two\n',
      'rows:\n  -   id: a\n      dir: out\n  - { id: b }\n  -\n    id: c\n  -\nother:\n',
      'vars:\n  host: { default: localhost, description: the host (a name) }\n  empty: {}\n  list: []\n',
      'a:\n  b:\n    c:\n      d: é ✓ 𝄞\n',
      'a: |\n  text\n  more: text # here\nb: >-\n    folded\n    text\n\n# a comment\nc: |-\n  x\nd: >\n  y\n',
      'rows:\n  - { id: a, dir: out,\n      probe: "tcp://h:1", with: { x: 1,\n        y: [a,\n         b] } }\n' +
        '  - { id: b }\n',
    ];
    for (const text of accepted) expect(agrees(text), text).toBe(true);
  });

  it('leaves to yaml what it does not fully understand', () => {
    const refused = [
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: >+\n  text\n',
      'a: >2\n  text\n',
      'a: >- # c\n  text\n',
      'a: >-\n  x\n\n  y\n',
      'a: >-\n  x\n   y\n',
      'a: >-\n  x\n  # text, not a comment\nb: 1\n',
      'a: >-\n  x \n',
      'a: >-\nb: 1\n',
      '- >-\n  x\n',
      'a: { b: 1,\nc: 2 }\n',
      'a: { b: x\n  y }\n',
      'a: { b: 1, # c\n  d: 2 }\n',
      'a: "x\n  y"\n',
      'a: { b: 1,\n',
      'a: 0x1F\n',
      'a: 1.5\n',
      'a: -1\n',
      'a: 010\n',
      'a: .inf\n',
      'a: "esc\\n"\n',
      'a: x\n  continued\n',
      'a: 1\na: 2\n',
      '{ a: 1 }\n',
      '- a\n',
      '---\na: 1\n',
      'a:\tb\n',
      'a: b\r\n',
      '"a": 1\n',
      'true: 1\n',
      '__proto__: 1\n',
      'a: b: c\n',
      'a: { b: 1, b: 2 }\n',
      'a: "open\n',
      'a:b\n',
      'a: b#c\n',
      `a: ${'['.repeat(40)}${']'.repeat(40)}\n`,
      ' a: 1\nb: 2\n',
    ];
    for (const text of refused) expect(fastYaml(text), text).toBeUndefined();
  });

  it('agrees with yaml on every YAML file in the repository', () => {
    const files = execFileSync('git', ['ls-files', '*.yaml', '*.yml'], { cwd: ROOT, encoding: 'utf8' })
      .trim()
      .split('\n');
    let taken = 0;
    for (const f of files) if (agrees(readFileSync(join(ROOT, f), 'utf8'))) taken++;
    expect(taken).toBeGreaterThan(10);
  });

  it('agrees with yaml on generated documents of tricky pieces', () => {
    const scalar = fc.constantFrom(
      'x',
      'a b',
      'true',
      'True',
      'no',
      'null',
      '~',
      '0',
      '7',
      '007',
      '-3',
      '+3',
      '1e3',
      '.5',
      '0o7',
      '0x1',
      '.nan',
      '1.0.0',
      'tcp://h:1',
      'a:b',
      'a: b',
      'a #b',
      'a#b',
      '#x',
      '"q"',
      "'q'",
      "'it''s'",
      '"a\\"b"',
      '- x',
      '[a, b]',
      '{ k: v }',
      '{k: v}',
      '{ k: v, k: w }',
      '[a,]',
      '&a x',
      '*a',
      '!t x',
      '|',
      '',
      'x  ',
      'é',
    );
    const key = fc.constantFrom('a', 'b', 'id', 'rows', 'true', 'x-y', '_z', '1', 'a b');
    const indent = fc.constantFrom('', ' ', '  ', '    ');
    const line = fc.oneof(
      fc.tuple(indent, key, scalar).map(([i, k, v]) => `${i}${k}: ${v}`),
      fc.tuple(indent, key).map(([i, k]) => `${i}${k}:`),
      fc.tuple(indent, scalar).map(([i, v]) => `${i}- ${v}`),
      fc.tuple(indent, key, scalar).map(([i, k, v]) => `${i}- ${k}: ${v}`),
      fc
        .tuple(indent, key, fc.constantFrom('>', '>-', '|', '|-', '>+', '{ a: 1,', '[x,', '{'))
        .map(([i, k, v]) => `${i}${k}: ${v}`),
      fc.tuple(indent, scalar).map(([i, v]) => `${i}  ${v}`),
      fc.constantFrom('', '# c', '  # c', '-', '   b: 2 }', '  y]', '  }', ' text ', '    # c'),
    );
    fc.assert(
      fc.property(fc.array(line, { minLength: 1, maxLength: 8 }), (ls) => {
        agrees(`${ls.join('\n')}\n`);
      }),
      { numRuns: 3000 },
    );
  });
});

describe('readDocument with the YAML fast path', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-fastyaml-'));
  const file = (name: string, text: string) => {
    const f = join(dir, name);
    writeFileSync(f, text);
    return f;
  };

  it('still words a duplicate key in a plain document with its line', async () => {
    const f = file('dup.yaml', `rows:\n${ROW(1)}\n  - { id: p2, id: p3 }\n`);
    await expect(readDocument(f)).rejects.toThrow(`${f}: line 3: duplicate key "id"`);
  });

  it('still words a syntax error with its line', async () => {
    const f = file('bad.yaml', 'a: 1\nb: [1, 2\nc: 3\n');
    await expect(readDocument(f)).rejects.toThrow(/: line \d+: not valid YAML: /);
  });
});
