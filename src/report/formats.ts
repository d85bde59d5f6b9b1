// Output formats by name. Reporters are pure: (run, options) => text.
// Each renderer is imported only when its format is asked for: a check prints one format, and some
// pull in heavy modules (prometheus → prom-client, html), which every run would otherwise load at start.
import type { RunReport } from '../types.js';

export interface RenderOptions {
  color: boolean;
}

export const FORMATS = {
  table: async (run: RunReport, o: RenderOptions) => (await import('./table.js')).renderTable(run, o),
  json: async (run: RunReport) => (await import('./json.js')).renderJson(run),
  junit: async (run: RunReport) => (await import('./junit.js')).renderJunit(run),
  prometheus: async (run: RunReport) => (await import('./metrics.js')).renderPrometheus(run),
  firewall: async (run: RunReport) => (await import('./firewall.js')).renderFirewall(run),
  csv: async (run: RunReport) => (await import('./firewall.js')).renderCsv(run),
  html: async (run: RunReport) => (await import('./html.js')).renderHtml(run),
} satisfies Record<string, (run: RunReport, o: RenderOptions) => string | Promise<string>>;

export type FormatName = keyof typeof FORMATS;
export const FORMAT_NAMES = Object.keys(FORMATS) as FormatName[];

export async function render(run: RunReport, format: FormatName, o: RenderOptions): Promise<string> {
  return FORMATS[format](run, o);
}
