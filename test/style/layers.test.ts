// The layers, from the bottom: the shared vocabulary (types, errors, facts, error codes, escaping),
// then transport (src/net), then the probers, then the run (src/probe) and everything that drives
// it. A file may import from its own layer and from below, never from above: this test reads every
// import of src/ and names each one that points up.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../src');
// version.ts and profile/paths.ts are leaves too (the package's own version and root, for the
// HTTP prober's User-Agent); paths.ts stays in profile/ because its depth finds the root from a
// bundle chunk as well.
const VOCABULARY = [
  'types.ts',
  'errors.ts',
  'facts.ts',
  'error-code.ts',
  'escape.ts',
  'fs-error.ts',
  'version.ts',
  'profile/paths.ts',
];

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

/** Every relative module a file imports (static, type-only, re-exported or dynamic), as a src path. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specs = [...text.matchAll(/(?:from\s+|import\s*\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specs.map((s) => relative(SRC, resolve(dirname(file), s)).replace(/\.js$/, '.ts'));
}

/** The layer of a src path: 0 vocabulary, 1 net, 2 probers, 3 everything above. */
function layer(path: string): number {
  if (VOCABULARY.includes(path)) return 0;
  if (path.startsWith('net/')) return 1;
  if (path.startsWith('probers/')) return 2;
  return 3;
}

function upward(): string[] {
  return sources(SRC).flatMap((file) => {
    const from = relative(SRC, file);
    return importsOf(file)
      .filter((to) => layer(to) > layer(from))
      .map((to) => `${from} imports ${to}`);
  });
}

describe('layers', () => {
  it('no file imports from a layer above its own', () => {
    expect(upward()).toEqual([]);
  });

  it('the check itself sees imports (a probe of the rule: the run does import the probers and net)', () => {
    const run = importsOf(join(SRC, 'probe/run.ts'));
    expect(run.some((p) => p.startsWith('net/'))).toBe(true);
    expect(run.some((p) => p.startsWith('probers/'))).toBe(true);
    expect(layer('types.ts')).toBe(0);
    expect(layer('net/tls.ts')).toBe(1);
  });
});
