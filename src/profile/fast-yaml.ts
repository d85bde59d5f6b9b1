// A fast path for the YAML that profiles are made of: block mappings and sequences, one-line flow
// collections, plain and simply quoted scalars. yaml's syntax tree costs 1.5 s and 180 MB for a
// 10,000-row profile; this reads it in a few tens of milliseconds into the same plain data.
// It only ever accepts: whatever it does not fully understand (anchors, tags, block scalars,
// multi-line scalars, escapes, tabs, numbers other than plain decimals, duplicate keys, deep
// nesting, anything that might be an error) makes it answer `undefined`, and document.ts reads the
// file with yaml as before, which finds the same value or words the problem with its line.

/** Nesting deeper than this goes to the full path (document.ts words the limit, 32). */
const MAX_DEPTH = 24;
/** yaml refuses an implicit key longer than 1024 characters. */
const MAX_KEY = 1000;

class Unsure extends Error {}
const unsure = (): never => {
  throw new Unsure();
};

interface Line {
  indent: number;
  text: string;
}

// Control characters, C1, the Unicode line separators and a BOM: yaml has rules for each.
const AWKWARD = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/;
const KEY = /^[A-Za-z_][A-Za-z0-9_-]*/;
// yaml's YAML 1.2 core schema (node_modules/yaml/dist/schema/core): a plain scalar matching one of
// these is not a string. Plain decimals, booleans and null are resolved here; the rest go to yaml.
const NULL = /^(?:~|[Nn]ull|NULL)$/;
const TRUE = /^(?:[Tt]rue|TRUE)$/;
const FALSE = /^(?:[Ff]alse|FALSE)$/;
const SMALL_INT = /^(?:0|[1-9][0-9]{0,14})$/;
const OTHER_NUMBER =
  /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$/;
// A plain scalar may not start with an indicator; `-`, `?` and `:` may in YAML, but not here.
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

function resolvePlain(text: string): unknown {
  if (NULL.test(text)) return null;
  if (TRUE.test(text)) return true;
  if (FALSE.test(text)) return false;
  if (SMALL_INT.test(text)) return Number(text);
  if (OTHER_NUMBER.test(text)) unsure();
  return text;
}

function lines(text: string): Line[] {
  if (AWKWARD.test(text)) unsure();
  const out: Line[] = [];
  for (const raw of text.split('\n')) {
    let indent = 0;
    while (raw.charCodeAt(indent) === 0x20) indent++;
    const rest = raw.slice(indent).trimEnd();
    if (rest === '' || rest.startsWith('#')) continue;
    // Directives and document markers.
    if (indent === 0 && (rest.startsWith('%') || rest.startsWith('---') || rest.startsWith('...'))) unsure();
    out.push({ indent, text: rest });
  }
  return out;
}

/** What may follow a complete value on its line: nothing, or a comment after a space. */
function restIsComment(s: string, at: number): void {
  let i = at;
  while (s.charCodeAt(i) === 0x20) i++;
  if (i === s.length) return;
  if (s[i] === '#' && i > at) return;
  unsure();
}

/** A quoted scalar starting at s[at]; [value, index after the closing quote]. */
function quoted(s: string, at: number): [string, number] {
  const q = s[at]!;
  if (q === '"') {
    const end = s.indexOf('"', at + 1);
    if (end === -1) unsure();
    const body = s.slice(at + 1, end);
    if (body.includes('\\')) unsure();
    return [body, end + 1];
  }
  let out = '';
  let i = at + 1;
  for (;;) {
    const end = s.indexOf("'", i);
    if (end === -1) unsure();
    out += s.slice(i, end);
    if (s[end + 1] !== "'") return [out, end + 1];
    out += "'";
    i = end + 2;
  }
}

function setKey(map: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__' || key.length > MAX_KEY || Object.hasOwn(map, key) || typeof resolvePlain(key) !== 'string')
    unsure();
  map[key] = value;
}

/** A flow value (`{…}`, `[…]`, quoted or plain) within one line; [value, index after it]. */
function flowValue(s: string, at: number, depth: number): [unknown, number] {
  const c = s[at];
  if (c === '{' || c === '[') {
    if (depth > MAX_DEPTH) unsure();
    const isMap = c === '{';
    const close = isMap ? '}' : ']';
    const map: Record<string, unknown> = {};
    const seq: unknown[] = [];
    let i = skipSpaces(s, at + 1);
    if (s[i] === close) return [isMap ? map : seq, i + 1];
    for (;;) {
      let key = '';
      if (isMap) {
        key = KEY.exec(s.slice(i, i + MAX_KEY + 1))?.[0] ?? unsure();
        i += key.length;
        if (s[i] !== ':' || s[i + 1] !== ' ') unsure();
        i = skipSpaces(s, i + 1);
      }
      const [value, end] = flowValue(s, i, depth + 1);
      if (isMap) setKey(map, key, value);
      else seq.push(value);
      i = skipSpaces(s, end);
      if (s[i] === close) return [isMap ? map : seq, i + 1];
      if (s[i] !== ',') unsure();
      i = skipSpaces(s, i + 1);
      if (s[i] === close || s[i] === ',') unsure();
    }
  }
  if (c === '"' || c === "'") return quoted(s, at);
  // A plain scalar in a flow: up to `,` `]` `}`; a `:` only inside a word (tcp://host:port).
  let i = at;
  for (; i < s.length; i++) {
    const d = s[i]!;
    if (d === ',' || d === '}' || d === ']') break;
    if (d === '{' || d === '[' || d === '#') unsure();
    if (d === ':' && !/[A-Za-z0-9/]/.test(s[i + 1] ?? '')) unsure();
  }
  const text = s.slice(at, i).trimEnd();
  if (text === '' || INDICATOR.test(text)) unsure();
  return [resolvePlain(text), i];
}

