// The table and the progress line in a real terminal: tmux panes of 80 and 160 columns, with and
// without colour, running the built CLI (`node bin/fedprobe.js check swarm/sn`) against real peers
// in a namespace of the test's own: a TCP listener that holds its connections on the SN P2P port
// (both the listen:// row and the rlpx:// row see it), nothing on the API port and, but for the
// progress test, nothing on the license port. The screens are kept under test-artifacts/terminal/.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerNetns, type PeerNetns } from '../helpers/netns.js';
import { peerListens } from '../helpers/servers.js';
import { startPane, type Pane } from '../helpers/tmux.js';

const ROOT = new URL('../../', import.meta.url).pathname;
const ARTIFACTS = join(ROOT, 'test-artifacts', 'terminal');
const SGR = /\x1b\[([0-9;]*)m/g;
const plain = (s: string) => s.replace(SGR, '');
/** What tmux may send back for our table: resets (0, 22, 39, 49), bold and the base colours red,
 * green, yellow, magenta. Never blue (34) nor bright black (90), unreadable on dark themes. */
const READABLE = new Set(['', '0', '1', '22', '31', '32', '33', '35', '39', '49']);

let ns: PeerNetns;

/** A TCP listener inside the namespace that accepts and then says nothing, holding the connection. */
async function holdingListener(port: number): Promise<void> {
  ns.spawn(process.execPath, [
    '-e',
    `require('node:net').createServer((s) => s.on('error', () => {})).listen(${port}, '0.0.0.0')`,
  ]);
  for (let i = 0; i < 200 && !(await peerListens(ns, 'tcp', port)); i++) await new Promise((r) => setTimeout(r, 25));
  if (!(await peerListens(ns, 'tcp', port))) throw new Error(`no listener on ${port} in ${ns.name}`);
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  ns = await createPeerNetns('term');
  await holdingListener(30303);
}, 30_000);

afterAll(async () => {
  await ns?.destroy();
});

const check = () => [
  'ip',
  'netns',
  'exec',
  ns.name,
  process.execPath,
  join(ROOT, 'bin/fedprobe.js'),
  'check',
  'swarm/sn',
  '--set',
  'peer_sn_host=127.0.0.1',
  '--set',
  'apls_host=127.0.0.1',
];

/** A pane without CI (which turns the progress line off) and with or without NO_COLOR. */
const pane = (width: number, colour: boolean) =>
  startPane(check(), {
    width,
    height: 60,
    unset: ['CI', 'NO_COLOR', 'FORCE_COLOR'],
    env: colour ? {} : { NO_COLOR: '1' },
  });

async function withPane<T>(p: Promise<Pane>, f: (pane: Pane) => Promise<T>): Promise<T> {
  const opened = await p;
  try {
    return await f(opened);
  } finally {
    await opened.kill();
  }
}

const ROWS = [
  ['p2p-in', 'PASS'],
  ['api-in', 'FAIL'],
  ['p2p-out', 'PASS'],
  ['license', 'FAIL'],
] as const;

describe('swarm/sn in a real terminal (tmux)', () => {
  for (const width of [80, 160]) {
    for (const colour of [true, false]) {
      it(`${width} columns, ${colour ? 'colour' : 'NO_COLOR'}: no line wraps, outcomes on their rows, hints ` +
        `readable`, async () => {
        await withPane(pane(width, colour), async (p) => {
          const { code, screen } = await p.done(20_000);
          const joined = await p.capture({ joined: true });
          const coloured = await p.capture({ colours: true });
          const name = `swarm-sn-${width}${colour ? '-colour' : '-no-color'}`;
          writeFileSync(join(ARTIFACTS, `${name}.txt`), screen);
          writeFileSync(join(ARTIFACTS, `${name}.ansi`), coloured);

          expect(code).toBe(1);
          // -J gives a line the terminal wrapped back as one: longer than the pane means it wrapped.
          for (const line of joined.split('\n'))
            expect(line.length, `wrapped at ${width}: ${line}`).toBeLessThanOrEqual(width);
          for (const [id, outcome] of ROWS) expect(screen).toMatch(new RegExp(`^${id} .* ${outcome} `, 'm'));
          expect(screen).toMatch(
            width === 80
              ? /^id +peer +port +service +outcome +reason$/m
              : /^id +dir +source +destination +port +service +type +status +outcome +state +reason +time$/m,
          );
          expect(screen).toContain('  ↳ nothing on this machine listens on tcp/30304');
          expect(screen).toContain('  → Start the HTTPS (SN API) service on TCP/30304, or run `fedprobe respond` to');
          expect(screen).toContain('  → The path to 127.0.0.1 (license server) works but no HTTPS (APLS) service');
          expect(screen).toMatch(/^4 rows: 2 pass, 2 fail · exit 1 \(a mandatory row failed\) · [\d.]+ m?s$/m);

          const codes = [...coloured.matchAll(SGR)].flatMap((m) => m[1]!.split(';'));
          if (!colour) {
            expect(codes).toEqual([]);
            return;
          }
          for (const c of codes) expect(READABLE.has(c), `SGR ${c}`).toBe(true);
          const lines = coloured.split('\n');
          // A hint is bold in the default foreground colour: no colour code between the bold and the text.
          expect(lines.find((l) => l.includes('→ Start the HTTPS'))).toMatch(/^\x1b\[1m {2}→ Start the HTTPS/);
          // tmux sends attributes only where they change, each as its own sequence: bold, then the colour.
          expect(lines.find((l) => plain(l).startsWith('p2p-in'))).toMatch(/\x1b\[1m\x1b\[32mPASS/);
          expect(lines.find((l) => plain(l).startsWith('api-in'))).toMatch(/\x1b\[1m\x1b\[31mFAIL/);
        });
      }, 30_000);
    }
  }

  it('the progress line names the row it waits for, with elapsed and ' +
    'deadline, and is gone before the report', async () => {
    // The license server now accepts and never answers the TLS ClientHello: its row waits 3 s.
    await holdingListener(5814);
    await withPane(pane(100, true), async (p) => {
      const during = await p.waitFor(/^\d\/4 rows · waiting for license \(\d(\.\d)? s of 3 s\)$/m, 4_000);
      writeFileSync(join(ARTIFACTS, 'progress-100.txt'), during);
      expect(during).not.toMatch(/^id /m); // the report is not there yet
      const { code, screen } = await p.done(20_000);
      writeFileSync(join(ARTIFACTS, 'progress-100-after.txt'), screen);
      expect(code).toBe(1);
      expect(screen).not.toContain('waiting for');
      expect(screen).toMatch(/^license .* FAIL +no-response +3\.\d s$/m);
      // The report starts on the line the progress line used: nothing left before it.
      expect(plain(screen).split('\n')[0]).toMatch(
        /^HPE Swarm Learning SN \(Swarm Network node\) \(direct ports\) {2}profile swarm\/sn · fedprobe \S+$/,
      );
    });
  }, 30_000);
});
