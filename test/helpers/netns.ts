// Throwaway network namespaces for firewall tests: a peer namespace joined to the test's own
// (already private, see test/run.sh) namespace by a veth pair, with IPv4 and IPv6 addresses,
// where servers run and nftables rules apply without touching the host.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
let counter = 0;

export function requireTestNetns(): void {
  if (process.env['FEDPROBE_TEST_NETNS'] !== '1') {
    throw new Error('this test creates network namespaces and firewall rules: run it through `npm test` (test/run.sh), as root');
  }
}

export interface PeerNetns {
  name: string;
  localV4: string;
  peerV4: string;
  localV6: string;
  peerV6: string;
  exec(cmd: string, args: string[]): Promise<string>;
  spawn(cmd: string, args: string[]): ChildProcess;
  nft(rules: string): Promise<void>;
  destroy(): Promise<void>;
}

export async function ip(...args: string[]): Promise<string> {
  return (await run('ip', args)).stdout;
}

export async function createPeerNetns(prefix: string): Promise<PeerNetns> {
  requireTestNetns();
  const n = ++counter;
  const id = `${process.pid % 10000}${n}`;
  const name = `fp-${prefix}-${id}`;
  // One /24 and /64 per namespace; 10.77.x and fd77:x:: exist only inside the suite's namespaces.
  const subnet = (process.pid + n * 7) % 250 + 1;
  const local = `fpl${id}`.slice(0, 15);
  const peer = `fpp${id}`.slice(0, 15);
  const children: ChildProcess[] = [];
  await ip('netns', 'add', name);
  await ip('link', 'add', local, 'type', 'veth', 'peer', 'name', peer, 'netns', name);
  const ns = { localV4: `10.77.${subnet}.1`, peerV4: `10.77.${subnet}.2`, localV6: `fd77:${subnet.toString(16)}::1`, peerV6: `fd77:${subnet.toString(16)}::2` };
  await ip('addr', 'add', `${ns.localV4}/24`, 'dev', local);
  await ip('-6', 'addr', 'add', `${ns.localV6}/64`, 'dev', local, 'nodad');
  await ip('link', 'set', local, 'up');
  await ip('-n', name, 'addr', 'add', `${ns.peerV4}/24`, 'dev', peer);
  await ip('-n', name, '-6', 'addr', 'add', `${ns.peerV6}/64`, 'dev', peer, 'nodad');
  await ip('-n', name, 'link', 'set', peer, 'up');
  await ip('-n', name, 'link', 'set', 'lo', 'up');
  const exec = async (cmd: string, args: string[]) => (await run('ip', ['netns', 'exec', name, cmd, ...args])).stdout;
  // The kernel rate-limits ICMP errors on real interfaces; tests that count on them must not be
  // rate-limited (loopback is exempt, veth is not).
  await exec('sysctl', ['-q', '-w', 'net.ipv4.icmp_ratelimit=0', 'net.ipv6.icmp.ratelimit=0', 'net.ipv4.icmp_msgs_per_sec=100000', 'net.ipv4.icmp_msgs_burst=10000']);
  return {
    name,
    ...ns,
    exec,
    spawn(cmd, args) {
      const child = spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.push(child);
      return child;
    },
    async nft(rules) {
      const child = spawn('ip', ['netns', 'exec', name, 'nft', '-f', '-'], { stdio: ['pipe', 'ignore', 'pipe'] });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.stdin.end(rules);
      const code = await new Promise<number>((r) => child.on('close', (c) => r(c ?? 1)));
      if (code !== 0) throw new Error(`nft failed: ${err}`);
    },
    async destroy() {
      for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
      await ip('netns', 'del', name).catch(() => undefined);
      await ip('link', 'del', local).catch(() => undefined);
    },
  };
}
