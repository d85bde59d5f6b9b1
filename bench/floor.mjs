// The floor: the same sockets fedprobe opens, from the least Node code that can tell the states
// apart, at the same concurrency and deadline. No profile, no logger, no report.
// node bench/floor.mjs tcp|udp HOST BASE N CONCURRENCY TIMEOUT_MS  →  {"port": "state", ...}
import { createSocket } from 'node:dgram';
import { connect } from 'node:net';

const [protocol, host, ...nums] = process.argv.slice(2);
const [base, n, concurrency, timeoutMs] = nums.map(Number);

function tcp(port) {
  return new Promise((resolve) => {
    const s = connect({ port, host });
    const done = (state) => {
      clearTimeout(timer);
      s.destroy();
      resolve(state);
    };
    const timer = setTimeout(() => done('filtered'), timeoutMs);
    s.once('connect', () => done('open'));
    s.once('error', (e) => done(e.code === 'ECONNREFUSED' ? 'closed' : 'filtered'));
  });
}

function udp(port) {
  return new Promise((resolve) => {
    const s = createSocket('udp4');
    const done = (state) => {
      clearTimeout(timer);
      s.close();
      resolve(state);
    };
    const timer = setTimeout(() => done('open|filtered'), timeoutMs);
    s.once('message', () => done('open'));
    // Only a connected socket hears the ICMP port unreachable.
    s.once('error', (e) => done(e.code === 'ECONNREFUSED' ? 'closed' : 'open|filtered'));
    s.connect(port, host, () => s.send('fedprobe udp probe\n'));
  });
}

const states = {};
let next = 0;
const probe = protocol === 'udp' ? udp : tcp;
async function worker() {
  while (next < n) {
    const port = base + next++;
    states[port] = await probe(port);
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
process.stdout.write(JSON.stringify(states));
