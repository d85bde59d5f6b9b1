// Output formats by name. Reporters are pure: (run, options) => string.
import type { RunReport } from '../types.js';
import { renderJson } from './json.js';
import { renderTable } from './table.js';

export interface RenderOptions {
  color: boolean;
}

export const FORMATS = {
  table: (run: RunReport, o: RenderOptions) => renderTable(run, o),
  json: (run: RunReport) => renderJson(run),
} satisfies Record<string, (run: RunReport, o: RenderOptions) => string>;

export type FormatName = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];
