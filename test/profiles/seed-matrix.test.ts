// Every shipped profile loads, and the profiles reproduce the frameworks' own matrices row for row:
// the Fed-BioMed tables are parsed straight out of the seed document, Flower's and Swarm's are
// checked against the ports and services their pages name.
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { expand } from '../../src/profile/expand.js';
import { listProfileIds, loadProfile } from '../../src/profile/load.js';
import type { Profile, Row } from '../../src/types.js';
import { runCli } from '../helpers/cli.js';

const seedsDir = new URL('../fixtures/seeds/', import.meta.url);
const seed = (startsWith: string) => {
  const file = readdirSync(seedsDir)
    .map((f) => readFileSync(new URL(f, seedsDir), 'utf8'))
    .find((t) => t.startsWith(startsWith));
  if (!file) throw new Error(`no seed document starting with "${startsWith}" in ${seedsDir.pathname}`);
  return file;
};

interface SeedRow {
  dir: string;
  source: string;
  destination: string;
  port: string;
  service: string;
  type?: string;
  status?: string;
  comment?: string;
}

/** The `dir | source | destination | port | service | …` lines of one part of the seed text. */
function seedRows(text: string): SeedRow[] {
  return text
    .split('\n')
    .filter((l) => /^(in|out) \|/.test(l))
    .map((l) => {
      const c = l.split('|').map((s) => s.trim());
      return {
        dir: c[0]!,
        source: c[1]!,
        destination: c[2]!,
        port: c[3]!,
        service: c[4]!,
        ...(c[5] && { type: c[5] }),
        ...(c[6] && { status: c[6] }),
        ...(c[7] && { comment: c[7] }),
      };
    });
}

function between(text: string, start: string, end?: string): string {
  const a = text.indexOf(start);
  if (a < 0) throw new Error(`"${start}" not in the seed`);
  const b = end ? text.indexOf(end, a + start.length) : text.length;
  return text.slice(a, b < 0 ? text.length : b);
}

function expectSeedRowsIn(profile: Profile, rows: SeedRow[], exact: boolean) {
  expect(rows.length).toBeGreaterThan(0);
  for (const s of rows) {
    const match = profile.rows.find(
      (r) => r.dir === s.dir && r.port.toUpperCase() === s.port.toUpperCase() && r.destination === s.destination,
    );
    expect(match, `${profile.id} lacks the seed row ${JSON.stringify(s)}`).toBeDefined();
    const r = match as Row;
    expect(r.source).toBe(s.source);
    expect(r.service).toBe(s.service);
    if (s.type) expect(r.type).toBe(s.type);
    if (s.status) expect(r.status).toBe(s.status);
    if (s.comment) expect(r.comment ?? '').toContain(s.comment);
  }
  if (exact) expect(profile.rows).toHaveLength(rows.length);
}

