// Plain-text table helpers shared by the table reporter and `fedprobe show`.

/** Display width, ignoring ANSI colour sequences. */
function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

/** Aligns rows of cells into columns separated by two spaces; trailing spaces trimmed. */
export function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    for (const [i, cell] of row.entries()) widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell));
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : padEnd(cell, widths[i]!)))
      .join('  ')
      .trimEnd(),
  );
}

/** The matrices write ports as TCP/1883; a variable keeps its name: TCP/${restful_port}. */
export function portLabel(port: string): string {
  const slash = port.indexOf('/');
  return slash < 0 ? port.toUpperCase() : port.slice(0, slash).toUpperCase() + port.slice(slash);
}

/**
 * A message as a sentence: a leading lower-case word capitalised, a final full stop added unless
 * it already ends a sentence. Details and hints are written as fragments and joined in reports;
 * without this they run together ("…listens on tcp/8484 Start the HTTP service…").
 */
export function sentence(text: string): string {
  const t = text.trim();
  if (!t) return '';
  // Only a plain word: "tcp/8484", "discv4", "gRPC" or an address keep their spelling.
  const capital = /^[a-z]+(?=[\s,;:]|$)/.test(t) ? t[0]!.toUpperCase() + t.slice(1) : t;
  return /[.!?…]["'`)\]]*$/.test(capital) ? capital : `${capital}.`;
}

/** Messages joined as sentences, the empty ones left out. */
export function sentences(...parts: (string | undefined)[]): string {
  return parts
    .map((p) => sentence(p ?? ''))
    .filter(Boolean)
    .join(' ');
}
