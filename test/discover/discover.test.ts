// discover on a fake /proc tree: processes (NUL-separated cmdline, comm, cwd) and /proc/net/tcp
// listeners → the components, their values with sources, and the exact check command.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import yargs from 'yargs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { discoverCommand } from '../../src/cli/commands/discover.js';
import { discover, renderPlans } from '../../src/discover/discover.js';
import { checkCommand } from '../../src/frameworks/found.js';
import { parseEnviron } from '../../src/discover/proc.js';
import { varsFromConfig } from '../../src/frameworks/read.js';
import { Writable } from 'node:stream';

const fbmConfig = fileURLToPath(new URL('../fixtures/frameworks/fedbiomed/v6-config.ini', import.meta.url));
const TCP_HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
/** One /proc/net/tcp line: address and port in the kernel's hex, state 0A = LISTEN. */
const tcpLine = (i: number, addrHex: string, port: number, state = '0A') =>
  `   ${i}: ${addrHex}:${port.toString(16).toUpperCase().padStart(4, '0')} 00000000:0000 ${state} ` +
  `00000000:00000000 00:00000000 00000000     0        0 ${1000 + i} 1 0000000000000000 100 0 0 10 0`;

let root: string;
let proc: string;

function addProcess(
  pid: number,
  argv: string[],
  comm: string,
  cwd?: string,
  more: { environ?: string[]; root?: string } = {},
): void {
  const dir = join(proc, String(pid));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'cmdline'), argv.length ? `${argv.join('\0')}\0` : '');
  writeFileSync(join(dir, 'comm'), `${comm}\n`);
  if (cwd) symlinkSync(cwd, join(dir, 'cwd'));
  if (more.environ) writeFileSync(join(dir, 'environ'), `${more.environ.join('\0')}\0`);
  // A container's filesystem: /proc/PID/root points at another directory than "/".
  if (more.root) symlinkSync(more.root, join(dir, 'root'));
}

