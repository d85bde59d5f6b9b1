// Reading a configuration file: a missing or unreadable one is one line, never a stack trace.
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import { fsErrorCode } from '../fs-error.js';

export async function readConfigText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (e) {
    const code = fsErrorCode(e);
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EACCES'
          ? 'permission denied'
          : code === 'EISDIR'
            ? 'is a directory'
            : (code ?? String(e));
    throw new UsageError(`--from ${path}: cannot read (${why})`);
  }
}