describe('shipped profiles', () => {
  it('all load strictly and expand with their defaults', async () => {
    const ids = await listProfileIds();
    expect(ids.length).toBeGreaterThanOrEqual(24);
    for (const id of ids) {
      const p = await loadProfile(id);
      expect(p.rows.length, id).toBeGreaterThan(0);
      expect(p.reference, id).toBeTruthy();
      // Every variable has a description saying what to give.
      for (const [name, v] of Object.entries(p.vars)) expect(v.description, `${id} ${name}`).toBeTruthy();
      // Remote hosts have no default (a forgotten --set must not quietly check localhost).
      const set = Object.fromEntries(
        Object.entries(p.vars)
          .filter(([, v]) => v.default === undefined)
          .map(([k]) => [k, 'host.example.org']),
      );
      const checks = expand(p, { timeoutMs: 1000, retries: 0, env: {}, set });
      expect(checks).toHaveLength(p.rows.length);
    }
  });

  it('`fedprobe validate` accepts every shipped file', async () => {
    const ids = await listProfileIds();
    const r = await runCli(['validate', ...ids]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(ids.length);
  });
});

describe('Fed-BioMed: the seed tables, row for row', () => {
  const text = seed('Network communication matrix');
  const without = between(text, 'Running without VPN/containers', 'Running with VPN/containers');
  const withVpn = between(text, 'Running with VPN/containers');
  const part = (section: string, component: string, next?: string) =>
    seedRows(between(section, `On the ${component} component`, next && `On the ${next} component`));

  it.each([
    ['fedbiomed/node', () => part(without, 'node', 'network')],
    ['fedbiomed/network', () => part(without, 'network', 'researcher')],
    ['fedbiomed/researcher', () => part(without, 'researcher')],
    ['fedbiomed/node-vpn', () => part(withVpn, 'node', 'network')],
    ['fedbiomed/network-vpn', () => part(withVpn, 'network', 'researcher')],
    ['fedbiomed/researcher-vpn', () => part(withVpn, 'researcher')],
  ])('%s', async (id, rows) => {
    expectSeedRowsIn(await loadProfile(id), rows(), true);
  });

  it('fedbiomed/install covers the installation table (TCP/80 HTTP and TCP/443 HTTPS to the Internet)', async () => {
    const rows = seedRows(between(text, 'Software installation', 'Running without VPN/containers'));
    expect(rows.map((r) => r.port)).toEqual(['TCP/80', 'TCP/443']);
    expectSeedRowsIn(await loadProfile('fedbiomed/install'), rows, false);
  });

  it('`fedprobe show` prints each seed row in the matrix columns', async () => {
    const r = await runCli(['show', 'fedbiomed/researcher']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      /^id\s+dir\s+source machine\s+destination machine\s+destination port\s+service\s+type\s+status\s+comment$/m,
    );
    for (const s of part(without, 'researcher')) {
      const line = new RegExp(
        `^\\S+\\s+${s.dir}\\s+${s.source}\\s+${s.destination}\\s+${s.port.replace('/', '\\/')}` +
          `\\s+${s.service}\\s+${s.type}\\s+${s.status}\\s*${s.comment ?? ''}`,
        'm',
      );
      expect(r.stdout).toMatch(line);
    }
  });
});

describe('Flower: the APIs and ports of the seed page', () => {
  const text = seed(':og:description: The Flower Network Communication');

  it('the component table: SuperLink 9091/9092/9093, SuperNode 9094', async () => {
    for (const [port, api] of [
      ['9091', 'ServerAppIo API'],
      ['9092', 'Fleet API'],
      ['9093', 'Exec API'],
      ['9094', 'ClientAppIo API'],
    ]) {
      expect(text).toMatch(new RegExp(`- ${port}\\s+- ${api}`));
    }
    const superlink = await loadProfile('flower/superlink');
    expect(superlink.rows.filter((r) => r.dir === 'in').map((r) => [r.port, r.service])).toEqual([
      ['tcp/9092', 'gRPC (Fleet API)'],
      ['tcp/9093', 'gRPC (Exec API)'],
      ['tcp/9091', 'gRPC (ServerAppIo API)'],
    ]);
    const supernode = await loadProfile('flower/supernode');
    expect(supernode.rows.find((r) => r.port === 'tcp/9094')).toMatchObject({
      dir: 'in',
      service: 'gRPC (ClientAppIo API)',
      status: 'optional',
    });
  });

  it('the two mandatory connections: CLI → SuperLink (Exec API), SuperNode → SuperLink (Fleet API)', async () => {
    expect(text).toContain('**CLI to SuperLink (Exec API)**');
    expect(text).toContain('**SuperNode to SuperLink (Fleet API)**');
    for (const id of ['flower/cli', 'flower/cli-insecure']) {
      expect((await loadProfile(id)).rows[0]).toMatchObject({
        dir: 'out',
        source: 'flwr CLI',
        destination: 'SuperLink',
        port: 'tcp/9093',
        status: 'mandatory',
      });
    }
    for (const id of ['flower/supernode', 'flower/supernode-insecure']) {
      expect((await loadProfile(id)).rows[0]).toMatchObject({
        dir: 'out',
        source: 'SuperNode',
        destination: 'SuperLink',
        port: 'tcp/9092',
        status: 'mandatory',
      });
    }
    expect((await loadProfile('flower/supernode')).rows[0]!.probe).toMatch(/^grpcs:\/\//);
    expect((await loadProfile('flower/supernode-insecure')).rows[0]!.probe).toMatch(/^grpc:\/\//);
  });

  it('process isolation (flwr-serverapp → 9091, flwr-clientapp → 9094) and the optional OIDC row', async () => {
    expect(text).toContain('**flwr-serverapp to SuperLink (ServerAppIO API)**');
    const proc = await loadProfile('flower/process');
    // Flower's current page names the SuperExec too (l.157-168); the optional calls home are on 443.
    expect(proc.rows.filter((r) => r.port !== 'tcp/443').map((r) => [r.source, r.destination, r.port])).toEqual([
      ['SuperExec/ServerApp', 'SuperLink', 'tcp/9091'],
      ['SuperExec/ClientApp', 'SuperNode', 'tcp/9094'],
    ]);
    expect(text).toContain('**SuperLink to OIDC server**');
    expect((await loadProfile('flower/superlink')).rows.find((r) => r.id === 'oidc')).toMatchObject({
      dir: 'out',
      destination: 'OIDC server',
      port: 'tcp/443',
      status: 'optional',
    });
  });
});

describe('HPE Swarm Learning: the reverse-proxy services', () => {
  const text = seed('# Swarm Learning Component Interactions using Reverse Proxy');

  it('SN P2P 30303 stays open per SN; SN API and SL FS services go through 443 by FQDN', async () => {
    expect(text).toContain('SN P2P service uses 30303 port and needs to be opened for each SN node');
    const sn = await loadProfile('swarm/sn-proxy');
    expect(sn.rows.find((r) => r.id === 'p2p-in')).toMatchObject({ dir: 'in', port: 'tcp/30303', status: 'mandatory' });
    expect(sn.rows.find((r) => r.id === 'api-service')).toMatchObject({
      dir: 'out',
      port: 'tcp/443',
      with: { servername: '${sn_api_service}' },
    });
    const sl = await loadProfile('swarm/sl-proxy');
    expect(sl.rows.filter((r) => r.port === 'tcp/443').map((r) => r.with?.servername)).toEqual([
      '${sn_api_service}',
      '${peer_fs_service}',
    ]);
    for (const id of ['swarm/swci-proxy', 'swarm/swop-proxy']) {
      expect((await loadProfile(id)).rows.map((r) => r.port)).toEqual(['tcp/443', 'tcp/5814']);
    }
  });

  it('direct ports: SN 30303/30304, SL 30305, SWCI 30306, license 5814', async () => {
    const ports = async (id: string) => (await loadProfile(id)).rows.map((r) => `${r.dir} ${r.port}`);
    expect(await ports('swarm/sn')).toEqual(['in tcp/30303', 'in tcp/30304', 'out tcp/30303', 'out tcp/5814']);
    expect(await ports('swarm/sl')).toEqual(['out tcp/30304', 'in tcp/30305', 'out tcp/30305', 'out tcp/5814']);
    expect(await ports('swarm/swci')).toEqual(['out tcp/30304', 'in tcp/30306', 'out tcp/5814']);
    expect(await ports('swarm/swop')).toEqual(['out tcp/30304', 'out tcp/5814']);
    expect(await ports('swarm/license')).toEqual(['in tcp/5814']);
  });
});
