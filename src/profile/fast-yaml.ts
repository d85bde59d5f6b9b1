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
/** A flow collection goes on past the end of its line. */
class NeedMore extends Error {}

interface Line {
  indent: number;
  /** Without the indent and trailing spaces. */
  text: string;
  /** Its index among the document's lines (blank and comment lines are skipped here, not there). */
  at: number;
  /** Ended with spaces (which a block scalar would keep). */
  trailing: boolean;
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
const OTHER_NUMBER = new RegExp(
  '^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+|[-+]?\\.(?:inf|Inf|INF)|\\.nan|\\.NaN|\\.NAN|' +
    '[-+]?(?:\\.[0-9]+|[0-9]+(?:\\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?)$',
);
// A plain scalar may not start with an indicator; `-`, `?` and `:` may in YAML, but not here.
const INDICATOR = /^[-?:,[\]{}#&*!|>'"%@`]/;

/** The first characters a non-string plain scalar can start with (NULL, TRUE, FALSE, the numbers). */
const MAY_NOT_BE_TEXT = new Set('~nNtTfF0123456789+-.'.split('').map((c) => c.charCodeAt(0)));

function resolvePlain(text: string): unknown {
  // Most scalars (ids, names, URLs) are text: one look at the first character, not four patterns.
  if (!MAY_NOT_BE_TEXT.has(text.charCodeAt(0))) return text;
  if (NULL.test(text)) return null;
  if (TRUE.test(text)) return true;
  if (FALSE.test(text)) return false;
  if (SMALL_INT.test(text)) return Number(text);
  if (OTHER_NUMBER.test(text)) unsure();
  return text;
}

function lines(text: string, raws: string[]): Line[] {
  if (AWKWARD.test(text)) unsure();
  const out: Line[] = [];
  for (let at = 0; at < raws.length; at++) {
    const raw = raws[at]!;
    let indent = 0;
    while (raw.charCodeAt(indent) === 0x20) indent++;
    const rest = raw.slice(indent).trimEnd();
    if (rest === '' || rest.startsWith('#')) continue;
    // Directives and document markers.
    if (indent === 0 && (rest.startsWith('%') || rest.startsWith('---') || rest.startsWith('...'))) unsure();
    out.push({ indent, text: rest, at, trailing: rest.length !== raw.length - indent });
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
    if (body.includes('\\') || body.includes('\n')) unsure();
    return [body, end + 1];
  }
  let out = '';
  let i = at + 1;
  for (;;) {
    const end = s.indexOf("'", i);
    if (end === -1) unsure();
    out += s.slice(i, end);
    if (out.includes('\n')) unsure();
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
      if (i >= s.length) throw new NeedMore();
      let key = '';
      if (isMap) {
        key = keyAt(s, i);
        i += key.length;
        if (s[i] !== ':' || (s[i + 1] !== ' ' && s[i + 1] !== '\n')) unsure();
        i = skipSpaces(s, i + 1);
      }
      const [value, end] = flowValue(s, i, depth + 1);
      if (isMap) setKey(map, key, value);
      else seq.push(value);
      i = skipSpaces(s, end);
      if (i >= s.length) throw new NeedMore();
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
    if (d === ',' || d === '}' || d === ']' || d === '\n') break;
    if (d === '{' || d === '[' || d === '#') unsure();
    if (d === ':' && !wordChar(s.charCodeAt(i + 1))) unsure();
  }
  const text = s.slice(at, i).trimEnd();
  if (text === '' || INDICATOR.test(text)) unsure();
  return [resolvePlain(text), i];
}

/**
 * KEY at s[at], scanned in place: a flow map's keys are most of a row, and a regex match (or a slice
 * of the line to anchor one) per key was a tenth of what reading a 10,000-row profile allocated.
 */
function keyAt(s: string, at: number): string {
  let i = at;
  for (let c = s.charCodeAt(i); isLetter(c) || c === 0x5f || (i > at && (isDigit(c) || c === 0x2d)); ) {
    c = s.charCodeAt(++i);
  }
  if (i === at || i - at > MAX_KEY) unsure();
  return s.slice(at, i);
}

const isLetter = (c: number) => (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
const isDigit = (c: number) => c >= 0x30 && c <= 0x39;

/** [A-Za-z0-9/]: a `:` followed by one is inside a word. */
function wordChar(c: number): boolean {
  return isLetter(c) || isDigit(c) || c === 0x2f;
}

/** Spaces, and in a flow collection that spans lines, the line breaks joining them. */
function skipSpaces(s: string, at: number): number {
  let i = at;
  for (let c = s.charCodeAt(i); c === 0x20 || c === 0x0a; c = s.charCodeAt(++i));
  return i;
}

/** A plain scalar after `key: ` or `- ` on a block line. */
function plainValue(s: string, at: number): unknown {
  let text = s.slice(at);
  const comment = text.indexOf(' #');
  if (comment !== -1) text = text.slice(0, comment).trimEnd();
  if (text.includes('#') || text.includes(': ') || text.endsWith(':') || INDICATOR.test(text)) unsure();
  return resolvePlain(text);
}

class Reader {
  i = 0;
  constructor(
    readonly ls: Line[],
    readonly raws: string[],
  ) {}

  /** A block collection whose first line is the current one, at that line's indent. */
  block(depth: number): unknown {
    if (depth > MAX_DEPTH) unsure();
    const line = this.ls[this.i]!;
    return isItem(line.text) ? this.sequence(line.indent, depth) : this.mapping(line.indent, depth);
  }

  /** The value after `key: ` or `- ` on the current line (not empty); `indent` is the block's. A flow
   * collection may go on over more indented lines; the lines a value took are consumed. */
  inline(indent: number, at: number, depth: number): unknown {
    const first = this.ls[this.i]!;
    const c = first.text[at]!;
    if (c === '>' || c === '|') return this.blockScalar(indent, first.text.slice(at));
    this.i++;
    if (c !== '{' && c !== '[' && c !== '"' && c !== "'") return plainValue(first.text, at);
    let s = first.text;
    for (;;) {
      try {
        const [value, end] = flowValue(s, at, depth);
        restIsComment(s.slice(s.lastIndexOf('\n') + 1), end - s.lastIndexOf('\n') - 1);
        return value;
      } catch (e) {
        const next = this.ls[this.i];
        if (!(e instanceof NeedMore) || !next || next.indent <= indent) throw e;
        s += `\n${next.text}`;
        this.i++;
      }
    }
  }

  /** `>`, `>-`, `|` or `|-` over lines all at one indent, none blank, none ending with spaces. */
  private blockScalar(indent: number, header: string): string {
    const folded = header[0] === '>';
    if (header.length > 2 || (header.length === 2 && header[1] !== '-')) unsure();
    const head = this.ls[this.i]!;
    this.i++;
    const parts: string[] = [];
    let last = head.at;
    let content = -1;
    for (let line = this.ls[this.i]; line && line.indent > indent; line = this.ls[this.i]) {
      // A skipped line in between (blank, or a `#…` that is text here) changes the value: yaml's.
      if (line.at !== last + 1 || line.trailing || (content !== -1 && line.indent !== content)) unsure();
      content = line.indent;
      parts.push(line.text);
      last = line.at;
      this.i++;
    }
    // A `#…` line right after it, indented past the key, would be text too (a comment line is skipped).
    const after = this.raws[last + 1] ?? '';
    if (/^ *#/.test(after) && after.length - after.trimStart().length > indent) unsure();
    if (parts.length === 0) unsure();
    const value = parts.join(folded ? ' ' : '\n');
    return header.length === 2 ? value : `${value}\n`;
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
        this.ls[this.i] = { ...line, indent: indent + at, text: line.text.slice(at) };
        out.push(this.mapping(indent + at, depth + 1));
        continue;
      }
      if (line.text[at] === '>' || line.text[at] === '|') unsure();
      out.push(this.inline(indent, at, depth + 1));
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
      if (at === s.length || s[at] === '#') {
        this.i++;
        setKey(out, key!, this.nested(indent, depth + 1));
      } else {
        setKey(out, key!, this.inline(indent, at, depth + 1));
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
    const raws = text.split('\n');
    const ls = lines(text, raws);
    if (ls.length === 0 || ls[0]!.indent !== 0 || isItem(ls[0]!.text)) return undefined;
    const reader = new Reader(ls, raws);
    const value = reader.mapping(0, 0);
    return reader.i === ls.length ? value : undefined;
  } catch (e) {
    if (e instanceof Unsure || e instanceof NeedMore) return undefined;
    throw e;
  }
}
