// Servers that ask for client certificates, and a wire oracle to check what they asked.
//  - nginx `http` with ssl_verify_client (on / optional / none) per TLS version: it completes the
//    handshake without a certificate and refuses in HTTP (400 "No required SSL certificate was sent").
//  - openssl s_server -Verify (require) / -verify (request only), with -verify_return_error so that
//    an untrusted client certificate is refused on the TLS layer (s_server ignores it otherwise).
//  - a client certificate from another CA (openssl, at test time).
//  - wireHandshake(): the server's handshake message types as they cross the wire in clear, read
//    by a tee between the TCP socket and node:tls — the truth clientCertRequested is checked against.
import { execFile } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { connect as netConnect } from 'node:net';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { connect as tlsConnect } from 'node:tls';
import { promisify } from 'node:util';
import type { TestCerts } from './certs.js';
import { freePort, startNginx, startProcess, type Nginx, type ServerProcess } from './servers.js';

const run = promisify(execFile);

export interface MtlsPorts {
  /** ssl_verify_client on, TLS 1.2 only. */
  tls12: number;
  /** ssl_verify_client on, TLS 1.3 only. */
  tls13: number;
  /** ssl_verify_client on, TLS 1.2 and 1.3. */
  both: number;
  /** No client certificate asked for. */
  noAsk: number;
  /** ssl_verify_client optional: asks, serves without one. */
  optional: number;
  /** ssl_verify_client on, error_page 495 =495 and 496 =496: those statuses go out as themselves. */
  statuses: number;
  /** ssl_verify_client on, error_page 495 496 with the site's own page: 400 without nginx's words. */
  customPage: number;
}

/** Every port serves GET /is_up → 200 "OK" (as Swarm's SN API does) and / → 200 "mtls ok". */
export async function startMtlsNginx(
  c: TestCerts,
  o: { host?: string; ports?: Partial<MtlsPorts> } = {},
): Promise<{ nginx: Nginx; ports: MtlsPorts }> {
  const host = o.host ?? '127.0.0.1';
  const names = ['tls12', 'tls13', 'both', 'noAsk', 'optional', 'statuses', 'customPage'] as const;
  const ports = {} as MtlsPorts;
  for (const n of names) ports[n] = o.ports?.[n] ?? (await freePort(host));
  const pages =
    'default_type text/plain; location = /is_up { return 200 "OK"; } ' + 'location = / { return 200 "mtls ok\\n"; }';
  const cert =
    `ssl_certificate ${c.serverCert}; ssl_certificate_key ${c.serverKey}; ` + `ssl_client_certificate ${c.caCert};`;
  const errorFile = 'location = /cert-error.txt { internal; }';
  const server = (port: number, protocols: string, verify: string, extra = '') =>
    `  server { listen ${host}:${port} ssl; ssl_protocols ${protocols}; ${cert} ${verify} ${pages} ${extra} }`;
  const http = [
    server(ports.tls12, 'TLSv1.2', 'ssl_verify_client on;'),
    server(ports.tls13, 'TLSv1.3', 'ssl_verify_client on;'),
    server(ports.both, 'TLSv1.2 TLSv1.3', 'ssl_verify_client on;'),
    server(ports.noAsk, 'TLSv1.2 TLSv1.3', ''),
    server(ports.optional, 'TLSv1.2 TLSv1.3', 'ssl_verify_client optional;'),
    server(
      ports.statuses,
      'TLSv1.2 TLSv1.3',
      'ssl_verify_client on;',
      `root html; error_page 495 =495 /cert-error.txt; error_page 496 =496 /cert-error.txt; ${errorFile}`,
    ),
    // Without "=", nginx still answers 400, now with the site's page instead of its own words.
    server(
      ports.customPage,
      'TLSv1.2 TLSv1.3',
      'ssl_verify_client on;',
      `root html; error_page 495 496 /cert-error.txt; ${errorFile}`,
    ),
  ].join('\n');
  const nginx = await startNginx({ http, waitFor: Object.values(ports), host });
  // The static error page is read by nginx's unprivileged worker.
  await chmod(nginx.dir, 0o755);
  await chmod(join(nginx.dir, 'html'), 0o755);
  await writeFile(join(nginx.dir, 'html', 'cert-error.txt'), 'client certificate problem\n', { mode: 0o644 });
  return { nginx, ports };
}

export interface SServer extends ServerProcess {
  port: number;
}

/**
 * openssl s_server -www: `require` (-Verify 1: no certificate, no session) or `request` (-verify 1:
 * asks, goes on without one); -verify_return_error refuses an untrusted one with an alert.
 */
