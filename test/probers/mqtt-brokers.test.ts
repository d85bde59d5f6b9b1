// MQTT verdicts against brokers nobody here wrote: ejabberd's mod_mqtt (3.1.1 and 5, TLS,
// WebSocket; it authenticates every client) and RabbitMQ 3.10's MQTT and Web MQTT plugins (3.1.1
// only: an MQTT 5 CONNECT is closed unanswered; Web MQTT refuses by closing the WebSocket).
// Passwords come the operator's way only: a `secret: true` variable of the fixture profile, given
// as FEDPROBE_VAR_MQTT_PASSWORD or --set mqtt_password_file=PATH, through the CLI.
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../src/types.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { runCli } from '../helpers/cli.js';
import { startEjabberd, type Ejabberd } from '../helpers/ejabberd.js';
import { probeUrl } from '../helpers/probe.js';
import { startRabbitMq, type RabbitMq } from '../helpers/rabbitmq.js';

const USER = 'alice';
const PASSWORD = 's3cret-mqtt';
const PROFILE = fileURLToPath(new URL('../fixtures/mqtt/secret-password.yaml', import.meta.url));

let certs: TestCerts;
let ejabberd: Ejabberd;
let rabbit: RabbitMq;

beforeAll(async () => {
  certs = await makeCerts();
  // In parallel: RabbitMQ alone takes ~8 s on an idle machine (much more under load).
  [ejabberd, rabbit] = await Promise.all([
    startEjabberd({ users: { [USER]: PASSWORD }, tls: { cert: certs.serverCert, key: certs.serverKey } }),
    startRabbitMq({ user: USER, password: PASSWORD, allowAnonymous: false }),
  ]);
}, 180_000);

afterAll(async () => {
  await Promise.all([ejabberd?.stop(), rabbit?.stop()]);
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
}, 60_000);

interface ProfileRun {
  code: number;
  output: string;
  rows: Record<'mqtt' | 'mqtt5' | 'ws', CheckResult>;
}

/** The fixture's rows (alice over MQTT 3.1.1, MQTT 5, WebSocket) against one broker, through the CLI. */
async function withSecret(
  ports: { mqtt: number; ws: number; wsPath: string },
  secret: { env: string } | { file: string },
): Promise<ProfileRun> {
  const args = [
    'check',
    PROFILE,
    '--format',
    'json',
    '--set',
    `broker_port=${ports.mqtt}`,
    '--set',
    `ws_port=${ports.ws}`,
    '--set',
    `ws_path=${ports.wsPath}`,
  ];
  let file: string | undefined;
  if ('file' in secret) {
    file = join(certs.dir, 'mqtt-password');
    writeFileSync(file, `${secret.file}\n`);
    args.push('--set', `mqtt_password_file=${file}`);
  }
  const r = await runCli(args, 'env' in secret ? { FEDPROBE_VAR_MQTT_PASSWORD: secret.env } : {});
  if (file) rmSync(file);
  const results = (JSON.parse(r.stdout) as { results: CheckResult[] }).results;
  const rows = Object.fromEntries(results.map((x) => [x.id, x])) as ProfileRun['rows'];
  return { code: r.code, output: r.stdout + r.stderr, rows };
}

const OK_311 = 'MQTT 3.1.1 broker accepted the connection: CONNACK 0 (connection accepted)';

