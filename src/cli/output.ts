// Writes a report to stdout, or atomically to --output FILE: a cron job's textfile must never be
// read half-written by node_exporter, so write a temporary file beside it and rename.
import { rename, writeFile, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { UsageError } from '../errors.js';
import { render, type FormatName } from '../report/formats.js';
import { unresolvableHosts } from '../report/exit.js';
import type { RunReport } from '../types.js';
import { useColor, write, type Io } from './io.js';

export async function writeAtomically(file: string, text: string): Promise<void> {
  const tmp = join(dirname(file), `.${basename(file)}.${process.pid}.tmp`);
  try {
    await writeFile(tmp, text, { mode: 0o644 });
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw new UsageError(`--output: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
}

export async function printReport(run: RunReport, format: FormatName, flags: { color?: boolean | undefined; output?: string | undefined }, io: Io): Promise<number> {
  // Colour only for a terminal; a file gets plain text.
  const text = await render(run, format, { color: flags.output ? false : useColor(io, flags.color) });
  if (flags.output) await writeAtomically(flags.output, text);
  else write(io.stdout, text);
  for (const [host, rows] of unresolvableHosts(run.results)) {
    write(io.stderr, `fedprobe: the name ${host} does not exist (rows ${rows.join(', ')}): check the host given for it (--set, --site) or use an IP address`);
  }
  return run.exitCode;
}
