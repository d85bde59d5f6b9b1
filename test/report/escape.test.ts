// One function per output format (src/escape.ts): exact output for each hostile character.
import { spawnSync } from 'node:child_process';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import {
  cap,
  csvField,
  htmlText,
  jsonText,
  markdownText,
  MAX_TEXT,
  promLabel,
  terminalText,
  xmlText,
} from '../../src/escape.js';

const ESC_TITLE = '\x1b]0;owned\x07';
const CLEAR = '\x1b[2J\x1b[H';
const GREEN = '\x1b[32mALL PATHS PASS\x1b[0m';

describe('terminalText', () => {
  it('shows C0 controls, ESC and DEL as \\xNN, and CR, LF, TAB by name', () => {
    expect(terminalText(`a${ESC_TITLE}b`)).toBe('a\\x1b]0;owned\\x07b');
    expect(terminalText(CLEAR)).toBe('\\x1b[2J\\x1b[H');
    expect(terminalText(GREEN)).toBe('\\x1b[32mALL PATHS PASS\\x1b[0m');
    expect(terminalText('line1\r\nline2\tx\x00\x7f')).toBe('line1\\r\\nline2\\tx\\x00\\x7f');
  });

  it('shows C1 controls (8-bit CSI and OSC) as \\xNN', () => {
    expect(terminalText('\x9b31m\x9d0;t\x9c\x85')).toBe('\\x9b31m\\x9d0;t\\x9c\\x85');
  });

  it('shows bidi overrides, isolates, marks and line separators as \\uNNNN', () => {
    expect(terminalText('\u202aA\u202bB\u202cC\u202dD\u202eE')).toBe('\\u202aA\\u202bB\\u202cC\\u202dD\\u202eE');
    expect(terminalText('\u2066a\u2067b\u2068c\u2069')).toBe('\\u2066a\\u2067b\\u2068c\\u2069');
    expect(terminalText('\u200e\u200f\u061c\u2028\u2029')).toBe('\\u200e\\u200f\\u061c\\u2028\\u2029');
  });

  it('leaves ordinary text alone: accents, CJK, emoji, backslashes, punctuation', () => {
    const s = 'Zürich 東京 🔒 C:\\path |=<&>` ok';
    expect(terminalText(s)).toBe(s);
  });

  it('caps the length in code points with "…", never splitting a surrogate pair', () => {
    expect(terminalText('x'.repeat(MAX_TEXT))).toBe('x'.repeat(MAX_TEXT));
    expect(terminalText('x'.repeat(MAX_TEXT + 1))).toBe(`${'x'.repeat(MAX_TEXT - 1)}…`);
    expect(terminalText('abcdef', 4)).toBe('abc…');
    expect(cap('🔒🔒🔒🔒', 3)).toBe('🔒🔒…');
    expect(cap('🔒🔒🔒', 3)).toBe('🔒🔒🔒');
    // The cap applies after escaping: a flood of ESC bytes cannot make the line longer.
    expect(terminalText('\x1b'.repeat(1000), 10)).toBe(`${'\\x1b'.repeat(2)}\\…`);
  });
});

describe('markdownText', () => {
  it('escapes what ends a table cell or opens code, emphasis, links, HTML and entities', () => {
    expect(markdownText('a|b')).toBe('a\\|b');
    expect(markdownText('`rm -rf`')).toBe('\\`rm -rf\\`');
    expect(markdownText('[ALL PASS](http://evil.example/)')).toBe('\\[ALL PASS\\](http://evil.example/)');
    expect(markdownText('![x](y)')).toBe('!\\[x\\](y)');
    expect(markdownText('</td><script>alert(1)</script>')).toBe('\\</td\\>\\<script\\>alert(1)\\</script\\>');
    expect(markdownText('<http://evil.example/>')).toBe('\\<http://evil.example/\\>');
    expect(markdownText('*bold* _em_ ~~s~~ &lt;')).toBe('\\*bold\\* \\_em\\_ \\~\\~s\\~\\~ \\&lt;');
  });

  it('escapes a backslash first, so `\\|` cannot turn into an escaped backslash and a raw pipe', () => {
    expect(markdownText('\\|')).toBe('\\\\\\|');
  });

  it('applies the terminal rules first: no raw control or newline ends the line', () => {
    expect(markdownText(`x\n| fake | row |\r${ESC_TITLE}`)).toBe(
      'x\\\\n\\| fake \\| row \\|\\\\r\\\\x1b\\]0;owned\\\\x07',
    );
  });
});

