// Hostile MQTT peers, the ones no real broker plays: a WebSocket that answers our CONNECT with a
// 99 MiB frame, a CONNACK that drips forever, a flood behind a CONNACK header, CONNACKs that break
// the rules (one of them "accepts"). Each row must end within its deadline plus 500 ms, with a
// truthful reason, and the prober's memory must stay bounded. The fakes run in a child process,
// so the memory sampled here is the prober's alone.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/types.js';
import { probeUrl } from '../helpers/probe.js';

// Each kind listens on its own 127.0.0.1 port; the child prints {kind: port} once all listen.
const FAKES = `
const net = require('node:net'), http = require('node:http'), crypto = require('node:crypto');
const hex = (h) => Buffer.from(h, 'hex');
const chunk = Buffer.alloc(64 * 1024);
/** Writes chunk after chunk, as fast as the reader takes them, until the socket goes. */
function flood(s) {
  const go = () => { while (!s.destroyed && s.write(chunk)); };
  s.on('drain', go);
  go();
}
const kinds = {
  // 20 ff ff 03: a CONNACK of 65535 bytes announced, then one byte every 50 ms.
  drip: (s) => s.once('data', () => {
    s.write(hex('20ffff03'));
    const t = setInterval(() => s.destroyed ? clearInterval(t) : s.write(hex('00')), 50);
  }),
  // The same header, then zeros as fast as they go.
  flood: (s) => s.once('data', () => { s.write(hex('20ffff03')); flood(s); }),
  // v5 "success" whose properties carry id 0xff: before, this passed.
  garbageProps: (s) => s.once('data', () => s.write(hex('2005000002ff00'))),
  // v5 CONNACK whose property length (5) overruns the packet.
  overrun: (s) => s.once('data', () => s.write(hex('2003000005'))),
  // A 3.1.1 CONNACK with remaining length 3.
  badLength: (s) => s.once('data', () => s.write(hex('2003000000'))),
};
const ports = {};
const servers = Object.entries(kinds).map(([kind, onConn]) => {
  const srv = net.createServer((s) => { s.on('error', () => {}); onConn(s); });
  return new Promise((r) => srv.listen(0, '127.0.0.1', () => { ports[kind] = srv.address().port; r(); }));
});
// A WebSocket server that accepts the mqtt subprotocol and answers the CONNECT frame with the
// header of a 99 MiB binary frame, then streams its payload.
const web = http.createServer((_q, res) => res.end());
web.on('upgrade', (req, s) => {
  s.on('error', () => {});
  const key = req.headers['sec-websocket-key'] + '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
  const accept = crypto.createHash('sha1').update(key).digest('base64');
  s.write('HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\n'
    + 'Sec-WebSocket-Accept: ' + accept + '\\r\\nSec-WebSocket-Protocol: mqtt\\r\\n\\r\\n');
  s.once('data', () => {
    const head = Buffer.alloc(10);
    head[0] = 0x82; head[1] = 127; head.writeBigUInt64BE(99n * 1024n * 1024n, 2);
    s.write(head);
    flood(s);
  });
});
servers.push(new Promise((r) => web.listen(0, '127.0.0.1', () => { ports.giantFrame = web.address().port; r(); })));
Promise.all(servers).then(() => console.log(JSON.stringify(ports)));
`;

let child: ChildProcess;
let port: Record<'drip' | 'flood' | 'garbageProps' | 'overrun' | 'badLength' | 'giantFrame', number>;

beforeAll(async () => {
  child = spawn(process.execPath, ['-e', FAKES], { stdio: ['ignore', 'pipe', 'inherit'] });
  const first = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`the fake peers exited (${code})`)));
  });
  port = JSON.parse(first) as typeof port;
});

afterAll(() => {
  child?.kill('SIGKILL');
});

interface Measured {
  r: CheckResult;
  ms: number;
  growthMiB: number;
}

/** Runs one probe, sampling this process's RSS every 10 ms: the result, its wall time, the peak growth. */
async function measured(url: string, withOpts: Record<string, unknown>, timeoutMs: number): Promise<Measured> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 10);
  const start = performance.now();
  try {
    const r = await probeUrl(url, withOpts, { timeoutMs });
    const end = Math.max(peak, process.memoryUsage().rss);
    return { r, ms: performance.now() - start, growthMiB: (end - base) / 2 ** 20 };
  } finally {
    clearInterval(sampler);
  }
}

