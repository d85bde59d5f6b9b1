// ENETUNREACH has two origins: this machine's own routing table has no route (nothing is sent), or a
// router on the way answered ICMP "no route" (test/probers/tcp.test.ts, a peer's nftables rule). Only the
// second is a ticket for the network team; the first is fixed on this machine. Here the first, for real:
// a fresh network namespace whose loopback is down has no route even to 127.0.0.1, so no packet leaves.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const BIN = new URL('../../bin/fedprobe.js', import.meta.url).pathname;

describe('a row this machine has no route for', () => {
  it('says to fix the routing here, not to ask for a firewall opening', async () => {
    let stdout = '';
    try {
      // No `ip link set lo up`: the namespace has no route at all.
      await run('unshare', ['-n', process.execPath, BIN, 'probe', 'tcp://127.0.0.1:9', '--format', 'json']);
    } catch (e) {
      const err = e as { code: number; stdout: string };
      expect(err.code).toBe(1);
      stdout = err.stdout;
    }
    const row = JSON.parse(stdout).results[0];
    expect(row).toMatchObject({ outcome: 'fail', state: 'filtered', reason: 'unreachable', code: 'ENETUNREACH' });
    expect(row.addresses[0].localAddress).toBeUndefined();
    expect(row.hint).toBe(
      'This machine has no route to 127.0.0.1 (see `ip route get 127.0.0.1`: a missing default gateway, VPN or ' +
        'interface?): nothing was sent, so fix the routing here before asking anyone to open TCP/9.',
    );
  });
});
