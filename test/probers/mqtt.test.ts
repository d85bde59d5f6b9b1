// mqtt://, mqtts://, mqtt+ws:// against a real mosquitto (anonymous, password, TLS, mTLS,
// WebSocket), plus the wrong-service cases: an HTTP server on the MQTT port, a silent port.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { join } from 'node:path';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeConnect, decodeConnack } from '../../src/probers/mqtt-packets.js';
import { startMqttStandIn } from '../../src/respond/mqtt.js';
import type { RunningStandIn } from '../../src/respond/kinds.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { silentServer, type FakeServer } from '../helpers/fake-servers.js';
import { probeUrl } from '../helpers/probe.js';
import { freePort, startProcess, type ServerProcess } from '../helpers/servers.js';

let certs: TestCerts;
let mosquitto: ServerProcess;
let http: Server;
let silent: FakeServer;
let standIn: RunningStandIn;
const port = { anon: 0, auth: 0, tls: 0, mtls: 0, ws: 0, http: 0, closed: 0 };

beforeAll(async () => {
  certs = await makeCerts();
  for (const k of Object.keys(port) as (keyof typeof port)[]) port[k] = await freePort();
  const passwd = join(certs.dir, 'passwd');
  writeFileSync(passwd, '');
  execFileSync('mosquitto_passwd', ['-b', passwd, 'alice', 's3cret-mqtt']);
  // mosquitto drops to its own user: it must be able to read the password file.
  chmodSync(passwd, 0o644);
  const conf = join(certs.dir, 'mosquitto.conf');
  writeFileSync(conf, [
    'per_listener_settings true', 'log_dest stderr',
    `listener ${port.anon} 127.0.0.1`, 'allow_anonymous true',
    `listener ${port.auth} 127.0.0.1`, 'allow_anonymous false', `password_file ${passwd}`,
    `listener ${port.tls} 127.0.0.1`, 'allow_anonymous true', `certfile ${certs.serverCert}`, `keyfile ${certs.serverKey}`,
    `listener ${port.mtls} 127.0.0.1`, 'allow_anonymous true', `cafile ${certs.caCert}`, `certfile ${certs.serverCert}`, `keyfile ${certs.serverKey}`, 'require_certificate true',
    `listener ${port.ws} 127.0.0.1`, 'protocol websockets', 'allow_anonymous true',
  ].join('\n') + '\n');
  mosquitto = await startProcess('mosquitto', ['-c', conf], [port.anon, port.auth, port.tls, port.mtls, port.ws]);
  http = createHttpServer((_req, res) => res.end('hello'));
  await new Promise<void>((r) => http.listen(port.http, '127.0.0.1', r));
  silent = await silentServer();
  standIn = await startMqttStandIn('127.0.0.1', 0);
}, 30_000);

afterAll(async () => {
  await mosquitto?.stop();
  await new Promise<void>((r) => http.close(() => r()));
  await silent?.close();
  await standIn?.close();
});

