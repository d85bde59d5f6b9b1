// Real Python grpcio servers (Debian python3-grpcio 1.51), the runtime Flower and Fed-BioMed run,
// serving the method tables generated from the frameworks' own .proto files (vendored in
// test/fixtures/grpc/protos) with Flower-like interceptors: see test/helpers/grpcio/server.py.
// Stubs are generated once per test process with protoc + grpc_python_plugin into a temp folder.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
/** The frameworks' current .proto files, and Flower 1.20's (its Exec API, renamed Control in 1.21). */
const PROTO_ROOTS = {
  current: join(here, '../fixtures/grpc/protos'),
  'flower-1.20': join(here, '../fixtures/grpc/protos-flower-1.20'),
} as const;
export type ProtoSet = keyof typeof PROTO_ROOTS;
const SERVER = join(here, 'grpcio/server.py');
/** Debian's interpreter: a pyenv or venv python3 earlier on PATH does not see python3-grpcio. */
const PYTHON = process.env.FEDPROBE_TEST_PYTHON ?? '/usr/bin/python3';

export type GrpcioService = 'fleet' | 'control' | 'serverappio' | 'clientappio' | 'fedbiomed' | 'exec';
export type GrpcioInterceptor = 'node-auth' | 'node-auth-legacy' | 'control-auth' | 'appio-token';

export interface GrpcioOptions {
  /** `exec` needs `flower-1.20`; the others `current` (the default). */
  protos?: ProtoSet;
  services: GrpcioService[];
  interceptors?: GrpcioInterceptor[];
  health?: boolean;
  /** grpc.aio (asyncio) server, as Fed-BioMed's researcher runs. */
  aio?: boolean;
  tls?: { cert: string; key: string };
  /** Seconds added to the node-auth interceptor's clock (a SuperLink whose clock is off). */
  clockSkew?: number;
  port?: number;
  host?: string;
}

export interface Grpcio {
  port: number;
  /** Method paths whose handler ran (a probe must never make one run). */
  handlerCalls(): string[];
  output(): string;
  stop(): Promise<void>;
}

async function protoFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.proto'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

const stubs = new Map<ProtoSet, Promise<string>>();
const stubDirs: string[] = [];
/** Servers still running, killed (and the stubs removed) if this process exits without stop(). */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
  for (const d of stubDirs) rmSync(d, { recursive: true, force: true });
});

/** protoc -I root --python_out --grpc_out (grpc_python_plugin), once per process and proto set. */
export function grpcioStubs(set: ProtoSet = 'current'): Promise<string> {
  let made = stubs.get(set);
  if (!made) {
    made = (async () => {
      const root = PROTO_ROOTS[set];
      const out = await mkdtemp(join(tmpdir(), 'fedprobe-grpcio-stubs-'));
      stubDirs.push(out);
      const { stdout: plugin } = await run('sh', ['-c', 'command -v grpc_python_plugin']);
      await run('protoc', [
        `-I${root}`,
        `--python_out=${out}`,
        `--grpc_out=${out}`,
        `--plugin=protoc-gen-grpc=${plugin.trim()}`,
        ...(await protoFiles(root)),
      ]);
      return out;
    })();
    stubs.set(set, made);
  }
  return made;
}

function serverArgs(o: GrpcioOptions, dir: string): string[] {
  const args = [
    SERVER,
    '--stubs',
    dir,
    '--host',
    o.host ?? '127.0.0.1',
    '--port',
    String(o.port ?? 0),
    '--services',
    o.services.join(','),
  ];
  if (o.interceptors?.length) args.push('--interceptors', o.interceptors.join(','));
  if (o.health) args.push('--health');
  if (o.aio) args.push('--aio');
  if (o.tls) args.push('--tls-cert', o.tls.cert, '--tls-key', o.tls.key);
  if (o.clockSkew) args.push('--clock-skew', String(o.clockSkew));
  return args;
}

export async function startGrpcio(o: GrpcioOptions): Promise<Grpcio> {
  const args = serverArgs(o, await grpcioStubs(o.protos));
  // stdin stays open: the server exits when it closes, so it never outlives this process.
  const proc = spawn(PYTHON, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  live.add(proc);
  void exited.then(() => live.delete(proc));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`grpcio server did not start in 15 s: ${out}${err}`)), 15_000);
    proc.stdout.on('data', (c: Buffer) => {
      out += String(c);
      const listening = /^LISTENING (\d+)$/m.exec(out);
      if (listening) {
        clearTimeout(timer);
        resolve(Number(listening[1]));
      }
    });
    proc.stderr.on('data', (c: Buffer) => (err += String(c)));
    proc.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`grpcio server exited (${code}): ${err}`));
    });
  });
  return {
    port,
    handlerCalls: () => [...out.matchAll(/^HANDLER (\S+)$/gm)].map((m) => m[1]!),
    output: () => out + err,
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}

export interface PrivateCliRun {
  code: number;
  stdout: string;
  stderr: string;
  /** What the servers printed (LISTENING, HANDLER lines, errors). */
  serverOutput: string;
}

/** Runs `fedprobe <argv>` (the built bin/, as an operator would) in a network namespace of its own
 * (`unshare -n`, loopback only) where grpcio servers listen on the fixed ports profiles name, so
 * fixed ports never collide with other tests. `env` adds variables (NODE_EXTRA_CA_CERTS …). */
export async function cliInPrivateNetns(
  servers: (GrpcioOptions & { port: number })[],
  argv: string[],
  env: Record<string, string> = {},
): Promise<PrivateCliRun> {
  const dirs = await Promise.all(servers.map((s) => grpcioStubs(s.protos)));
  const bin = join(here, '../../bin/fedprobe.js');
  const q = (a: string) => `'${a.replaceAll("'", `'\\''`)}'`;
  const starts = servers.map(
    (s, i) =>
      `${q(PYTHON)} ${serverArgs(s, dirs[i]!).map(q).join(' ')} --ignore-stdin >"$logs/${i}" 2>&1 & pids="$pids $!"`,
  );
  const script = [
    'ip link set lo up',
    'logs=$(mktemp -d); pids=""',
    ...starts,
    // Bounded wait: 300 × 50 ms for every server's LISTENING line.
    `for i in $(seq 300); do [ "$(cat "$logs"/* 2>/dev/null | grep -c '^LISTENING')" -ge ${servers.length} ] && ` +
      `break; sleep 0.05; done`,
    `${q(process.execPath)} ${q(bin)} ${argv.map(q).join(' ')}; rc=$?`,
    'kill $pids 2>/dev/null; wait $pids 2>/dev/null',
    'for f in "$logs"/*; do cat "$f" >&3; done; rm -rf "$logs"',
    'exit $rc',
  ].join('\n');
  const child = spawn('unshare', ['-n', '--', 'bash', '-c', script], {
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env },
  });
  let stdout = '',
    stderr = '',
    serverOutput = '';
  child.stdout!.on('data', (c: Buffer) => (stdout += String(c)));
  child.stderr!.on('data', (c: Buffer) => (stderr += String(c)));
  (child.stdio[3] as NodeJS.ReadableStream).on('data', (c: Buffer) => (serverOutput += String(c)));
  const code = await new Promise<number>((resolve) => child.once('close', (c) => resolve(c ?? 1)));
  return { code, stdout, stderr, serverOutput };
}
