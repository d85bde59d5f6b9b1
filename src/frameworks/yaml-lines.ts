// A string `command:` as shell words that each keep their own source line. YAML folds a `>`/`>-` block
// (and a plain scalar spread over lines) into one line: the value alone no longer says where a word was.
// Each source line's text is found again in the value, and where a line break was folded into a space,
// the text handed to the shell reader gets a backslash-newline there instead: the same words, and the
// shell reader's line count follows the file. A value that cannot be matched (escapes in a quoted scalar)
// keeps the line its text starts on.
import { isScalar, type Node, type Scalar } from 'yaml';
import type { ComposeContext } from './compose-env.js';

export function unfold(n: Scalar<string> | Node, ctx: ComposeContext): { text: string; line: number } {
  const value = isScalar(n) ? String(n.value) : '';
  const start = n.range?.[0] ?? 0;
  const first = ctx.lineCounter.linePos(start).line;
  const block = isScalar(n) && /^BLOCK/.test(String(n.type));
  // Block scalars start their text on the line after the `|`/`>` indicator.
  const line = first + (block ? 1 : 0);
  if (!isScalar(n) || (!block && n.type !== 'PLAIN')) return { text: value, line };
  const src = ctx.text.slice(start, n.range?.[1] ?? start).split('\n');
  const body = block ? src.slice(1) : src;
  let out = '';
  let cursor = 0;
  let prev = 0;
  for (let k = 0; k < body.length; k++) {
    const content = body[k]!.replace(/\r$/, '').trim();
    if (content === '') continue;
    const pos = value.indexOf(content, cursor);
    if (pos < 0) return { text: value, line };
    const gap = value.slice(cursor, pos);
    // Source lines passed since the last text, less the line breaks the value kept: folded ones.
    const folded = k - prev - (gap.match(/\n/g)?.length ?? 0);
    out += gap + (folded > 0 && cursor > 0 ? '\\\n'.repeat(folded) : '') + content;
    cursor = pos + content.length;
    prev = k;
  }
  return { text: out + value.slice(cursor), line };
}
