// Plain-text table helpers shared by the table reporter and `fedprobe show`.

/** Display width, ignoring ANSI colour sequences. */
export function visibleLength(s: string): number {
  return s.replace(/\x1b\[[0-9;]*m/g, '').length;
}

export function padEnd(s: string, width: number): string {
  return s + ' '.repeat(Math.max(0, width - visibleLength(s)));
}

/** Aligns rows of cells into columns separated by two spaces; trailing spaces trimmed. */
export function columns(rows: string[][]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, visibleLength(cell))));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : padEnd(cell, widths[i]!))).join('  ').trimEnd());
}

/** The matrices write ports as TCP/1883. */
export function portLabel(port: string): string {
  return port.toUpperCase();
}

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

export function painter(enabled: boolean): (colour: Colour, s: string) => string {
  return enabled ? (colour, s) => `\x1b[${CODES[colour]}m${s}\x1b[0m` : (_c, s) => s;
}