function setListeners(lines: string[]): void {
  mkdirSync(join(proc, 'net'), { recursive: true });
  writeFileSync(join(proc, 'net', 'tcp'), `${[TCP_HEADER, ...lines].join('\n')}\n`);
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
        '  fedprobe check flower/supernode --set superlink_host=superlink.example.org ' +
          '--set superlink_ca=/etc/flwr/ca.crt',
        `  fedprobe check --from ${proc}/101/cmdline   # the same, read again: each value's source in the report`,
        '',
        'fedbiomed/node-v5: pid 202 fedbiomed',
        `  researcher_host = researcher.example.org  (${cfg}:27)`,
        `  note: node configuration version 2.3.0 (${cfg}:4): Fed-BioMed v5 or later, gRPC over TLS`,
        '  fedprobe check fedbiomed/node-v5 --set researcher_host=researcher.example.org',
        `  fedprobe check --from ${cfg}   # the same, read again: each value's source in the report`,
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
    const [plan, ...rest] = (await discover({ procRoot: proc })).plans;
    expect(rest).toEqual([]);
    expect(plan!.problem).toBe(`--from ${join(root, 'missing', 'etc', 'config.ini')}: cannot read (no such file)`);
    expect(plan!.command).toBe('fedprobe check fedbiomed/node-v5');
    expect(plan!.missing).toEqual(['researcher_host']);
  });

  it('nothing known here', async () => {
    addProcess(1, ['/sbin/init'], 'systemd');
    setListeners([tcpLine(0, '00000000', 22)]);
    const plans = await discover({ procRoot: proc });
    expect(plans).toEqual({ plans: [], unreadable: [], problems: [] });
    expect(renderPlans(plans)).toBe(
      'no Fed-BioMed, Flower or HPE Swarm Learning component found here (no known process or listening port)\n',
    );
  });

  it('a containerised SuperNode: its relative CA path read through /proc/PID/root, FLWR_* noted', async () => {
    const container = join(root, 'container');
    mkdirSync(join(container, 'app', 'certificates'), { recursive: true });
    writeFileSync(join(container, 'app', 'certificates', 'ca.crt'), 'not read by discover\n');
    addProcess(
      500,
      [
        '/python/bin/python',
        '/python/bin/flower-supernode',
        '--superlink',
        'superlink:9092',
        '--root-certificates',
        'certificates/ca.crt',
      ],
      'flower-supernod',
      '/app', // as the container sees it
      { root: container, environ: ['PATH=/usr/bin', 'FLWR_TELEMETRY_ENABLED=0', 'API_TOKEN=hunter2'] },
    );
    setListeners([]);
    const [plan, ...rest] = (await discover({ procRoot: proc })).plans;
    expect(rest).toEqual([]);
    const ca = join(proc, '500', 'root', 'app', 'certificates', 'ca.crt');
    expect(plan!.found?.vars).toEqual({
      superlink_host: { value: 'superlink', source: 'pid 500 argv' },
      superlink_ca: {
        value: ca,
        source:
          `pid 500 argv: certificates/ca.crt relative to its cwd /app, in its container, read through ` +
          `${join(proc, '500', 'root')}`,
      },
    });
    expect(plan!.found?.notes).toContain(
      'FLWR_TELEMETRY_ENABLED=0 (pid 500 environ): telemetry is off, the telemetry row does not matter',
    );
    expect(plan!.command).toBe(
      `fedprobe check flower/supernode --set superlink_host=superlink --set superlink_ca=${ca}`,
    );
    expect(renderPlans({ plans: [plan!], unreadable: [], problems: [] })).not.toContain('hunter2');
    // check --from the process's cmdline reads the same values, the CA where the process reads it.
    expect(plan!.fromCommand).toBe(`fedprobe check --from ${proc}/500/cmdline`);
    expect((await varsFromConfig(`${proc}/500/cmdline`)).vars).toEqual(plan!.found?.vars);
  });

  it('a Fed-BioMed node in a container: its config.ini through /proc/PID/root, FBM_* overriding it', async () => {
    const container = join(root, 'fbm-container');
    mkdirSync(join(container, 'fbm-node', 'etc'), { recursive: true });
    copyFileSync(fbmConfig, join(container, 'fbm-node', 'etc', 'config.ini'));
    const argv = ['/venv/bin/python', '/venv/bin/fedbiomed', 'node', '--path', '/fbm-node', 'start'];
    addProcess(600, argv, 'fedbiomed', '/', {
      root: container,
      environ: ['FBM_RESEARCHER_IP=researcher2.example.org', 'HOME=/root'],
    });
    setListeners([]);
    const [plan, ...rest] = (await discover({ procRoot: proc })).plans;
    expect(rest).toEqual([]);
    expect(plan!.problem).toBeUndefined();
    expect(plan!.profile).toBe('fedbiomed/node-v5');
    expect(plan!.found?.vars).toEqual({
      researcher_host: { value: 'researcher2.example.org', source: 'pid 600 environ FBM_RESEARCHER_IP' },
    });
  });

  it('a container whose config.ini is missing: one line naming the path it looked at', async () => {
    const container = join(root, 'empty-container');
    mkdirSync(container);
    addProcess(700, ['/venv/bin/fedbiomed', 'researcher', 'start'], 'fedbiomed', '/srv', { root: container });
    setListeners([]);
    const [plan] = (await discover({ procRoot: proc })).plans;
    const file = join(proc, '700', 'root', 'srv', 'fbm-researcher', 'etc', 'config.ini');
    expect(plan!.problem).toBe(`--from ${file}: cannot read (no such file)`);
  });

  it('keeps only FLWR_* and FBM_* from an environ: the rest may hold secrets', () => {
    const environ = 'A=1\0FLWR_HOME=/h\0FBM_X=a=b\0SECRET=s\0FLWR_=x\0\0';
    expect(parseEnviron(environ)).toEqual({ FLWR_HOME: '/h', FBM_X: 'a=b' });
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

describe('discover: HPE Swarm Learning', () => {
  it('containers by the environment their run-* script gave them, a run-sl script still running', async () => {
    // mnist README step 8: `run-sn -d … --host-ip=${HOST_1_IP} --sentinel --sn-p2p-port=… --sn-api-port=… --key=…
    // --cert=… --capath=… --apls-ip=…` leaves only the container, with the --env=… of scripts/bin/run-sn.
    const sn = join(root, 'sn-container');
    mkdirSync(sn);
    const license = 'SWARM_LICENSE_AUTOPASSJ_SERVER_PRIMARY_IP=172.1.1.1';
    const certs = ['SWARM_ID_KEY=/w/cert/sn-1-key.pem', 'SWARM_ID_CERT=/w/cert/sn-1-cert.pem', 'SWARM_ID_CAPATH=/w/ca'];
    const snEnv = [
      'PATH=/usr/bin',
      'THIS_NODE_IP=172.1.1.1',
      'SN_I_AM_SENTINEL=1',
      'SN_API_SERVER_PORT=30304',
      'SN_ETH_PORT_EXT=30303',
      license,
      ...certs,
    ];
    addProcess(301, ['/usr/bin/python3', '-m', 'swarm.sn'], 'python3', '/', { root: sn, environ: snEnv });
    addProcess(302, ['/usr/bin/geth', '--port', '30303'], 'geth', '/', { root: sn, environ: snEnv });
    // The user's ML container beside an SL: the channels only, no SN address: not a Swarm component itself.
    addProcess(303, ['python3', 'mnist.py'], 'python3', '/', { environ: ['SL_REQUEST_CHANNEL=/tmp/channel/r'] });
    // run-swop's container: SWOP_PROFILE is always set (scripts/bin/run-swop l.181-191).
    const swopEnv = [
      'SWOP_PROFILE=swop1_profile.yaml',
      'SN_NODE_IP=172.1.1.1',
      'SN_API_SERVER_PORT=30304',
      license,
      'SWARM_ID_CERT=/w/cert/swop-1-cert.pem',
      'SWARM_ID_KEY=/w/cert/swop-1-key.pem',
      'SWARM_ID_CACERT=/w/ca/ca.pem',
    ];
    addProcess(304, ['/opt/swop/swop'], 'swop', '/', { environ: swopEnv });
    // run-sl started without -d: the script waits for its container, its argv is there to read.
    const slArgv = [
      '/bin/bash',
      '/opt/hpe/swarm-learning/scripts/bin/run-sl',
      '--name=sl1',
      '--host-ip=172.2.2.2',
      '--sn-ip=172.1.1.1',
      '--sn-api-port=30304',
      '--sl-fs-port=16000',
      '--key=cert/sl-1-key.pem',
      '--cert=cert/sl-1-cert.pem',
      '--cacert=cert/ca.pem',
      '--apls-ip=172.1.1.1',
    ];
    addProcess(305, slArgv, 'run-sl', '/srv/swarm');
    setListeners([tcpLine(0, '00000000', 30303), tcpLine(1, '00000000', 30304), tcpLine(2, '00000000', 16000)]);
    const found = await discover({ procRoot: proc });
    const how = '(Swarm SN container, by its environment)';
    const ok = "   # the same, read again: each value's source in the report";
    expect(renderPlans(found)).toBe(
      [
        // The container's processes are one SN; its ports are its evidence too.
        `swarm/sn: pid 301 python3 ${how}; pid 302 geth ${how}; listening tcp/30303 on 0.0.0.0; ` +
          'listening tcp/30304 on 0.0.0.0',
        '  apls_host = 172.1.1.1  (pid 301 environ SWARM_LICENSE_AUTOPASSJ_SERVER_PRIMARY_IP)',
        '  note: --capath /w/ca (pid 301 environ SWARM_ID_CAPATH) is a directory: give the CA file in it with ' +
          '--set swarm_ca=FILE',
        '  note: --sentinel (pid 301 environ SN_I_AM_SENTINEL): this SN starts the swarm; other SNs are not in its ' +
          'arguments: --set peer_sn_host=HOST for each',
        '  note: this host (--host-ip) 172.1.1.1 (pid 301 environ THIS_NODE_IP): swarm/sn has no variable for it',
        '  note: private key (--key, used by path only) /w/cert/sn-1-key.pem (pid 301 environ SWARM_ID_KEY): ' +
          'swarm/sn has no variable for it',
        '  note: client certificate (--cert) /w/cert/sn-1-cert.pem (pid 301 environ SWARM_ID_CERT): swarm/sn has ' +
          'no variable for it',
        '  still needed: --set peer_sn_host=…',
        '  fedprobe check swarm/sn --set apls_host=172.1.1.1',
        `  fedprobe check --from ${proc}/301/environ --set peer_sn_host=…${ok}`,
        '',
        'swarm/swop: pid 304 swop (Swarm SWOP container, by its environment)',
        '  apls_host = 172.1.1.1  (pid 304 environ SWARM_LICENSE_AUTOPASSJ_SERVER_PRIMARY_IP)',
        '  sn_host = 172.1.1.1  (pid 304 environ SN_NODE_IP)',
        '  swarm_key = /w/cert/swop-1-key.pem  (pid 304 environ SWARM_ID_KEY)',
        '  swarm_cert = /w/cert/swop-1-cert.pem  (pid 304 environ SWARM_ID_CERT)',
        '  swarm_ca = /w/ca/ca.pem  (pid 304 environ SWARM_ID_CACERT)',
        // No root of its own in this tree: the container's usr dir is looked for on this machine, and is not there.
        '  note: the SWOP profile /platform/swarm/usr/swop1_profile.yaml (--usr-dir where run-swop mounts it in its ' +
          'container, --profile-file-name pid 304 environ SWOP_PROFILE) cannot be read here (no such file): its ' +
          'apisrv.locator, when set, takes precedence over --sn-ip, --sn-api-port and --sn-api-service',
        '  fedprobe check swarm/swop --set apls_host=172.1.1.1 --set sn_host=172.1.1.1 ' +
          '--set swarm_key=/w/cert/swop-1-key.pem --set swarm_cert=/w/cert/swop-1-cert.pem --set swarm_ca=/w/ca/ca.pem',
        `  fedprobe check --from ${proc}/304/environ${ok}`,
        '',
        'swarm/sl: pid 305 run-sl',
        '  apls_host = 172.1.1.1  (pid 305 argv)',
        '  sn_host = 172.1.1.1  (pid 305 argv)',
        '  sl_fs_port = 16000  (pid 305 argv)',
        '  swarm_key = /srv/swarm/cert/sl-1-key.pem  (pid 305 argv: cert/sl-1-key.pem relative to its cwd /srv/swarm)',
        '  swarm_cert = /srv/swarm/cert/sl-1-cert.pem  (pid 305 argv: cert/sl-1-cert.pem relative to its cwd ' +
          '/srv/swarm)',
        '  swarm_ca = /srv/swarm/cert/ca.pem  (pid 305 argv: cert/ca.pem relative to its cwd /srv/swarm)',
        "  note: other SLs are not in run-sl's arguments: --set peer_sl_host=HOST for each",
        '  note: this host (--host-ip) 172.2.2.2 (pid 305 argv): swarm/sl has no variable for it',
        '  still needed: --set peer_sl_host=…',
        '  fedprobe check swarm/sl --set apls_host=172.1.1.1 --set sn_host=172.1.1.1 --set sl_fs_port=16000 ' +
          '--set swarm_key=/srv/swarm/cert/sl-1-key.pem --set swarm_cert=/srv/swarm/cert/sl-1-cert.pem ' +
          '--set swarm_ca=/srv/swarm/cert/ca.pem',
        `  fedprobe check --from ${proc}/305/cmdline --set peer_sl_host=…${ok}`,
        '',
      ].join('\n'),
    );
    // check --from reads each of them again to the same values, the paths where the process reads them.
    for (const plan of found.plans) {
      const from = plan.fromCommand!.split(' ')[3]!;
      const again = await varsFromConfig(from);
      expect(again.profile).toBe(plan.profile);
      expect(again.vars).toEqual(plan.found?.vars);
    }
    await expect(varsFromConfig(`${proc}/303/environ`)).rejects.toThrow(
      `${proc}/303/environ: not an HPE Swarm Learning component's environment (none of SN_I_AM_SENTINEL, ` +
        'SENTINEL_NODE_IP, SWOP_PROFILE, SWCI_STARTUP_SCRIPT, or SL_REQUEST_CHANNEL with SN_NODE_IP)',
    );
  });
});

/** examples/mnist's swop1_profile.yaml as its README step 6 fills it in (l.95-101), at `dir/name`, with
 * apisrv.locator.host (l.19) set to `sn` as an operator would to name the SN in the profile. */
function swopProfile(dir: string, name: string, sn: string): string {
  const up = fileURLToPath(new URL('../fixtures/swarm/upstream/mnist-swop1_profile.yaml', import.meta.url));
  const lines = readFileSync(up, 'utf8')
    .replaceAll('<LICENSE-SERVER-ADDRESS>', '172.1.1.1')
    .replaceAll('<HOST_ADDRESS>', '172.1.1.1')
    .split('\n');
  lines[18] = `    host: ${sn}`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, name), lines.join('\n'));
  return join(dir, name);
}

