// Writes a report to stdout, or to --output FILE. A cron job's textfile must never be read
// half-written by node_exporter, so a regular file is replaced atomically: a temporary file in the
// same directory, then rename(). What is not a regular file is never replaced:
//   - absent or a regular file: temporary file with a random name, created exclusively (O_EXCL,
//     O_NOFOLLOW, mode 0600: a link planted at a guessable name is never followed), written, synced,
//     given the final mode (the old file's, else 0644 less the umask; as root also its owner), renamed;
//   - a character device or FIFO (/dev/null, a terminal, a named pipe): written in place, never
//     created, truncated or replaced; a block device (a disk) or a socket is refused;
//   - a symbolic link: followed only to a regular file, which is then replaced atomically as above
//     (the link stays), or to a device or FIFO, which is written in place (/dev/stdout is a link to
//     /proc/self/fd/1). A dangling link is refused (following it would create a file wherever it
//     points), and so is a link in a sticky world-writable directory (/tmp) owned by someone else
//     than us and the directory, as the kernel's fs.protected_symlinks would refuse it;
//   - a directory: refused;
//   - an already open descriptor (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N): stdout and
//     stderr are our own streams; another descriptor is opened for appending, whatever is behind it
//     (a file the shell opened with `>>` keeps its beginning, one opened with `>` starts empty).
import { randomBytes } from 'node:crypto';
import { constants, type Stats } from 'node:fs';
import { chmod, chown, lstat, open, realpath, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { render, type FormatName } from '../report/formats.js';
import { renderTable } from '../report/table.js';
import { terminalText } from '../escape.js';
import { unresolvableHosts } from '../report/exit.js';
import type { RunReport } from '../types.js';
import type { Writable } from 'node:stream';
import { outputWidth, useColor, write, type Io } from './io.js';
import { fsErrorCode } from '../fs-error.js';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW, O_NOCTTY, O_APPEND } = constants;

const FD_PATH = /^\/(?:dev\/fd|proc\/(?:self|thread-self|\d+)\/fd)\/\d+$|^\/dev\/std(?:out|err)$/;

/** stdout or stderr when `file` names one of them, so that the report goes to our own stream. */
function stdStream(file: string, io: Io): Io['stdout'] | undefined {
  const path = resolve(file);
  if (['/dev/stdout', '/dev/fd/1', '/proc/self/fd/1', `/proc/${process.pid}/fd/1`].includes(path)) return io.stdout;
  if (['/dev/stderr', '/dev/fd/2', '/proc/self/fd/2', `/proc/${process.pid}/fd/2`].includes(path)) return io.stderr;
  return undefined;
}

class Refused extends Error {}

async function lstatOrUndefined(path: string): Promise<Stats | undefined> {
  try {
    return await lstat(path);
  } catch (e) {
    if (fsErrorCode(e) === 'ENOENT') return undefined;
    throw e;
  }
}

/** A report as one text, or in pieces written one after the other (--format json, so that the whole
 * text of a large run is never held at once). */
type Body = string | Iterable<string>;

async function writeBody(fh: FileHandle, body: Body): Promise<void> {
  if (typeof body === 'string') return fh.writeFile(body);
  // writeFile writes from the handle's current position, and all of each piece (write() may not).
  for (const piece of body) await fh.writeFile(piece);
}

/** Writes the pieces to a stream, waiting for it to drain when it asks; stops if it is closed. */
async function writeStream(stream: Writable, body: Iterable<string>): Promise<void> {
  for (const piece of body) {
    if (stream.destroyed) return;
    if (!stream.write(piece)) {
      await new Promise<void>((done) => {
        const go = () => {
          stream.off('drain', go).off('close', go);
          done();
        };
        stream.on('drain', go).on('close', go);
      });
    }
  }
}

/** Replaces (or creates) the regular file `file` with `text`, never following a link. */
async function replaceRegular(file: string, text: Body, old: Stats | undefined): Promise<void> {
  let tmp = '';
  let fh: FileHandle | undefined;
  // A clash with 96 random bits means someone planted the name: try a few, then give up.
  for (let i = 0; i < 4 && !fh; i++) {
    tmp = join(dirname(file), `.${basename(file)}.${randomBytes(12).toString('hex')}.tmp`);
    try {
      fh = await open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_NOCTTY, 0o600);
    } catch (e) {
      if (fsErrorCode(e) !== 'EEXIST') throw e;
    }
  }
  if (!fh) throw Object.assign(new Error('temporary name taken'), { code: 'EEXIST' });
  try {
    await writeBody(fh, text);
    await fh.sync();
    await fh.close();
    fh = undefined;
    await chmod(tmp, old ? old.mode & 0o777 : 0o644 & ~process.umask());
    if (old && process.geteuid?.() === 0 && (old.uid !== 0 || old.gid !== 0)) await chown(tmp, old.uid, old.gid);
    await rename(tmp, file);
  } catch (e) {
    await fh?.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}

