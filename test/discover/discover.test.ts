// discover on a fake /proc tree: processes (NUL-separated cmdline, comm, cwd) and /proc/net/tcp
// listeners → the components, their values with sources, and the exact check command.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverCommand } from '../../src/cli/commands/discover.js';
import { checkCommand, discover, renderPlans } from '../../src/discover/discover.js';
import { Writable } from 'node:stream';

const fbmConfig = fileURLToPath(new URL('../fixtures/frameworks/fedbiomed/v6-config.ini', import.meta.url));
const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
/** One /proc/net/tcp line: address and port in the kernel's hex, state 0A = LISTEN. */
const tcpLine = (i: number, addrHex: string, port: number, state = '0A') =>
  `   ${i}: ${addrHex}:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 ${state} ` +
  `00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1 0000000000000000 100 0 0 10 0`;

let root: string;
let proc: string;

function addProcess(pid: number, argv: string[], comm: string, cwd?: string): void {
  const dir = join(proc, String(pid));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cmdline'), argv.length ? argv.join('\0') + '\0' : '');
  writeFileSync(join(dir, 'comm'), `${comm}\n`);
  if (cwd) symlinkSync(cwd, join(dir, 'cwd'));
}

function setListeners(lines: string[]): void {
  mkdirSync(join(proc, 'net'), { recursive: true });
  writeFileSync(join(proc, 'net', 'tcp'), [TCP_HEADER, ...lines].join('\n') + '\n');
  writeFileSync(join(proc, 'net', 'tcp6'), `${TCP_HEADER}\n`);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fedprobe-discover-'));
  proc = join(root, 'proc');
  mkdirSync(proc);
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('discover', () => {
  it('finds a SuperNode, a Fed-BioMed node and a Swarm SN, and prints each exact command', async () => {
    addProcess(1, ['/sbin/init'], 'systemd');
    addProcess(2, [], 'kthreadd'); // a kernel thread: no argv
    addProcess(
      101,
      [
        '/usr/bin/python3',
        '/usr/local/bin/flower-supernode',
        '--superlink',
        'superlink.example.org:9092',
        '--root-certificates',
        '/etc/flwr/ca.crt',
        '--clientappio-api-address',
        '127.0.0.1:9094',
      ],
      'flower-supernod',
    );
    // `fedbiomed node start` in /srv: its component root is the default fbm-node under its cwd.
    const srv = join(root, 'srv');
    mkdirSync(join(srv, 'fbm-node', 'etc'), { recursive: true });
    copyFileSync(fbmConfig, join(srv, 'fbm-node', 'etc', 'config.ini'));
    addProcess(202, ['/usr/bin/python3', '/opt/venv/bin/fedbiomed', 'node', 'start'], 'fedbiomed', srv);
    setListeners([
      tcpLine(0, '0100007F', 9094),
      tcpLine(1, '00000000', 30303),
      tcpLine(2, '00000000', 30304),
      tcpLine(3, '0100007F', 9092, '01'), // an established connection, not a listener
    ]);
    const plans = await discover({ procRoot: proc });
    const cfg = join(srv, 'fbm-node', 'etc', 'config.ini');
    expect(renderPlans(plans)).toBe(
      [
        'flower/supernode: pid 101 flower-supernod; listening tcp/9094 on 127.0.0.1',
        '  superlink_host = superlink.example.org  (pid 101 argv)',
        '  superlink_ca = /etc/flwr/ca.crt  (pid 101 argv)',
        '  note: ClientAppIo API bind address 127.0.0.1 (pid 101 argv): flower/supernode has no variable for it',
        '  fedprobe check flower/supernode --set superlink_host=superlink.example.org --set superlink_ca=/etc/flwr/ca.crt',
        '',
        'fedbiomed/node-v5: pid 202 fedbiomed',
        `  researcher_host = researcher.example.org  (${cfg}:27)`,
        `  note: node configuration version 2.3.0 (${cfg}:4): Fed-BioMed v5 or later, gRPC over TLS`,
        '  fedprobe check fedbiomed/node-v5 --set researcher_host=researcher.example.org',
        '',
        'swarm/sn: listening tcp/30303 on 0.0.0.0; listening tcp/30304 on 0.0.0.0',
        '  still needed: --set peer_sn_host=… --set apls_host=…',
        '  fedprobe check swarm/sn',
        '',
      ].join('\n'),
    );
  });

  it('a process whose configuration cannot be read says so in one line, and its command has no values', async () => {
    addProcess(300, ['/opt/venv/bin/fedbiomed', 'node', '--path', join(root, 'missing'), 'start'], 'fedbiomed');
    setListeners([]);
    const [plan, ...rest] = await discover({ procRoot: proc });
    expect(rest).toEqual([]);
    expect(plan!.problem).toBe(`--from ${join(root, 'missing', 'etc', 'config.ini')}: cannot read (no such file)`);
    expect(plan!.command).toBe('fedprobe check fedbiomed/node-v5');
    expect(plan!.missing).toEqual(['researcher_host']);
  });

  it('nothing known here', async () => {
    addProcess(1, ['/sbin/init'], 'systemd');
    setListeners([tcpLine(0, '00000000', 22)]);
    const plans = await discover({ procRoot: proc });
    expect(plans).toEqual([]);
    expect(renderPlans(plans)).toBe(
      'no Fed-BioMed, Flower or HPE Swarm Learning component found here (no known process or listening port)\n',
    );
  });

  it('quotes values for the shell', () => {
    expect(checkCommand('flower/cli', { superlink_host: 'a b', x_file: "/it's" })).toBe(
      `fedprobe check flower/cli --set 'superlink_host=a b' --set 'x_file=/it'\\''s'`,
    );
  });
});

function sink(): Writable & { text: string } {
  const w = new Writable({
    write(chunk, _e, cb) {
      w.text += String(chunk);
      cb();
    },
  }) as Writable & { text: string };
  w.text = '';
  return w;
}

describe('discover --run', () => {
  it('runs the check it printed: an insecure SuperNode, its SuperLink 127.0.0.1:9092 down → refused', async () => {
    addProcess(
      101,
      ['/usr/local/bin/flower-supernode', '--insecure', '--superlink', '127.0.0.1:9092'],
      'flower-supernod',
    );
    setListeners([]);
    const stdout = sink();
    const stderr = sink();
    let code = -1;
    const io = { stdout, stderr, env: {}, signal: new AbortController().signal };
    await yargs([])
      .command(discoverCommand(io, (c) => (code = c)))
      .strict()
      .exitProcess(false)
      .parseAsync(['discover', '--proc-root', proc, '--run', '--format', 'json', '--timeout', '2s']);
    expect(code).toBe(1);
    expect(stderr.text).toContain('  fedprobe check flower/supernode-insecure --set superlink_host=127.0.0.1\n');
    const report = JSON.parse(stdout.text) as {
      profile: { id: string };
      results: { id: string; outcome: string; state: string; reason: string }[];
    };
    expect(report.profile.id).toBe('flower/supernode-insecure');
    const fleet = report.results.find((r) => r.id === 'fleet');
    expect(fleet).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused' });
  });
});
