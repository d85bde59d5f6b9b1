// Real servers for one test file: nginx (Debian 1.22) as a non-daemon from a scratch folder (the
// caller gives the body of the `http {}` and optionally `stream {}` block; every temp path, the pid
// file and the logs are redirected into the folder, so it runs beside any other nginx), any
// other server binary (mosquitto, openssl s_server) started in the foreground and waited for, and
// plain TCP listeners / UDP echo or silent servers inside a peer network namespace (netns.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PeerNetns } from './netns.js';

export interface Nginx {
  dir: string;
  stop(): Promise<void>;
  /** The error log so far, for a failing test's message. */
  errors(): Promise<string>;
}

/** A TCP port free on 127.0.0.1 right now (the kernel's choice). */
// Ports for servers that are told their port before they bind (nginx, mosquitto …). A port from
// listen(0) is in the kernel's ephemeral range, so between our close() and the server's bind()
// another test worker's listen(0) or outgoing connection can take it (seen: the "plain HTTP" port
// answered with another test's TLS server). These come from below that range, from a slice of it
// per vitest worker, and are still checked free before they are handed out.
const PORT_BASE = 20_000;
const PORTS_PER_WORKER = 1_500;
const worker = Number(process.env.VITEST_POOL_ID ?? process.env.VITEST_WORKER_ID ?? 1) % 8;
let nextPort = PORT_BASE + worker * PORTS_PER_WORKER + Math.floor(Math.random() * 500);

function bindable(port: number, host: string): Promise<boolean> {
  const s = createServer();
  return new Promise((resolve) => {
    s.once('error', () => resolve(false));
    s.listen(port, host, () => s.close(() => resolve(true)));
  });
}

export async function freePort(host = '127.0.0.1'): Promise<number> {
  const first = PORT_BASE + worker * PORTS_PER_WORKER;
  for (let tries = 0; tries < PORTS_PER_WORKER; tries++) {
    const port = nextPort;
    nextPort = nextPort + 1 >= first + PORTS_PER_WORKER ? first : nextPort + 1;
    if (await bindable(port, host)) return port;
  }
  throw new Error(`no free port in ${first}–${first + PORTS_PER_WORKER - 1}`);
}

