// mqtt://, mqtts://, mqtt+ws://, mqtt+wss:// against a real mosquitto (anonymous, password, client
// id rules, TLS, mTLS, WebSocket), the wrong services an operator meets on an MQTT port (an HTTP
// server, sshd, a TLS port, a silent or hanging-up port), the stand-in broker, and the packets
// themselves against mqtt-packet.
import { createServer as createHttpServer, type Server } from 'node:http';
import { connect, createServer as createTcpServer, type Server as TcpServer } from 'node:net';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mqttPacket from 'mqtt-packet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MALFORMED_CONNACK, connackMeaning, decodeConnack, encodeConnect } from '../../src/probers/mqtt-packets.js';
import { mqttOptions } from '../../src/probers/mqtt.js';
import type { RunningStandIn } from '../../src/respond/kinds.js';
import { startMqttStandIn } from '../../src/respond/mqtt.js';
import { makeCerts, type TestCerts } from '../helpers/certs.js';
import { silentServer, sshBannerServer, type FakeServer } from '../helpers/fake-servers.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';
import { runCli } from '../helpers/cli.js';
import { probeUrl } from '../helpers/probe.js';
import { freePort } from '../helpers/servers.js';

type Listener = 'anon' | 'auth' | 'noEmptyId' | 'tls' | 'mtls' | 'ws' | 'wss' | 'wssMtls';
const USER = 'alice';
const PASSWORD = 's3cret-mqtt';

let certs: TestCerts;
let broker: Mosquitto<Listener>;
let port: Record<Listener, number>;
let http: Server;
let httpPort: number;
let hangUp: TcpServer;
let hangUpPort: number;
let silent: FakeServer;
let ssh: FakeServer;
let standIn: RunningStandIn;
let tlsStandIn: RunningStandIn;
let closedPort: number;

beforeAll(async () => {
  certs = await makeCerts();
  const tls = { cert: certs.serverCert, key: certs.serverKey };
  const mtls = { ...tls, ca: certs.caCert, requireCertificate: true };
  broker = await startMosquitto<Listener>({
    anon: {},
    auth: { users: { [USER]: PASSWORD } },
    // With this, mosquitto refuses an empty client id: a real "connection not accepted" CONNACK.
    noEmptyId: { extra: ['allow_zero_length_clientid false'] },
    tls: { tls },
    mtls: { tls: mtls },
    ws: { protocol: 'websockets' },
    wss: { protocol: 'websockets', tls },
    wssMtls: { protocol: 'websockets', tls: mtls },
  });
  port = broker.ports;
  http = createHttpServer((_req, res) => res.end('hello'));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  httpPort = (http.address() as { port: number }).port;
  // Reads the CONNECT and hangs up without a word: a fake, since no real service does only this on
  // demand (a broker at its connection limit, or a service that drops what it cannot parse).
  hangUp = createTcpServer((s) => s.once('data', () => s.destroy()).on('error', () => {}));
  await new Promise<void>((r) => hangUp.listen(0, '127.0.0.1', r));
  hangUpPort = (hangUp.address() as { port: number }).port;
  silent = await silentServer();
  ssh = await sshBannerServer();
  standIn = await startMqttStandIn('127.0.0.1', 0);
  tlsStandIn = await startMqttStandIn('127.0.0.1', 0, {
    cert: readFileSync(certs.serverCert, 'utf8'),
    key: readFileSync(certs.serverKey, 'utf8'),
  });
  closedPort = await freePort();
}, 60_000);

afterAll(async () => {
  await broker?.stop();
  await new Promise<void>((r) => (http ? http.close(() => r()) : r()));
  await new Promise<void>((r) => (hangUp ? hangUp.close(() => r()) : r()));
  await silent?.close();
  await ssh?.close();
  await standIn?.close();
  await tlsStandIn?.close();
  if (certs) rmSync(certs.dir, { recursive: true, force: true });
});

const broker1 = (p: number) => `mqtt://127.0.0.1:${p}`;
const FIXTURES = fileURLToPath(new URL('../fixtures/mqtt/', import.meta.url));

/** The fixture profile's rows mqtt and mqtt5 against the password listener, through the CLI, with
 * the secret given the operator's way (env or --set …_file); results by row id. */
