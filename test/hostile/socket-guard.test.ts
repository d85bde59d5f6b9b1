// A socket that errors while nobody listens would be an uncaught exception, ending the daemon.
// tls:// reads its with.ca file after the TCP connection is up; here that file is a FIFO that only
// delivers once the peer has already reset the connection. The row must end as a reset, not crash.
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

describe('a connection reset while TLS options are read from disk', () => {
  it('is a truthful reset, not an uncaught exception', async () => {
    certs ??= await makeCerts();
    const fifo = join(dir, 'ca.pem');
    execFileSync('mkfifo', [fifo]);
    const baseline = await openFds();
    const peer = await startTcpPeer('silent');
    try {
      const probing = probeUrl(`tls://127.0.0.1:${peer.port}`, { ca: fifo }, { timeoutMs: 2000 });
      // Connected, and blocked reading the FIFO: now the peer resets; only then is the file given.
      await new Promise((r) => setTimeout(r, 200));
      expect(peer.accepted()).toBe(1);
      peer.resetAll();
      await new Promise((r) => setTimeout(r, 100));
      // Opened read-write, a FIFO never blocks its opener; closing it gives the reader its EOF.
      const fd = openSync(fifo, 'r+');
      writeSync(fd, readFileSync(certs.caCert));
      closeSync(fd);
      const r = await probing;
      expect({ state: r.state, reason: r.reason }).toEqual({ state: 'open', reason: 'reset' });
    } finally {
      await peer.close();
    }
    for (let i = 0; i < 20 && (await openFds()) !== baseline; i++) await new Promise((r) => setTimeout(r, 50));
    expect(await openFds()).toBe(baseline);
  });
});
