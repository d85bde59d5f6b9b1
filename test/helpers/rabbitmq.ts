// A real RabbitMQ (Debian 3.10, plugins rabbitmq_mqtt and rabbitmq_web_mqtt: MQTT 3.1.1 only, over
// TCP and WebSocket at /ws) for one test file. Everything lives in a scratch folder: config,
// enabled-plugins file, Mnesia, the Erlang cookie (HOME). RabbitMQ is a distributed Erlang node,
// so it gets its own epmd on a free port (ERL_EPMD_PORT), started and stopped here; the test
// suite's network namespace keeps all of it off the host. Start-up takes ~8 s (the MQTT plugin
// waits for Raft peers before electing itself), so one broker serves a whole test file.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess, waitForPort } from './servers.js';

export interface RabbitMqOptions {
  /** The one user (administrator of vhost "/"), and the MQTT plugin's user for anonymous clients. */
  user: string;
  password: string;
  /** mqtt.allow_anonymous at start-up; setAnonymous() changes it later. */
  allowAnonymous: boolean;
}

export interface RabbitMq {
  /** mqtt: plain MQTT; webMqtt: HTTP with MQTT over WebSocket at /ws. */
  ports: { mqtt: number; webMqtt: number };
  /** Flips mqtt.allow_anonymous in the running broker (read at each CONNECT) via rabbitmqctl eval. */
  setAnonymous(allow: boolean): Promise<void>;
  output(): string;
  stop(): Promise<void>;
}

const SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const CTL = '/usr/lib/rabbitmq/bin/rabbitmqctl';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, maxMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'], timeout: maxMs });
    let out = '';
    p.stdout.on('data', (c) => (out += String(c)));
    p.stderr.on('data', (c) => (out += String(c)));
    p.once('error', reject);
    p.once('exit', (code) => {
      if (code === 0) resolve(out);
      else reject(new Error(`${cmd} ${args.join(' ')} exited ${code}: ${out}`));
    });
  });
}

export async function startRabbitMq(o: RabbitMqOptions): Promise<RabbitMq> {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-rabbitmq-'));
  for (const d of ['mnesia', 'log', 'plugins-expand']) mkdirSync(join(dir, d));
  const [amqp, dist, epmdPort, mqtt, webMqtt] = [
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
    await freePort(),
  ];
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    `${[
      `listeners.tcp.default = 127.0.0.1:${amqp}`,
      `mqtt.listeners.tcp.default = 127.0.0.1:${mqtt}`,
      `mqtt.allow_anonymous = ${o.allowAnonymous}`,
      `mqtt.default_user = ${o.user}`,
      `mqtt.default_pass = ${o.password}`,
      `web_mqtt.tcp.ip = 127.0.0.1`,
      `web_mqtt.tcp.port = ${webMqtt}`,
      `default_user = ${o.user}`,
      `default_pass = ${o.password}`,
      // The default user may otherwise log in from loopback only; all of this is loopback anyway.
      'loopback_users = none',
    ].join('\n')}\n`,
  );
  writeFileSync(join(dir, 'enabled_plugins'), '[rabbitmq_mqtt,rabbitmq_web_mqtt].\n');
  writeFileSync(join(dir, '.erlang.cookie'), randomBytes(16).toString('hex'), { mode: 0o400 });
  writeFileSync(join(dir, 'rabbitmq-env.conf'), ''); // instead of /etc/rabbitmq/rabbitmq-env.conf
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    ...(process.env.LANG && { LANG: process.env.LANG }),
    HOME: dir,
    RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_LOGS: '-',
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins-expand'),
    RABBITMQ_NODENAME: 'fedprobe@localhost',
    RABBITMQ_DIST_PORT: String(dist),
    ERL_EPMD_PORT: String(epmdPort),
    ERL_EPMD_ADDRESS: '127.0.0.1',
  };
  const epmd = await startProcess('epmd', ['-port', String(epmdPort), '-address', '127.0.0.1'], [epmdPort]);
  const proc: ChildProcess = spawn(SERVER, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  proc.stdout!.on('data', (c) => (out += String(c)));
  proc.stderr!.on('data', (c) => (out += String(c)));
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const orphan = () => proc.kill('SIGKILL');
  process.once('exit', orphan);
  void exited.then(() => process.off('exit', orphan));
  const alive = () => proc.exitCode === null && proc.signalCode === null;
  const stop = async () => {
    if (alive()) {
      proc.kill('SIGTERM');
      await exited;
    }
    await epmd.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    for (const port of [mqtt, webMqtt]) await waitForPort(port, '127.0.0.1', 60_000, alive);
  } catch (e) {
    await stop();
    throw new Error(`rabbitmq-server did not start (${(e as Error).message}): ${out}`);
  }
  return {
    ports: { mqtt, webMqtt },
    async setAnonymous(allow) {
      const expr = `application:set_env(rabbitmq_mqtt, allow_anonymous, ${allow}).`;
      await run(CTL, ['-n', 'fedprobe@localhost', 'eval', expr], env, 30_000);
    },
    output: () => out,
    stop,
  };
}
