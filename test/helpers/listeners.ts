// Real TCP listeners and UDP responders inside a peer namespace, as small node processes, and a
// bounded wait until they are ready.
import type { ChildProcess } from 'node:child_process';
import type { PeerNetns } from './netns.js';

const SERVER = `
const net = require('node:net'), dgram = require('node:dgram');
const [kind, host, port] = process.argv.slice(1);
if (kind === 'tcp') net.createServer((s) => s.destroy()).listen(Number(port), host, () => console.log('ready'));
else {
  const s = dgram.createSocket(host.includes(':') ? 'udp6' : 'udp4');
  // 'udp-echo' answers, 'udp-silent' never does (a quiet service looks like a DROP rule).
  s.on('message', (m, r) => { if (kind === 'udp-echo') s.send(m, r.port, r.address); });
  s.bind(Number(port), host, () => console.log('ready'));
}`;

export function startListener(ns: PeerNetns, kind: 'tcp' | 'udp-echo' | 'udp-silent', host: string, port: number): Promise<ChildProcess> {
  const child = ns.spawn(process.execPath, ['-e', SERVER, kind, host, String(port)]);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind} listener on ${host}:${port} did not start`)), 10_000);
    child.stdout!.on('data', (d) => {
      if (String(d).includes('ready')) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.stderr!.on('data', (d) => process.stderr.write(d));
    child.on('exit', (code) => reject(new Error(`${kind} listener exited with ${code}`)));
  });
}
