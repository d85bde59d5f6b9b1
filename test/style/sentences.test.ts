// The rule for human text (src/messages.ts says it too): a prober's sentences live in one table
// beside it, `const SAY = { … }` at the top of its file or a sibling `<name>-text.ts`, so that the
// wording of every result can be read, reviewed and translated in one place per prober. This test
// keeps the rule: a string or template literal of SENTENCE_WORDS words or more anywhere else in
// those files fails, with the file, line and text.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');
/** A literal of this many words is a sentence; shorter ones are names, units and punctuation. */
const SENTENCE_WORDS = 4;

/**
 * Tables whose words are not what a probe reports: a specification's or a peer's words, kept beside
 * the codes they name or matched byte for byte against what a peer sends, and option documentation.
 */
const OTHER_TABLES: Record<string, string[]> = {
  'src/probers/mqtt-packets.ts': ['V4', 'V5', 'CONNACK_PROPERTIES'],
  'src/probers/fingerprints.ts': ['FINGERPRINTS', 'NODE_AUTH_REFUSALS', 'GRPCIO_MESSAGES'],
  'src/probers/wireguard-noise.ts': ['IDENTIFIER'],
  'src/probers/http.ts': ['NGINX_PAGES'],
  'src/probers/rlpx.ts': ['DISCONNECT_REASONS'],
  'src/net/tls.ts': ['tlsClientOptionShape'],
};

/** Files that say things about results: every prober file, the TLS client below them. */
function scannedFiles(): string[] {
  const probers = readdirSync(join(ROOT, 'src/probers'))
    .filter((f) => f.endsWith('.ts') && !f.endsWith('-text.ts'))
    .map((f) => `src/probers/${f}`);
  return [...probers, 'src/net/tls.ts', 'src/probe/classify.ts'];
}

/** The words a literal itself contributes (placeholders of a template add none). */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
  return undefined;
}

function isTable(node: ts.Node, names: string[]): boolean {
  return ts.isVariableDeclaration(node) && ts.isIdentifier(node.name) && names.includes(node.name.text);
}

/** `.describe('…')` documents an option (shown by `fedprobe schema`), it reports nothing. */
function isOptionDoc(node: ts.Node): boolean {
  return (
    ts.isCallExpression(node) &&
    ts.isPropertyAccessExpression(node.expression) &&
    node.expression.name.text === 'describe'
  );
}

function sentencesOutsideSay(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const tables = ['SAY', ...(OTHER_TABLES[file] ?? [])];
  const visit = (node: ts.Node): void => {
    if (isTable(node, tables) || isOptionDoc(node) || ts.isImportDeclaration(node) || ts.isExportDeclaration(node))
      return;
    const text = literalText(node);
    if (text !== undefined) {
      if (text.split(/\s+/).filter(Boolean).length >= SENTENCE_WORDS) {
        const line = sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1;
        found.push(`${file}:${line}: ${node.getText(sf).slice(0, 100)}`);
      }
      return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('human text in the probers', () => {
  it('finds a sentence outside the SAY table, and none inside it', () => {
    const source = [
      'const SAY = { gone: (ms: number) => `no answer within ${ms} ms at all` };',
      "throw new ProbeError('reset', 'the peer closed the connection early');",
      'const d = `a ${n}-byte reply came back from ${host}`;',
      "const ok = 'HTTP/1.1';",
      "z.string().describe('the TLS server name to send');",
    ].join('\n');
    expect(sentencesOutsideSay('x.ts', source)).toEqual([
      "x.ts:2: 'the peer closed the connection early'",
      'x.ts:3: `a ${n}-byte reply came back from ${host}`',
    ]);
  });

  it('keeps every sentence of a prober in its SAY table (or its <name>-text.ts)', () => {
    const found = scannedFiles().flatMap((f) => sentencesOutsideSay(f, readFileSync(join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});
