// daemon --output FILE: the latest run of every profile, rewritten atomically after each run, in
// a format that holds several profiles: prometheus (a textfile for node_exporter, the same series
// as `check --format prometheus`), json (what /results serves) or html (the status page as a file).
import { access, constants } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { writeOutput } from '../cli/output.js';
import { UsageError } from '../errors.js';
import { renderHtml, type HtmlOptions } from '../report/html.js';
import { renderJson } from '../report/json.js';
import { createRunGauges, recordRun } from '../report/metrics.js';
import type { RunReport } from '../types.js';
import { fsErrorCode } from '../fs-error.js';

export const DAEMON_OUTPUT_FORMATS = ['prometheus', 'json', 'html'] as const;
export type DaemonOutputFormat = (typeof DAEMON_OUTPUT_FORMATS)[number];

export async function renderRuns(
  runs: RunReport[],
  format: DaemonOutputFormat,
  page: () => HtmlOptions,
): Promise<string> {
  switch (format) {
    case 'prometheus': {
      const g = createRunGauges();
      for (const run of runs) recordRun(g, run, Date.parse(run.startedAt) + run.durationMs);
      return g.registry.metrics();
    }
    case 'json':
      return renderJson(runs.length === 1 ? runs[0]! : runs);
    case 'html': {
      // A file may be read long after it was written: no "N s ago" baked in (the script still
      // shows it, computed when the file is opened).
      const { now: _now, ...opts } = page();
      return renderHtml(runs, opts);
    }
  }
}

/** Refuses at start, with one line, a file (or, while it does not exist, a directory) that this
 * process cannot write: better exit 2 now than log the same error after every run. */
export async function checkOutputDir(file: string): Promise<void> {
  try {
    await access(file, constants.W_OK).catch(async (e: unknown) => {
      if (fsErrorCode(e) !== 'ENOENT') throw e;
      await access(dirname(file), constants.W_OK | constants.X_OK);
    });
  } catch (e) {
    const code = fsErrorCode(e) ?? 'error';
    throw new UsageError(`--output: cannot write ${file}: ${code} on its directory`);
  }
}

/** Writes one at a time, each with the state at the time it runs, so an older state never wins. */
export function outputWriter(file: string, render: () => Promise<string>, log: Logger): () => Promise<void> {
  let chain = Promise.resolve();
  return () => {
    chain = chain.then(async () => {
      try {
        await writeOutput(file, await render());
      } catch (e) {
        // A full disk must not stop the checks; the log and the next run say so.
        log.error({ output: file, error: (e as Error).message }, 'could not write --output');
      }
    });
    return chain;
  };
}
