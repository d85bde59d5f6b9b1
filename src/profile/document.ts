// Reads a YAML (or JSON) file into plain data, refusing what would exhaust the machine before it
// is a profile at all: files above 4 MiB, alias bombs, nesting past 32 levels. Duplicate keys are
// found in one pass (yaml's own `uniqueKeys` compares every pair: 100k keys took minutes). A JSON
// document is read by JSON.parse when that is enough to keep all of these guarantees.
import { readFile, stat } from 'node:fs/promises';
import type { Node } from 'yaml';
import { ProfileError } from '../errors.js';
import { fastYaml } from './fast-yaml.js';
import { fsErrorCode } from '../fs-error.js';

// yaml (140 KB of code to compile) is loaded only for a document the fast paths do not read.
type Yaml = typeof import('yaml');

const MAX_DOCUMENT_BYTES = 4 * 1024 * 1024;
const MAX_DEPTH = 32;

function lineOf(text: string, offset: number | undefined): number | undefined {
  if (offset === undefined) return undefined;
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

/** `line 12`, computed only for an error (counting lines for every key would be quadratic). */
function where(text: string, offset: number | undefined): string {
  const line = lineOf(text, offset);
  return line ? `line ${line}` : '';
}

/** The first duplicate or non-text key, or a nesting too deep, walking the tree without recursion. */
function checkTree({ isAlias, isMap, isScalar, isSeq }: Yaml, root: unknown, text: string, file: string): void {
  const stack: [unknown, number][] = [[root, 0]];
  while (stack.length) {
    const [node, depth] = stack.pop()!;
    if (isMap(node) || isSeq(node)) {
      if (depth > MAX_DEPTH)
        throw new ProfileError(file, where(text, (node as Node).range?.[0]), `nested deeper than ${MAX_DEPTH} levels`);
      if (isSeq(node)) {
        for (const item of node.items) stack.push([item, depth + 1]);
        continue;
      }
      const keys = new Set<string>();
      for (const pair of node.items) {
        const key = pair.key;
        const at = () => where(text, isScalar(key) || isAlias(key) ? key.range?.[0] : (node as Node).range?.[0]);
        if (
          !isScalar(key) ||
          (typeof key.value !== 'string' && typeof key.value !== 'number' && typeof key.value !== 'boolean')
        ) {
          throw new ProfileError(file, at(), 'a key must be plain text');
        }
        const name = String(key.value);
        if (keys.has(name)) throw new ProfileError(file, at(), `duplicate key ${JSON.stringify(name.slice(0, 60))}`);
        keys.add(name);
        stack.push([pair.value, depth + 1]);
      }
    }
  }
}

const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;

/**
 * The fast path for a JSON document (a `.json` profile, or generated rows): JSON.parse and one linear
 * scan, tens of times faster and lighter than yaml's syntax tree (10,000 rows: ~1 s and 200 MB there).
 * It only ever accepts: anything JSON.parse refuses, a duplicate key or a nesting past the limit goes
 * to the YAML path below, which finds the same problem and words it (file, line) exactly as always.
 */
function plainJson(text: string): { ok: true; value: unknown } | { ok: false } {
  const first = text.trimStart().charCodeAt(0);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) return { ok: false };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false };
  }
  return jsonKeysAndDepthOk(text) ? { ok: true, value } : { ok: false };
}

/**
 * Walks text that JSON.parse accepted: false at the first duplicate key in an object, or a collection
 * nested deeper than checkTree allows. Keys are compared decoded (`"a"` and `"\u0061"` are one key).
 */
function jsonKeysAndDepthOk(text: string): boolean {
  const stack: (Set<string> | undefined)[] = []; // a Set of keys per object, undefined per array
  let expectKey = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22) {
      let end = i + 1;
      let escaped = false;
      for (let d = text.charCodeAt(end); d !== 0x22; d = text.charCodeAt(end)) {
        if (d === 0x5c) {
          escaped = true;
          end++;
        }
        end++;
      }
      if (expectKey) {
        const key = escaped ? (JSON.parse(text.slice(i, end + 1)) as string) : text.slice(i + 1, end);
        const keys = stack[stack.length - 1]!;
        if (keys.has(key)) return false;
        keys.add(key);
        expectKey = false;
      }
      i = end;
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      // checkTree's depth 0 is the root collection: the stack holds depth + 1 entries.
      if (stack.push(c === OPEN_BRACE ? new Set() : undefined) > MAX_DEPTH + 1) return false;
      expectKey = c === OPEN_BRACE;
    } else if (c === 0x7d || c === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (c === 0x2c) {
      expectKey = stack[stack.length - 1] !== undefined;
    }
  }
  return true;
}

/**
 * Reads YAML (a JSON document is YAML too) and reports syntax errors with their line. Plain JSON and
 * plain YAML take the fast paths (plainJson, fastYaml); everything else, and every document with a
 * problem, is read by yaml.
 */
export async function readDocument(file: string): Promise<unknown> {
  let text: string;
  try {
    const st = await stat(file);
    // A FIFO or a device (/dev/zero) would block or never end: only regular files are read.
    if (!st.isFile()) throw new ProfileError(file, '', 'not a regular file');
    if (st.size > MAX_DOCUMENT_BYTES) {
      throw new ProfileError(
        file,
        '',
        `${(st.size / 1048576).toFixed(1)} MiB is larger than the 4 MiB a profile or site file may have`,
      );
    }
    text = await readFile(file, 'utf8');
  } catch (e) {
    if (e instanceof ProfileError) throw e;
    const code = fsErrorCode(e);
    throw new ProfileError(file, '', code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`);
  }
  if (text.length > MAX_DOCUMENT_BYTES)
    throw new ProfileError(file, '', 'larger than the 4 MiB a profile or site file may have');
  const json = plainJson(text);
  if (json.ok) return json.value;
  // Profiles written in the plain subset of YAML (a 10,000-row one: tens of ms instead of 1.5 s and
  // 180 MB); anything else, and every document with a problem, goes to yaml below.
  const fast = fastYaml(text);
  if (fast !== undefined) return fast;
  const loaded = await import('yaml');
  // yaml is CommonJS: Node's loader gives its named exports, while a bundle chunk that other chunks
  // also import (the --from readers) may give only module.exports as the default.
  const yaml: Yaml = 'parseDocument' in loaded ? loaded : (loaded as unknown as { default: Yaml }).default;
  // prettyErrors builds a context snippet with regular expressions that ran out of memory on a
  // 10k-deep flow sequence; the line is computed here instead.
  const doc = yaml.parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const err = doc.errors[0];
  if (err) {
    const line = lineOf(text, err.pos[0]);
    const message = err.message
      .split('\n')[0]!
      .replace(/ at line \d+, column \d+:?$/, '')
      .slice(0, 200);
    throw new ProfileError(file, line ? `line ${line}` : '', `not valid YAML: ${message}`);
  }
  checkTree(yaml, doc.contents, text, file);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml throws a ReferenceError for an alias bomb ("billion laughs").
    const why = /alias/i.test((e as Error).message)
      ? 'too many aliases (an alias bomb?)'
      : (e as Error).message.split('\n')[0]!.slice(0, 200);
    throw new ProfileError(file, '', `not valid YAML: ${why}`);
  }
}