describe('ejabberd 23.01 mod_mqtt', () => {
  const url = () => `mqtt://127.0.0.1:${ejabberd.ports.mqtt}`;
  const ws = () => ({ mqtt: ejabberd.ports.mqtt, ws: ejabberd.ports.ws, wsPath: '/mqtt' });
  const refused = (code: string) => `the MQTT broker refused these credentials: CONNACK ${code} (not authorized)`;

  it("anonymous client: warn, open, auth-rejected with ejabberd's own code (CONNACK 5; v5 0x87)", async () => {
    const v4 = await probeUrl(url());
    expect(v4).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_5',
      facts: { protocolVersion: '3.1.1', credentialsGiven: false },
    });
    expect(v4.detail).toBe('the MQTT broker refused an anonymous client: CONNACK 5 (not authorized)');
    const v5 = await probeUrl(url(), { version: 5 });
    expect(v5).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_135',
      facts: { protocolVersion: '5.0' },
    });
    expect(v5.detail).toBe('the MQTT broker refused an anonymous client: CONNACK 0x87 (not authorized)');
  });

  it('anonymous over WebSocket: ejabberd sends its CONNACK 5 in a frame, reported as on TCP', async () => {
    const r = await probeUrl(`mqtt+ws://127.0.0.1:${ejabberd.ports.ws}/mqtt`);
    expect(r).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_5',
      facts: { transport: 'mqtt+ws' },
    });
    expect(r.detail).toBe('the MQTT broker refused an anonymous client: CONNACK 5 (not authorized)');
  });

  it('right password from FEDPROBE_VAR_MQTT_PASSWORD: pass over 3.1.1, 5 and WebSocket; never printed', async () => {
    const run = await withSecret(ws(), { env: PASSWORD });
    expect(run.code).toBe(0);
    expect(run.rows.mqtt).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', detail: OK_311 });
    expect(run.rows.mqtt5).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      detail: 'MQTT 5.0 broker accepted the connection: CONNACK 0x00 (success)',
    });
    expect(run.rows.ws).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { transport: 'mqtt+ws', credentialsGiven: true },
    });
    expect(run.output).not.toContain(PASSWORD);
  });

  it('wrong password from --set mqtt_password_file: fail (credentials given), auth-rejected, 5 / 0x87', async () => {
    const run = await withSecret(ws(), { file: 'not-the-password' });
    expect(run.code).toBe(1);
    const rejected = { outcome: 'fail', state: 'open', reason: 'auth-rejected' };
    expect(run.rows.mqtt).toMatchObject({ ...rejected, code: 'CONNACK_5', detail: refused('5') });
    expect(run.rows.mqtt5).toMatchObject({ ...rejected, code: 'CONNACK_135', detail: refused('0x87') });
    expect(run.rows.ws).toMatchObject({ ...rejected, code: 'CONNACK_5', detail: refused('5') });
    expect(run.output).not.toContain('not-the-password');
  });

  it('mqtts:// with the CA and the secret: pass over TLSv1.3 in MQTT 5', async () => {
    const opts = { ca: certs.caCert, version: 5, username: USER, password: PASSWORD };
    const secrets = { mqtt_password: PASSWORD };
    const r = await probeUrl(`mqtts://localhost:${ejabberd.ports.mqtts}`, opts, { secrets });
    expect(r).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { transport: 'mqtts', protocolVersion: '5.0', tls: { protocol: 'TLSv1.3', authorized: true } },
    });
    // ejabberd asks for a client certificate without requiring one; the TLS verdict says so (tls-verdict.ts).
    expect(r.detail).toBe(
      '127.0.0.1: MQTT 5.0 broker accepted the connection over TLSv1.3: CONNACK 0x00 (success)' +
        ' (the server asked for a client certificate; none was offered)',
    );
  });
});

