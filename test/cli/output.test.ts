// --output (issue 7 item 7): a regular file is replaced atomically through an exclusively created,
// randomly named temporary file; a device, FIFO or open descriptor is written in place; a planted
// link is never followed. Each test checks the exact state of every file afterwards. Device nodes
// are made with mknod in a private temporary directory, never the real /dev/null.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import {
  lchownSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  chmodSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeOutput } from '../../src/cli/output.js';
import { runCli } from '../helpers/cli.js';

const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
let dir = '';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedprobe-output-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const REPORT = 'fedprobe_row_success{row="a"} 1\n';

describe('a regular file or none: atomic replacement', () => {
  it('creates an absent file with mode 0644 less the umask, and leaves no temporary file', async () => {
    const file = join(dir, 'fedprobe.prom');
    await writeOutput(file, REPORT);
    expect(readFileSync(file, 'utf8')).toBe(REPORT);
    expect(statSync(file).mode & 0o777).toBe(0o644 & ~process.umask());
    expect(readdirSync(dir)).toEqual(['fedprobe.prom']);
  });

  it('replaces an existing file by rename (new inode), keeping its mode', async () => {
    const file = join(dir, 'fedprobe.prom');
    writeFileSync(file, 'old content that is longer than the new one\n');
    chmodSync(file, 0o640);
    const before = statSync(file);
    await writeOutput(file, REPORT);
    const after = statSync(file);
    expect(readFileSync(file, 'utf8')).toBe(REPORT);
    expect(after.ino).not.toBe(before.ino);
    expect(after.mode & 0o777).toBe(0o640);
    expect(readdirSync(dir)).toEqual(['fedprobe.prom']);
  });

  it('as root, keeps the owner of the file it replaces', async () => {
    if (process.geteuid?.() !== 0) return expect(process.geteuid?.()).not.toBe(0);
    const file = join(dir, 'fedprobe.prom');
    writeFileSync(file, 'old');
    lchownSync(file, 65534, 65534);
    await writeOutput(file, REPORT);
    expect(statSync(file)).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it('never follows a link planted at the old predictable temporary name (or any other)', async () => {
    const file = join(dir, 'fedprobe.prom');
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    // The name the old code used, and a few more guesses.
    const planted = [`.fedprobe.prom.${process.pid}.tmp`, '.fedprobe.prom.tmp', 'fedprobe.prom.tmp'];
    for (const p of planted) symlinkSync(victim, join(dir, p));
    await writeOutput(file, REPORT);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    for (const p of planted) {
      expect(lstatSync(join(dir, p)).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(dir, p))).toBe(victim);
    }
    expect(readFileSync(file, 'utf8')).toBe(REPORT);
    expect(lstatSync(file).isFile()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual([...planted, 'fedprobe.prom', 'victim'].sort());
  });

  it('a place it cannot write to: a one-line usage error naming the file, nothing created', async () => {
    // Root ignores permission bits: a path under a regular file is unusable for anyone.
    const file = join(dir, 'plain', 'x.prom');
    writeFileSync(join(dir, 'plain'), '');
    await expect(writeOutput(file, REPORT)).rejects.toThrow(`--output: cannot write ${file}: ENOTDIR`);
    expect(readdirSync(dir)).toEqual(['plain']);
    expect(readFileSync(join(dir, 'plain'), 'utf8')).toBe('');
  });
});

describe('not a regular file: written in place or refused', () => {
  it('a character device (mknod c 1 3, a private /dev/null) stays that device', async () => {
    const dev = join(dir, 'null');
    execFileSync('mknod', [dev, 'c', '1', '3']);
    const before = lstatSync(dev);
    await writeOutput(dev, REPORT);
    const after = lstatSync(dev);
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.rdev).toBe(before.rdev);
    expect(after.ino).toBe(before.ino);
    expect(readdirSync(dir)).toEqual(['null']);
  });

  it('a link to a character device is written through, the link and the device stay', async () => {
    const dev = join(dir, 'null');
    execFileSync('mknod', [dev, 'c', '1', '3']);
    symlinkSync(dev, join(dir, 'out'));
    await writeOutput(join(dir, 'out'), REPORT);
    expect(readlinkSync(join(dir, 'out'))).toBe(dev);
    expect(lstatSync(dev).isCharacterDevice()).toBe(true);
    expect(readdirSync(dir).sort()).toEqual(['null', 'out']);
  });

  it('a FIFO: its reader gets the report, and it is still a FIFO', async () => {
    const fifo = join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let got = '';
    reader.stdout.on('data', (c: Buffer) => (got += String(c)));
    const closed = new Promise<number | null>((r) => reader.on('close', r));
    await writeOutput(fifo, REPORT);
    expect(await closed).toBe(0);
    expect(got).toBe(REPORT);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(readdirSync(dir)).toEqual(['pipe']);
  });

  it('a block device is refused and left alone', async () => {
    const dev = join(dir, 'disk');
    execFileSync('mknod', [dev, 'b', '240', '0']);
    await expect(writeOutput(dev, REPORT)).rejects.toThrow(`--output: cannot write ${dev}: it is a block device`);
    expect(lstatSync(dev).isBlockDevice()).toBe(true);
    expect(readdirSync(dir)).toEqual(['disk']);
  });

  it('a directory is refused', async () => {
    await expect(writeOutput(dir, REPORT)).rejects.toThrow(`--output: cannot write ${dir}: it is a directory`);
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('symbolic links', () => {
  it('a link to a regular file: the file is replaced atomically, the link stays a link', async () => {
    const real = join(dir, 'real.prom');
    writeFileSync(real, 'old\n');
    chmodSync(real, 0o600);
    symlinkSync('real.prom', join(dir, 'link.prom'));
    await writeOutput(join(dir, 'link.prom'), REPORT);
    expect(lstatSync(join(dir, 'link.prom')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.prom'))).toBe('real.prom');
    expect(readFileSync(real, 'utf8')).toBe(REPORT);
    expect(statSync(real).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).sort()).toEqual(['link.prom', 'real.prom']);
  });

  it('a dangling link is refused: nothing is created where it points', async () => {
    const target = join(dir, 'sub', 'planted-target');
    mkdirSync(join(dir, 'sub'));
    symlinkSync(target, join(dir, 'out.prom'));
    await expect(writeOutput(join(dir, 'out.prom'), REPORT)).rejects.toThrow('it is a link to nothing (dangling)');
    expect(readdirSync(join(dir, 'sub'))).toEqual([]);
    expect(readlinkSync(join(dir, 'out.prom'))).toBe(target);
  });

  it('a link to a directory is refused', async () => {
    mkdirSync(join(dir, 'd'));
    symlinkSync(join(dir, 'd'), join(dir, 'out'));
    await expect(writeOutput(join(dir, 'out'), REPORT)).rejects.toThrow('it is a link to a directory');
    expect(readdirSync(join(dir, 'd'))).toEqual([]);
  });

  it('a link planted by another user in a sticky world-writable directory is refused', async () => {
    if (process.geteuid?.() !== 0) return expect(process.geteuid?.()).not.toBe(0);
    const shared = join(dir, 'tmp');
    mkdirSync(shared);
    chmodSync(shared, 0o1777);
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    symlinkSync(victim, join(shared, 'report.prom'));
    lchownSync(join(shared, 'report.prom'), 65534, 65534);
    await expect(writeOutput(join(shared, 'report.prom'), REPORT)).rejects.toThrow('owned by another user');
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(readdirSync(shared)).toEqual(['report.prom']);
  });
});

describe('open descriptors', () => {
  it('--output /dev/stdout prints the report on stdout (in-process)', async () => {
    const r = await runCli(['probe', 'tcp://127.0.0.1:1', '--format', 'json', '--output', '/dev/stdout']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).results[0]).toMatchObject({ reason: 'refused', state: 'closed' });
  });

  it('--output /dev/stdout through the real binary, appended to a file opened with >>', () => {
    const file = join(dir, 'log');
    writeFileSync(file, 'earlier line\n');
    const r = spawnSync(
      'sh',
      ['-c', `exec node ${bin} probe tcp://127.0.0.1:1 -f json --output /dev/stdout >> ${file}`],
      { encoding: 'utf8' },
    );
    expect(r.stderr).toBe('');
    expect(r.status).toBe(1);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('earlier line\n{')).toBe(true);
    expect(JSON.parse(text.slice('earlier line\n'.length)).results[0].reason).toBe('refused');
  });

  it('--output /dev/fd/3: the descriptor is appended to, the file it holds keeps its inode', () => {
    const file = join(dir, 'fd3');
    writeFileSync(file, 'head\n');
    const ino = statSync(file).ino;
    const r = spawnSync(
      'sh',
      ['-c', `exec 3>>${file}; exec node ${bin} probe tcp://127.0.0.1:1 -f csv --output /dev/fd/3`],
      { encoding: 'utf8' },
    );
    expect(r.stdout).toBe('');
    expect(r.status).toBe(1);
    expect(statSync(file).ino).toBe(ino);
    expect(readFileSync(file, 'utf8')).toMatch(/^head\n"id","action","dir",/);
    expect(readdirSync(dir)).toEqual(['fd3']);
  });
});
