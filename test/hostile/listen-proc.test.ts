// listen:// on a machine whose /proc/net cannot be read (a hardened container, /proc hidden) must
// be an error that says so, never "nothing listens": that would pass every `expect: blocked` row.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProbeError } from '../../src/errors.js';
import { listeningSockets } from '../../src/probers/listen.js';

const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
const LISTEN_22 =
  '   0: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1 0 100 0 0 10 0\n';

describe('an unreadable socket table', () => {
  it('no /proc/net/tcp: a ProbeError naming the file, reason error, state unknown', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fedprobe-proc-'));
    await mkdir(join(root, 'net'));
    const e = await listeningSockets('tcp', root).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(ProbeError);
    expect(e).toMatchObject({
      reason: 'error',
      state: 'unknown',
      code: 'ENOENT',
      message: `cannot read ${root}/net/tcp (ENOENT): the listening sockets of this machine are unknown`,
    });
  });

  it('a missing IPv6 table alone is a kernel without IPv6: the IPv4 sockets are still read', async () => {
    const root = await mkdtemp(join(tmpdir(), 'fedprobe-proc-'));
    await mkdir(join(root, 'net'));
    await writeFile(join(root, 'net', 'tcp'), HEADER + LISTEN_22);
    expect(await listeningSockets('tcp', root)).toEqual([{ address: '0.0.0.0', port: 22, family: 4 }]);
  });

  it('end to end, /proc hidden: an `expect: blocked` row is inconclusive (error), not a pass', () => {
    const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
    // A private mount namespace, so only this child sees an empty /proc.
    const r = spawnSync(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount -t tmpfs tmpfs /proc && exec node ${bin} probe listen://tcp/22 --expect blocked -f json`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    const row = JSON.parse(r.stdout).results[0];
    expect(row).toMatchObject({ outcome: 'inconclusive', state: 'unknown', reason: 'error', code: 'ENOENT' });
    expect(row.detail).toBe('cannot read /proc/net/tcp (ENOENT): the listening sockets of this machine are unknown');
    // Nothing answered, and the hint must not say it did.
    expect(row.hint).toBe(
      'Whether TCP/22 to this machine is blocked is unknown: fedprobe could not observe it ' +
        '(an unexpected error; the detail says why). Fix that and run again.',
    );
  });
});