describe('mqtt:// against mosquitto', () => {
  it('anonymous broker: pass, CONNACK 0, MQTT 3.1.1', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.anon}`);
    expect(r).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok', facts: { protocolVersion: '3.1.1', returnCode: 0, sessionPresent: false } });
    expect(r.detail).toMatch(/MQTT 3\.1\.1 broker accepted the connection: CONNACK 0 \(connection accepted\)/);
    expect(typeof r.timings.handshakeMs).toBe('number');
  });

  it('MQTT 5: pass with reason code 0x00', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.anon}`, { version: 5 });
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { protocolVersion: '5.0', returnCode: 0 } });
  });

  it('password required, none given: warn, auth-rejected (mosquitto answers 5, not 4)', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.auth}`);
    expect(r).toMatchObject({ outcome: 'warn', state: 'open', reason: 'auth-rejected', code: 'CONNACK_5', facts: { returnCode: 5 } });
    expect(r.detail).toMatch(/refused an anonymous client: CONNACK 5 \(not authorized\)/);
  });

  it('wrong password: fail (credentials were given), and the password never shows', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.auth}`, { username: 'alice', password: 'wrong-pw-123' });
    expect(r).toMatchObject({ outcome: 'fail', reason: 'auth-rejected', code: 'CONNACK_5' });
    expect(JSON.stringify(r)).not.toContain('wrong-pw-123');
  });

  it('right password from an environment variable: pass', async () => {
    process.env['FEDPROBE_TEST_MQTT_PW'] = 's3cret-mqtt';
    const r = await probeUrl(`mqtt://127.0.0.1:${port.auth}`, { username: 'alice', passwordEnv: 'FEDPROBE_TEST_MQTT_PW' });
    delete process.env['FEDPROBE_TEST_MQTT_PW'];
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(JSON.stringify(r)).not.toContain('s3cret-mqtt');
  });

  it('MQTT 5 with a wrong password: auth-rejected 0x87', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.auth}`, { version: '5', username: 'alice', password: 'nope' });
    expect(r).toMatchObject({ outcome: 'fail', reason: 'auth-rejected', code: 'CONNACK_135' });
  });

  it('TLS listener with the CA: pass, TLS facts under facts.tls', async () => {
    const r = await probeUrl(`mqtts://localhost:${port.tls}`, { ca: certs.caCert });
    expect(r).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { tls: { authorized: true, servername: 'localhost' } } });
  });

  it('TLS without the CA: tls-error', async () => {
    expect(await probeUrl(`mqtts://localhost:${port.tls}`)).toMatchObject({ outcome: 'fail', reason: 'tls-error' });
  });

  it('mutual TLS without a client certificate: warn, auth-rejected; with one: pass', async () => {
    const without = await probeUrl(`mqtts://localhost:${port.mtls}`, { ca: certs.caCert });
    expect(without).toMatchObject({ outcome: 'warn', reason: 'auth-rejected', code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED' });
    const withCert = await probeUrl(`mqtts://localhost:${port.mtls}`, { ca: certs.caCert, cert: certs.clientCert, key: certs.clientKey });
    expect(withCert).toMatchObject({ outcome: 'pass', reason: 'ok' });
  });

  it('plain MQTT to the TLS port: wrong-protocol or reset, never a pass', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.tls}`, {}, { timeoutMs: 1500 });
    expect(r.outcome).toBe('fail');
    expect(['wrong-protocol', 'reset']).toContain(r.reason);
  });

  it('WebSocket listener (subprotocol mqtt): pass over mqtt+ws, 3.1.1 and 5', async () => {
    expect(await probeUrl(`mqtt+ws://127.0.0.1:${port.ws}/mqtt`)).toMatchObject({ outcome: 'pass', reason: 'ok', facts: { transport: 'mqtt+ws' } });
    expect(await probeUrl(`mqtt+ws://127.0.0.1:${port.ws}`, { version: 5 })).toMatchObject({ outcome: 'pass', facts: { protocolVersion: '5.0' } });
  });

  it('plain MQTT to the WebSocket port: wrong-protocol', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.ws}`, {}, { timeoutMs: 1500 });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open' });
    expect(['wrong-protocol', 'no-response']).toContain(r.reason);
  });
});

describe('mqtt:// against the wrong service', () => {
  it('an HTTP server on the port: wrong-protocol, saying an HTTP server answered', async () => {
    const r = await probeUrl(`mqtt://127.0.0.1:${port.http}`);
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol' });
    expect(r.detail).toMatch(/an HTTP server answered \(HTTP\/1\.1 400 Bad Request\)/);
  });
  it('mqtt+ws to a plain HTTP server: the upgrade is refused, wrong-protocol', async () => {
    const r = await probeUrl(`mqtt+ws://127.0.0.1:${port.http}/mqtt`);
    expect(r).toMatchObject({ outcome: 'fail', reason: 'wrong-protocol', code: 'HTTP_200' });
  });
  it('a silent port: fail, open, no-response (no CONNACK before the deadline)', async () => {
    expect(await probeUrl(`mqtt://127.0.0.1:${silent.port}`, {}, { timeoutMs: 500 })).toMatchObject({ outcome: 'fail', state: 'open', reason: 'no-response' });
  });
  it('a closed port: fail, closed, refused', async () => {
    expect(await probeUrl(`mqtt://127.0.0.1:${port.closed}`)).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused' });
  });
});

describe('MQTT packets and the stand-in', () => {
  it('CONNECT bytes equal mqtt-packet\'s for 3.1.1 and 5, with and without credentials', () => {
    for (const protocolVersion of [4, 5] as const) {
      const ours = encodeConnect({ version: protocolVersion, clientId: 'fedprobe-abc', keepalive: 30, username: 'u', password: 'p' });
      const theirs = mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion, clean: true, clientId: 'fedprobe-abc', keepalive: 30, username: 'u', password: Buffer.from('p'), ...(protocolVersion === 5 && { properties: {} }) } as never);
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
    }
    const anon = encodeConnect({ version: 4, clientId: 'x', keepalive: 30 });
    expect(anon.toString('hex')).toBe(mqttPacket.generate({ cmd: 'connect', protocolId: 'MQTT', protocolVersion: 4, clean: true, clientId: 'x', keepalive: 30 } as never).toString('hex'));
  });

  it('CONNACK parsing: incomplete, complete, not MQTT', () => {
    expect(decodeConnack(Buffer.from([0x20]), 4)).toBeUndefined();
    expect(decodeConnack(Buffer.from([0x20, 0x02, 0x01, 0x05]), 4)).toEqual({ sessionPresent: true, code: 5 });
    expect(() => decodeConnack(Buffer.from('HTTP/1.1 400'), 4)).toThrow(/0x48, not a CONNACK/);
  });

  it('the stand-in broker answers a probe', async () => {
    expect(await probeUrl(`mqtt://127.0.0.1:${standIn.port}`)).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(await probeUrl(`mqtt://127.0.0.1:${standIn.port}`, { version: 5 })).toMatchObject({ outcome: 'pass', facts: { protocolVersion: '5.0' } });
  });
});