/** Writes into an existing device, FIFO or socket; never creates or truncates anything. */
async function writeInPlace(file: string, text: Body, follow: boolean): Promise<void> {
  const fh = await open(file, O_WRONLY | O_NOCTTY | (follow ? 0 : O_NOFOLLOW));
  try {
    // Swapped for a regular file or a directory since we looked: writing in place would leave
    // an old tail behind (no O_TRUNC here), so refuse instead.
    if (!isSpecial(await fh.stat())) throw new Refused('it changed while being opened');
    await writeBody(fh, text);
  } finally {
    await fh.close();
  }
}

/** Written in place: a terminal, /dev/null, a pipe. A block device (a disk) is refused, like a socket. */
/** Another open descriptor: appended to, never replaced. */
async function writeToDescriptor(file: string, text: Body): Promise<void> {
  const fh = await open(file, O_WRONLY | O_APPEND | O_NOCTTY);
  try {
    await writeBody(fh, text);
  } finally {
    await fh.close();
  }
}

function isSpecial(s: Stats): boolean {
  return s.isCharacterDevice() || s.isFIFO();
}

/** fs.protected_symlinks: a link in a sticky world-writable directory is followed only when its
 * owner is us or the directory's owner. */
async function untrustedLink(file: string, link: Stats): Promise<boolean> {
  const dir = await stat(dirname(file));
  const sticky = (dir.mode & 0o1000) !== 0 && (dir.mode & 0o002) !== 0;
  return sticky && link.uid !== process.geteuid?.() && link.uid !== dir.uid;
}

export async function writeOutput(file: string, text: Body): Promise<void> {
  try {
    if (FD_PATH.test(resolve(file))) return await writeToDescriptor(file, text);
    const st = await lstatOrUndefined(file);
    if (st === undefined || st.isFile()) return await replaceRegular(file, text, st);
    if (st.isDirectory()) throw new Refused('it is a directory');
    if (isSpecial(st)) return await writeInPlace(file, text, false);
    if (st.isSymbolicLink()) {
      if (await untrustedLink(file, st))
        throw new Refused('it is a link in a shared directory (sticky, world-writable), owned by another user');
      let target: Stats;
      try {
        target = await stat(file);
      } catch (e) {
        if (fsErrorCode(e) === 'ENOENT') throw new Refused('it is a link to nothing (dangling)');
        throw e;
      }
      if (target.isFile()) return await replaceRegular(await realpath(file), text, target);
      if (isSpecial(target)) return await writeInPlace(file, text, true);
      throw new Refused(
        target.isDirectory() ? 'it is a link to a directory' : 'it is a link to a block device or socket',
      );
    }
    throw new Refused(st.isBlockDevice() ? 'it is a block device' : 'it is not a file, character device or FIFO');
  } catch (e) {
    const why = e instanceof Refused ? e.message : (fsErrorCode(e) ?? String(e));
    throw new UsageError(`--output: cannot write ${terminalText(file, 200)}: ${why}`);
  }
}

export async function printReport(
  run: RunReport,
  format: FormatName,
  flags: { color?: boolean | undefined; output?: string | undefined },
  io: Io,
): Promise<number> {
  // Colour and a width to fit only for a terminal; a file gets plain text and the whole table.
  const color = flags.output ? false : useColor(io, flags.color);
  // JSON is written in pieces: the whole text of 10,000 rows was the run's peak memory.
  const text =
    format === 'table'
      ? renderTable(run, { color, width: flags.output ? undefined : outputWidth(io) })
      : format === 'json'
        ? (await import('../report/json-stream.js')).jsonPieces(run)
        : await render(run, format, { color });
  const stream = flags.output ? stdStream(flags.output, io) : io.stdout;
  if (!stream) await writeOutput(flags.output!, text);
  else if (typeof text === 'string') write(stream, text);
  else await writeStream(stream, text);
  for (const [host, rows] of unresolvableHosts(run.results)) {
    write(
      io.stderr,
      `fedprobe: the name ${terminalText(host, 200)} does not exist (rows ${terminalText(rows.join(', '))}): check ` +
        `the host given for it (--set, --site) or use an IP address`,
    );
  }
  return run.exitCode;
}