async function checkSecret(env: NodeJS.ProcessEnv, args: string[]) {
  const profile = join(FIXTURES, 'secret-password.yaml');
  const only = ['--only', 'mqtt,mqtt5', '--format', 'json'];
  const r = await runCli(['check', profile, '--set', `broker_port=${port.auth}`, ...only, ...args], env);
  const rows = (JSON.parse(r.stdout) as { results: { id: string }[] }).results;
  const results = Object.fromEntries(rows.map((x) => [x.id, x]));
  return { ...r, results };
}

describe('mqtt:// against mosquitto', () => {
  it(
    'anonymous broker: pass, open, ok, CONNACK 0 in MQTT 3.1.1; DISCONNECT sent, so mosquitto logs a clean ' +
      'goodbye',
    async () => {
      const r = await probeUrl(broker1(port.anon));
      expect(r).toMatchObject({
        outcome: 'pass',
        state: 'open',
        reason: 'ok',
        facts: {
          protocolVersion: '3.1.1',
          transport: 'mqtt',
          returnCode: 0,
          sessionPresent: false,
          credentialsGiven: false,
        },
      });
      expect(r.detail).toBe('MQTT 3.1.1 broker accepted the connection: CONNACK 0 (connection accepted)');
      expect(typeof r.timings.handshakeMs).toBe('number');
      // "disconnected." follows a DISCONNECT; a bare close logs "closed its connection" instead.
      const id = /Client (fedprobe-[0-9a-f]{12}) disconnected\./;
      await expect.poll(() => broker.output(), { timeout: 2000 }).toMatch(id);
    },
  );

  it('MQTT 5, as YAML gives it (5 or "5"): pass with reason code 0x00', async () => {
    for (const version of [5, '5'] as const) {
      const r = await probeUrl(broker1(port.anon), { version });
      expect(r).toMatchObject({
        outcome: 'pass',
        state: 'open',
        reason: 'ok',
        facts: { protocolVersion: '5.0', returnCode: 0 },
      });
      expect(r.detail).toBe('MQTT 5.0 broker accepted the connection: CONNACK 0x00 (success)');
    }
    expect(await probeUrl(broker1(port.anon), { version: '3.1.1' })).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
      facts: { protocolVersion: '3.1.1' },
    });
  });

  it('password required, none given: warn, open, auth-rejected, CONNACK 5 (mosquitto answers 5, not 4)', async () => {
    const r = await probeUrl(broker1(port.auth));
    expect(r).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_5',
      facts: { returnCode: 5, credentialsGiven: false },
    });
    expect(r.detail).toBe('the MQTT broker refused an anonymous client: CONNACK 5 (not authorized)');
  });

  it('password required, none given, MQTT 5: warn, auth-rejected, 0x87', async () => {
    const r = await probeUrl(broker1(port.auth), { version: 5 });
    expect(r).toMatchObject({
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_135',
      facts: { returnCode: 0x87 },
    });
    expect(r.detail).toBe('the MQTT broker refused an anonymous client: CONNACK 0x87 (not authorized)');
  });

  it('wrong password: fail (credentials were given), auth-rejected, and the password shows nowhere', async () => {
    const r = await probeUrl(broker1(port.auth), { username: USER, password: 'wrong-pw-123' });
    expect(r).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_5',
      facts: { credentialsGiven: true },
    });
    expect(r.detail).toBe('the MQTT broker refused these credentials: CONNACK 5 (not authorized)');
    expect(JSON.stringify(r)).not.toContain('wrong-pw-123');
    expect(broker.output()).not.toContain('wrong-pw-123');
  });

  it('wrong password, MQTT 5: fail, auth-rejected, 0x87', async () => {
    expect(await probeUrl(broker1(port.auth), { version: '5', username: USER, password: 'nope' })).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_135',
    });
  });

  it('right password from a secret variable (FEDPROBE_VAR_, --set <name>_file): pass, 3.1.1 and 5', async () => {
    const fromEnv = await checkSecret({ FEDPROBE_VAR_MQTT_PASSWORD: PASSWORD }, []);
    const file = join(certs.dir, 'mqtt-password');
    writeFileSync(file, `${PASSWORD}\n`); // the trailing newline an editor leaves is not part of it
    const fromFile = await checkSecret({}, ['--set', `mqtt_password_file=${file}`]);
    for (const run of [fromEnv, fromFile]) {
      expect(run.code).toBe(0);
      expect(run.results.mqtt).toMatchObject({
        outcome: 'pass',
        state: 'open',
        reason: 'ok',
        facts: { protocolVersion: '3.1.1', credentialsGiven: true },
      });
      expect(run.results.mqtt5).toMatchObject({
        outcome: 'pass',
        state: 'open',
        reason: 'ok',
        facts: { protocolVersion: '5.0' },
      });
      expect(run.stdout + run.stderr).not.toContain(PASSWORD);
    }
  });

  it('wrong password from a secret variable: fail (credentials given), auth-rejected, CONNACK 5 / 0x87', async () => {
    const run = await checkSecret({ FEDPROBE_VAR_MQTT_PASSWORD: 'wrong-pw-456' }, []);
    expect(run.code).toBe(1);
    const rejected = { outcome: 'fail', state: 'open', reason: 'auth-rejected' };
    expect(run.results.mqtt).toMatchObject({
      ...rejected,
      code: 'CONNACK_5',
      detail: 'the MQTT broker refused these credentials: CONNACK 5 (not authorized)',
    });
    expect(run.results.mqtt5).toMatchObject({ ...rejected, code: 'CONNACK_135' });
    expect(run.stdout + run.stderr).not.toContain('wrong-pw-456');
  });

  it('no passwordFile / passwordEnv: a profile naming a local file or environment variable does not load', async () => {
    for (const key of ['passwordFile', 'passwordEnv']) {
      expect(mqttOptions.safeParse({ username: USER, [key]: '/etc/shadow' }).success, key).toBe(false);
    }
    const r = await runCli(['validate', join(FIXTURES, 'password-file.yaml')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('passwordFile');
    expect(r.stdout).not.toContain('/etc/shadow');
  });

  it('client id rejected: fail, open, not-serving, CONNACK 2 (MQTT proven, not let in); MQTT 5: 0x80', async () => {
    const v4 = await probeUrl(broker1(port.noEmptyId), { clientId: '' });
    expect(v4).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'not-serving',
      code: 'CONNACK_2',
      facts: { returnCode: 2 },
    });
    expect(v4.detail).toBe(
      'the MQTT broker answered but refused the connection: CONNACK 2 (client identifier rejected)',
    );
    // mosquitto 2.0 answers a v5 client with "unspecified error", not 0x85 "client identifier not valid".
    const v5 = await probeUrl(broker1(port.noEmptyId), { clientId: '', version: 5 });
    expect(v5).toMatchObject({ outcome: 'fail', state: 'open', reason: 'not-serving', code: 'CONNACK_128' });
    expect(await probeUrl(broker1(port.noEmptyId), { clientId: 'site-a-probe' })).toMatchObject({
      outcome: 'pass',
      reason: 'ok',
    });
  });
});

