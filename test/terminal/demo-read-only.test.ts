// `docker run --read-only … demo`: the demo on a root where every file system but the tmpfs ones
// (/dev/shm, as in a read-only container) is mounted read-only, in a mount namespace of its own.
// Its TLS rows need the stand-ins' CA in a file: it must land on the tmpfs and be gone afterwards.
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

const READ_ONLY = `mount --make-rprivate /
findmnt -rn -o TARGET,FSTYPE | while read -r target fstype; do
  case "$fstype" in
    tmpfs|proc|sysfs|devtmpfs|devpts|cgroup|cgroup2|mqueue) ;;
    *) mount -o remount,bind,ro "$target" ;;
  esac
done
touch "$0/.fedprobe-ro-probe" 2>/dev/null && { echo "the checkout is still writable" >&2; exit 99; }
touch /tmp/.fedprobe-ro-probe 2>/dev/null && { echo "/tmp is still writable" >&2; exit 99; }
cd "$0" && exec node bin/fedprobe.js demo "$1" --color false`;

async function demoReadOnly(profile: string) {
  try {
    const r = await run('unshare', ['-m', 'sh', '-c', READ_ONLY, ROOT, profile], { env: { ...process.env, CI: '1' } });
    return { code: 0, ...r };
  } catch (e) {
    const err = e as { code: number; stdout: string; stderr: string };
    return { code: err.code, stdout: err.stdout, stderr: err.stderr };
  }
}

const leftovers = () => readdirSync('/dev/shm').filter((f) => f.startsWith('fedprobe-demo-'));

describe('demo on a read-only root', () => {
  // swarm/sn and flower/supernode have TLS rows (a CA file to write); fedbiomed/node, the default, none.
  for (const profile of ['swarm/sn', 'flower/supernode', 'fedbiomed/node']) {
    it(`${profile}: every row passes, nothing is left on the tmpfs`, async () => {
      const before = leftovers();
      const r = await demoReadOnly(profile);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^(\d+) rows: \1 pass · exit 0 · /m);
      expect(r.stdout).not.toMatch(/FAIL|WARN/);
      expect(leftovers()).toEqual(before);
    }, 60_000);
  }
});
