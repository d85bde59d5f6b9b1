// Lines stay within 120 characters (the formatter's width): the formatter wraps code, this catches
// what it cannot wrap (strings, comments). Prints every long line as file:line and exits 1.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const LIMIT = 120;
const ROOTS = ['src', 'test', 'bench', 'scripts', 'bin'];
const SOURCE = /\.(ts|mjs|js)$/;
const SKIP = new Set(['fixtures', 'node_modules']);

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (SOURCE.test(entry.name)) yield path;
  }
}

let long = 0;
for (const root of ROOTS) {
  for (const file of files(root)) {
    readFileSync(file, 'utf8')
      .split('\n')
      .forEach((line, i) => {
        if ([...line].length <= LIMIT) return;
        long++;
        console.error(`${file}:${i + 1}: ${[...line].length} characters (at most ${LIMIT})`);
      });
  }
}
if (long > 0) process.exit(1);