describe('mqtts:// against mosquitto', () => {
  it('TLS listener with the CA: pass over TLSv1.3, TLS facts under facts.tls', async () => {
    const r = await probeUrl(`mqtts://localhost:${port.tls}`, { ca: certs.caCert });
    expect(r).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: {
        transport: 'mqtts',
        returnCode: 0,
        tls: { authorized: true, servername: 'localhost', protocol: 'TLSv1.3' },
      },
    });
    // The runner puts the address first when the row names a host.
    expect(r.detail).toBe(
      '127.0.0.1: MQTT 3.1.1 broker accepted the connection over TLSv1.3: CONNACK 0 (connection accepted)',
    );
  });

  it('TLS without the CA: fail, open, tls-error', async () => {
    expect(await probeUrl(`mqtts://localhost:${port.tls}`)).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'tls-error',
      code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
    });
  });

  it(
    'mutual TLS without a client certificate: warn, auth-rejected (TLS 1.3 alert after the handshake); with one: ' +
      'pass',
    async () => {
      const without = await probeUrl(`mqtts://localhost:${port.mtls}`, { ca: certs.caCert });
      expect(without).toMatchObject({
        outcome: 'warn',
        state: 'open',
        reason: 'auth-rejected',
        code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
        facts: { transport: 'mqtts', tls: { protocol: 'TLSv1.3', authorized: true } },
      });
      const withCert = await probeUrl(`mqtts://localhost:${port.mtls}`, {
        ca: certs.caCert,
        cert: certs.clientCert,
        key: certs.clientKey,
      });
      expect(withCert).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    },
  );

  it(
    'plain MQTT to the TLS port: mosquitto resets on our CONNECT → ' + 'fail, open, wrong-protocol, ECONNRESET',
    async () => {
      const r = await probeUrl(broker1(port.tls));
      expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'ECONNRESET' });
      expect(r.detail).toContain('a TLS port? then use mqtts://');
    },
  );

  it('TLS to the plain MQTT port: mosquitto resets on our ClientHello → fail, open, wrong-protocol', async () => {
    const r = await probeUrl(`mqtts://localhost:${port.anon}`, { ca: certs.caCert });
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'ECONNRESET' });
    expect(r.detail).toContain('the port speaks plain text, not TLS');
  });
});

