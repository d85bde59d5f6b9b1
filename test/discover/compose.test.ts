// discover and a running `docker compose … up`: a stand-in process whose argv is the compose command (no real
// docker), its cwd the project directory holding Flower's own framework/docker/complete files
// (test/fixtures/flower/upstream). Each framework service it starts is offered with the exact
// `fedprobe check --from a --from b#SERVICE`, which reads the same values again.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { composeUpArgv } from '../../src/discover/compose-argv.js';
import { discover, renderPlans } from '../../src/discover/discover.js';
import { varsFromConfig } from '../../src/frameworks/read.js';

const up = (name: string) => fileURLToPath(new URL(`../fixtures/flower/upstream/${name}`, import.meta.url));
const SUFFIX = "   # the same, read again: each value's source in the report";

let root: string;
let dir: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fedprobe-compose-up-'));
  dir = join(root, 'flower');
  mkdirSync(dir);
  copyFileSync(up('docker-complete-compose.yml'), join(dir, 'compose.yml'));
  copyFileSync(up('docker-complete-with-tls.yml'), join(dir, 'with-tls.yml'));
  copyFileSync(up('docker-complete-with-state.yml'), join(dir, 'with-state.yml'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('a real stand-in process: docker compose -f compose.yml -f with-tls.yml up supernode-1', () => {
  let child: ChildProcess | undefined;
  afterEach(() => {
    // The stand-in's group (the shell and its sleep), by the id it was started with.
    if (child?.pid) process.kill(-child.pid, 'SIGKILL');
    child = undefined;
  });

  it('offers supernode-1 and the superlink it depends on, each with check --from both files', async () => {
    const docker = join(root, 'docker');
    // `sh …/docker ARGS` keeps that argv while it sleeps; the `exit` stops sh from exec'ing sleep.
    writeFileSync(docker, 'sleep 30; exit 0\n');
    const argv = ['compose', '-f', 'compose.yml', '-f', 'with-tls.yml', 'up', '--abort-on-container-exit'];
    child = spawn('/bin/sh', [docker, ...argv, 'supernode-1'], { cwd: dir, detached: true, stdio: 'ignore' });
    const pid = String(child.pid);
    for (let i = 0; i < 40; i++) {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('compose')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const found = await discover();
    const mine = found.plans.filter((p) => p.evidence.some((e) => e.startsWith(`pid ${pid} `)));
    const compose = join(dir, 'compose.yml');
    const tls = join(dir, 'with-tls.yml');
    const shown = `pid ${pid} docker ${argv.join(' ')} supernode-1`;
    const ca = join(dir, 'superlink-certificates/ca.crt');
    expect(renderPlans({ plans: mine, unreadable: [], problems: [] })).toBe(
      [
        `flower/superlink: ${shown}: service superlink`,
        `  note: server certificate certificates/server.pem (${tls}:7): flower/superlink has no variable for it`,
        `  note: CA certificate certificates/ca.crt (${tls}:6): flower/superlink has no variable for it`,
        `  note: server private key (used by path only) certificates/server.key (${tls}:8): flower/superlink has no ` +
          'variable for it',
        '  fedprobe check flower/superlink',
        `  fedprobe check --from ${compose} --from ${tls}#superlink${SUFFIX}`,
        '',
        `flower/supernode: ${shown}: service supernode-1`,
        `  superlink_host = superlink  (${tls}:20)`,
        `  superlink_ca = ${ca}  (${tls}:28: certificates/superlink-ca.crt, /app/certificates/superlink-ca.crt in ` +
          `the container, secret superlink-ca-certfile (${tls}:30), file ./superlink-certificates/ca.crt (${tls}:69))`,
        `  fedprobe check flower/supernode --set superlink_host=superlink --set superlink_ca=${ca}`,
        `  fedprobe check --from ${compose} --from ${tls}#supernode-1${SUFFIX}`,
        '',
      ].join('\n'),
    );
    // The offered --from reads the same values again.
    for (const plan of mine) {
      const again = await varsFromConfig(plan.from!);
      expect(again.profile).toBe(plan.profile);
      expect(again.vars).toEqual(plan.found?.vars);
    }
  }, 20_000);
});

describe('a fake /proc tree', () => {
  let proc: string;
  beforeEach(() => {
    proc = join(root, 'proc');
    mkdirSync(join(proc, 'net'), { recursive: true });
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    writeFileSync(join(proc, 'net', 'tcp'), header);
    writeFileSync(join(proc, 'net', 'tcp6'), header);
  });
  const addProcess = (pid: number, argv: string[], cwd?: string, environ?: string[]) => {
    const d = join(proc, String(pid));
    mkdirSync(d);
    writeFileSync(join(d, 'cmdline'), `${argv.join('\0')}\0`);
    writeFileSync(join(d, 'comm'), 'docker\n');
    if (cwd) symlinkSync(cwd, join(d, 'cwd'));
    if (environ) writeFileSync(join(d, 'environ'), `${environ.join('\0')}\0`);
  };

  it("no -f: the .env's COMPOSE_FILE names the files; up without services starts each one", async () => {
    writeFileSync(join(dir, '.env'), 'FLWR_VERSION=1.28.0\nCOMPOSE_FILE=compose.yml:with-tls.yml\n');
    addProcess(40, ['/usr/libexec/docker/cli-plugins/docker-compose', 'compose', 'up'], dir);
    const { plans, problems } = await discover({ procRoot: proc });
    expect(problems).toEqual([]);
    expect(plans.map((p) => [p.profile, p.evidence, p.fromCommand])).toEqual(
      ['superlink', 'supernode-1', 'supernode-2'].map((s) => [
        s === 'superlink' ? 'flower/superlink' : 'flower/supernode',
        [`pid 40 docker-compose compose up: service ${s}`],
        `fedprobe check --from ${join(dir, 'compose.yml')} --from ${join(dir, 'with-tls.yml')}#${s}`,
      ]),
    );
    expect(plans[1]!.found?.notes).toEqual([
      `its compose files from ${dir}/.env:2 COMPOSE_FILE=compose.yml:with-tls.yml`,
    ]);
  });

  it("-f given: the .env's COMPOSE_FILE is not followed, and a note says check --from alone would", async () => {
    writeFileSync(join(dir, '.env'), 'COMPOSE_FILE=compose.yml:with-tls.yml\n');
    addProcess(39, ['docker', 'compose', '-f', 'compose.yml', 'up', 'supernode-2'], dir);
    const plan = (await discover({ procRoot: proc })).plans.find((p) => p.evidence[0]!.endsWith('supernode-2'));
    expect(plan?.profile).toBe('flower/supernode-insecure');
    expect(plan?.found?.notes).toEqual([
      `${dir}/.env:1 COMPOSE_FILE=compose.yml:with-tls.yml: check --from ${join(dir, 'compose.yml')} alone would ` +
        'merge the files it names, which this process, given -f, did not; the --set command has the values this ' +
        'process uses',
    ]);
  });

  it('-f compose.yml with an override file beside it: a note says check --from alone would add it', async () => {
    copyFileSync(join(dir, 'with-tls.yml'), join(dir, 'compose.override.yml'));
    addProcess(38, ['docker', 'compose', '-f', 'compose.yml', 'up', 'supernode-2'], dir);
    const plan = (await discover({ procRoot: proc })).plans.find((p) => p.evidence[0]!.endsWith('supernode-2'));
    expect(plan?.profile).toBe('flower/supernode-insecure');
    expect(plan?.found?.notes).toEqual([
      `check --from ${join(dir, 'compose.yml')} alone would add ${join(dir, 'compose.override.yml')} beside it, as ` +
        'docker compose without -f does; this process, given -f, did not; the --set command has the values this ' +
        'process uses',
    ]);
  });

  it('COMPOSE_FILE and COMPOSE_PATH_SEPARATOR from its environment; --profile and depends_on', async () => {
    writeFileSync(
      join(dir, 'extra.yml'),
      'services:\n  supernode-9:\n    image: flwr/supernode:1.28.0\n    profiles: [more]\n' +
        '    command: [--insecure, --superlink, "superlink:9092"]\n',
    );
    addProcess(41, ['docker', '--context', 'default', 'compose', 'up', '-d'], dir, [
      'COMPOSE_FILE=compose.yml;extra.yml',
      'COMPOSE_PATH_SEPARATOR=;',
    ]);
    addProcess(42, ['docker', 'compose', '--profile', 'more', '-f', 'compose.yml', '-f', 'extra.yml', 'up'], dir);
    const { plans } = await discover({ procRoot: proc });
    const by = (pid: number) => plans.filter((p) => p.evidence[0]!.startsWith(`pid ${pid} `));
    // Without the profile, supernode-9 does not start.
    expect(by(41).map((p) => p.evidence[0]!.replace(/.*: /, ''))).toEqual([
      'service superlink',
      'service supernode-1',
      'service supernode-2',
    ]);
    expect(by(41)[0]!.found?.notes[0]).toBe(
      'its compose files from pid 41 environ COMPOSE_FILE=compose.yml;extra.yml, pid 41 environ ' +
        'COMPOSE_PATH_SEPARATOR=;',
    );
    // supernode-9 (insecure, port 9092) has the same values as supernode-1: one plan, both as evidence.
    const one = plans.find((p) =>
      p.evidence.includes(
        'pid 42 docker compose --profile more -f compose.yml -f ' + 'extra.yml up: service supernode-9',
      ),
    );
    expect(one?.evidence[0]).toBe('pid 41 docker --context default compose up -d: service supernode-1');
  });

  it('--env-file, --project-directory and its environment: the values it used, and why --from may differ', async () => {
    const site = join(root, 'site');
    mkdirSync(join(site, 'certs'), { recursive: true });
    writeFileSync(
      join(site, 'compose.yaml'),
      'services:\n  sn:\n    image: flwr/supernode:${FLWR_VERSION}\n    command:\n' +
        '      - --superlink\n      - ${SUPERLINK_IP}:${SUPERLINK_PORT:-9092}\n' +
        '      - --root-certificates\n      - /certs/ca.pem\n    volumes:\n      - ./certs:/certs:ro\n',
    );
    writeFileSync(join(root, 'prod.env'), 'FLWR_VERSION=1.28.0\nSUPERLINK_PORT=9192\n');
    addProcess(
      43,
      ['/usr/bin/docker-compose', '--project-directory', '../site', '--env-file', '../prod.env', 'up', 'sn'],
      dir,
      ['SUPERLINK_IP=10.0.0.5', 'PATH=/usr/bin'],
    );
    const [plan, ...rest] = (await discover({ procRoot: proc })).plans;
    expect(rest).toEqual([]);
    const file = join(site, 'compose.yaml');
    // Both values are one word of line 6; its source names where each of its variables came from.
    const at6 = `${file}:6 ($SUPERLINK_IP from pid 43 environ, $SUPERLINK_PORT from ${join(root, 'prod.env')}:2)`;
    expect(plan!.found).toEqual({
      profile: 'flower/supernode',
      vars: {
        superlink_host: { value: '10.0.0.5', source: at6 },
        superlink_port: { value: '9192', source: at6 },
        superlink_ca: {
          value: join(site, 'certs/ca.pem'),
          source: `${file}:8: /certs/ca.pem in the container, bind mount ./certs (${file}:10)`,
        },
      },
      notes: [
        `--env-file ../prod.env: check --from reads the files with the .env beside ${file} and this shell's ` +
          'environment; the --set command has the values this process uses',
        `$SUPERLINK_IP from pid 43 environ: check --from reads the files with the .env beside ${file} and this ` +
          "shell's environment; the --set command has the values this process uses",
      ],
    });
    expect(plan!.fromCommand).toBe(`fedprobe check --from ${file}#sn`);
    expect(plan!.command).toBe(
      'fedprobe check flower/supernode --set superlink_host=10.0.0.5 --set superlink_port=9192 ' +
        `--set superlink_ca=${join(site, 'certs/ca.pem')}`,
    );
  });

  it('the default file found in a parent directory, with its override file', async () => {
    writeFileSync(
      join(root, 'compose.yaml'),
      'services:\n  sn:\n    image: flwr/supernode\n    command: [--insecure, --superlink, "a.example.org:9092"]\n',
    );
    writeFileSync(
      join(root, 'compose.override.yml'),
      'services:\n  sn:\n    command: [--insecure, --superlink, "b.example.org:9092"]\n',
    );
    // Its cwd has no compose file; the parent has one, and the override beside it.
    mkdirSync(join(root, 'sub'));
    addProcess(44, ['docker', 'compose', 'up'], join(root, 'sub'));
    const [plan] = (await discover({ procRoot: proc })).plans;
    expect(plan!.found?.vars).toEqual({
      superlink_host: { value: 'b.example.org', source: `${join(root, 'compose.override.yml')}:3` },
    });
    expect(plan!.fromCommand).toBe(
      `fedprobe check --from ${join(root, 'compose.yaml')} --from ${join(root, 'compose.override.yml')}#sn`,
    );
  });

  it('compose files it cannot read, or a relative -f without its cwd: one line, no plan', async () => {
    addProcess(45, ['docker', 'compose', '-f', join(dir, 'missing.yml'), 'up'], dir);
    addProcess(46, ['docker', 'compose', '-f', 'compose.yml', 'up']);
    addProcess(47, ['docker', 'compose', '-f', 'compose.yml', 'logs', '-f'], dir);
    addProcess(48, ['docker', 'run', '--rm', 'flwr/supernode'], dir);
    const found = await discover({ procRoot: proc });
    expect(found.plans).toEqual([]);
    expect(renderPlans(found)).toBe(
      [
        'no Fed-BioMed, Flower or HPE Swarm Learning component found here (no known process or listening port)',
        `pid 45 docker compose -f ${join(dir, 'missing.yml')} up: cannot read its compose files: --from ` +
          `${join(dir, 'missing.yml')}: cannot read (no such file)`,
        'pid 46 docker compose -f compose.yml up: cannot read its compose files: -f compose.yml is relative and ' +
          'the working directory of pid 46 is not known',
        '',
      ].join('\n'),
    );
  });
});

describe('a compose service and its container, both in a fake /proc tree', () => {
  let proc: string;
  const ID = 'a1b2c3d4e5f6'.padEnd(64, '0');
  beforeEach(() => {
    proc = join(root, 'proc');
    mkdirSync(join(proc, 'net'), { recursive: true });
    const header = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
    writeFileSync(join(proc, 'net', 'tcp'), header);
    writeFileSync(join(proc, 'net', 'tcp6'), header);
  });
  /** A process; `container`: its own root (a directory of this tree), cgroup and HOSTNAME, as docker gives. */
  const addProcess = (pid: number, argv: string[], cwd: string, container?: { hostname: string }) => {
    const d = join(proc, String(pid));
    mkdirSync(d);
    writeFileSync(join(d, 'cmdline'), `${argv.join('\0')}\0`);
    writeFileSync(join(d, 'comm'), `${basename(argv[1] ?? argv[0]!).slice(0, 15)}\n`);
    symlinkSync(cwd, join(d, 'cwd'));
    if (!container) return;
    const fs = join(root, `rootfs-${pid}`);
    mkdirSync(join(fs, 'app/certificates'), { recursive: true });
    writeFileSync(join(fs, 'app/certificates/superlink-ca.crt'), 'x');
    symlinkSync(fs, join(d, 'root'));
    writeFileSync(join(d, 'cgroup'), `0::/system.slice/docker-${ID}.scope\n`);
    writeFileSync(join(d, 'environ'), `PATH=/python/bin\0HOSTNAME=${container.hostname}\0FLWR_TELEMETRY_ENABLED=0\0`);
  };
  const supernode = (sl: string, port: string, id: string) => [
    '/python/bin/python',
    '/python/bin/flower-supernode',
    '--superlink',
    sl,
    '--clientappio-api-address',
    `0.0.0.0:${port}`,
    '--isolation',
    'process',
    '--node-config',
    `partition-id=${id} num-partitions=2`,
    '--root-certificates',
    'certificates/superlink-ca.crt',
  ];

  it('the container with the same argv as supernode-1 is merged into its plan; another one may be', async () => {
    addProcess(40, ['docker', 'compose', '-f', 'compose.yml', '-f', 'with-tls.yml', 'up'], dir);
    addProcess(50, supernode('superlink:9092', '9094', '0'), '/app', { hostname: 'a1b2c3d4e5f6' });
    addProcess(51, supernode('superlink.example.org:9092', '9095', '1'), '/app', { hostname: '0f0e0d0c0b0a' });
    const { plans } = await discover({ procRoot: proc });
    const shown = 'pid 40 docker compose -f compose.yml -f with-tls.yml up';
    expect(plans.map((p) => p.evidence)).toEqual([
      [`${shown}: service superlink`],
      [`${shown}: service supernode-1`, 'pid 50 flower-supernod'],
      [`${shown}: service supernode-2`],
      ['pid 51 flower-supernod'],
    ]);
    // The compose file's values (a --from that reads them again), the container's FLWR_* setting as a note.
    expect(plans[1]!.found?.vars.superlink_ca?.value).toBe(join(dir, 'superlink-certificates/ca.crt'));
    expect(plans[1]!.notes).toEqual([
      'pid 50 flower-supernod (container a1b2c3d4e5f6) is the container of service supernode-1: the same ' +
        'arguments as its command:; one plan',
      'FLWR_TELEMETRY_ENABLED=0 (pid 50 environ): telemetry is off, the telemetry row does not matter',
    ]);
    expect(plans[3]!.found?.vars.superlink_host?.value).toBe('superlink.example.org');
    expect(plans[3]!.notes).toEqual([
      `pid 51 flower-supernod (container a1b2c3d4e5f6) may be the same service as one of: service supernode-1 of ` +
        `${shown}; service supernode-2 of ${shown} (compose's labels are not readable from /proc; its arguments ` +
        "differ from each one's command: and no hostname: matches its HOSTNAME): two plans, check one",
    ]);
    expect(renderPlans({ plans: [plans[3]!], unreadable: [], problems: [] })).toContain(
      '\n  note: pid 51 flower-supernod (container a1b2c3d4e5f6) may be the same service as one of:',
    );
  });

  it("by HOSTNAME as the service's hostname:, when its argv differs (an image whose entrypoint adds one)", async () => {
    writeFileSync(
      join(dir, 'site.yml'),
      'services:\n  sn:\n    image: flwr/supernode:1.28.0\n    hostname: sn-a\n' +
        '    command: [--insecure, --superlink, "10.0.0.5:9092"]\n' +
        '  sn-b:\n    image: flwr/supernode:1.28.0\n    hostname: sn-b\n' +
        '    command: [--insecure, --superlink, "10.0.0.6:9092"]\n',
    );
    addProcess(40, ['docker', 'compose', '-f', 'site.yml', 'up'], dir);
    const argv = ['/python/bin/python', '/python/bin/flower-supernode', '--insecure', '--superlink', '10.0.0.5:9092'];
    addProcess(60, [...argv, '--max-retries', '3'], '/app', { hostname: 'sn-a' });
    const { plans } = await discover({ procRoot: proc });
    expect(plans.map((p) => [p.evidence, p.notes])).toEqual([
      [
        ['pid 40 docker compose -f site.yml up: service sn', 'pid 60 flower-supernod'],
        [
          'pid 60 flower-supernod (container a1b2c3d4e5f6) is the container of service sn: HOSTNAME=sn-a as its ' +
            'hostname:; one plan',
          'FLWR_TELEMETRY_ENABLED=0 (pid 60 environ): telemetry is off, the telemetry row does not matter',
        ],
      ],
      [['pid 40 docker compose -f site.yml up: service sn-b'], undefined],
    ]);
  });

  it('a flower-supernode on the host itself (no container) is not taken for a compose service', async () => {
    addProcess(40, ['docker', 'compose', '-f', 'compose.yml', 'up', 'supernode-1'], dir);
    addProcess(70, supernode('superlink:9092', '9094', '0'), dir);
    const { plans } = await discover({ procRoot: proc });
    expect(plans.map((p) => [p.evidence.length, p.notes])).toEqual([
      [1, undefined],
      [1, undefined],
      [1, undefined],
    ]);
  });

  it('check --from /proc/PID/cmdline of docker compose up reads its services as discover does', async () => {
    addProcess(40, ['docker', 'compose', '-f', 'compose.yml', '-f', 'with-tls.yml', 'up'], dir);
    const cmdline = join(proc, '40', 'cmdline');
    const one = await varsFromConfig(`${cmdline}#supernode-2`, { env: {} });
    const again = await varsFromConfig([join(dir, 'compose.yml'), `${join(dir, 'with-tls.yml')}#supernode-2`]);
    expect(one).toEqual(again);
    const err = await varsFromConfig(cmdline, { env: {} }).catch((e: Error) => e.message);
    expect(err).toMatch(
      new RegExp(
        `^${cmdline}: several components with different settings: .*: pick one with --from ${cmdline}#SERVICE$`,
      ),
    );
  });
});

describe('docker compose -f - up', () => {
  it('standard input cannot be read again: one line in discover and in check --from its cmdline', async () => {
    const proc = join(root, 'proc');
    mkdirSync(join(proc, '41'), { recursive: true });
    mkdirSync(join(proc, 'net'));
    writeFileSync(join(proc, 'net', 'tcp'), '  sl  local_address rem_address   st\n');
    writeFileSync(join(proc, '41', 'cmdline'), 'docker\0compose\0-f\0-\0up\0');
    symlinkSync(dir, join(proc, '41', 'cwd'));
    const line =
      'pid 41 docker compose -f - up: -f -: its compose file came from standard input, which cannot be read again';
    expect(await discover({ procRoot: proc })).toEqual({ plans: [], unreadable: [], problems: [line] });
    const err = await varsFromConfig(join(proc, '41', 'cmdline'), { env: {} }).catch((e: Error) => e.message);
    expect(err).toBe(line);
  });
});

describe('composeUpArgv', () => {
  it('reads the options before up, glued or not, and the services after its own options', () => {
    expect(
      composeUpArgv([
        'docker',
        '-H',
        'unix:///run/docker.sock',
        'compose',
        '--file=a.yml',
        '-fb.yml',
        '--ansi',
        'never',
        '--env-file',
        'e.env',
        'up',
        '--scale',
        'sn=2',
        '-t',
        '5',
        '--build',
        'sn',
        'sl',
      ]),
    ).toEqual({
      shown:
        'docker -H unix:///run/docker.sock compose --file=a.yml -fb.yml --ansi never --env-file e.env up ' +
        '--scale sn=2 -t 5 --build sn sl',
      files: ['a.yml', 'b.yml'],
      envFiles: ['e.env'],
      profiles: [],
      services: ['sn', 'sl'],
    });
    expect(composeUpArgv(['docker', 'compose', 'down'])).toBeUndefined();
    expect(composeUpArgv(['docker', 'ps'])).toBeUndefined();
    expect(composeUpArgv(['/usr/bin/python3', '/usr/local/bin/docker-compose', 'up'])?.shown).toBe('docker-compose up');
  });
});
