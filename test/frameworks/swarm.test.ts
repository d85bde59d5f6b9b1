// HPE Swarm Learning's run-* start commands, from HPE's own example script and README, → profile and
// variables with their file:line; positional parameters and command output are never guessed.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { varsFromConfig } from '../../src/frameworks/read.js';
import { loadProfile } from '../../src/profile/load.js';

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/frameworks/swarm/${name}`, import.meta.url));

async function usageError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

describe('run-sn', () => {
  it('a sentinel SN (mnist README step 8): apls_host, ports at their defaults, key by path only', async () => {
    const f = fx('mnist-host-1.sh');
    expect(await varsFromConfig(`${f}#run-sn`)).toEqual({
      profile: 'swarm/sn',
      vars: { apls_host: { value: '172.1.1.1', source: `${f}:10` } },
      notes: [
        `--capath workspace/mnist/cert/ca/capath (${f}:10) is a directory: give the CA file in it with --set ` +
          `swarm_ca=FILE`,
        `--sentinel (${f}:9): this SN starts the swarm; other SNs are not in its arguments: --set ` +
          `peer_sn_host=HOST for each`,
        `this host (--host-ip) 172.1.1.1 (${f}:9): swarm/sn has no variable for it`,
        // An SN makes no mutual-TLS call of its own in the matrix: its certificate has no row to go to.
        `private key (--key, used by path only) workspace/mnist/cert/sn-1-key.pem (${f}:10): swarm/sn has no ` +
          `variable for it`,
        `client certificate (--cert) workspace/mnist/cert/sn-1-cert.pem (${f}:10): swarm/sn has no variable for it`,
      ],
    });
  });

  it("a second SN: the sentinel is its peer; its own P2P port off the default is this SN's p2p-in port", async () => {
    const f = fx('mnist-host-2-sn.sh');
    const found = await varsFromConfig(f);
    expect(found.profile).toBe('swarm/sn');
    expect(found.vars).toEqual({
      apls_host: { value: '172.1.1.1', source: `${f}:10` },
      sn_p2p_port: { value: '16000', source: `${f}:8` },
      peer_sn_host: { value: '172.1.1.1', source: `${f}:8` },
    });
    // The sentinel's own P2P port is not in these arguments: p2p-out keeps the default.
    expect(found.notes.filter((n) => n.includes('16000'))).toEqual([]);
  });

  it("HPE's reverse-proxy example takes its addresses from $1…: one line, not a guess", async () => {
    const f = fx('run-on-host-1');
    expect(await usageError(varsFromConfig(`${f}#run-sn`))).toBe(
      `${f}:261: --apls-ip \${APLS_IP} uses $APLS_IP, which the script sets from $1 when it runs: give the value ` +
        'with --set',
    );
  });

  it('several components in one script: pick one by program', async () => {
    const f = fx('mnist-host-1.sh');
    expect(await usageError(varsFromConfig(f))).toBe(
      `${f}: several components with different settings: ${f}:9 (swarm/sn); ${f}:12 (swarm/swop): pick one with ` +
        `--from ${f}#PROGRAM`,
    );
  });
});

describe('run-swop', () => {
  it('mnist README step 10: sn_host and apls_host', async () => {
    const f = fx('mnist-host-1.sh');
    const found = await varsFromConfig(`${f}#run-swop`);
    expect(found.profile).toBe('swarm/swop');
    expect(found.vars).toEqual({
      sn_host: { value: '172.1.1.1', source: `${f}:12` },
      apls_host: { value: '172.1.1.1', source: `${f}:15` },
      // The SWOP's mutual-TLS certificate lands in the SN API row; its --capath is a directory (a note).
      swarm_key: { value: 'workspace/mnist/cert/swop-1-key.pem', source: `${f}:13` },
      swarm_cert: { value: 'workspace/mnist/cert/swop-1-cert.pem', source: `${f}:14` },
    });
    expect(found.notes).toEqual([
      `--capath workspace/mnist/cert/ca/capath (${f}:14) is a directory: give the CA file in it with --set ` +
        'swarm_ca=FILE',
      // Read from the current directory, as run-swop run here would (swarm-profile.test.ts reads one).
      `the SWOP profile workspace/mnist/swop/swop1_profile.yaml (--usr-dir ${f}:13, --profile-file-name ${f}:13) ` +
        'cannot be read here (no such file): its apisrv.locator, when set, takes precedence over --sn-ip, ' +
        '--sn-api-port and --sn-api-service',
    ]);
  });
});

describe('reverse proxy', () => {
  it('--sn-api-service → swarm/sn-proxy (its default FQDN: no --set); proxy_host is for the operator', async () => {
    const f = fx('proxy-sn.sh');
    const found = await varsFromConfig(f);
    expect(found.profile).toBe('swarm/sn-proxy');
    expect(found.vars).toEqual({
      apls_host: { value: '172.1.1.50', source: `${f}:19` },
      swarm_key: { value: '/opt/swarm/cifar10/cert/sn-1-key.pem', source: `${f}:21` },
      swarm_cert: { value: '/opt/swarm/cifar10/cert/sn-1-cert.pem', source: `${f}:22` },
    });
    expect((await loadProfile('swarm/sn-proxy')).vars.sn_api_service!.default).toBe('api.sn-1.swarm');
    expect(found.notes).toContain(
      `--sn-api-service (${f}:16): through the reverse proxy; its address is found by DNS, not in the arguments: ` +
        `--set proxy_host=HOST`,
    );
    expect(found.notes).toContain(`--sn-p2p-service p2p.sn-1.swarm:30303 (${f}:17): SN P2P still uses 30303 directly`);
  });
});
