// Two sides of a firewall path: `fedprobe respond` on the network component's ports, `fedprobe
// check` from the node, in-process, on the suite's private loopback (fixed ports are safe here).
import { createSocket } from 'node:dgram';
import { Writable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { runCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/http.js';
import { connect } from 'node:net';

function sink() {
  const w = new Writable({
    write: (c, _e, cb) => {
      (w as unknown as { text: string }).text += String(c);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((r) => {
    const s = connect({ host: '127.0.0.1', port }, () => {
      s.destroy();
      r(true);
    });
    s.on('error', () => r(false));
  });
}

describe('fedprobe respond', () => {
  const stop = new AbortController();
  const out = sink();
  let exit: Promise<number>;
  afterAll(async () => {
    stop.abort();
    await exit;
  });

  it("answers the network component's inbound rows with protocol stand-ins; the node's check passes", async () => {
    exit = main(['respond', 'fedbiomed/network', '--bind', '127.0.0.1'], {
      stdout: out,
      stderr: sink(),
      env: {},
      signal: stop.signal,
    });
    await waitFor('stand-ins listening', async () => (await canConnect(1883)) && (await canConnect(8080)));
    expect(out.text).toMatch(/mqtt\s+TCP\/1883\s+MQTT\s+MQTT broker stand-in on 127\.0\.0\.1:1883/);
    expect(out.text).toMatch(/restful\s+TCP\/8080\s+HTTP\s+HTTP server on 127\.0\.0\.1:8080/);
    const r = await runCli([
      'check',
      'fedbiomed/node',
      '--set',
      'network_host=127.0.0.1',
      '--family',
      '4',
      '-f',
      'json',
    ]);
    const run = JSON.parse(r.stdout);
    const byId = Object.fromEntries(run.results.map((x: { id: string }) => [x.id, x]));
    expect(byId.mqtt).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { returnCode: 0 } });
    expect(byId.restful).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { status: 200 } });
    // The node's own GUI row is about this machine: nothing listens on 8484 here.
    expect(byId.gui).toMatchObject({ outcome: 'fail', reason: 'not-listening' });
    expect(r.code).toBe(0);
  });

  it('stops on the signal and exits 0', async () => {
    stop.abort();
    expect(await exit).toBe(0);
    expect(await canConnect(1883)).toBe(false);
  });
});

describe('the UDP stand-in', () => {
  it('answers a fedprobe datagram with the same bytes, and nothing else at all', async () => {
    const stop = new AbortController();
    const exit = main(['respond', 'fedbiomed/network-vpn', '--bind', '127.0.0.1'], {
      stdout: sink(),
      stderr: sink(),
      env: {},
      signal: stop.signal,
    });
    await new Promise((r) => setTimeout(r, 200));
    const probe = await runCli(['probe', 'udp://127.0.0.1:51820', '--timeout', '1s', '-f', 'json']);
    expect(JSON.parse(probe.stdout).results[0]).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { replyBytes: 19 },
    });
    // A foreign datagram (a would-be amplification) gets no reply.
    const s = createSocket('udp4');
    const got = await new Promise<boolean>((resolve) => {
      s.on('message', () => resolve(true));
      s.send(Buffer.alloc(8, 0x41), 51820, '127.0.0.1');
      setTimeout(() => resolve(false), 300);
    });
    s.close();
    expect(got).toBe(false);
    // A WireGuard row stays inconclusive against it: silence proves nothing.
    const wg = await runCli(['probe', 'wireguard://127.0.0.1:51820', '--timeout', '500ms', '-f', 'json']);
    expect(JSON.parse(wg.stdout).results[0]).toMatchObject({ outcome: 'inconclusive', state: 'open|filtered' });
    stop.abort();
    expect(await exit).toBe(0);
  });

  it('a profile without inbound rows is a usage error', async () => {
    const r = await runCli(['respond', 'flower/cli']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/flower\/cli has no inbound \(dir: in\) rows/);
  });
});
