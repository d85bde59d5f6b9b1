// The handshake floor (issue 11, target 5): the exchange fedprobe's mqtt:// and grpc:// rows make,
// written with the least Node code, N times one after the other. mqtt: TCP connect, CONNECT
// (3.1.1, a random client id, as the prober sends), read the 4-byte CONNACK, DISCONNECT. grpc: an
// h2c session, one POST /grpc.health.v1.Health/Check with an empty 5-byte-framed request, read
// grpc-status, close. Prints {"ok": n, "rowsMs": [...], "totalMs": t}. Loopback only (bench.ts).
// Usage: node handshake-floor.mjs mqtt|grpc HOST PORT N
import { randomBytes } from 'node:crypto';
import { connect as h2connect } from 'node:http2';
import { connect } from 'node:net';

const [kind, host, portText, countText] = process.argv.slice(2);
const port = Number(portText);
const count = Number(countText);

function mqttConnect() {
  const id = Buffer.from(`floor-${randomBytes(6).toString('hex')}`);
  const rest = Buffer.concat([
    Buffer.from([0x00, 0x04, 0x4d, 0x51, 0x54, 0x54, 0x04, 0x02, 0x00, 0x1e, 0x00, id.length]),
    id,
  ]);
  return Buffer.concat([Buffer.from([0x10, rest.length]), rest]);
}

const DISCONNECT = Buffer.from([0xe0, 0x00]);

/** True when the broker answered CONNACK 0. */
function mqtt() {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    let got = Buffer.alloc(0);
    s.once('connect', () => s.write(mqttConnect()));
    s.on('data', (d) => {
      got = Buffer.concat([got, d]);
      if (got.length < 4) return;
      const ok = got[0] === 0x20 && got[3] === 0;
      s.end(DISCONNECT, () => s.destroy());
      resolve(ok);
    });
    s.once('error', () => resolve(false));
  });
}

/** True when the server answered grpc-status 0 (in the trailers, or trailers-only headers). */
function grpc() {
  return new Promise((resolve) => {
    const session = h2connect(`http://${host}:${port}`);
    session.once('error', () => resolve(false));
    const stream = session.request({
      ':method': 'POST',
      ':path': '/grpc.health.v1.Health/Check',
      'content-type': 'application/grpc',
      te: 'trailers',
    });
    let status;
    stream.once('response', (h) => (status ??= h['grpc-status']));
    stream.once('trailers', (h) => (status ??= h['grpc-status']));
    stream.on('data', () => {});
    stream.once('error', () => resolve(false));
    stream.once('close', () => {
      session.destroy();
      resolve(status === '0');
    });
    stream.end(Buffer.alloc(5)); // uncompressed, length 0: an empty HealthCheckRequest
  });
}

const exchange = kind === 'grpc' ? grpc : mqtt;
const rowsMs = [];
let ok = 0;
const start = performance.now();
for (let i = 0; i < count; i++) {
  const t = performance.now();
  if (await exchange()) ok++;
  rowsMs.push(performance.now() - t);
}
const totalMs = performance.now() - start;
process.stdout.write(`${JSON.stringify({ ok, rowsMs, totalMs })}\n`);
