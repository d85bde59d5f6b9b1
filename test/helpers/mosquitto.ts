// A real mosquitto (Debian 2.0.x) for one test file: one listener per case, each on its own
// 127.0.0.1 port, from a config generated in a scratch folder. Started in the foreground and
// waited for (a bounded connect-retry loop in startProcess), stopped with SIGTERM.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, startProcess } from './servers.js';

export interface MosquittoListener {
  /** `websockets` = MQTT in binary WebSocket frames (mosquitto ignores the URL path). */
  protocol?: 'mqtt' | 'websockets';
  /** Users and passwords; anonymous clients are then refused (CONNACK 5 / 0x87). */
  users?: Record<string, string>;
  tls?: { cert: string; key: string; ca?: string; requireCertificate?: boolean };
  /** More lines for this listener (max_connections …). */
  extra?: string[];
}

export interface Mosquitto<K extends string> {
  ports: Record<K, number>;
  output(): string;
  stop(): Promise<void>;
}

/** `global`: lines before the listeners, for options mosquitto applies to the whole broker. */
export async function startMosquitto<K extends string>(
  listeners: Record<K, MosquittoListener>,
  global: string[] = [],
): Promise<Mosquitto<K>> {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-mosquitto-'));
  // Started as root, mosquitto drops to user `mosquitto` before it reads password files and
  // keys: the folder and files must be readable by others (test keys come 0644 from certs.ts).
  chmodSync(dir, 0o755);
  const ports = {} as Record<K, number>;
  const lines = [
    'per_listener_settings true',
    'log_dest stderr',
    'log_type error',
    'log_type warning',
    'log_type notice',
    ...global,
  ];
  for (const [name, l] of Object.entries(listeners) as [K, MosquittoListener][]) {
    ports[name] = await freePort();
    lines.push(`listener ${ports[name]} 127.0.0.1`);
    if (l.protocol === 'websockets') lines.push('protocol websockets');
    if (l.users) {
      const passwd = join(dir, `${name}.passwd`);
      writeFileSync(passwd, '');
      for (const [user, pw] of Object.entries(l.users)) execFileSync('mosquitto_passwd', ['-b', passwd, user, pw]);
      chmodSync(passwd, 0o644);
      lines.push('allow_anonymous false', `password_file ${passwd}`);
    } else {
      lines.push('allow_anonymous true');
    }
    if (l.tls) {
      lines.push(`certfile ${l.tls.cert}`, `keyfile ${l.tls.key}`);
      if (l.tls.ca) lines.push(`cafile ${l.tls.ca}`);
      if (l.tls.requireCertificate) lines.push('require_certificate true');
    }
    lines.push(...(l.extra ?? []));
  }
  const conf = join(dir, 'mosquitto.conf');
  writeFileSync(conf, `${lines.join('\n')}\n`);
  const proc = await startProcess('mosquitto', ['-c', conf], Object.values(ports) as number[]);
  return {
    ports,
    output: proc.output,
    async stop() {
      await proc.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
