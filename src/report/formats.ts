// Output formats by name. Reporters are pure: (run, options) => text.
import type { RunReport } from '../types.js';
import { renderCsv, renderFirewall } from './firewall.js';
import { renderHtml } from './html.js';
import { renderJson } from './json.js';
import { renderJunit } from './junit.js';
import { renderPrometheus } from './metrics.js';
import { renderTable } from './table.js';

export interface RenderOptions {
  color: boolean;
}

export const FORMATS = {
  table: (run: RunReport, o: RenderOptions) => renderTable(run, o),
  json: (run: RunReport) => renderJson(run),
  junit: (run: RunReport) => renderJunit(run),
  prometheus: (run: RunReport) => renderPrometheus(run),
  firewall: (run: RunReport) => renderFirewall(run),
  csv: (run: RunReport) => renderCsv(run),
  html: (run: RunReport) => renderHtml(run),
} satisfies Record<string, (run: RunReport, o: RenderOptions) => string | Promise<string>>;

export type FormatName = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

export async function render(run: RunReport, format: FormatName, o: RenderOptions): Promise<string> {
  return FORMATS[format](run, o);
}
