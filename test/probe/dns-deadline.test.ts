// A resolver that never answers (its DNS packets dropped by nftables in a peer namespace) must not
// hold a row past its deadline: getaddrinfo() cannot be cancelled, so the runner races it.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerNetns, type PeerNetns } from '../helpers/netns.js';

let ns: PeerNetns;
beforeAll(async () => {
  ns = await createPeerNetns('dns');
  await ns.nft(
    'table inet dnsdrop {\n chain input {\n  type filter hook input priority 0; policy accept;\n  udp dport 53 ' +
      'drop\n  tcp dport 53 drop\n }\n}\n',
  );
});
afterAll(async () => ns?.destroy());

describe('DNS deadline', () => {
  it("a silent resolver: dns-error at the row deadline, not after glibc's 5 s retries", { timeout: 30_000 }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-resolv-'));
    // The only resolver is inside the test's own namespace, where port 53 is dropped.
    writeFileSync(join(dir, 'resolv.conf'), `nameserver ${ns.peerV4}\noptions timeout:3 attempts:1\n`);
    const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
    const r = spawnSync(
      'unshare',
      [
        '-m',
        '--propagation',
        'private',
        'sh',
        '-c',
        `mount --bind ${dir}/resolv.conf /etc/resolv.conf && exec node ${bin} probe ` +
          `tcp://svc.fedprobe-test.example:9092 --timeout 700ms -f json`,
      ],
      { encoding: 'utf8', timeout: 20_000 },
    );
    const row = JSON.parse(r.stdout).results[0];
    expect(row).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'dns-error', code: 'EAI_AGAIN' });
    expect(row.detail).toMatch(/no DNS answer for svc\.fedprobe-test\.example within 700 ms/);
    expect(r.status).toBe(1);
    // Known limit: the row is reported at its deadline, but Node joins its resolver threads on
    // exit, so the process itself still ends only when glibc gives up (here after 3 s).
    expect(row.timings.totalMs).toBeLessThan(2000);
  });
});
