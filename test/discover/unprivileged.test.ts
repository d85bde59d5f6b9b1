// discover run unprivileged (setpriv to nobody) against processes owned by root, in a pid namespace of its
// own (unshare -p -f --mount-proc): the kernel itself refuses /proc/PID/{environ,cwd,root}, and with
// hidepid=1 even /proc/PID/cmdline. Each refusal is one line saying what it leaves unknown, never a guess,
// never a crash; what does not depend on it is still found. Needs root (to set up the namespaces).
import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;
const AS_WHO = 'run discover as root or as the user of that process';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedprobe-unpriv-'));
  mkdirSync(join(dir, 'bin'));
  mkdirSync(join(dir, 'app'));
  mkdirSync(join(dir, 'srv'));
  // Stand-ins named as the frameworks' programs: `/bin/sh …/flower-supernode ARGS` has the argv discover
  // reads. The `exit` after sleep keeps the shell (and so that argv) alive; the namespace ends them all.
  for (const name of ['flower-supernode', 'fedbiomed', 'run-swop'])
    writeFileSync(join(dir, 'bin', name), 'sleep 30; exit 0\n');
  chmodSync(dir, 0o755);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Starts the processes as root in a fresh pid namespace, then discover as nobody; returns its pids line too. */
async function discoverAsNobody(start: string, mountOpts = '', after = '') {
  const script = `
set -e
${mountOpts ? `mount -t proc -o ${mountOpts} proc /proc` : ''}
D="$0"
${start}
for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
  [ "$(cat /proc/$LAST/cmdline 2>/dev/null | tr -d '\\0')" != "" ] && break; sleep 0.1
done
echo "PIDS $PIDS"
cd "$1"
set +e
setpriv --reuid=65534 --regid=65534 --clear-groups node bin/fedprobe.js discover --color false
echo "EXIT $?"
${after}`;
  const r = await run('unshare', ['-p', '-f', '-m', '--mount-proc', 'sh', '-c', script, dir, ROOT], {
    env: { ...process.env, CI: '1' },
    timeout: 20_000,
  });
  const [pidsLine, ...rest] = r.stdout.split('\n');
  return { pids: pidsLine!.replace(/^PIDS /, '').split(' '), stdout: rest.join('\n'), stderr: r.stderr };
}

