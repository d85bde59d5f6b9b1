// --format json to a stream or a file, in pieces: the same text as renderJson(run), byte for byte,
// without ever holding all of it. For 10,000 rows the whole text is ≈ 13 MB, and building it, escaping
// it and handing it to the writer made the run's peak memory (BENCHMARKS.md, "sixth slice").
import type { RunReport } from '../types.js';
import { jsonText } from '../escape.js';

// Where the results go in the report's own text, with `results: []`. A top-level key is the only
// thing at two spaces' indent after a newline, and a string never holds a raw newline or quote.
const RESULTS = '\n  "results": []';
// A batch of results stringified as `{ results: batch }` is at the same indent as in the whole report:
// the items are what lies between these two.
const OPEN = '{\n  "results": [\n';
const CLOSE = '\n  ]\n}';

/**
 * renderJson(run) in pieces of `batch` results each, escaped one by one (jsonText works character by
 * character, so escaping the pieces is escaping the whole).
 */
export function* jsonPieces(run: RunReport, batch = 64): Generator<string> {
  const head = JSON.stringify({ ...run, results: [] }, null, 2);
  const at = head.indexOf(RESULTS);
  if (run.results.length === 0 || at < 0) {
    yield jsonText(`${JSON.stringify(run, null, 2)}\n`);
    return;
  }
  yield jsonText(`${head.slice(0, at)}\n  "results": [\n`);
  for (let i = 0; i < run.results.length; i += batch) {
    const text = JSON.stringify({ results: run.results.slice(i, i + batch) }, null, 2);
    yield jsonText(`${i > 0 ? ',\n' : ''}${text.slice(OPEN.length, -CLOSE.length)}`);
  }
  yield jsonText(`\n  ]${head.slice(at + RESULTS.length)}\n`);
}
