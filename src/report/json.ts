// --format json: the RunReport as it is, one document, stable keys.
import type { RunReport } from '../types.js';

export function renderJson(run: RunReport): string {
  return JSON.stringify(run, null, 2) + '\n';
}
