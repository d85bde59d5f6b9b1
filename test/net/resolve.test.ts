// fedprobe's own name lookup (nsswitch `hosts: files dns`) against a real DNS server: dnsmasq in a
// peer namespace answers for fedprobe.test, NXDOMAIN for everything else. Each case runs the binary
// with its own resolv.conf, hosts and nsswitch.conf (bind mounts, see system-files.ts); the names
// resolve to this namespace's loopback, where a listener waits.
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPeerNetns, type PeerNetns } from '../helpers/netns.js';
import { oneRowProfile, startWithSystemFiles, type SystemFiles } from './system-files.js';

let ns: PeerNetns;
let dnsLog = '';
let v4: Server;
let v6: Server;
let port = 0;
const profile = oneRowProfile();

function listen(host: string, at = 0): Promise<Server> {
  const s = createServer((c) => c.destroy());
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.listen(at, host, () => resolve(s));
  });
}

beforeAll(async () => {
  ns = await createPeerNetns('dnsmasq');
  const dnsmasq = ns.spawn('dnsmasq', [
    '--keep-in-foreground',
    '--conf-file=/dev/null',
    '--pid-file=',
    '--user=root',
    '--no-resolv',
    '--no-hosts',
    `--listen-address=${ns.peerV4}`,
    '--bind-interfaces',
    // Authoritative for every name: what it does not list is NXDOMAIN, never forwarded.
    '--local=/#/',
    '--host-record=svc.corp.fedprobe.test,127.0.0.1',
    '--host-record=app.lab,127.0.0.1',
    '--host-record=app.lab.corp.fedprobe.test,127.0.0.2',
    '--host-record=v6only.fedprobe.test,::1',
    '--txt-record=nodata.fedprobe.test,"a name with no address"',
    // Forwarded to a port where nothing listens: dnsmasq never answers these names.
    '--server=/silent.fedprobe.test/127.0.0.1#9',
    // "#": the default upstream servers, of which there are none: REFUSED.
    '--server=/refused.fedprobe.test/#',
    '--log-queries',
    '--log-facility=-',
  ]);
  dnsmasq.stderr!.on('data', (d) => (dnsLog += String(d)));
  const started = Date.now();
  while (!dnsLog.includes('started') && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 50));
  if (!dnsLog.includes('started')) throw new Error(`dnsmasq did not start: ${dnsLog}`);
  v4 = await listen('127.0.0.1');
  port = (v4.address() as { port: number }).port;
  v6 = await listen('::1', port);
});
afterAll(async () => {
  v4?.close();
  v6?.close();
  await ns?.destroy();
});

const files = (extra: Partial<SystemFiles> = {}): SystemFiles => ({
  resolvConf: `nameserver ${ns.peerV4}\nsearch corp.fedprobe.test\noptions timeout:2 attempts:1\n`,
  hosts: '127.0.0.1 localhost\n127.0.0.1 Files-Only.fedprobe.test files-alias # a comment\n',
  nsswitch: 'hosts: files dns\n',
  ...extra,
});

async function check(host: string, extra: Partial<SystemFiles> = {}, timeout = '3s') {
  const { done } = startWithSystemFiles(files(extra), [
    'check',
    profile,
    '--set',
    `host=${host}`,
    '--set',
    `port=${port}`,
    '--timeout',
    timeout,
    '-f',
    'json',
  ]);
  const run = await done;
  return { ...run, row: JSON.parse(run.stdout).results[0] };
}

const addressesOf = (row: { addresses: { address: string }[] }) => row.addresses.map((a) => a.address);

