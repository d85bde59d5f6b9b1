// The secrets sweep (issue 7): every secret form an operator gives fedprobe — an MQTT password in a
// secret variable (FEDPROBE_VAR_… and --set …_file), proxy passwords (a row's with.proxy, --proxy,
// HTTPS_PROXY, and URLs that do not parse), a WireGuard private key file, a TLS client key file —
// run through the real binary against real local peers that accept and peers that refuse, in every
// format and every log level, with --output files, on a terminal (pino-pretty), and through the
// daemon's endpoints. The secret, and its base64, hex and percent-encoded forms, appear nowhere.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { freePort } from '../helpers/servers.js';
import { startTinyproxy, type Tinyproxy } from '../helpers/tinyproxy.js';
import { genKey, startWireguard, type WgServer } from '../helpers/wireguard.js';

const bin = new URL('../../bin/fedprobe.js', import.meta.url).pathname;
const FORMATS = ['table', 'json', 'junit', 'prometheus', 'html', 'firewall', 'csv'] as const;
const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'] as const;
const TIMEOUT = '1500ms';

const tag = randomBytes(6).toString('hex');
const MQTT_PASSWORD = `mqttPw${tag}Q`;
const MQTT_FILE_PASSWORD = `mqttFilePw${tag}F`;
const PROXY_USER = 'probe';
const PROXY_PASSWORD = `proxyPw${tag}X`;
const WRONG_PROXY_PASSWORD = `wrongProxyPw${tag}W`;
const probePeer = genKey();

let dir = '';
let certs: TestCerts;
let mosquitto: Mosquitto<'ok' | 'rejects'>;
let proxy: Tinyproxy;
let wg: WgServer;
let tlsOk: TlsServer;
let tlsOtherCa: TlsServer;
let closedPort = 0;
let deadProxyPort = 0;
let profile = '';
let mqttPasswordFile = '';
let tlsKeyLines: string[] = [];
const vars: string[] = [];
/** Every form in which a secret must not appear. */
const needles: { name: string; text: string }[] = [];

function forms(name: string, secret: string): void {
  const b = Buffer.from(secret);
  needles.push(
    { name, text: secret },
    { name: `${name} (base64)`, text: b.toString('base64').replace(/=+$/, '') },
    { name: `${name} (hex)`, text: b.toString('hex') },
    { name: `${name} (percent-encoded)`, text: encodeURIComponent(secret) },
  );
}

function proxyUrl(port: number, password: string): string {
  return `http://${PROXY_USER}:${password}@127.0.0.1:${port}`;
}

function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: dir,
    TERM: 'xterm',
    FEDPROBE_VAR_MQTT_PASSWORD: MQTT_PASSWORD,
    FEDPROBE_VAR_CORP_PROXY: proxyUrl(proxy.port, PROXY_PASSWORD),
    FEDPROBE_VAR_WRONG_PROXY: proxyUrl(proxy.port, WRONG_PROXY_PASSWORD),
    FEDPROBE_VAR_DEAD_PROXY: proxyUrl(deadProxyPort, PROXY_PASSWORD),
    ...extra,
  };
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runBin(args: string[], env: NodeJS.ProcessEnv, shell?: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = shell ? spawn('sh', ['-c', shell], { env }) : spawn(process.execPath, [bin, ...args], { env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('latin1')));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString('latin1')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs `jobs` with at most `n` at a time. */
async function pool<T>(jobs: (() => Promise<T>)[], n: number): Promise<T[]> {
  const out: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < jobs.length) {
        const i = next++;
        out[i] = await jobs[i]!();
      }
    }),
  );
  return out;
}

/** The needles found in `text` (read as latin1 and as UTF-8, so no byte form escapes the check). */
function leaks(text: string): string[] {
  const utf8 = Buffer.from(text, 'latin1').toString('utf8');
  return needles.filter((n) => text.includes(n.text) || utf8.includes(n.text)).map((n) => n.name);
}

function expectClean(where: string, text: string): void {
  expect(leaks(text), `${where} leaks a secret`).toEqual([]);
}

