// What main() may touch instead of `process`, so the CLI runs in-process in tests.
import type { Writable } from 'node:stream';

export interface Io {
  /** `columns`: a terminal's width (a tty.WriteStream has it). */
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM by bin/; commands stop their work and return. */
  signal: AbortSignal;
  /** Registers a listener for reload requests (SIGHUP in bin/); returns an unsubscribe function. */
  onReload?: (listener: () => void) => () => void;
  /** Told where the daemon listens once it does (tests ask for port 0). */
  onListening?: (address: { host: string; port: number }) => void;
}

export function write(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') || text === '' ? text : `${text}\n`);
}

export function useColor(io: Io, flag: boolean | undefined): boolean {
  if (flag === false || (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '')) return false;
  if (flag === true) return true;
  return io.stdout.isTTY === true && io.env.TERM !== 'dumb';
}

/** Columns the table must fit: the terminal's, else COLUMNS when it is set (`watch` sets it);
 * undefined when piped or redirected, so that files and pipes get the whole matrix. */
export function outputWidth(io: Io): number | undefined {
  if (io.stdout.isTTY === true) return io.stdout.columns || 80;
  const columns = Number(io.env.COLUMNS);
  return Number.isInteger(columns) && columns > 0 ? columns : undefined;
}

/** Help text width: a terminal's, at most 110 for reading comfort; when piped 100, or COLUMNS as
 * given (the man page is made from `COLUMNS=1000 fedprobe <command> --help`, one entry a line). */
export function helpWidth(io: Io): number {
  if (io.stdout.isTTY === true) return Math.min(110, io.stdout.columns || 100);
  return Math.min(1000, outputWidth(io) ?? 100);
}
