// The `.env` file docker compose reads from the compose file's directory for ${VAR} interpolation
// (compose-spec "Interpolation" and "Use an environment file"): NAME=value lines, `#` comments,
// optional `export `, single- or double-quoted values. The shell's environment wins over it, as in
// docker compose. Each value keeps its line, so a value taken from it names `.env:3` as its source.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';

export interface DotEnv {
  values: Record<string, string>;
  /** `NAME` → `/srv/flower/.env:3` */
  sources: Record<string, string>;
}

export function parseDotEnv(text: string, file: string): DotEnv {
  const values: Record<string, string> = {};
  const sources: Record<string, string> = {};
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const m = /^(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/.exec(line);
    if (!m) throw new UsageError(`${file}:${i + 1}: not a NAME=value line (the .env docker compose reads)`);
    const rest = m[2]!;
    const quoted = /^(["'])(.*)\1$/.exec(rest);
    // Unquoted: a ` #` starts a comment. Quoted: the text between the quotes, as it is.
    const value = quoted ? quoted[2]! : rest.replace(/\s+#.*$/, '');
    values[m[1]!] = value;
    sources[m[1]!] = `${file}:${i + 1}`;
  });
  return { values, sources };
}

/** The .env beside a compose file; none there is the same as an empty one. */
export async function readDotEnv(file: string): Promise<DotEnv> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { values: {}, sources: {} };
    throw new UsageError(`${file}: cannot read the .env docker compose would read (${code ?? String(e)})`);
  }
  return parseDotEnv(text, file);
}
