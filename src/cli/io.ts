// What main() may touch instead of `process`, so the CLI runs in-process in tests.
import type { Writable } from 'node:stream';

export interface Io {
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM by bin/; commands stop their work and return. */
  signal: AbortSignal;
  /** Registers a listener for reload requests (SIGHUP in bin/); returns an unsubscribe function. */
  onReload?: (listener: () => void) => () => void;
  /** Told where the daemon listens once it does (tests ask for port 0). */
  onListening?: (address: { host: string; port: number }) => void;
}

export function write(stream: Writable, text: string): void {
  stream.write(text.endsWith('\n') || text === '' ? text : text + '\n');
}

export function useColor(io: Io, flag: boolean | undefined): boolean {
  if (flag === false || io.env['NO_COLOR'] !== undefined && io.env['NO_COLOR'] !== '') return false;
  if (flag === true) return true;
  return io.stdout.isTTY === true && io.env['TERM'] !== 'dumb';
}
