// Throwaway network namespaces for firewall tests: a peer namespace joined to the test's own
// (already private, see test/run.sh) namespace by a veth pair, with IPv4 and IPv6 addresses,
// where servers run and nftables rules apply without touching the host. And nftLocal(): a table in
// the test's own namespace, for loopback rules.
//
// Every vitest worker shares the one namespace test/run.sh made, so names and subnets must be
// unique across processes: the local veth end is named after its subnet, and `ip link add` failing
// with "File exists" is the lock that tells two workers apart.
import { execFile, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);
let counter = 0;

export function requireTestNetns(): void {
  if (process.env.FEDPROBE_TEST_NETNS !== '1') {
    throw new Error(
      'this test creates network namespaces and firewall rules: run it through `npm test` (test/run.sh), as root',
    );
  }
}

export interface PeerNetns {
  name: string;
  /** This (the test's) end of the veth pair. */
  localV4: string;
  /** The peer namespace's end: where servers run and rules apply. */
  peerV4: string;
  localV6: string;
  peerV6: string;
  /** Runs `cmd args` inside the peer namespace; resolves to stdout, rejects with stderr. */
  exec(cmd: string, args: string[]): Promise<string>;
  /** Starts `cmd args` inside the peer namespace; destroy() kills it. */
  spawn(cmd: string, args: string[]): ChildProcess;
  /** Applies an nft script (`nft -f -`) inside the peer namespace. */
  nft(rules: string): Promise<void>;
  destroy(): Promise<void>;
}

export async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args)).stdout;
  } catch (e) {
    const err = e as Error & { stderr?: string };
    throw new Error(`ip ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
  }
}

/** Feeds `script` to `nft -f -`, optionally inside a named namespace. */
async function nftScript(script: string, netns?: string): Promise<void> {
  const argv = netns ? ['ip', 'netns', 'exec', netns, 'nft', '-f', '-'] : ['nft', '-f', '-'];
  const child = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += String(d)));
  const code = await new Promise<number>((resolve) => {
    child.once('error', (e) => {
      err += String(e);
      resolve(127);
    });
    child.once('close', (c) => resolve(c ?? 1));
    child.stdin!.end(script);
  });
  if (code !== 0) throw new Error(`nft -f failed${netns ? ` in ${netns}` : ''}: ${err.trim()}\n--- script\n${script}`);
}

/** Subnets 10.77.1-250.0/24 and fd77:1-fa::/64; a free one is claimed by creating its veth. */
const SUBNETS = 250;

export async function createPeerNetns(prefix: string): Promise<PeerNetns> {
  requireTestNetns();
  const n = ++counter;
  const name = `fp-${prefix}-${process.pid}-${n}`;
  const children: ChildProcess[] = [];
  await ip('netns', 'add', name);
  // If this process dies without destroy(), the bind mount in /run/netns would outlive the run.
  const orphan = () => void spawnSync('ip', ['netns', 'del', name]);
  process.once('exit', orphan);

  let subnet = 0;
  let local = '';
  try {
    const start = (process.pid * 7 + n * 13) % SUBNETS;
    for (let i = 0; i < SUBNETS && !subnet; i++) {
      const candidate = ((start + i) % SUBNETS) + 1;
      try {
        await ip('link', 'add', `fpv${candidate}`, 'type', 'veth', 'peer', 'name', 'fpeth0', 'netns', name);
        subnet = candidate;
        local = `fpv${candidate}`;
      } catch (e) {
        if (!/exists/i.test((e as Error).message)) throw e;
      }
    }
    if (!subnet) throw new Error(`no free 10.77.x.0/24 subnet among ${SUBNETS}`);
    const hex = subnet.toString(16);
    const ns = {
      localV4: `10.77.${subnet}.1`,
      peerV4: `10.77.${subnet}.2`,
      localV6: `fd77:${hex}::1`,
      peerV6: `fd77:${hex}::2`,
    };
    await ip('addr', 'add', `${ns.localV4}/24`, 'dev', local);
    await ip('-6', 'addr', 'add', `${ns.localV6}/64`, 'dev', local, 'nodad');
    await ip('link', 'set', local, 'up');
    await ip('-n', name, 'addr', 'add', `${ns.peerV4}/24`, 'dev', 'fpeth0');
    await ip('-n', name, '-6', 'addr', 'add', `${ns.peerV6}/64`, 'dev', 'fpeth0', 'nodad');
    await ip('-n', name, 'link', 'set', 'fpeth0', 'up');
    await ip('-n', name, 'link', 'set', 'lo', 'up');
    const exec = async (cmd: string, args: string[]) => {
      try {
        return (await run('ip', ['netns', 'exec', name, cmd, ...args])).stdout;
      } catch (e) {
        const err = e as Error & { stderr?: string };
        throw new Error(`in ${name}: ${cmd} ${args.join(' ')}: ${err.stderr?.trim() || err.message}`);
      }
    };
    // The kernel rate-limits ICMP errors on real interfaces (veth included, loopback exempt); tests
    // that count on each REJECT answering must not be rate-limited. Inside the peer only.
    await exec('sysctl', [
      '-q',
      '-w',
      'net.ipv4.icmp_ratelimit=0',
      'net.ipv6.icmp.ratelimit=0',
      'net.ipv4.icmp_msgs_per_sec=100000',
      'net.ipv4.icmp_msgs_burst=10000',
    ]);
    return {
      name,
      ...ns,
      exec,
      spawn(cmd, args) {
        const child = spawn('ip', ['netns', 'exec', name, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        child.on('error', () => {});
        children.push(child);
        return child;
      },
      nft: (rules) => nftScript(rules, name),
      async destroy() {
        await Promise.all(
          children.map((c) => {
            if (c.exitCode !== null || c.signalCode !== null) return undefined;
            const gone = new Promise<void>((r) => c.once('exit', () => r()));
            c.kill('SIGKILL');
            return gone;
          }),
        );
        // Deleting the namespace deletes its veth end, and with it ours.
        await ip('netns', 'del', name).catch(() => undefined);
        await ip('link', 'del', local).catch(() => undefined);
        process.off('exit', orphan);
      },
    };
  } catch (e) {
    await ip('netns', 'del', name).catch(() => undefined);
    if (local) await ip('link', 'del', local).catch(() => undefined);
    process.off('exit', orphan);
    throw e;
  }
}

let localTables = 0;

/**
 * Applies `body` (chains, as inside `table inet X { ... }`) as a uniquely named inet table in the
 * test's own namespace, and returns its remover. Every worker shares that namespace: rules must
 * name their own addresses or ports, never all of loopback.
 */
export async function nftLocal(body: string): Promise<() => Promise<void>> {
  requireTestNetns();
  const table = `fp_local_${process.pid}_${++localTables}`;
  await nftScript(`table inet ${table} {\n${body}\n}\n`);
  let removed = false;
  const orphan = () => void spawnSync('nft', ['delete', 'table', 'inet', table]);
  process.once('exit', orphan);
  return async () => {
    if (removed) return;
    removed = true;
    process.off('exit', orphan);
    await nftScript(`delete table inet ${table}\n`);
  };
}