const checkArgs = (extra: string[] = []) => ['check', profile, ...vars, '--timeout', TIMEOUT, ...extra];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fedprobe-sweep-'));
  certs = await makeCerts(join(dir, 'certs'));
  const other = await makeCerts(join(dir, 'other-ca'));
  tlsKeyLines = readFileSync(certs.clientKey, 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('-----'));
  for (const [i, l] of tlsKeyLines.entries()) needles.push({ name: `TLS key line ${i}`, text: l });
  needles.push({
    name: 'TLS key (hex of DER)',
    text: Buffer.from(tlsKeyLines.join(''), 'base64').toString('hex').slice(0, 64),
  });
  forms('MQTT password', MQTT_PASSWORD);
  forms('MQTT password from a file', MQTT_FILE_PASSWORD);
  forms('proxy password', PROXY_PASSWORD);
  forms('wrong proxy password', WRONG_PROXY_PASSWORD);
  forms('proxy Basic credentials', `${PROXY_USER}:${PROXY_PASSWORD}`);
  forms('wrong proxy Basic credentials', `${PROXY_USER}:${WRONG_PROXY_PASSWORD}`);
  forms('WireGuard private key', probePeer.privateKey);
  needles.push({
    name: 'WireGuard private key (hex)',
    text: Buffer.from(probePeer.privateKey, 'base64').toString('hex'),
  });

  mosquitto = await startMosquitto({
    ok: { users: { node: MQTT_PASSWORD } },
    rejects: { users: { node: `other${tag}` } },
  });
  closedPort = await freePort();
  deadProxyPort = await freePort();
  proxy = await startTinyproxy({
    port: await freePort(),
    connectPorts: [mosquitto.ports.ok],
    basicAuth: [PROXY_USER, PROXY_PASSWORD],
  });
  wg = await startWireguard(await freePort(), { publicKey: probePeer.publicKey });
  const tlsServer = (ca: string) =>
    createTlsServer(
      {
        cert: readFileSync(certs.serverCert),
        key: readFileSync(certs.serverKey),
        ca: readFileSync(ca),
        requestCert: true,
        rejectUnauthorized: true,
      },
      (s) => {
        // Stays open until the client leaves: a close right after the handshake reads as a refusal.
        s.on('error', () => {});
        s.setTimeout(5000, () => s.destroy());
        s.resume();
      },
    );
  tlsOk = tlsServer(certs.caCert);
  tlsOtherCa = tlsServer(other.caCert);
  for (const s of [tlsOk, tlsOtherCa]) {
    s.on('tlsClientError', () => {});
    await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  }

  const wgKeyFile = join(dir, 'probe.key');
  writeFileSync(wgKeyFile, `${probePeer.privateKey}\n`, { mode: 0o600 });
  mqttPasswordFile = join(dir, 'mqtt.password');
  writeFileSync(mqttPasswordFile, `${MQTT_FILE_PASSWORD}\n`, { mode: 0o600 });
  const port = (s: TlsServer) => (s.address() as { port: number }).port;
  const set = {
    mqtt_ok: mosquitto.ports.ok,
    mqtt_rejects: mosquitto.ports.rejects,
    closed: closedPort,
    wg_port: wg.port,
    wg_pub: wg.publicKey,
    wg_key: wgKeyFile,
    tls_ok: port(tlsOk),
    tls_other_ca: port(tlsOtherCa),
    client_cert: certs.clientCert,
    client_key: certs.clientKey,
    ca: certs.caCert,
  };
  for (const [k, v] of Object.entries(set)) vars.push('--set', `${k}=${v}`);
  profile = join(dir, 'sweep.yaml');
  const row = (id: string, port: string, probe: string, w: string) =>
    `  - { id: ${id}, dir: out, source: site, destination: ${id}, port: ${port}, service: S, type: backend, status: ` +
    `mandatory, probe: "${probe}", with: { ${w} } }`;
  const mqttAuth = 'username: node, password: "${mqtt_password}"';
  const tlsAuth = 'cert: "${client_cert}", key: "${client_key}", ca: "${ca}"';
  const wgAuth = 'privateKeyFile: "${wg_key}", publicKey: "${wg_pub}"';
  writeFileSync(
    profile,
    [
      'schema: fedprobe/v1',
      'framework: Sweep',
      'component: site',
      'scenario: secrets',
      'vars:',
      '  mqtt_password: { secret: true }',
      '  corp_proxy: { secret: true }',
      '  wrong_proxy: { secret: true }',
      '  dead_proxy: { secret: true }',
      ...Object.keys(set).map((k) => `  ${k}: {}`),
      'rows:',
      row('mqtt-accepts', 'tcp/1883', 'mqtt://127.0.0.1:${mqtt_ok}', mqttAuth),
      row('mqtt-rejects', 'tcp/1883', 'mqtt://127.0.0.1:${mqtt_rejects}', mqttAuth),
      row('mqtt5-rejects', 'tcp/1883', 'mqtt://127.0.0.1:${mqtt_rejects}', `${mqttAuth}, version: "5"`),
      row('mqtt-refused', 'tcp/1883', 'mqtt://127.0.0.1:${closed}', mqttAuth),
      row('mqtt-via-proxy', 'tcp/1883', 'mqtt://127.0.0.1:${mqtt_ok}', `${mqttAuth}, proxy: "\${corp_proxy}"`),
      row('proxy-forbids', 'tcp/1883', 'tcp://127.0.0.1:${closed}', 'proxy: "${corp_proxy}"'),
      row('proxy-wants-auth', 'tcp/1883', 'tcp://127.0.0.1:${mqtt_ok}', 'proxy: "${wrong_proxy}"'),
      row('proxy-refused', 'tcp/1883', 'tcp://127.0.0.1:${mqtt_ok}', 'proxy: "${dead_proxy}"'),
      row('wg-accepts', 'udp/51820', 'wireguard://127.0.0.1:${wg_port}', wgAuth),
      row('wg-refused', 'udp/51820', 'wireguard://127.0.0.1:${closed}', wgAuth),
      row('tls-accepts', 'tcp/443', 'tls://127.0.0.1:${tls_ok}', tlsAuth),
      row('tls-rejects', 'tcp/443', 'tls://127.0.0.1:${tls_other_ca}', tlsAuth),
      row('tls-refused', 'tcp/443', 'tls://127.0.0.1:${closed}', tlsAuth),
      '',
    ].join('\n'),
  );
}, 60_000);

