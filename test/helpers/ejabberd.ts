// A real ejabberd (Debian 23.01, mod_mqtt: MQTT 3.1.1 and 5 over TCP, TLS and WebSocket) for one
// test file, from a config and a Mnesia folder in a scratch directory. Run as a plain `erl` without
// a node name: ejabberdctl would `su` to its system user and start a distributed node (epmd, a
// cookie); a non-distributed node needs neither, so nothing is shared with another instance.
// Users are registered by an -eval after start-up, which then prints a marker we wait for.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess } from './servers.js';

export interface EjabberdOptions {
  /** user → password, registered on the virtual host `localhost` (MQTT user name "alice" or "alice@localhost"). */
  users: Record<string, string>;
  /** PEM files for the TLS listener (mqtts) and TLS WebSocket. */
  tls: { cert: string; key: string };
}

export interface Ejabberd {
  /** mqtt: plain MQTT; mqtts: MQTT over TLS; ws: HTTP with /mqtt → mod_mqtt (MQTT over WebSocket). */
  ports: { mqtt: number; mqtts: number; ws: number };
  output(): string;
  stop(): Promise<void>;
}

const READY = 'fedprobe-ejabberd-ready';

/** An Erlang binary literal; test names and passwords only, so anything unusual is a test bug. */
function bin(s: string): string {
  if (!/^[\w.@-]+$/.test(s)) throw new Error(`ejabberd helper: "${s}" needs quoting this helper does not do`);
  return `<<"${s}">>`;
}

export async function startEjabberd(o: EjabberdOptions): Promise<Ejabberd> {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-ejabberd-'));
  chmodSync(dir, 0o700);
  const ports = { mqtt: await freePort(), mqtts: await freePort(), ws: await freePort() };
  const pem = join(dir, 'server.pem');
  writeFileSync(pem, readFileSync(o.tls.cert, 'utf8') + readFileSync(o.tls.key, 'utf8'), { mode: 0o600 });
  // mod_mqtt authenticates every client: an empty password is checked as a TLS client
  // certificate and refused otherwise, so anonymous clients always get CONNACK 5 / 0x87.
  const config = `${[
    'hosts: [localhost]',
    'loglevel: info',
    `certfiles: [${JSON.stringify(pem)}]`,
    'auth_method: [internal]',
    'listen:',
    `  - { port: ${ports.mqtt}, ip: "127.0.0.1", module: mod_mqtt }`,
    `  - { port: ${ports.mqtts}, ip: "127.0.0.1", module: mod_mqtt, tls: true }`,
    `  - { port: ${ports.ws}, ip: "127.0.0.1", module: ejabberd_http, request_handlers: { /mqtt: mod_mqtt } }`,
    'modules:',
    '  mod_mqtt: {}',
  ].join('\n')}\n`;
  const configPath = join(dir, 'ejabberd.yml');
  writeFileSync(configPath, config);
  const register = Object.entries(o.users).map(
    ([u, p]) => `ejabberd_auth:try_register(${bin(u)}, <<"localhost">>, ${bin(p)})`,
  );
  const evalExpr = `${[...register, `io:format("~s~n", ["${READY}"])`].join(', ')}.`;
  // Through env(1): startProcess takes no environment of its own.
  const env = {
    HOME: dir,
    EJABBERD_CONFIG_PATH: configPath,
    EJABBERD_LOG_PATH: join(dir, 'ejabberd.log'),
    ERL_LIBS: '/usr/lib/x86_64-linux-gnu',
    ERL_CRASH_DUMP: join(dir, 'erl_crash.dump'),
    ERL_CRASH_DUMP_BYTES: '0',
  };
  const mnesia = JSON.stringify(join(dir, 'db')); // an Erlang string term
  const args = ['-noinput', '-noshell', '-mnesia', 'dir', mnesia, '-s', 'ejabberd', '-eval', evalExpr];
  const assignments = Object.entries(env).map(([k, v]) => `${k}=${v}`);
  const proc = await startProcess('env', [...assignments, 'erl', ...args], Object.values(ports));
  // The listeners may be up before the users exist: the marker follows the registrations.
  const deadline = Date.now() + 15_000;
  while (!proc.output().includes(READY)) {
    if (Date.now() > deadline) {
      await proc.stop();
      throw new Error(`ejabberd registered no users within 15 s: ${proc.output()}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    ports,
    output: proc.output,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