describe('discover: the SWOP profile a running SWOP reads', () => {
  const ok = "   # the same, read again: each value's source in the report";

  it("a SWOP container: its profile is the usr dir's inside the container, read through /proc/PID/root", async () => {
    const swop = join(root, 'swop-container');
    swopProfile(join(swop, 'platform/swarm/usr'), 'swop1_profile.yaml', '172.1.1.2');
    const environ = [
      'SWOP_PROFILE=swop1_profile.yaml',
      'SN_NODE_IP=172.1.1.1',
      'SWARM_LICENSE_AUTOPASSJ_SERVER_PRIMARY_IP=172.1.1.1',
      'SWARM_ID_CACERT=/w/ca/ca.pem',
    ];
    addProcess(306, ['/opt/swop/swop'], 'swop', '/', { root: swop, environ });
    setListeners([]);
    const found = await discover({ procRoot: proc });
    const file = `${proc}/306/root/platform/swarm/usr/swop1_profile.yaml`;
    expect(renderPlans(found)).toBe(
      [
        'swarm/swop: pid 306 swop (Swarm SWOP container, by its environment)',
        '  apls_host = 172.1.1.1  (pid 306 environ SWARM_LICENSE_AUTOPASSJ_SERVER_PRIMARY_IP)',
        `  sn_host = 172.1.1.2  (${file}:19)`,
        `  swarm_ca = ${proc}/306/root/w/ca/ca.pem  (pid 306 environ SWARM_ID_CACERT: /w/ca/ca.pem in its ` +
          `container, read through ${proc}/306/root)`,
        `  note: apisrv.locator.host 172.1.1.2 (${file}:19) takes precedence over 172.1.1.1 (pid 306 environ ` +
          'SN_NODE_IP)',
        `  note: SL node sl1 (${file}:32) is started by SWOP with slhostip 172.1.1.1, slport 16000: check it with ` +
          'swarm/sl --set sl_fs_port=16000',
        `  fedprobe check swarm/swop --set apls_host=172.1.1.1 --set sn_host=172.1.1.2 --set ` +
          `swarm_ca=${proc}/306/root/w/ca/ca.pem`,
        `  fedprobe check --from ${proc}/306/environ${ok}`,
        '',
      ].join('\n'),
    );
    const again = await varsFromConfig(`${proc}/306/environ`);
    expect(again.vars).toEqual(found.plans[0]!.found?.vars);
  });

  it("a run-swop script still running: a relative --usr-dir is its cwd's", async () => {
    const host = join(root, 'host-1');
    const file = swopProfile(join(host, 'workspace/mnist/swop'), 'swop1_profile.yaml', '172.1.1.3');
    const argv = [
      '/bin/bash',
      '/opt/hpe/swarm-learning/scripts/bin/run-swop',
      '--usr-dir=workspace/mnist/swop',
      '--profile-file-name=swop1_profile.yaml',
      '--sn-ip=172.1.1.1',
      '--apls-ip=172.1.1.1',
    ];
    addProcess(307, argv, 'run-swop', host);
    setListeners([]);
    const found = await discover({ procRoot: proc });
    expect(renderPlans(found)).toBe(
      [
        'swarm/swop: pid 307 run-swop',
        '  apls_host = 172.1.1.1  (pid 307 argv)',
        `  sn_host = 172.1.1.3  (${file}:19)`,
        `  note: apisrv.locator.host 172.1.1.3 (${file}:19) takes precedence over 172.1.1.1 (pid 307 argv)`,
        `  note: SL node sl1 (${file}:32) is started by SWOP with slhostip 172.1.1.1, slport 16000: check it with ` +
          'swarm/sl --set sl_fs_port=16000',
        '  fedprobe check swarm/swop --set apls_host=172.1.1.1 --set sn_host=172.1.1.3',
        `  fedprobe check --from ${proc}/307/cmdline${ok}`,
        '',
      ].join('\n'),
    );
    // check --from that cmdline, run from elsewhere, finds the same file.
    const again = await varsFromConfig(`${proc}/307/cmdline`);
    expect(again.vars).toEqual(found.plans[0]!.found?.vars);
  });
});

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
      inputs?: unknown;
      results: { id: string; outcome: string; state: string; reason: string }[];
    };
    expect(report.profile.id).toBe('flower/supernode-insecure');
    expect(report.inputs).toEqual([{ name: 'superlink_host', value: '127.0.0.1', source: 'pid 101 argv' }]);
    const fleet = report.results.find((r) => r.id === 'fleet');
    expect(fleet).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused' });
  });
});