afterAll(async () => {
  await Promise.all([mosquitto?.stop(), proxy?.stop(), wg?.stop()]);
  for (const s of [tlsOk, tlsOtherCa]) s?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the peers really accept and refuse (so both paths run)', () => {
  it('json at trace level: each row has the expected reason', async () => {
    const r = await runBin(checkArgs(['--format', 'json', '--log-level', 'trace']), baseEnv());
    expectClean('stdout', r.stdout);
    expectClean('stderr', r.stderr);
    expect(r.code).toBe(1);
    const rows = Object.fromEntries(
      JSON.parse(r.stdout).results.map((x: { id: string; reason: string }) => [x.id, x.reason]),
    );
    expect(rows).toEqual({
      'mqtt-accepts': 'ok',
      'mqtt-rejects': 'auth-rejected',
      'mqtt5-rejects': 'auth-rejected',
      'mqtt-refused': 'refused',
      'mqtt-via-proxy': 'ok',
      'proxy-forbids': 'proxy-error',
      'proxy-wants-auth': 'proxy-error',
      'proxy-refused': 'proxy-error',
      'wg-accepts': 'ok',
      'wg-refused': 'refused',
      'tls-accepts': 'ok',
      'tls-rejects': 'auth-rejected',
      'tls-refused': 'refused',
    });
    // The trace log really carries each row's story (so a clean stderr means something).
    const debug = r.stderr.split('\n').filter((l) => l.includes('"level":20'));
    expect(debug.some((l) => l.includes('"row":"proxy-refused"') && l.includes('"err":{'))).toBe(true);
  });
});

