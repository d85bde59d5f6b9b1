// The JSON fast path of readDocument (JSON.parse plus one scan) must keep every guarantee of the YAML
// path: what it accepts is what yaml would give, and each problem is worded (file, line) as before.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { readDocument } from '../../src/profile/document.js';

const dir = mkdtempSync(join(tmpdir(), 'fedprobe-docjson-'));
let n = 0;
const file = (text: string, ext = 'json') => {
  const f = join(dir, `d${n++}.${ext}`);
  writeFileSync(f, text);
  return f;
};
const refusal = async (text: string) =>
  readDocument(file(text)).then(
    () => 'accepted',
    (e: Error) => e.message,
  );

describe('readDocument, JSON documents', () => {
  it('reads a JSON document to the same value as yaml does', async () => {
    const value = { a: [1, -0.5, 1e3, true, null, 'é\u2028"\\'], b: { c: {}, d: [] }, '': 'x' };
    const text = JSON.stringify(value, null, 1);
    expect(await readDocument(file(text))).toEqual(parse(text));
    expect(await readDocument(file(text, 'yaml'))).toEqual(parse(text));
  });

  it('finds a duplicate key, also one spelled with an escape, on its line', async () => {
    const f = file('{\n "rows": [\n  {"id": 1,\n   "id": 2}\n ]\n}\n');
    await expect(readDocument(f)).rejects.toThrow(`${f}: line 4: duplicate key "id"`);
    expect(await refusal('{"a": 1, "\\u0061": 2}')).toMatch(/: line 1: duplicate key "a"$/);
    // The same key in two objects, and a key equal to a string value, are no duplicates.
    expect(await readDocument(file('[{"a": 1}, {"a": "a", "b": {"a": 2}}]'))).toEqual([
      { a: 1 },
      { a: 'a', b: { a: 2 } },
    ]);
  });

  it('refuses nesting past 32 levels and accepts 32', async () => {
    expect(await refusal(`{"a": ${'['.repeat(33)}${']'.repeat(33)}}`)).toMatch(
      /: line 1: nested deeper than 32 levels$/,
    );
    expect(await readDocument(file(`{"a": ${'['.repeat(32)}${']'.repeat(32)}}`))).toBeTruthy();
  });

  it('words a syntax error as the YAML path does, with its line', async () => {
    expect(await refusal('{\n "a": 1,\n "b": [1, 2\n}\n')).toMatch(/: line \d+: not valid YAML: /);
  });
});