describe('mqtt+ws:// and mqtt+wss:// against mosquitto', () => {
  it('WebSocket listener (subprotocol mqtt): pass in 3.1.1 and 5; mosquitto ignores the path', async () => {
    expect(await probeUrl(`mqtt+ws://127.0.0.1:${port.ws}/mqtt`)).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { transport: 'mqtt+ws', protocolVersion: '3.1.1' },
    });
    expect(await probeUrl(`mqtt+ws://127.0.0.1:${port.ws}`, { version: 5, path: '/anything' })).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { protocolVersion: '5.0' },
    });
  });

  it('WebSocket over TLS with the CA: pass, ALPN http/1.1', async () => {
    const r = await probeUrl(`mqtt+wss://localhost:${port.wss}/mqtt`, { ca: certs.caCert });
    expect(r).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { transport: 'mqtt+wss', tls: { authorized: true, alpn: 'http/1.1' } },
    });
  });

  it(
    'WebSocket over mutual TLS: without a client certificate warn/auth-rejected (the alert lands in the upgrade); ' +
      'with one pass',
    async () => {
      const without = await probeUrl(`mqtt+wss://localhost:${port.wssMtls}/mqtt`, { ca: certs.caCert });
      expect(without).toMatchObject({
        outcome: 'warn',
        state: 'open',
        reason: 'auth-rejected',
        code: 'ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED',
        facts: { transport: 'mqtt+wss', tls: { protocol: 'TLSv1.3' } },
      });
      const withCert = await probeUrl(`mqtt+wss://localhost:${port.wssMtls}/mqtt`, {
        ca: certs.caCert,
        cert: certs.clientCert,
        key: certs.clientKey,
      });
      expect(withCert).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    },
  );

  it(
    'plain MQTT to the WebSocket port: mosquitto answers "HTTP/1.0 403 ' + 'Forbidden" → fail, open, wrong-protocol',
    async () => {
      const r = await probeUrl(broker1(port.ws));
      expect(r).toMatchObject({
        outcome: 'fail',
        state: 'open',
        reason: 'wrong-protocol',
        facts: { transport: 'mqtt', firstText: expect.stringMatching(/^HTTP\/1\.0 403 Forbidden/) },
      });
      expect(r.detail).toBe('the port does not speak MQTT: an HTTP server answered (HTTP/1.0 403 Forbidden)');
    },
  );

  it('WebSocket to the plain MQTT port: mosquitto hangs up on our GET → fail, open, wrong-protocol', async () => {
    const r = await probeUrl(`mqtt+ws://127.0.0.1:${port.anon}/mqtt`);
    expect(r).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
      code: 'ECONNRESET',
      facts: { transport: 'mqtt+ws' },
    });
    expect(r.detail).toContain(
      'without an HTTP answer: not a WebSocket endpoint (a plain MQTT port? then use mqtt://)',
    );
  });
});