describe('check: every format × every log level', () => {
  it(`${FORMATS.length} formats × ${LEVELS.length} levels: no secret on stdout or stderr`, async () => {
    const jobs = FORMATS.flatMap((f) =>
      LEVELS.map((l) => async () => ({
        f,
        l,
        r: await runBin(checkArgs(['--format', f, '--log-level', l]), baseEnv()),
      })),
    );
    for (const { f, l, r } of await pool(jobs, 4)) {
      expect(r.code, `${f}/${l}: ${r.stderr}`).toBe(1);
      expectClean(`${f}/${l} stdout`, r.stdout);
      expectClean(`${f}/${l} stderr`, r.stderr);
    }
  }, 240_000);

  it('--output FILE in every format: the files hold no secret', async () => {
    const jobs = FORMATS.map((f) => async () => {
      const file = join(dir, `out.${f}`);
      const r = await runBin(checkArgs(['--format', f, '--log-level', 'trace', '--output', file]), baseEnv());
      return { f, r, file: readFileSync(file, 'utf8') };
    });
    for (const { f, r, file } of await pool(jobs, 4)) {
      expect(r.code, r.stderr).toBe(1);
      expect(r.stdout).toBe('');
      expect(file.length).toBeGreaterThan(100);
      expectClean(`${f} file`, file);
      expectClean(`${f} stderr`, r.stderr);
    }
  }, 120_000);

  it('on a terminal (pino-pretty logs, colour table): no secret', async () => {
    const cmd = [process.execPath, bin, ...checkArgs(['--log-level', 'trace'])]
      .map((a) => `'${a.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    const r = await runBin([], baseEnv(), `script -qec ${JSON.stringify(cmd)} /dev/null`);
    expect(r.stdout).toMatch(/mqtt-accepts/);
    expect(r.stdout).toMatch(/TRACE|DEBUG|\x1b\[/);
    expectClean('terminal', r.stdout + r.stderr);
  }, 60_000);

  it('the MQTT password from --set mqtt_password_file=PATH: no secret', async () => {
    const env = baseEnv();
    delete env.FEDPROBE_VAR_MQTT_PASSWORD;
    const jobs = FORMATS.map(
      (f) => () =>
        runBin(
          checkArgs(['--format', f, '--log-level', 'trace', '--set', `mqtt_password_file=${mqttPasswordFile}`]),
          env,
        ),
    );
    for (const r of await pool(jobs, 4)) {
      expect(r.code).toBe(1);
      expectClean('stdout', r.stdout);
      expectClean('stderr', r.stderr);
    }
  }, 120_000);
});

describe('proxy passwords in every other place an operator gives them', () => {
  const target = () => `tcp://127.0.0.1:${mosquitto.ports.ok}`;
  const cases = (): [string, string[], Record<string, string>][] => [
    ['--proxy, accepted', ['--proxy', proxyUrl(proxy.port, PROXY_PASSWORD)], {}],
    ['--proxy, wrong password (407)', ['--proxy', proxyUrl(proxy.port, WRONG_PROXY_PASSWORD)], {}],
    ['--proxy, nothing listens', ['--proxy', proxyUrl(deadProxyPort, PROXY_PASSWORD)], {}],
    ['HTTPS_PROXY, accepted', [], { HTTPS_PROXY: proxyUrl(proxy.port, PROXY_PASSWORD) }],
    ['https_proxy, wrong password', [], { https_proxy: proxyUrl(proxy.port, WRONG_PROXY_PASSWORD) }],
    ['ALL_PROXY, nothing listens', [], { ALL_PROXY: proxyUrl(deadProxyPort, PROXY_PASSWORD) }],
  ];

  // trace: pino levels only filter, so trace logs every line that a higher level would.
  it('probe through --proxy and the *_PROXY variables, every format, at trace level', async () => {
    const jobs = cases().flatMap(([name, args, env]) =>
      FORMATS.flatMap((f) =>
        (['trace'] as const).map((l) => async () => ({
          name,
          f,
          l,
          r: await runBin(
            ['probe', target(), '--timeout', TIMEOUT, '--format', f, '--log-level', l, ...args],
            baseEnv(env),
          ),
        })),
      ),
    );
    for (const { name, f, l, r } of await pool(jobs, 4)) {
      expect([0, 1], `${name} ${f}/${l}: ${r.stderr}`).toContain(r.code);
      expectClean(`${name} ${f}/${l} stdout`, r.stdout);
      expectClean(`${name} ${f}/${l} stderr`, r.stderr);
    }
  }, 240_000);

  // URLs that do not parse: the old message echoed them whole.
  const broken = [
    `http://${PROXY_USER}:${PROXY_PASSWORD}@[::1`,
    `http://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:99999`,
    `http://${PROXY_USER}:pa/${PROXY_PASSWORD}@127.0.0.1:3128`,
    `http://${PROXY_USER}:${PROXY_PASSWORD}@we@ird@127.0.0.1:notaport`,
    `${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:3128/x y`,
    `socks5://${PROXY_USER}:${PROXY_PASSWORD}@127.0.0.1:1080`,
    `http://${PROXY_USER}:${PROXY_PASSWORD}\n\x1b[2J@127.0.0.1:3128`,
  ];

  it('a proxy URL that does not parse, in --proxy, HTTPS_PROXY and a ' +
    "row's with.proxy, at trace and fatal", async () => {
    const probe = ['probe', target(), '--timeout', TIMEOUT];
    const places = (url: string): [string, string[], Record<string, string>][] => [
      ['--proxy', [...probe, '--proxy', url], {}],
      ['--proxy twice', [...probe, '--proxy', url, '--proxy', 'direct'], {}],
      ['HTTPS_PROXY', probe, { HTTPS_PROXY: url }],
      ['with.proxy', checkArgs(['--only', 'proxy-forbids']), { FEDPROBE_VAR_CORP_PROXY: url }],
    ];
    const jobs = broken.flatMap((url) =>
      (['trace', 'fatal'] as const).flatMap((l) =>
        places(url).map(([where, args, env]) => async () => ({
          where,
          url,
          l,
          r: await runBin([...args, '--log-level', l, '--format', 'table'], baseEnv(env)),
        })),
      ),
    );
    const found: string[] = [];
    for (const { where, url, l, r } of await pool(jobs, 4)) {
      const label = `${where} ${JSON.stringify(url)} ${l}`;
      expect(r.code, `${label}: ${r.stdout}${r.stderr}`).not.toBe(0);
      expect(r.code, `${label}: ${r.stdout}${r.stderr}`).not.toBe(3);
      for (const [stream, text] of [
        ['stdout', r.stdout],
        ['stderr', r.stderr],
      ] as const) {
        const l = leaks(text);
        if (l.length) found.push(`${label} ${stream}: ${l.join(', ')}\n${text.slice(0, 600)}`);
      }
    }
    expect(found).toEqual([]);
  }, 300_000);
});

describe('the daemon', () => {
  function get(port: number, path: string): Promise<{ status: number; body: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, timeout: 5000 }, (res) => {
        let body = '';
        res.setEncoding('latin1');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  for (const level of ['trace', 'info'] as const) {
    it(`/metrics, /results, /, /readyz, /healthz and the logs at ${level}: no secret`, async () => {
      const port = await freePort();
      const env = baseEnv();
      const child = spawn(
        process.execPath,
        [
          bin,
          'daemon',
          profile,
          ...vars,
          '--timeout',
          TIMEOUT,
          '--interval',
          '2s',
          '--listen',
          `127.0.0.1:${port}`,
          '--log-level',
          level,
        ],
        { env },
      );
      let out = '';
      child.stdout.on('data', (c: Buffer) => (out += c.toString('latin1')));
      child.stderr.on('data', (c: Buffer) => (out += c.toString('latin1')));
      const exited = new Promise<number | null>((r) => child.on('close', r));
      try {
        // The first run takes about one timeout; wait for it, bounded.
        let results = { status: 0, body: '' };
        for (let i = 0; i < 100 && results.status !== 200; i++) {
          await new Promise((r) => setTimeout(r, 200));
          results = await get(port, '/results').catch(() => ({ status: 0, body: '' }));
        }
        expect(results.status, out).toBe(200);
        expect(JSON.parse(results.body).results).toHaveLength(13);
        // A second cycle, so that re-runs and their logs are swept too.
        await new Promise((r) => setTimeout(r, 2500));
        const pages = await Promise.all(
          ['/metrics', '/results', '/history', '/', '/readyz', '/healthz'].map(
            async (p) => [p, await get(port, p)] as const,
          ),
        );
        for (const [p, page] of pages) {
          expect(page.body.length, p).toBeGreaterThan(0);
          expectClean(`daemon ${p}`, page.body);
        }
        expect(pages.find(([p]) => p === '/readyz')![1].status).toBe(503);
      } finally {
        child.kill('SIGTERM');
      }
      expect(await exited).toBe(0);
      expectClean('daemon stdout and stderr', out);
    }, 60_000);
  }
});

// Kept apart from the rest: a plain HTTP peer that echoes what it was sent into its status text
// would expose a credential that fedprobe sent it; fedprobe sends none to an http:// row without
// with.headers, and the report must not carry one from anywhere else either.
describe('an echoing peer', () => {
  it('an HTTP server that echoes every request header into its reason phrase sees no secret', async () => {
    let seen = '';
    const server = createHttpServer((req, res) => {
      seen += JSON.stringify(req.headers);
      res.statusMessage = `echo ${JSON.stringify(req.headers).slice(0, 200)}`;
      res.writeHead(503).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await runBin(
        ['probe', `http://127.0.0.1:${port}/`, '--timeout', TIMEOUT, '--log-level', 'trace', '--format', 'json'],
        baseEnv(),
      );
      expect(r.code).toBe(1);
      expect(seen).toContain('fedprobe/');
      expectClean('echoed request', seen);
      expectClean('stdout', r.stdout);
      expectClean('stderr', r.stderr);
    } finally {
      server.close();
    }
  });
});
