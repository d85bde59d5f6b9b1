// A SWOP profile (HewlettPackard/swarm-learning docs/SWOP-profile-schema.yaml): its apisrv.locator (the SN,
// taking precedence over run-swop's --sn-* arguments), apls.locator, dns and SL nodes, each with file:line;
// read alone with --from, or through run-swop's --usr-dir/--profile-file-name as the script joins them.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { varsFromConfig } from '../../src/frameworks/read.js';
import { oneLine } from '../helpers/one-line.js';

const up = (name: string) => fileURLToPath(new URL(`../fixtures/swarm/upstream/${name}`, import.meta.url));
const tmp = mkdtempSync(join(tmpdir(), 'fedprobe-swop-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The upstream file with some of its lines replaced (1-based line → new text), written under tmp. */
function edited(name: string, to: string, lines: Record<number, string>): string {
  const text = readFileSync(up(name), 'utf8').split('\n');
  for (const [n, s] of Object.entries(lines)) text[Number(n) - 1] = s;
  const path = join(tmp, to);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text.join('\n'));
  return path;
}

/** examples/mnist/README.md step 6, as its sed lines (l.95-101) do it on host-1 in `dir`. */
function readmeStep6(dir: string): string {
  let text = readFileSync(up('mnist-swop1_profile.yaml'), 'utf8');
  for (const [from, to] of [
    ['<SWARM-NETWORK>', 'host-1-net'],
    ['<HOST_ADDRESS>', '172.1.1.1'],
    ['<LICENSE-SERVER-ADDRESS>', '172.1.1.1'],
    ['<PROJECT>', `${dir}/workspace/mnist`],
    ['<PROJECT-CERTS>', `${dir}/workspace/mnist/cert`],
    ['<PROJECT-CACERTS>', `${dir}/workspace/mnist/cert/ca/capath`],
  ] as const)
    text = text.replaceAll(from, to);
  mkdirSync(join(dir, 'workspace/mnist/swop'), { recursive: true });
  writeFileSync(join(dir, 'workspace/mnist/swop/swop1_profile.yaml'), text);
  return 'workspace/mnist/swop/swop1_profile.yaml';
}

async function inDir<T>(dir: string, f: () => Promise<T>): Promise<T> {
  const cwd = process.cwd();
  process.chdir(dir);
  try {
    return await f();
  } finally {
    process.chdir(cwd);
  }
}

const script = up('mnist-readme-host-1.sh');
const capath =
  `--capath workspace/mnist/cert/ca/capath (${script}:12) is a directory: give the CA file in it with --set ` +
  'swarm_ca=FILE';
const sl1 = (at: string) =>
  `SL node sl1 (${at}:32) is started by SWOP with slhostip 172.1.1.1, slport 16000: check it with swarm/sl ` +
  '--set sl_fs_port=16000';

describe('SWOP profile after the mnist README step 6', () => {
  const dir = join(tmp, 'readme');
  const profile = readmeStep6(dir);

  it('run-swop reads it (--usr-dir + --profile-file-name): apls as --apls-ip, apisrv ~, its SL node', async () => {
    const found = await inDir(dir, () => varsFromConfig(`${script}#run-swop`, { env: {} }));
    expect(found).toEqual({
      profile: 'swarm/swop',
      vars: {
        apls_host: { value: '172.1.1.1', source: `${script}:13` },
        sn_host: { value: '172.1.1.1', source: `${script}:10` },
        swarm_key: { value: 'workspace/mnist/cert/swop-1-key.pem', source: `${script}:11` },
        swarm_cert: { value: 'workspace/mnist/cert/swop-1-cert.pem', source: `${script}:12` },
      },
      notes: [capath, sl1(profile)],
    });
  });

  it('--from the profile alone: apls.locator.host; apisrv.locator names no SN, in one note', async () => {
    const f = join(dir, profile);
    expect(await varsFromConfig(f, { env: {} })).toEqual({
      profile: 'swarm/swop',
      vars: { apls_host: { value: '172.1.1.1', source: `${f}:15` } },
      notes: [
        `apisrv.locator (${f}:18) names no SN: run-swop's --sn-ip or --sn-api-service does; --from that command ` +
          'line (it reads this profile too), or --set sn_host=HOST',
        sl1(f),
      ],
    });
  });
});

describe('apisrv.locator set (as the schema allows)', () => {
  it('host and port take precedence over --sn-ip and --sn-api-port; another apls.locator.host is a note', async () => {
    const dir = join(tmp, 'apisrv');
    const f = edited('mnist-swop1_profile.yaml', 'apisrv/workspace/mnist/swop/swop1_profile.yaml', {
      15: '    host: 172.9.9.9',
      19: '    host: 172.2.2.2',
      20: '    port: 31304',
    });
    const at = 'workspace/mnist/swop/swop1_profile.yaml';
    const found = await inDir(dir, () => varsFromConfig(`${script}#run-swop`, { env: {} }));
    expect(f).toBe(join(dir, at));
    expect(found.vars).toEqual({
      apls_host: { value: '172.1.1.1', source: `${script}:13` },
      sn_host: { value: '172.2.2.2', source: `${at}:19` },
      sn_api_port: { value: '31304', source: `${at}:20` },
      swarm_key: { value: 'workspace/mnist/cert/swop-1-key.pem', source: `${script}:11` },
      swarm_cert: { value: 'workspace/mnist/cert/swop-1-cert.pem', source: `${script}:12` },
    });
    expect(found.notes).toEqual([
      capath,
      `apisrv.locator.host 172.2.2.2 (${at}:19) takes precedence over 172.1.1.1 (${script}:10)`,
      `apisrv.locator.port 31304 (${at}:20) takes precedence over 30304 (${script}:10)`,
      `apls.locator.host 172.9.9.9 (${at}:15) differs from 172.1.1.1 (${script}:13), which is checked`,
      `SL node sl1 (${at}:32) is started by SWOP with slhostip <HOST_ADDRESS>, slport 16000: check it with ` +
        'swarm/sl --set sl_fs_port=16000',
    ]);
  });

  it('service FQDN:PORT → swarm/swop-proxy with sn_api_service and its port; dns and the SL FS services', async () => {
    const f = edited('reverse-proxy-mnist-swop1_profile.yaml', 'proxy.yaml', {
      16: '        host: 172.1.1.50',
      17: '        port: 5815',
      22: '        service: api.sn-2.swarm:8443',
      25: '    - 172.1.1.53',
    });
    expect(await varsFromConfig(f, { env: {} })).toEqual({
      profile: 'swarm/swop-proxy',
      vars: {
        sn_api_service: { value: 'api.sn-2.swarm', source: `${f}:22` },
        sn_api_service_port: { value: '8443', source: `${f}:22` },
        apls_host: { value: '172.1.1.50', source: `${f}:16` },
        apls_port: { value: '5815', source: `${f}:17` },
      },
      notes: [
        `apisrv.locator.service (${f}:22): through the reverse proxy; its address is found by DNS, not in the ` +
          'profile: --set proxy_host=HOST',
        `dns 172.1.1.53 (${f}:25): the name servers of the containers SWOP starts; what they answer for the ` +
          'service FQDNs is the reverse proxy (proxy_host)',
        `SL node sl-1.swarm (${f}:28) is started by SWOP with slfsservice fs.sl-1.swarm: check it with swarm/sl-proxy`,
        `SL node sl-2.swarm (${f}:63) is started by SWOP with slfsservice fs.sl-2.swarm: check it with swarm/sl-proxy`,
      ],
    });
  });
});

describe('broken or unfinished', () => {
  it('not valid YAML: one line with its line', async () => {
    const f = edited('mnist-swop1_profile.yaml', 'broken.yaml', { 19: '    host: [172.2.2.2' });
    expect(await oneLine(varsFromConfig(f, { env: {} }))).toMatch(new RegExp(`^${f}:2\\d: not valid YAML: `));
  });

  it('a port that is not one (apisrv.locator.service with a name after the colon): one line', async () => {
    const f = edited('mnist-swop1_profile.yaml', 'badport.yaml', { 21: '    service: api.sn-1.swarm:https' });
    expect(await oneLine(varsFromConfig(f, { env: {}, given: ['apls_host'] }))).toBe(
      `${f}:21: "api.sn-1.swarm:https" is not host:port`,
    );
  });

  it('run-swop whose profile is not there: one note says what it could change', async () => {
    const found = await inDir(tmp, () => varsFromConfig(`${script}#run-swop`, { env: {} }));
    expect(found.notes).toEqual([
      capath,
      `the SWOP profile workspace/mnist/swop/swop1_profile.yaml (--usr-dir ${script}:11, --profile-file-name ` +
        `${script}:11) cannot be read here (no such file): its apisrv.locator, when set, takes precedence over ` +
        '--sn-ip, --sn-api-port and --sn-api-service',
    ]);
  });
});
