// --format json: the RunReport as it is, one document, stable keys.
import type { RunReport } from '../types.js';
import { jsonText } from './escape.js';

/** One run, or the daemon's list of runs; the data as it is, with jsonText's terminal-safe escapes. */
export function renderJson(run: RunReport | RunReport[]): string {
  return `${jsonText(JSON.stringify(run, null, 2))}\n`;
}
