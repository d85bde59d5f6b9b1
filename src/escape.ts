// Peer text is data. A reason string, a grpc-message, a banner, a certificate's CN or an HTTP reason
// phrase reaches every output; so does profile text. Each output format gets one function here, and
// every renderer goes through them, so that the rule lives in one place:
//   - what a terminal or a viewer acts on instead of showing (C0/C1 controls, ESC, DEL, bidi
//     overrides and isolates, line separators) is shown as a visible escape: `\x1b`, `\n`, `\u202e`;
//   - long text is cut, with "…", so one peer cannot flood a report;
//   - then the format's own syntax is escaped (Markdown, CSV, HTML, XML, Prometheus labels, JSON).

/** Longest text, in code points, that one field may take in a report. */
export const MAX_TEXT = 500;
/** Longest text in one table cell, so that a long name cannot push the columns off screen. */
export const MAX_CELL = 80;

// C0 controls, DEL, C1 controls (U+009B is CSI and U+009D OSC on terminals that honour 8-bit
// controls), the Arabic letter mark, LRM/RLM, the line and paragraph separators, and the bidi
// embeddings/overrides (U+202A–202E) and isolates (U+2066–2069) that reorder what is displayed.
const UNSAFE = /[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

function shown(c: string): string {
  const n = c.charCodeAt(0);
  return NAMED[c] ?? (n < 0x100 ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`);
}

/** Cuts `s` to at most `max` code points (never inside a surrogate pair), marking the cut with "…". */
export function cap(s: string, max: number): string {
  if (s.length <= max) return s;
  const points = Array.from(s);
  return points.length <= max ? s : `${points.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Plain text for a terminal (table, the CLI's own messages): controls made visible, length capped. */
export function terminalText(s: string, max = MAX_TEXT): string {
  return cap(s.replace(UNSAFE, shown), max);
}

/**
 * A Markdown table cell or list text (`--format firewall`). Besides the terminal rules, every
 * character with inline meaning is backslash-escaped, so peer text cannot end a cell (`|`), open
 * code (`` ` ``), emphasis, a link or image (`[`, `]`), raw HTML or an autolink (`<`, `>`) or an
 * entity (`&`). A bare URL may still be autolinked by GFM viewers, but its shown text is the URL
 * itself, so nothing is hidden behind it.
 */
export function markdownText(s: string, max = MAX_TEXT): string {
  return terminalText(s, max).replace(/[\\`*_[\]<>|~&]/g, '\\$&');
}

/**
 * One RFC 4180 field (`--format csv`), always quoted. A field starting with = + - @ is run as a
 * formula by spreadsheet programs, so it gets a leading apostrophe, which they take as "this is
 * text". A leading tab or CR (OWASP's other two) cannot occur: the terminal rules show them as `\t`.
 */
export function csvField(s: string, max = MAX_TEXT): string {
  const text = terminalText(s, max);
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return `"${safe.replace(/"/g, '""')}"`;
}

const HTML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' };

/** Text or an attribute value in HTML (`--format html`, the daemon's status page). */
export function htmlText(s: string, max = MAX_TEXT): string {
  return terminalText(s, max).replace(/[<>&"']/g, (c) => HTML[c]!);
}

const XML: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/**
 * Text or an attribute value in XML 1.0 (`--format junit`). Controls are made visible like on a
 * terminal (XML 1.0 forbids most C0 controls, and a CI page is often read in a terminal too); what
 * XML 1.0 cannot hold at all and has no meaning (lone surrogates, U+FFFE, U+FFFF) becomes U+FFFD.
 */
export function xmlText(s: string, max = MAX_TEXT): string {
  return terminalText(s, max)
    .replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]|[\ufffe\uffff]/g, '\ufffd')
    .replace(/[<>&"']/g, (c) => XML[c]!);
}

/**
 * A Prometheus label value. prom-client writes the exposition format's own escapes (`\\`, `\"`,
 * `\n`); this makes controls visible first, so that `curl /metrics` on a terminal stays text.
 */
export function promLabel(s: string, max = MAX_TEXT): string {
  return terminalText(s, max);
}

// Characters that JSON.stringify leaves raw but a terminal or viewer acts on (it escapes C0 itself).
const JSON_UNSAFE = /[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * JSON text (`--format json`, the daemon's /results): the data stays exactly as it was (no cap, no
 * rewriting), but DEL, C1 and bidi characters are written as \u escapes, which parse back to the
 * same strings. They can only occur inside strings, where a \u escape is always valid.
 */
export function jsonText(json: string): string {
  return json.replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
