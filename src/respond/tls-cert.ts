// A self-signed server certificate made in-process (node:crypto has keys and signatures but no
// certificate builder, so the X.509 DER is written here), for TLS stand-ins: `fedprobe respond`
// must work on a machine with no openssl binary. A peer checks it with `insecure: true` or by
// giving this very certificate as its `ca`.
import { X509Certificate, generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { isIP } from 'node:net';

export interface SelfSignedCert {
  /** PEM. */
  cert: string;
  /** PEM (PKCS#8). */
  key: string;
  fingerprint256: string;
  notAfter: string;
}

export interface SelfSignedOptions {
  /** Subject CN; default: the first name. */
  commonName?: string;
  /** DNS names and IP addresses for subjectAltName; default localhost, 127.0.0.1, ::1. */
  names?: string[];
  days?: number;
  now?: Date;
}

// --- a minimal DER writer -------------------------------------------------------------------
function len(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...content: Buffer[]): Buffer => {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), len(body.length), body]);
};
const seq = (...c: Buffer[]) => tlv(0x30, ...c);
const set = (...c: Buffer[]) => tlv(0x31, ...c);
const explicit = (n: number, ...c: Buffer[]) => tlv(0xa0 + n, ...c);
const octets = (b: Buffer) => tlv(0x04, b);
const bits = (b: Buffer) => tlv(0x03, Buffer.from([0]), b);
const utf8 = (s: string) => tlv(0x0c, Buffer.from(s, 'utf8'));
const bool = (v: boolean) => tlv(0x01, Buffer.from([v ? 0xff : 0]));

function int(b: Buffer): Buffer {
  let v = b;
  while (v.length > 1 && v[0] === 0 && v[1]! < 0x80) v = v.subarray(1);
  return tlv(0x02, v[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}

function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const out = [40 * a! + b!];
  for (const n of rest) {
    const chunk = [n & 0x7f];
    for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(d: Date): Buffer {
  const iso = `${d.toISOString().replace(/[-:T]/g, '').slice(0, 14)}Z`;
  return d.getUTCFullYear() < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(iso, 'ascii'));
}

function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

export function selfSignedCert(opts: SelfSignedOptions = {}): SelfSignedCert {
  const names = opts.names?.length ? opts.names : ['localhost', '127.0.0.1', '::1'];
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - 60_000); // a minute of slack for the peer's clock
  const notAfter = new Date(now.getTime() + (opts.days ?? 30) * 86_400_000);
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const serial = randomBytes(16);
  serial[0]! &= 0x7f;
  const cn = seq(set(seq(oid(OID.commonName), utf8(opts.commonName ?? names[0]!))));
  const san = seq(...names.map((n) => (isIP(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii')))));
  const sigAlg = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, int(Buffer.from([2]))),
    int(serial),
    sigAlg,
    cn,
    seq(time(notBefore), time(notAfter)),
    cn,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      seq(
        seq(oid(OID.basicConstraints), bool(true), octets(seq())),
        // digitalSignature only (bit 0): what an ECDHE-ECDSA server key needs.
        seq(oid(OID.keyUsage), bool(true), octets(tlv(0x03, Buffer.from([7, 0x80])))),
        seq(oid(OID.extKeyUsage), octets(seq(oid(OID.serverAuth)))),
        seq(oid(OID.subjectAltName), octets(san)),
      ),
    ),
  );
  const der = seq(tbs, sigAlg, bits(sign('sha256', tbs, privateKey)));
  const cert = `-----BEGIN CERTIFICATE-----\n${der
    .toString('base64')
    .replace(/(.{64})/g, '$1\n')
    .replace(/\n?$/, '\n')}-----END CERTIFICATE-----\n`;
  const x509 = new X509Certificate(cert);
  return {
    cert,
    key: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
    fingerprint256: x509.fingerprint256,
    notAfter: new Date(x509.validTo).toISOString(),
  };
}