describe('mqtt:// against the wrong service', () => {
  it('an HTTP server: fail, open, wrong-protocol, "an HTTP server answered" with its first bytes', async () => {
    const r = await probeUrl(broker1(httpPort));
    expect(r).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'wrong-protocol',
      facts: {
        firstBytes: expect.stringMatching(/^485454502f312e3120343030/),
        firstText: expect.stringMatching(/^HTTP\/1\.1 400 Bad Request/),
      },
    });
    expect(r.detail).toBe('the port does not speak MQTT: an HTTP server answered (HTTP/1.1 400 Bad Request)');
  });

  it('mqtt+ws to an HTTP server that does not upgrade: fail, open, wrong-protocol with the status', async () => {
    const r = await probeUrl(`mqtt+ws://127.0.0.1:${httpPort}/mqtt`);
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol', code: 'HTTP_200' });
    expect(r.detail).toMatch(/^the WebSocket upgrade on \/mqtt was answered with HTTP 200 OK/);
  });

  it('sshd: fail, open, wrong-protocol, "an SSH server answered"', async () => {
    const r = await probeUrl(broker1(ssh.port));
    expect(r).toMatchObject({ outcome: 'fail', state: 'open', reason: 'wrong-protocol' });
    expect(r.detail).toBe(
      'the port does not speak MQTT: an SSH server answered (SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3)',
    );
  });

  // No byte: neither MQTT nor another service is proven, so not wrong-protocol ("another service").
  it('a port that reads our CONNECT and hangs up: fail, open, no-response', async () => {
    const r = await probeUrl(broker1(hangUpPort));
    expect(r).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'no-response',
      code: 'MQTT_CLOSED_WITHOUT_ANSWER',
    });
    expect(r.detail).toBe(
      'the port accepted the connection, then closed it without a byte in answer to our MQTT ' +
        'CONNECT: no CONNACK, so MQTT is not proven (a broker refusing this client without a word, or another ' +
        'service ' +
        'dropping what it cannot parse)',
    );
  });

  it('the same port with MQTT 5: one 3.1.1 retry on a new connection, both silences told', async () => {
    const r = await probeUrl(broker1(hangUpPort), { version: 5 });
    expect(r).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'no-response',
      code: 'MQTT_CLOSED_WITHOUT_ANSWER',
      facts: { protocolVersion: '3.1.1', mqtt5Attempt: 'closed the connection without an answer' },
    });
    expect(r.detail).toContain(
      'in answer to our MQTT CONNECT (MQTT 3.1.1; our MQTT 5.0 CONNECT before it: ' +
        'closed the connection): no CONNACK',
    );
  });

  it('a silent port: fail, open, no-response (no CONNACK before the deadline)', async () => {
    expect(await probeUrl(broker1(silent.port), {}, { timeoutMs: 500 })).toMatchObject({
      outcome: 'fail',
      state: 'open',
      reason: 'no-response',
    });
  });

  it('a closed port: fail, closed, refused', async () => {
    expect(await probeUrl(broker1(closedPort))).toMatchObject({
      outcome: 'fail',
      state: 'closed',
      reason: 'refused',
      code: 'ECONNREFUSED',
    });
  });
});

describe('the MQTT stand-in', () => {
  it('answers a probe: pass in 3.1.1 and 5', async () => {
    expect(await probeUrl(broker1(standIn.port))).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { protocolVersion: '3.1.1', returnCode: 0 },
    });
    expect(await probeUrl(broker1(standIn.port), { version: 5 })).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { protocolVersion: '5.0', returnCode: 0 },
    });
  });

  it('over TLS, for mqtts:// rows: pass', async () => {
    expect(await probeUrl(`mqtts://localhost:${tlsStandIn.port}`, { ca: certs.caCert })).toMatchObject({
      outcome: 'pass',
      state: 'open',
      reason: 'ok',
      facts: { transport: 'mqtts', tls: { authorized: true } },
    });
  });

  it('CONNECT and DISCONNECT in one segment: CONNACK, then it closes; HTTP: closed without a byte', async () => {
    const talk = (bytes: Buffer) =>
      new Promise<string>((resolve, reject) => {
        const s = connect(standIn.port, '127.0.0.1', () => s.write(bytes));
        let got = '';
        s.on('data', (d) => (got += d.toString('hex')));
        s.on('close', () => resolve(got));
        s.on('error', reject);
      });
    const connectPkt = encodeConnect({ version: 4, clientId: 'x', keepalive: 30 });
    expect(await talk(Buffer.concat([connectPkt, Buffer.from([0xe0, 0x00])]))).toBe('20020000');
    expect(await talk(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'))).toBe('');
  });
});