export async function startSServer(
  c: TestCerts,
  mode: 'require' | 'request',
  version: 'tls1_2' | 'tls1_3',
  extra: string[] = [],
): Promise<SServer> {
  const port = await freePort();
  const proc = await startProcess(
    'openssl',
    [
      's_server',
      '-quiet',
      '-www',
      '-accept',
      `127.0.0.1:${port}`,
      '-cert',
      c.serverCert,
      '-key',
      c.serverKey,
      '-CAfile',
      c.caCert,
      mode === 'require' ? '-Verify' : '-verify',
      '1',
      '-verify_return_error',
      `-${version}`,
      ...extra,
    ],
    [port],
  );
  return { ...proc, port };
}

/** A client certificate (clientAuth) from a CA the servers do not trust. */
export async function otherCaClient(dir: string): Promise<{ cert: string; key: string }> {
  const openssl = (args: string[]) => run('openssl', args, { cwd: dir });
  const key = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl([
    'req',
    '-x509',
    ...key,
    '-keyout',
    'other-ca.key',
    '-out',
    'other-ca.crt',
    '-days',
    '30',
    '-subj',
    '/CN=other CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  ]);
  await openssl(['req', ...key, '-keyout', 'other-client.key', '-out', 'other-client.csr', '-subj', '/CN=stranger']);
  const ext = 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n';
  await writeFile(join(dir, 'other-client.ext'), ext);
  await openssl([
    'x509',
    '-req',
    '-in',
    'other-client.csr',
    '-CA',
    'other-ca.crt',
    '-CAkey',
    'other-ca.key',
    '-CAcreateserial',
    '-days',
    '30',
    '-extfile',
    'other-client.ext',
    '-out',
    'other-client.crt',
  ]);
  return { cert: join(dir, 'other-client.crt'), key: join(dir, 'other-client.key') };
}

/** Handshake message types (RFC 8446 §4): 2 ServerHello, 11 Certificate, 12 ServerKeyExchange,
 * 13 CertificateRequest, 14 ServerHelloDone. */
export const CERTIFICATE_REQUEST = 13;

/** At most this many bytes from the server are parsed; the first flight is a few KiB. */
const WIRE_LIMIT = 64 * 1024;

/**
 * Connects with node:tls over a tee and returns the handshake message types the server sent in
 * clear: every one in TLS 1.2 up to its ChangeCipherSpec, only the ServerHello in TLS 1.3 (the
 * rest, CertificateRequest included, is encrypted). Parses record and handshake headers only.
 */
export async function wireHandshake(
  port: number,
  maxVersion: 'TLSv1.2' | 'TLSv1.3',
  host = '127.0.0.1',
): Promise<{ protocol: string | null; clear: number[] }> {
  const raw = netConnect({ host, port });
  await new Promise<void>((resolve, reject) => raw.once('connect', resolve).once('error', reject));
  const clear: number[] = [];
  let records = Buffer.alloc(0);
  let messages = Buffer.alloc(0);
  let seen = 0;
  let encrypted = false;
  const observe = (chunk: Buffer) => {
    if (encrypted || seen > WIRE_LIMIT) return;
    seen += chunk.length;
    records = Buffer.concat([records, chunk]);
    while (records.length >= 5 && !encrypted) {
      const type = records[0]!;
      const end = 5 + records.readUInt16BE(3);
      if (records.length < end) break;
      if (type === 20)
        encrypted = true; // ChangeCipherSpec: what follows (TLS 1.2 Finished) is encrypted
      else if (type === 23)
        encrypted = true; // TLS 1.3: everything after the ServerHello
      else if (type === 22) messages = Buffer.concat([messages, records.subarray(5, end)]);
      records = records.subarray(end);
      // A handshake message may span records, and a record may hold several messages.
      while (messages.length >= 4 && messages.length >= 4 + messages.readUIntBE(1, 3)) {
        clear.push(messages[0]!);
        messages = messages.subarray(4 + messages.readUIntBE(1, 3));
      }
    }
  };
  const tee = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      raw.write(chunk, cb);
    },
    final(cb) {
      raw.end();
      cb();
    },
    destroy(err, cb) {
      raw.destroy();
      cb(err);
    },
  });
  raw.on('data', (d: Buffer) => {
    observe(d);
    tee.push(d);
  });
  raw.on('end', () => tee.push(null));
  raw.on('error', (e) => tee.destroy(e));
  const socket = tlsConnect({ socket: tee, rejectUnauthorized: false, maxVersion, minVersion: maxVersion });
  const protocol = await new Promise<string | null>((resolve) => {
    socket.once('secureConnect', () => resolve(socket.getProtocol()));
    socket.once('error', () => resolve(null));
  });
  socket.destroy();
  return { protocol, clear };
}