describe('RabbitMQ 3.10 MQTT and Web MQTT (3.1.1 only)', () => {
  const url = () => `mqtt://127.0.0.1:${rabbit.ports.mqtt}`;
  const wsUrl = () => `mqtt+ws://127.0.0.1:${rabbit.ports.webMqtt}/ws`;
  const ports = () => ({ mqtt: rabbit.ports.mqtt, ws: rabbit.ports.webMqtt, wsPath: '/ws' });
  const V5_CLOSED =
    '; it closed the connection on our MQTT 5.0 CONNECT without an answer, ' +
    'so it most likely speaks MQTT 3.1.1 only (with.version: 3.1.1)';
  const CONNACK_4 = 'CONNACK 4 (bad user name or password)';
  const WS_1002 =
    'the WebSocket server accepted the mqtt subprotocol, then closed the WebSocket ' +
    '(code 1002 "unauthenticated") without a CONNACK';
  const v5Closed = { protocolVersion: '3.1.1', mqtt5Attempt: 'closed the connection without an answer' };

  it("anonymous client in 3.1.1: warn, open, auth-rejected, RabbitMQ's CONNACK 4", async () => {
    const r = await probeUrl(url());
    expect(r).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_4',
      facts: { protocolVersion: '3.1.1', returnCode: 4 },
    });
    expect(r.detail).toBe(`the MQTT broker refused an anonymous client: ${CONNACK_4}`);
  });

  it('MQTT 5 CONNECT closed unanswered: one 3.1.1 retry, both told; its CONNACK 4 decides (warn)', async () => {
    const r = await probeUrl(url(), { version: 5 });
    expect(r).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_4',
      facts: { ...v5Closed, returnCode: 4 },
    });
    expect(r.detail).toBe(`the MQTT broker refused an anonymous client: ${CONNACK_4}${V5_CLOSED}`);
  });

  it('WebSocket denial: subprotocol accepted, close 1002 "unauthenticated", no CONNACK: warn', async () => {
    const r = await probeUrl(wsUrl());
    expect(r).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'WS_CLOSE_1002',
      facts: {
        transport: 'mqtt+ws',
        credentialsGiven: false,
        webSocketClose: { code: 1002, reason: 'unauthenticated' },
      },
    });
    expect(r.detail).toBe(`the MQTT broker refused an anonymous client: ${WS_1002}`);
  });

  it('WebSocket denial in MQTT 5: close 1011 on the v5 CONNECT, 1002 on the 3.1.1 retry, both told', async () => {
    const r = await probeUrl(wsUrl(), { version: 5 });
    expect(r).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'WS_CLOSE_1002',
      facts: { protocolVersion: '3.1.1', mqtt5Attempt: 'closed the WebSocket (code 1011)' },
    });
    expect(r.detail).toBe(
      `the MQTT broker refused an anonymous client: ${WS_1002} ` +
        '(MQTT 3.1.1; our MQTT 5.0 CONNECT before it: closed the WebSocket (code 1011))',
    );
  });

  it('right password from --set mqtt_password_file: pass on TCP and WebSocket; v5 passes in 3.1.1', async () => {
    const run = await withSecret(ports(), { file: PASSWORD });
    expect(run.code).toBe(0);
    expect(run.rows.mqtt).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', detail: OK_311 });
    expect(run.rows.mqtt5).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', facts: v5Closed });
    expect(run.rows.mqtt5.detail).toBe(`${OK_311}${V5_CLOSED}`);
    expect(run.rows.ws).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      detail: OK_311,
      facts: { transport: 'mqtt+ws' },
    });
    expect(run.output).not.toContain(PASSWORD);
  });

  it('wrong password from FEDPROBE_VAR_MQTT_PASSWORD: fail, auth-rejected (CONNACK 4; close 1002)', async () => {
    const run = await withSecret(ports(), { env: 'not-the-password' });
    expect(run.code).toBe(1);
    const rejected = { outcome: 'fail', state: 'open', reason: 'auth-rejected' };
    const refused = `the MQTT broker refused these credentials: ${CONNACK_4}`;
    expect(run.rows.mqtt).toMatchObject({ ...rejected, code: 'CONNACK_4', detail: refused });
    expect(run.rows.mqtt5).toMatchObject({ ...rejected, code: 'CONNACK_4', detail: `${refused}${V5_CLOSED}` });
    expect(run.rows.ws).toMatchObject({
      ...rejected,
      code: 'WS_CLOSE_1002',
      detail: `the MQTT broker refused these credentials: ${WS_1002}`,
    });
    expect(run.output).not.toContain('not-the-password');
  });

  it('anonymous allowed (mqtt.allow_anonymous true): pass on TCP and WebSocket; v5 passes in 3.1.1', async () => {
    await rabbit.setAnonymous(true);
    try {
      expect(await probeUrl(url())).toMatchObject({
        outcome: 'pass',
        state: 'open',
        reason: 'ok',
        detail: OK_311,
        facts: { credentialsGiven: false },
      });
      expect(await probeUrl(wsUrl())).toMatchObject({
        outcome: 'pass',
        state: 'open',
        reason: 'ok',
        detail: OK_311,
        facts: { transport: 'mqtt+ws', returnCode: 0 },
      });
      const v5 = await probeUrl(url(), { version: 5 });
      expect(v5).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', facts: v5Closed });
      expect(v5.detail).toBe(`${OK_311}${V5_CLOSED}`);
    } finally {
      await rabbit.setAnonymous(false);
    }
  }, 60_000);

  it('Web MQTT on a wrong path: fail, open, wrong-protocol, HTTP 404 (RabbitMQ serves /ws)', async () => {
    const r = await probeUrl(`mqtt+ws://127.0.0.1:${rabbit.ports.webMqtt}/mqtt`);
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'HTTP_404' });
    expect(r.detail).toBe(
      'the WebSocket upgrade on /mqtt was answered with HTTP 404 Not Found: ' +
        'not an MQTT WebSocket endpoint (check with.path)',
    );
  });
});