describe('MQTT packets', () => {
  it("CONNECT bytes equal mqtt-packet's, 3.1.1 and 5, with and without credentials", () => {
    for (const protocolVersion of [4, 5] as const) {
      const v5 = protocolVersion === 5 && { properties: {} };
      const ours = encodeConnect({
        version: protocolVersion,
        clientId: 'fedprobe-abc',
        keepalive: 30,
        username: 'u',
        password: 'p',
      });
      const theirs = mqttPacket.generate({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion,
        clean: true,
        clientId: 'fedprobe-abc',
        keepalive: 30,
        username: 'u',
        password: Buffer.from('p'),
        ...v5,
      } as never);
      expect(ours.toString('hex')).toBe(theirs.toString('hex'));
      const anon = encodeConnect({ version: protocolVersion, clientId: 'fedprobe-0123456789ab', keepalive: 30 });
      expect(anon.toString('hex')).toBe(
        mqttPacket
          .generate({
            cmd: 'connect',
            protocolId: 'MQTT',
            protocolVersion,
            clean: true,
            clientId: 'fedprobe-0123456789ab',
            keepalive: 30,
            ...v5,
          } as never)
          .toString('hex'),
      );
    }
    // The bytes written down in the protocol notes (keepalive 60, empty id; u/p with keepalive 30).
    expect(encodeConnect({ version: 4, clientId: '', keepalive: 60 }).toString('hex')).toBe(
      '100c00044d5154540402003c0000',
    );
    expect(encodeConnect({ version: 5, clientId: '', keepalive: 60 }).toString('hex')).toBe(
      '100d00044d5154540502003c000000',
    );
    expect(
      encodeConnect({ version: 4, clientId: 'p', keepalive: 30, username: 'u', password: 'p' }).toString('hex'),
    ).toBe('101300044d51545404c2001e000170000175000170');
  });

  it('CONNACK: incomplete, 3.1.1, 5 with properties (reason string, server reference), not a CONNACK', () => {
    expect(decodeConnack(Buffer.from([0x20]), 4)).toBeUndefined();
    expect(decodeConnack(Buffer.from([0x20, 0x02, 0x01]), 4)).toBeUndefined();
    expect(decodeConnack(Buffer.from([0x20, 0x02, 0x01, 0x05]), 4)).toEqual({ sessionPresent: true, code: 5 });
    // mosquitto 2.0.11's v5 success, properties TopicAliasMaximum and ReceiveMaximum.
    expect(decodeConnack(Buffer.from('200900000622000a210014', 'hex'), 5)).toEqual({ sessionPresent: false, code: 0 });
    const moved = mqttPacket.generate(
      {
        cmd: 'connack',
        sessionPresent: false,
        reasonCode: 0x9d,
        properties: {
          topicAliasMaximum: 10,
          userProperties: { a: 'b' },
          reasonString: 'maintenance',
          serverReference: 'mqtt2.example.org',
        },
      } as never,
      { protocolVersion: 5 },
    );
    expect(decodeConnack(moved, 5)).toEqual({
      sessionPresent: false,
      code: 0x9d,
      reasonString: 'maintenance',
      serverReference: 'mqtt2.example.org',
    });
    expect(() => decodeConnack(Buffer.from('HTTP/1.1 400'), 4)).toThrow(/0x48, not a CONNACK/);
    expect(() => decodeConnack(Buffer.from([0x20, 0x02, 0x04, 0x00]), 4)).toThrow(/reserved flag bits/);
  });

  it('malformed CONNACKs throw (code MQTT_MALFORMED_CONNACK) with what is wrong: length, flags, properties', () => {
    const cases: [string, 4 | 5, RegExp][] = [
      ['2003000000', 4, /an MQTT 3\.1\.1 CONNACK of 3 bytes is malformed \(it has exactly 2\)/],
      ['20ffffffff01', 5, /remaining length is not a valid MQTT length/],
      ['20020000', 5, /accepts the connection has no property length/],
      ['2003000005', 5, /properties \(5 bytes\) do not fill its remaining 1 bytes/],
      ['200500000321 00'.replace(' ', ''), 5, /properties \(3 bytes\) do not fill its remaining 3 bytes/],
      ['2005000002ff00', 5, /property id 0xff, which MQTT 5 does not define for a CONNACK/],
      ['20060000031f0005', 5, /the reason string property runs past the end of the CONNACK/],
      ['2007000004240024 00'.replace(' ', ''), 5, /repeats the maximum QoS property/],
      ['200500000225 07'.replace(' ', ''), 5, /the retain available property is 7, not 0 or 1/],
      ['20080000051f0002c328', 5, /the reason string property is not valid UTF-8/],
      ['200600000321 0000'.replace(' ', ''), 5, /the receive maximum property is 0/],
      ['2003010000', 4, /CONNACK of 3 bytes/],
      ['20020200', 4, /reserved flag bits/],
    ];
    for (const [hex, version, message] of cases) {
      let thrown: unknown;
      try {
        decodeConnack(Buffer.from(hex, 'hex'), version);
      } catch (e) {
        thrown = e;
      }
      expect(thrown, hex).toMatchObject({
        code: MALFORMED_CONNACK,
        reason: 'wrong-protocol',
        message: expect.stringMatching(message),
      });
    }
    // Legal: a repeated user property; a 3.1.1-form refusal to a v5 CONNECT (20 02 00 01).
    const connack = (reasonCode: number, properties: object) =>
      mqttPacket.generate({ cmd: 'connack', sessionPresent: false, reasonCode, properties } as never, {
        protocolVersion: 5,
      });
    const users = connack(0, { userProperties: { a: ['b', 'c'] } });
    expect(decodeConnack(users, 5)).toEqual({ sessionPresent: false, code: 0 });
    expect(decodeConnack(Buffer.from('20020001', 'hex'), 5)).toEqual({ sessionPresent: false, code: 1 });
    // A 600-character reason string is kept to 200 characters and an ellipsis.
    const long = connack(0x87, { reasonString: 'x'.repeat(600) });
    expect(decodeConnack(long, 5)?.reasonString).toBe(`${'x'.repeat(200)}…`);
  });

  it('every return code has a reason and a sentence', () => {
    const expected: [number, 4 | 5, string, string][] = [
      [0, 4, 'ok', 'connection accepted'],
      [1, 4, 'not-serving', 'unacceptable protocol version'],
      [2, 4, 'not-serving', 'client identifier rejected'],
      [3, 4, 'not-serving', 'server unavailable'],
      [4, 4, 'auth-rejected', 'bad user name or password'],
      [5, 4, 'auth-rejected', 'not authorized'],
      [0x00, 5, 'ok', 'success'],
      [0x86, 5, 'auth-rejected', 'bad user name or password'],
      [0x87, 5, 'auth-rejected', 'not authorized'],
      [0x8a, 5, 'auth-rejected', 'banned'],
      [0x8c, 5, 'auth-rejected', 'bad authentication method'],
      [0x84, 5, 'not-serving', 'unsupported protocol version'],
      [0x85, 5, 'not-serving', 'client identifier not valid'],
      [0x88, 5, 'not-serving', 'server unavailable'],
      [0x89, 5, 'not-serving', 'server busy'],
      [0x9c, 5, 'not-serving', 'use another server'],
      [0x9d, 5, 'not-serving', 'server moved'],
      [0x9f, 5, 'not-serving', 'connection rate exceeded'],
      [0x42, 5, 'not-serving', 'unknown return code 66'],
      [9, 4, 'not-serving', 'unknown return code 9'],
    ];
    for (const [code, version, reason, text] of expected)
      expect(connackMeaning(code, version), `${version}/${code}`).toEqual({ reason, text });
    // A 3.1.1-only broker answers a v5 CONNECT with `20 02 00 01`: still MQTT, and says what to change.
    expect(connackMeaning(1, 5)).toMatchObject({
      reason: 'not-serving',
      text: expect.stringContaining('probe with version 3.1.1'),
    });
    for (const code of [0x80, 0x81, 0x82, 0x83, 0x90, 0x95, 0x97, 0x99, 0x9a, 0x9b])
      expect(connackMeaning(code, 5).reason).toBe('not-serving');
  });

  it('options: version as YAML gives it, unknown keys and versions refused', () => {
    for (const version of ['3.1.1', '5', 4, 5])
      expect(mqttOptions.safeParse({ version }).success, String(version)).toBe(true);
    for (const version of ['3', 3, '6', 6, '3.1'])
      expect(mqttOptions.safeParse({ version }).success, String(version)).toBe(false);
    expect(mqttOptions.safeParse({ pasword: 'x' }).success).toBe(false);
    expect(mqttOptions.safeParse({ path: 'mqtt' }).success).toBe(false);
    const all = {
      username: 'u',
      password: 'from-a-secret',
      path: '/ws',
      clientId: 'site-a',
      ca: '/etc/ca.pem',
      servername: 'mqtt.example.org',
    };
    expect(mqttOptions.safeParse(all).success).toBe(true);
  });
});
