// --format json: the RunReport as it is, one document, stable keys.
import type { RunReport } from '../types.js';
import { jsonText } from '../escape.js';

/**
 * One run, or the daemon's list of runs; the data as it is, with jsonText's terminal-safe escapes.
 * The newline goes in before the escape pass (which leaves it alone): that pass makes the one flat copy
 * of the text, where a newline added after it made the writer flatten a second 13 MB copy for 10,000 rows.
 */
export function renderJson(run: RunReport | RunReport[]): string {
  return jsonText(`${JSON.stringify(run, null, 2)}\n`);
}