function skipSpaces(s: string, at: number): number {
  let i = at;
  while (s.charCodeAt(i) === 0x20) i++;
  return i;
}

/** The value after `key: ` or `- ` on a block line (not empty): flow, quoted or plain. */
function inlineValue(s: string, at: number, depth: number): unknown {
  const c = s[at]!;
  if (c === '{' || c === '[' || c === '"' || c === "'") {
    const [value, end] = flowValue(s, at, depth);
    restIsComment(s, end);
    return value;
  }
  let text = s.slice(at);
  const comment = text.indexOf(' #');
  if (comment !== -1) text = text.slice(0, comment).trimEnd();
  if (text.includes('#') || text.includes(': ') || text.endsWith(':') || INDICATOR.test(text)) unsure();
  return resolvePlain(text);
}

class Reader {
  i = 0;
  constructor(readonly ls: Line[]) {}

  /** A block collection whose first line is the current one, at that line's indent. */
  block(depth: number): unknown {
    if (depth > MAX_DEPTH) unsure();
    const line = this.ls[this.i]!;
    return isItem(line.text) ? this.sequence(line.indent, depth) : this.mapping(line.indent, depth);
  }

  /** After a complete value: a more indented line would continue it (or be an error). */
  private ended(indent: number): void {
    const next = this.ls[this.i];
    if (next && next.indent > indent) unsure();
  }

  /** The value of `key:` with nothing after it on the line. */
  private nested(indent: number, depth: number): unknown {
    const next = this.ls[this.i];
    if (!next || next.indent < indent) return null;
    if (next.indent > indent) return this.block(depth);
    // `rows:` followed by `- …` at the key's own indent is a sequence too.
    return isItem(next.text) ? this.sequence(indent, depth) : null;
  }

  sequence(indent: number, depth: number): unknown[] {
    const out: unknown[] = [];
    for (let line = this.ls[this.i]; line && line.indent === indent && isItem(line.text); line = this.ls[this.i]) {
      const at = skipSpaces(line.text, 1);
      if (at === line.text.length) {
        this.i++;
        const next = this.ls[this.i];
        out.push(next && next.indent > indent ? this.block(depth + 1) : null);
        continue;
      }
      if (/^[A-Za-z_][A-Za-z0-9_-]*:(?: |$)/.test(line.text.slice(at))) {
        // `- id: x` starts a mapping whose keys line up with `id`.
        this.ls[this.i] = { indent: indent + at, text: line.text.slice(at) };
        out.push(this.mapping(indent + at, depth + 1));
        continue;
      }
      this.i++;
      out.push(inlineValue(line.text, at, depth + 1));
      this.ended(indent);
    }
    return out;
  }

  mapping(indent: number, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (let line = this.ls[this.i]; line && line.indent === indent; line = this.ls[this.i]) {
      const s = line.text;
      const key = KEY.exec(s)?.[0];
      if (key === undefined || s[key.length] !== ':') unsure();
      const at = skipSpaces(s, key!.length + 1);
      if (at === key!.length + 1 && at < s.length) unsure(); // `key:value` is no key
      this.i++;
      if (at === s.length || s[at] === '#') setKey(out, key!, this.nested(indent, depth + 1));
      else {
        setKey(out, key!, inlineValue(s, at, depth + 1));
        this.ended(indent);
      }
    }
    return out;
  }
}

const isItem = (text: string) => text === '-' || text.startsWith('- ');

/** The document's value when it is in the subset this reads exactly as yaml would; else undefined. */
export function fastYaml(text: string): Record<string, unknown> | undefined {
  try {
    const ls = lines(text);
    if (ls.length === 0 || ls[0]!.indent !== 0 || isItem(ls[0]!.text)) return undefined;
    const reader = new Reader(ls);
    const value = reader.mapping(0, 0);
    return reader.i === ls.length ? value : undefined;
  } catch (e) {
    if (e instanceof Unsure) return undefined;
    throw e;
  }
}