// Generous for a test process (GC timing, JIT), and far below what the peers push (99 MiB, an
// endless flood): an unbounded read fails it.
const MAX_GROWTH_MIB = 48;
const MARGIN_MS = 500;
const WRONG = { outcome: 'fail', state: 'open', reason: 'wrong-protocol' };
const MALFORMED = { ...WRONG, code: 'MQTT_MALFORMED_CONNACK' };

describe('hostile MQTT peers: bounded time and memory, a truthful reason', () => {
  it('mqtt+ws: a 99 MiB WebSocket frame is refused at its header (64 KiB limit): fast, no 99 MiB read', async () => {
    const { r, ms, growthMiB } = await measured(`mqtt+ws://127.0.0.1:${port.giantFrame}/mqtt`, {}, 2000);
    expect(r).toMatchObject({ ...WRONG, code: 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH' });
    expect(r.detail).toBe(
      'the WebSocket server sent a message of more than 64 KiB (a CONNACK is a few bytes): ' + 'not an MQTT answer',
    );
    expect(ms).toBeLessThan(2000 + MARGIN_MS);
    expect(growthMiB).toBeLessThan(MAX_GROWTH_MIB);
  });

  it('a CONNACK that drips one byte every 50 ms: no-response at the deadline, saying how many bytes came', async () => {
    const { r, ms, growthMiB } = await measured(`mqtt://127.0.0.1:${port.drip}`, { version: 5 }, 1000);
    expect(r).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'no-response',
      facts: { firstBytes: expect.stringMatching(/^20ffff03/) },
    });
    expect(r.detail).toMatch(
      new RegExp(
        '^connected, then \\d+ bytes of the 65539 it announced of a CONNACK ' +
          'that did not complete within 1000 ms \\(first bytes 20ffff0300',
      ),
    );
    expect(ms).toBeLessThan(1000 + MARGIN_MS);
    expect(growthMiB).toBeLessThan(MAX_GROWTH_MIB);
  });

  it('a flood behind a v5 CONNACK header: read to the announced 64 KiB, then malformed, in time', async () => {
    const { r, ms, growthMiB } = await measured(`mqtt://127.0.0.1:${port.flood}`, { version: 5 }, 2000);
    expect(r).toMatchObject(MALFORMED);
    expect(r.detail).toBe(
      'a malformed CONNACK came back: ' + "the CONNACK's properties (0 bytes) do not fill its remaining 65533 bytes",
    );
    expect(ms).toBeLessThan(2000 + MARGIN_MS);
    expect(growthMiB).toBeLessThan(MAX_GROWTH_MIB);
  });

  it('a flood in 3.1.1: the announced length alone is malformed (3.1.1 CONNACKs have 2 bytes)', async () => {
    const { r, ms } = await measured(`mqtt://127.0.0.1:${port.flood}`, {}, 2000);
    expect(r).toMatchObject(MALFORMED);
    expect(r.detail).toBe(
      'a malformed CONNACK came back: ' + 'an MQTT 3.1.1 CONNACK of 65535 bytes is malformed (it has exactly 2)',
    );
    expect(ms).toBeLessThan(2000 + MARGIN_MS);
  });

  it('a v5 "success" with an undefined property id does not pass: wrong-protocol, malformed', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.garbageProps}`, { version: 5 });
    expect(r).toMatchObject({ ...MALFORMED, facts: { firstBytes: '2005000002ff00' } });
    expect(r.detail).toBe(
      'a malformed CONNACK came back: ' +
        'the CONNACK carries property id 0xff, which MQTT 5 does not define for a CONNACK',
    );
  });

  it('v5 properties that overrun the packet, a 3.1.1 CONNACK of the wrong length: malformed', async () => {
    const overrun = await probeUrl(`mqtt://127.0.0.1:${port.overrun}`, { version: 5 });
    expect(overrun).toMatchObject(MALFORMED);
    expect(overrun.detail).toBe(
      'a malformed CONNACK came back: ' + "the CONNACK's properties (5 bytes) do not fill its remaining 1 bytes",
    );
    const badLength = await probeUrl(`mqtt://127.0.0.1:${port.badLength}`);
    expect(badLength).toMatchObject(MALFORMED);
    expect(badLength.detail).toBe(
      'a malformed CONNACK came back: ' + 'an MQTT 3.1.1 CONNACK of 3 bytes is malformed (it has exactly 2)',
    );
  });
});