describe('own resolver: /etc/hosts, then DNS with the search list', () => {
  it('an /etc/hosts alias, in any case: pass, and DNS is not asked', { timeout: 20_000 }, async () => {
    const { row, status } = await check('FILES-ALIAS');
    expect(row).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(addressesOf(row)).toEqual(['127.0.0.1']);
    expect(status).toBe(0);
    expect(dnsLog.toLowerCase()).not.toContain('files-alias');
  });

  it('a short name completed by the search domain', { timeout: 20_000 }, async () => {
    const { row, status } = await check('svc');
    expect(row).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(addressesOf(row)).toEqual(['127.0.0.1']);
    expect(status).toBe(0);
    expect(dnsLog).toContain('query[A] svc.corp.fedprobe.test');
  });

  it('ndots decides whether a dotted name is tried as it is or with the search domain first', {
    timeout: 20_000,
  }, async () => {
    // app.lab has one dot: with ndots 1 it is asked as it is (127.0.0.1, the listener); with ndots 2
    // app.lab.corp.fedprobe.test comes first (127.0.0.2, where nothing listens).
    const asIs = await check('app.lab');
    expect(asIs.row).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(addressesOf(asIs.row)).toEqual(['127.0.0.1']);
    const searched = await check('app.lab', {
      resolvConf: `nameserver ${ns.peerV4}\nsearch corp.fedprobe.test\noptions ndots:2 timeout:2\n`,
    });
    expect(searched.row).toMatchObject({ outcome: 'fail', state: 'closed', reason: 'refused', code: 'ECONNREFUSED' });
    expect(addressesOf(searched.row)).toEqual(['127.0.0.2']);
    expect(searched.status).toBe(1);
  });

  it('an IPv6-only name: its AAAA address, probed', { timeout: 20_000 }, async () => {
    const { row, status } = await check('v6only.fedprobe.test');
    expect(row).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(row.addresses).toMatchObject([{ address: '::1', family: 6 }]);
    expect(status).toBe(0);
  });

  it('NXDOMAIN for every candidate: ENOTFOUND, the report, one line on stderr, exit 2', {
    timeout: 20_000,
  }, async () => {
    const { row, status, stderr } = await check('nope.fedprobe.test');
    expect(row).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'dns-error', code: 'ENOTFOUND' });
    expect(row.detail).toBe('nope.fedprobe.test: the name does not resolve: it does not exist in DNS');
    expect(row.hint).toBe(
      "Check the name nope.fedprobe.test given for svc (a typo? a name only the site's internal DNS knows?), or " +
        'use an IP address instead of the name (with --set, or in the URL of `fedprobe probe`).',
    );
    expect(status).toBe(2);
    expect(stderr.trimEnd().split('\n')).toEqual([
      'fedprobe: the name nope.fedprobe.test does not exist (rows svc): check the host given for it (--set, --site) ' +
        'or use an IP address',
    ]);
  });

  it('a name that exists without A or AAAA (NODATA): ENODATA, a failed row, exit 1', { timeout: 20_000 }, async () => {
    const { row, status } = await check('nodata.fedprobe.test');
    expect(row).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'dns-error', code: 'ENODATA' });
    expect(row.detail).toBe('nodata.fedprobe.test: the name exists but has no address (no A or AAAA record)');
    // The name is right: a record is missing, which no typo hunt will find.
    expect(row.hint).toBe(
      'The name nodata.fedprobe.test exists in DNS but has no address record: ask whoever runs that DNS zone to ' +
        'add the A or AAAA record for svc, or use an IP address instead of the name (with --set, or in the URL ' +
        'of `fedprobe probe`).',
    );
    expect(status).toBe(1);
  });

  it('[NOTFOUND=return] after files: a name /etc/hosts lacks is not asked of DNS', { timeout: 20_000 }, async () => {
    const { row, status } = await check('svc.corp.fedprobe.test', {
      nsswitch: 'hosts: files [NOTFOUND=return] dns\n',
    });
    expect(row).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'dns-error', code: 'ENOTFOUND' });
    expect(status).toBe(2);
  });

  it('a server that refuses (REFUSED): EAI_AGAIN, a failed row, exit 1, not "does not exist"', {
    timeout: 20_000,
  }, async () => {
    const { row, status, stderr } = await check('svc.refused.fedprobe.test');
    expect(row).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'dns-error', code: 'EAI_AGAIN' });
    expect(row.detail).toBe(
      'svc.refused.fedprobe.test: the name does not resolve: the DNS server refused the query (REFUSED)',
    );
    // The resolver failed, not the name: the hint sends the operator to the DNS server, not to a typo.
    expect(row.hint).toBe(
      "This machine's DNS resolver did not resolve the name svc.refused.fedprobe.test (no server reached, or it " +
        'failed or refused: see the detail and /etc/resolv.conf): ask the network team which DNS server this ' +
        'machine should use and whether it resolves svc.refused.fedprobe.test, or use an IP address instead of ' +
        'the name (with --set, or in the URL of `fedprobe probe`).',
    );
    expect(status).toBe(1);
    expect(stderr).toBe('');
  });

  it("a server that never answers, resolv.conf's timeout before the row's: ETIMEOUT at resolv.conf's", {
    timeout: 20_000,
  }, async () => {
    // dnsmasq forwards the name to a port where nothing listens, and so never answers it. Node checks
    // c-ares' timeouts once a second: resolv.conf's 2 s end within 3 s, before the row's 5 s.
    const { row, status } = await check('svc.silent.fedprobe.test', {}, '5s');
    expect(row).toMatchObject({ outcome: 'fail', state: 'unknown', reason: 'dns-error', code: 'ETIMEOUT' });
    const name = 'svc.silent.fedprobe.test';
    expect(row.detail).toMatch(/ within \d+ ms /);
    expect(row.detail.replace(/within \d+ ms/, 'within N ms')).toBe(
      `${name}: no DNS answer for ${name} within N ms ` +
        '(the resolver did not answer; resolv.conf: timeout 2 s, attempts 1)',
    );
    expect(row.timings.totalMs).toBeLessThan(5000); // the row's own deadline was not what ended it
    expect(status).toBe(1);
  });

  it('localhost missing from /etc/hosts: loopback (RFC 6761), never a DNS question', { timeout: 20_000 }, async () => {
    const { row, status } = await check('localhost', { hosts: '# nothing here\n' });
    expect(row).toMatchObject({ outcome: 'pass', state: 'open', reason: 'ok' });
    expect(addressesOf(row)).toEqual(['127.0.0.1']);
    expect(status).toBe(0);
    expect(dnsLog).not.toMatch(/query\[\w+\] localhost/);
  });
});
