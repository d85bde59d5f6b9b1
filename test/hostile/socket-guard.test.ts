// A socket that errors while nobody listens would be an uncaught exception, ending the daemon, and
// one left unwatched while TLS files are read reports its reset only at the deadline. So tls://
// reads its with.ca file before it dials: here that file is a FIFO that delivers only after a
// pause, during which no connection may exist; then the peer resets, and the row says so at once.
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { probeUrl } from '../helpers/probe.js';
import { openFds, startTcpPeer } from './peers.js';

const dir = mkdtempSync(join(tmpdir(), 'fedprobe-guard-'));
let certs: TestCerts;

describe('TLS options read from disk, then a connection reset', () => {
  it('nothing is dialled while the files are read; the reset is then a truthful reset', async () => {
    certs ??= await makeCerts();
    const fifo = join(dir, 'ca.pem');
    execFileSync('mkfifo', [fifo]);
    const baseline = await openFds();
    const peer = await startTcpPeer('reset');
    try {
      const probing = probeUrl(`tls://127.0.0.1:${peer.port}`, { ca: fifo }, { timeoutMs: 2000 });
      // Blocked reading the FIFO: no connection yet.
      await new Promise((r) => setTimeout(r, 200));
      expect(peer.accepted()).toBe(0);
      // Opened read-write, a FIFO never blocks its opener; closing it gives the reader its EOF.
      const fd = openSync(fifo, 'r+');
      writeSync(fd, readFileSync(certs.caCert));
      closeSync(fd);
      const r = await probing;
      // The peer resets the connection it accepted: reported as such, not as silence at the deadline.
      expect({ state: r.state, reason: r.reason }).toEqual({ state: 'closed', reason: 'reset' });
      expect(peer.accepted()).toBe(1);
    } finally {
      await peer.close();
    }
    for (let i = 0; i < 20 && (await openFds()) !== baseline; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await openFds()).toBe(baseline);
  });
});