describe('csvField', () => {
  it('always quotes and doubles quotes (RFC 4180)', () => {
    expect(csvField('plain')).toBe('"plain"');
    expect(csvField('say "hi", bye')).toBe('"say ""hi"", bye"');
  });

  it('prefixes a leading = + - @ with an apostrophe; a leading tab or CR is shown as text', () => {
    expect(csvField("=cmd|' /C calc'!A0")).toBe("\"'=cmd|' /C calc'!A0\"");
    expect(csvField('+1')).toBe('"\'+1"');
    expect(csvField('-2+3')).toBe('"\'-2+3"');
    expect(csvField('@SUM(A1)')).toBe('"\'@SUM(A1)"');
    expect(csvField('\t=1')).toBe('"\\t=1"');
    expect(csvField('\r=1')).toBe('"\\r=1"');
    expect(csvField('a=b')).toBe('"a=b"');
  });

  it('makes controls and newlines visible, so one field stays on one line', () => {
    expect(csvField('a\r\nb\x1b[2J')).toBe('"a\\r\\nb\\x1b[2J"');
  });
});

describe('htmlText', () => {
  it('escapes < > & " \' and makes controls visible', () => {
    expect(htmlText('</td><script>alert("x")</script>&\'')).toBe(
      '&lt;/td&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;',
    );
    expect(htmlText('a\u202eb\x1b[2J\n')).toBe('a\\u202eb\\x1b[2J\\n');
  });
});

describe('xmlText', () => {
  it('escapes the five XML characters and makes controls visible', () => {
    expect(xmlText('<a b="c">&\'</a>')).toBe('&lt;a b=&quot;c&quot;&gt;&amp;&apos;&lt;/a&gt;');
    expect(xmlText('x\x00\x08\x0b\x1b\r\n')).toBe('x\\x00\\x08\\x0b\\x1b\\r\\n');
  });

  it('replaces what XML 1.0 cannot hold (lone surrogates, U+FFFE, U+FFFF) with U+FFFD', () => {
    expect(xmlText('a\ud800b\udc00c\ufffe\uffff')).toBe('a\ufffdb\ufffdc\ufffd\ufffd');
    expect(xmlText('🔒')).toBe('🔒');
  });

  it('the result always parses as XML 1.0 (xmllint)', () => {
    const hostile = `${ESC_TITLE}\x00\x01\ud800\uffff<]]>&`;
    const doc = `<?xml version="1.0" encoding="UTF-8"?><r a="${xmlText(hostile)}">${xmlText(hostile)}</r>`;
    const r = spawnSync('xmllint', ['--noout', '-'], { input: doc, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

describe('promLabel', () => {
  it('makes controls visible; prom-client then writes \\\\ and \\" per the exposition format', async () => {
    expect(promLabel('a\nb\x1b[2J')).toBe('a\\nb\\x1b[2J');
    const registry = new Registry();
    const g = new Gauge({ name: 't', help: 'h', labelNames: ['v'], registers: [registry] });
    g.set({ v: promLabel('a"b\\c\nd\x1b') }, 1);
    const text = await registry.metrics();
    expect(text).toContain('t{v="a\\"b\\\\c\\\\nd\\\\x1b"} 1');
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.status).toBe(0);
  });
});

describe('jsonText', () => {
  it('writes DEL, C1 and bidi characters as \\u escapes; the data parses back unchanged', () => {
    const data = { s: `a\x7fb\x9b31m\u202ec\u2066d\u2028e${ESC_TITLE}` };
    const text = jsonText(JSON.stringify(data));
    expect(text).toBe('{"s":"a\\u007fb\\u009b31m\\u202ec\\u2066d\\u2028e\\u001b]0;owned\\u0007"}');
    expect(JSON.parse(text)).toEqual(data);
  });
});