/** Polls until something accepts TCP connections on host:port. */
export async function waitForPort(
  port: number,
  host = '127.0.0.1',
  maxMs = 10_000,
  alive: () => boolean = () => true,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  while (!(await accepts(port, host))) {
    if (!alive() || Date.now() > deadline) throw new Error(`nothing listens on ${host}:${port}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function accepts(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect({ port, host });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startNginx(opts: {
  http?: string;
  stream?: string;
  waitFor: number[];
  host?: string;
}): Promise<Nginx> {
  const dir = await mkdtemp(join(tmpdir(), 'fedprobe-nginx-'));
  await Promise.all(['logs', 'tmp', 'html'].map((d) => mkdir(join(dir, d))));
  const conf = [
    ...(opts.stream ? ['load_module /usr/lib/nginx/modules/ngx_stream_module.so;'] : []),
    'worker_processes 1;',
    `pid ${dir}/nginx.pid;`,
    `error_log ${dir}/logs/error.log info;`,
    'events { worker_connections 256; }',
    'http {',
    `  access_log ${dir}/logs/access.log;`,
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `  ${t}_temp_path ${dir}/tmp/${t};`),
    '  ssl_protocols TLSv1.2 TLSv1.3;',
    opts.http ?? '',
    '}',
    ...(opts.stream ? ['stream {', opts.stream, '}'] : []),
  ].join('\n');
  await writeFile(join(dir, 'nginx.conf'), `${conf}\n`);
  const proc: ChildProcess = spawn(
    'nginx',
    ['-p', dir, '-c', 'nginx.conf', '-e', join(dir, 'logs/error.log'), '-g', 'daemon off;'],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  proc.stderr!.on('data', (c) => (stderr += String(c)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  // A test worker that ends without afterAll must not leave nginx behind.
  const orphan = () => proc.kill('SIGKILL');
  process.once('exit', orphan);
  void exited.then(() => process.off('exit', orphan));
  const errors = () => readFile(join(dir, 'logs/error.log'), 'utf8').catch(() => '');
  try {
    for (const port of opts.waitFor)
      await waitForPort(port, opts.host ?? '127.0.0.1', 10_000, () => proc.exitCode === null);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(
      `nginx did not start (${(e as Error).message}): ${stderr}${await errors()}\n--- nginx.conf\n${conf}`,
    );
  }
  return {
    dir,
    errors,
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export interface ServerProcess {
  stop(): Promise<void>;
  /** What it wrote to stdout and stderr so far. */
  output(): string;
}

/** Starts `cmd args` in the foreground and waits until it accepts TCP on each of `ports`. */
export async function startProcess(
  cmd: string,
  args: string[],
  ports: number[],
  host = '127.0.0.1',
): Promise<ServerProcess> {
  const proc = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout.on('data', (c) => (out += String(c)));
  proc.stderr.on('data', (c) => (out += String(c)));
  proc.on('error', (e) => (out += String(e)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const orphan = () => proc.kill('SIGKILL');
  process.once('exit', orphan);
  void exited.then(() => process.off('exit', orphan));
  try {
    for (const port of ports)
      await waitForPort(port, host, 10_000, () => proc.exitCode === null && proc.pid !== undefined);
  } catch (e) {
    proc.kill('SIGKILL');
    throw new Error(`${cmd} did not start (${(e as Error).message}): ${out}`);
  }
  return {
    output: () => out,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export interface WebPorts {
  /** HTTPS, CA-signed cert for localhost/127.0.0.1/web.test. */
  good: number;
  expired: number;
  selfSigned: number;
  wrongName: number;
  /** Plain HTTP. Every port serves / → 200 "fedprobe web ok", /down → 503, /missing → 404,
   * /private → 401, /sni → "sni=[<SNI>]", /echo → "x=[<X-Fedprobe>] host=[<Host>] method=[<method>]". */
  plain: number;
  /** HTTPS with ssl_verify_client on (CA = the test CA). */
  mtls: number;
  /** HTTPS with http2 on the listen line. */
  h2: number;
  /** Two servers: default (wrong-name cert) and server_name localhost/web.test (good cert);
   * /sni echoes $ssl_server_name. */
  sni: number;
}

/** The nginx that tls:// and http(s):// tests run against: one port per certificate case. */
export async function startWebFixture(c: {
  serverCert: string;
  serverKey: string;
  expiredCert: string;
  expiredKey: string;
  selfSignedCert: string;
  selfSignedKey: string;
  wrongNameCert: string;
  wrongNameKey: string;
  caCert: string;
}): Promise<{ nginx: Nginx; ports: WebPorts }> {
  const names = ['good', 'expired', 'selfSigned', 'wrongName', 'plain', 'mtls', 'h2', 'sni'] as const;
  const ports = {} as WebPorts;
  for (const n of names) ports[n] = await freePort();
  const pages =
    'location = / { return 200 "fedprobe web ok\\n"; } location /down { return 503; } ' +
    'location /missing { return 404; } location /private { return 401; } ' +
    'location /sni { return 200 "sni=[$ssl_server_name]"; } ' +
    'location /echo { return 200 "x=[$http_x_fedprobe] host=[$http_host] method=[$request_method]"; }';
  const tls = (port: number, cert: string, key: string, extra = '') =>
    `  server { listen 127.0.0.1:${port} ssl${extra}; ssl_certificate ${cert}; ssl_certificate_key ${key}; ${pages} }`;
  const http = [
    '  default_type text/plain;',
    tls(ports.good, c.serverCert, c.serverKey),
    tls(ports.expired, c.expiredCert, c.expiredKey),
    tls(ports.selfSigned, c.selfSignedCert, c.selfSignedKey),
    tls(ports.wrongName, c.wrongNameCert, c.wrongNameKey),
    `  server { listen 127.0.0.1:${ports.plain}; server_tokens on; ${pages} }`,
    `  server { listen 127.0.0.1:${ports.mtls} ssl; ssl_certificate ${c.serverCert}; ssl_certificate_key ` +
      `${c.serverKey}; ssl_client_certificate ${c.caCert}; ssl_verify_client on; ${pages} }`,
    tls(ports.h2, c.serverCert, c.serverKey, ' http2'),
    tls(ports.sni, c.wrongNameCert, c.wrongNameKey, ' default_server'),
    `  server { listen 127.0.0.1:${ports.sni} ssl; server_name localhost web.test; ssl_certificate ${c.serverCert}; ` +
      `ssl_certificate_key ${c.serverKey}; ${pages} }`,
  ].join('\n');
  const nginx = await startNginx({ http, waitFor: Object.values(ports) });
  return { nginx, ports };
}

// ---------------------------------------------------------------------------------------------
// Servers inside a peer namespace: a small node script run through `ip netns exec`, ready once
// `ss` inside the namespace shows the socket (a bounded poll; an early exit fails at once).

const PEER_SERVER = `
const net = require('node:net'), dgram = require('node:dgram');
const [kind, host, port] = process.argv.slice(1);
if (kind === 'tcp') {
  // Accepts and closes: a connect() is all tcp:// asks for.
  net.createServer((s) => s.destroy()).listen({ port: Number(port), host, ipv6Only: false });
} else {
  const s = dgram.createSocket({ type: host.includes(':') ? 'udp6' : 'udp4', ipv6Only: false });
  // 'udp-echo' sends every datagram back; 'udp-silent' never answers (looks like a DROP rule).
  s.on('message', (m, r) => { if (kind === 'udp-echo') s.send(m, r.port, r.address); });
  s.bind(Number(port), host);
}`;

export type PeerServerKind = 'tcp' | 'udp-echo' | 'udp-silent';

export interface PeerServer {
  kind: PeerServerKind;
  host: string;
  port: number;
  stop(): Promise<void>;
}

/** Whether `ss` inside the namespace lists a listening TCP / bound UDP socket on `port`. */
export async function peerListens(ns: PeerNetns, protocol: 'tcp' | 'udp', port: number): Promise<boolean> {
  const out = await ns.exec('ss', ['-H', '-n', protocol === 'tcp' ? '-lt' : '-lu', `sport = :${port}`]);
  return out.trim().length > 0;
}

/** Starts a TCP listener, UDP echo or silent UDP server on host:port inside `ns` ('::' is
 * dual-stack: one server answers on the peer's IPv4 and IPv6 address). */
export async function startPeerServer(
  ns: PeerNetns,
  kind: PeerServerKind,
  host: string,
  port: number,
  maxMs = 10_000,
): Promise<PeerServer> {
  const child = ns.spawn(process.execPath, ['-e', PEER_SERVER, kind, host, String(port)]);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const deadline = Date.now() + maxMs;
  const protocol = kind === 'tcp' ? 'tcp' : 'udp';
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null)
      throw new Error(`${kind} server on [${host}]:${port} in ${ns.name} exited: ${stderr}`);
    if (await peerListens(ns, protocol, port)) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${kind} server on [${host}]:${port} in ${ns.name} not ready after ${maxMs} ms: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    kind,
    host,
    port,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
    },
  };
}

export const startPeerTcpListener = (ns: PeerNetns, host: string, port: number) =>
  startPeerServer(ns, 'tcp', host, port);
export const startPeerUdpEcho = (ns: PeerNetns, host: string, port: number) =>
  startPeerServer(ns, 'udp-echo', host, port);
export const startPeerUdpSilent = (ns: PeerNetns, host: string, port: number) =>
  startPeerServer(ns, 'udp-silent', host, port);
