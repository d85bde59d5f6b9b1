// Test certificates made with the openssl CLI in a scratch folder: a CA, a good server cert, an
// expired one, a self-signed one, one for the wrong name, and a client cert for mTLS. All paths.
// Keys are 0644 and the folder 0755 so that mosquitto or nginx dropping privileges can read them.
//
// The expired cert comes from `openssl ca -startdate/-enddate`: OpenSSL 3.0 (Debian bookworm) has
// no `x509 -not_before/-not_after` (3.4+), and faketime is not installed.
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCerts {
  dir: string;
  caCert: string;
  caKey: string;
  /** CA-signed, SAN DNS:localhost,DNS:mqtt.test,DNS:grpc.test,DNS:web.test,IP:127.0.0.1,IP:::1. */
  serverCert: string;
  serverKey: string;
  /** CA-signed, same SANs, valid 2020-01-01 to 2020-02-01 only. */
  expiredCert: string;
  expiredKey: string;
  /** Self-signed (not by the CA), same SANs. */
  selfSignedCert: string;
  selfSignedKey: string;
  /** CA-signed and valid, but only for DNS:wrong.test. */
  wrongNameCert: string;
  wrongNameKey: string;
  /** CA-signed client certificate (CN=fedprobe-client, extendedKeyUsage clientAuth). */
  clientCert: string;
  clientKey: string;
}

export const SERVER_SAN = 'DNS:localhost,DNS:mqtt.test,DNS:grpc.test,DNS:web.test,IP:127.0.0.1,IP:::1';

async function openssl(dir: string, args: string[]): Promise<void> {
  try {
    await run('openssl', args, { cwd: dir });
  } catch (error) {
    const e = error as { stderr?: string; message: string };
    throw new Error(`openssl ${args.join(' ')} failed: ${e.stderr ?? e.message}`);
  }
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];

/** A key and CSR `name.key`, `name.csr`. */
async function keyAndCsr(dir: string, name: string, cn: string): Promise<void> {
  await openssl(dir, ['req', ...KEY_ARGS, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', `/CN=${cn}`]);
}

/** Signs `name.csr` with the CA for `days` days, with the extensions in `name.ext`. */
async function sign(dir: string, name: string, ext: string, days = 825): Promise<void> {
  await writeFile(join(dir, `${name}.ext`), ext);
  await openssl(dir, [
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-days',
    String(days),
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.crt`,
  ]);
}

const serverExt = (san: string) =>
  'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' +
  `subjectAltName=${san}\n`;

export async function makeCerts(dir?: string): Promise<TestCerts> {
  const d = dir ?? (await mkdtemp(join(tmpdir(), 'fedprobe-certs-')));
  await mkdir(d, { recursive: true });
  await chmod(d, 0o755);

  // CA
  await openssl(d, [
    'req',
    '-x509',
    ...KEY_ARGS,
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '3650',
    '-subj',
    '/CN=fedprobe test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);

  await Promise.all([
    keyAndCsr(d, 'server', 'localhost'),
    keyAndCsr(d, 'expired', 'localhost'),
    keyAndCsr(d, 'wrongname', 'wrong.test'),
    keyAndCsr(d, 'client', 'fedprobe-client'),
  ]);
  // Sequential: -CAcreateserial writes ca.srl.
  await sign(d, 'server', serverExt(SERVER_SAN));
  await sign(d, 'wrongname', serverExt('DNS:wrong.test'));
  await sign(
    d,
    'client',
    'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\n',
  );

  // Expired: `openssl ca` is the OpenSSL 3.0 way to set both dates in the past.
  await writeFile(join(d, 'index.txt'), '');
  await writeFile(join(d, 'serial'), '1000\n');
  await writeFile(
    join(d, 'ca.cnf'),
    [
      '[ ca ]',
      'default_ca = tca',
      '[ tca ]',
      'database = ./index.txt',
      'new_certs_dir = .',
      'serial = ./serial',
      'default_md = sha256',
      'policy = pol',
      'unique_subject = no',
      'copy_extensions = none',
      'x509_extensions = ext',
      '[ pol ]',
      'commonName = supplied',
      '[ ext ]',
      serverExt(SERVER_SAN),
    ].join('\n'),
  );
  await openssl(d, [
    'ca',
    '-batch',
    '-config',
    'ca.cnf',
    '-cert',
    'ca.crt',
    '-keyfile',
    'ca.key',
    '-in',
    'expired.csr',
    '-out',
    'expired.crt',
    '-startdate',
    '20200101000000Z',
    '-enddate',
    '20200201000000Z',
    '-notext',
  ]);

  // Self-signed with the good names.
  await openssl(d, [
    'req',
    '-x509',
    ...KEY_ARGS,
    '-keyout',
    'selfsigned.key',
    '-out',
    'selfsigned.crt',
    '-days',
    '825',
    '-subj',
    '/CN=localhost',
    '-addext',
    'basicConstraints=CA:FALSE',
    '-addext',
    `subjectAltName=${SERVER_SAN}`,
    '-addext',
    'extendedKeyUsage=serverAuth',
  ]);

  const names = ['ca', 'server', 'expired', 'selfsigned', 'wrongname', 'client'];
  await Promise.all(names.flatMap((n) => [chmod(join(d, `${n}.key`), 0o644), chmod(join(d, `${n}.crt`), 0o644)]));
  const p = (f: string) => join(d, f);
  return {
    dir: d,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('server.crt'),
    serverKey: p('server.key'),
    expiredCert: p('expired.crt'),
    expiredKey: p('expired.key'),
    selfSignedCert: p('selfsigned.crt'),
    selfSignedKey: p('selfsigned.key'),
    wrongNameCert: p('wrongname.crt'),
    wrongNameKey: p('wrongname.key'),
    clientCert: p('client.crt'),
    clientKey: p('client.key'),
  };
}

/**
 * A CA-signed server certificate with the usual SANs, valid from now for `days` days only: a
 * certificate that verifies but expires soon (with.minDaysValid). Made in `certs.dir`.
 */
export async function makeShortLivedCert(certs: TestCerts, days: number): Promise<{ cert: string; key: string }> {
  const name = `short${days}`;
  await keyAndCsr(certs.dir, name, 'localhost');
  await sign(certs.dir, name, serverExt(SERVER_SAN), days);
  const p = (ext: string) => join(certs.dir, `${name}.${ext}`);
  await Promise.all([chmod(p('key'), 0o644), chmod(p('crt'), 0o644)]);
  return { cert: p('crt'), key: p('key') };
}