describe('discover as an unprivileged user, processes of root', () => {
  it('each /proc part it may not read is one line; what argv alone gives is still found and offered', async () => {
    const start = `
cd "$D/app"; /bin/sh "$D/bin/flower-supernode" --superlink superlink.example.org:9092 \\
  --root-certificates certificates/ca.crt & A=$!
/bin/sh "$D/bin/flower-supernode" --insecure --superlink 127.0.0.1:9092 & B=$!
cd "$D/srv"; /bin/sh "$D/bin/fedbiomed" node start & C=$!
LAST=$C; PIDS="$A $B $C"`;
    // check --from the same cmdline, as nobody too: the same line, as a usage error (exit 2).
    const after =
      'setpriv --reuid=65534 --regid=65534 --clear-groups node bin/fedprobe.js check --from /proc/$A/cmdline 2>&1\n' +
      'echo "EXIT $?"';
    const { pids, stdout, stderr } = await discoverAsNobody(start, '', after);
    const [a, b, c] = pids;
    expect(stderr).toBe('');
    expect(stdout).toBe(
      [
        // What argv alone says stands; only the CA, relative to a cwd it may not read, is asked for.
        `flower/supernode: pid ${a} sh`,
        `  superlink_host = superlink.example.org  (pid ${a} argv)`,
        `  note: /proc/${a}/environ: permission denied, so its FLWR_* settings (telemetry, update check) are not ` +
          `known (${AS_WHO})`,
        `  not known here: /proc/${a}/cwd, /proc/${a}/root: permission denied, so where pid ${a} finds ` +
          `certificates/ca.crt (superlink_ca) cannot be told (${AS_WHO})`,
        '  still needed: --set superlink_ca=…',
        '  fedprobe check flower/supernode --set superlink_host=superlink.example.org',
        `  fedprobe check --from /proc/${a}/cmdline --set superlink_ca=…   # the same, read again: each value's ` +
          'source in the report',
        '',
        `flower/supernode-insecure: pid ${b} sh`,
        `  superlink_host = 127.0.0.1  (pid ${b} argv)`,
        `  note: /proc/${b}/environ: permission denied, so its FLWR_* settings (telemetry, update check) are not ` +
          `known (${AS_WHO})`,
        '  fedprobe check flower/supernode-insecure --set superlink_host=127.0.0.1',
        `  fedprobe check --from /proc/${b}/cmdline   # the same, read again: each value's source in the report`,
        '',
        `fedbiomed/node-v5: pid ${c} sh`,
        `  cannot read its configuration: /proc/${c}/cwd, /proc/${c}/root: permission denied, so where pid ${c} ` +
          `finds its configuration cannot be told (${AS_WHO})`,
        '  still needed: --set researcher_host=…',
        '  fedprobe check fedbiomed/node-v5',
        'EXIT 0',
        `fedprobe: /proc/${a}/cwd, /proc/${a}/root: permission denied, so where pid ${a} finds certificates/ca.crt ` +
          `(superlink_ca) cannot be told (${AS_WHO}); with the other values as read: fedprobe check flower/supernode ` +
          '--set superlink_host=superlink.example.org --set superlink_ca=…',
        'EXIT 2',
        '',
      ].join('\n'),
    );
  }, 30_000);

  it("run-swop's relative --usr-dir, its cwd unreadable: the profile is one note, the arguments stand", async () => {
    const start = `
cd "$D/srv"; /bin/sh "$D/bin/run-swop" --usr-dir=swop --profile-file-name=swop1_profile.yaml \\
  --sn-ip=172.1.1.1 --apls-ip=172.1.1.1 & A=$!
LAST=$A; PIDS=$A`;
    const { pids, stdout, stderr } = await discoverAsNobody(start);
    const [a] = pids;
    expect(stderr).toBe('');
    expect(stdout).toBe(
      [
        `swarm/swop: pid ${a} sh`,
        `  apls_host = 172.1.1.1  (pid ${a} argv)`,
        `  sn_host = 172.1.1.1  (pid ${a} argv)`,
        `  note: /proc/${a}/cwd, /proc/${a}/root: permission denied, so where pid ${a} finds the SWOP profile ` +
          `swop/swop1_profile.yaml (--usr-dir pid ${a} argv, --profile-file-name pid ${a} argv) cannot be told ` +
          `(${AS_WHO}): its apisrv.locator, when set, takes precedence over --sn-ip, --sn-api-port and ` +
          '--sn-api-service',
        '  fedprobe check swarm/swop --set apls_host=172.1.1.1 --set sn_host=172.1.1.1',
        `  fedprobe check --from /proc/${a}/cmdline   # the same, read again: each value's source in the report`,
        'EXIT 0',
        '',
      ].join('\n'),
    );
  }, 30_000);

  it('hidepid=1: command lines it may not read are counted in one line, not guessed at', async () => {
    const start = `/bin/sh "$D/bin/flower-supernode" --insecure --superlink 127.0.0.1:9092 & A=$!; LAST=$A; PIDS=$A`;
    const { pids, stdout } = await discoverAsNobody(start, 'hidepid=1');
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(
      'no Fed-BioMed, Flower or HPE Swarm Learning component found here (no known process or listening port)',
    );
    expect(lines[1]).toBe('');
    // pid 1 (the namespace's shell), the stand-in and its sleep: root's, all three unreadable to nobody.
    const hidden = new RegExp(
      '^(\\d+) processes \\(pid ([\\d, ]+)\\) could not be read \\(their /proc/PID/cmdline: permission ' +
        'denied\\): what they run is not known; run discover as root to see them$',
    ).exec(lines[2]!);
    expect(hidden).not.toBeNull();
    expect(hidden![2]!.split(', ')).toContain(pids[0]);
    expect(hidden![2]!.split(', ')).toContain('1');
    expect(lines.slice(3)).toEqual(['EXIT 1', '']);
  }, 30_000);
});
