// Files copied from the frameworks' own repositories (test/fixtures/<framework>/upstream/, SOURCE.md names
// each one's repository, path and commit): --from reads every one of them to the exact values, or answers
// in one line why it cannot. None of the frameworks' code runs here (PyPI is not reachable); their files do.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseEnvFile, processLookup } from '../../src/frameworks/dotenv.js';
import { varsFromConfig } from '../../src/frameworks/read.js';
import { oneLine } from '../helpers/one-line.js';

const up = (fw: string, name = '') => fileURLToPath(new URL(`../fixtures/${fw}/upstream/${name}`, import.meta.url));
const read = (path: string) => varsFromConfig(path, { env: {} });
const covered = new Set<string>();
/** The fixture's path, remembered so that the last test can tell that every file was read. */
const fx = (fw: string, name: string) => {
  covered.add(`${fw}/${name}`);
  return up(fw, name);
};

describe('Flower (adap/flower fdef7afb1d)', () => {
  it('framework/docker/complete/compose.yml: a SuperLink and two SuperNodes, one at a time', async () => {
    const f = fx('flower', 'docker-complete-compose.yml');
    expect(await oneLine(read(f))).toBe(
      `${f}: several components with different settings: superlink (flower/superlink); supernode-1 ` +
        '(flower/supernode-insecure, clientappio_api_port=(default)); supernode-2 (flower/supernode-insecure, ' +
        `clientappio_api_port=9095): pick one with --from ${f}#SERVICE`,
    );
    expect(await read(`${f}#superlink`)).toEqual({
      profile: 'flower/superlink',
      vars: {},
      notes: [
        `--insecure (${f}:6): the Fleet and Control APIs are plaintext; SuperNodes and the flwr CLI must use ` +
          'flower/supernode-insecure and flower/cli-insecure',
      ],
    });
    expect(await read(`${f}#supernode-1`)).toEqual({
      profile: 'flower/supernode-insecure',
      vars: { superlink_host: { value: 'superlink', source: `${f}:49` } },
      notes: [],
    });
    expect(await read(`${f}#supernode-2`)).toEqual({
      profile: 'flower/supernode-insecure',
      vars: {
        superlink_host: { value: 'superlink', source: `${f}:64` },
        clientappio_api_port: { value: '9095', source: `${f}:66` },
      },
      notes: [],
    });
  });

  it('framework/e2e/docker/compose.yaml: nightly images, an insecure SuperLink and SuperNode', async () => {
    const f = fx('flower', 'e2e-docker-compose.yaml');
    expect((await read(`${f}#superlink`)).profile).toBe('flower/superlink');
    expect(await read(`${f}#supernode`)).toEqual({
      profile: 'flower/supernode-insecure',
      vars: { superlink_host: { value: 'superlink', source: `${f}:26` } },
      notes: [],
    });
  });

  it('[tool.flwr.federations] of the e2e apps: address and insecure', async () => {
    const basic = fx('flower', 'e2e-docker-basic-app-pyproject.toml');
    expect(await read(basic)).toEqual({
      profile: 'flower/cli-insecure',
      vars: { superlink_host: { value: '127.0.0.1', source: `${basic}:29` } },
      notes: [`connection "local-deployment" (${basic})`],
    });
    const hb = fx('flower', 'e2e-serverapp-heartbeat-pyproject.toml');
    expect(await read(hb)).toEqual({
      profile: 'flower/cli-insecure',
      vars: { superlink_host: { value: '127.0.0.1', source: `${hb}:31` } },
      notes: [`connection "e2e" (${hb})`],
    });
    expect((await read(`${hb}#e2e-sim`)).vars).toEqual({
      superlink_host: { value: '127.0.0.1', source: `${hb}:35` },
    });
  });

  it('a simulation-only federation (baselines/fedprox): nothing on the network, one line', async () => {
    const f = fx('flower', 'baselines-fedprox-pyproject.toml');
    expect(await oneLine(read(f))).toBe(
      `${f}: connection "local-simulation" has no address (a simulation: options only): nothing on the network ` +
        'to check',
    );
  });
});

describe("Flower's framework/docker/complete: compose.yml + with-tls.yml (+ with-state.yml)", () => {
  const compose = fx('flower', 'docker-complete-compose.yml');
  const tls = fx('flower', 'docker-complete-with-tls.yml');
  const state = fx('flower', 'docker-complete-with-state.yml');
  const up2 = (name: string) => up('flower', name);

  it("supernode-1: with-tls.yml's command replaces compose.yml's; the CA is the secret's file", async () => {
    expect(await varsFromConfig([compose, `${tls}#supernode-1`], { env: {} })).toEqual({
      profile: 'flower/supernode',
      vars: {
        superlink_host: { value: 'superlink', source: `${tls}:20` },
        superlink_ca: {
          // compose.yml's directory is the project's: the secret's ./superlink-certificates is beside it.
          value: up2('superlink-certificates/ca.crt'),
          source:
            `${tls}:28: certificates/superlink-ca.crt, /app/certificates/superlink-ca.crt in the container, ` +
            `secret superlink-ca-certfile (${tls}:30), file ./superlink-certificates/ca.crt (${tls}:69)`,
        },
      },
      notes: [],
    });
  });

  it('supernode-2: its own ClientAppIo port, from with-tls.yml', async () => {
    const found = await varsFromConfig([compose, `${tls}#supernode-2`], { env: {} });
    expect(found.profile).toBe('flower/supernode');
    expect(found.vars.clientappio_api_port).toEqual({ value: '9095', source: `${tls}:38` });
    expect(found.vars.superlink_ca?.value).toBe(up2('superlink-certificates/ca.crt'));
  });

  it("superlink: TLS from with-tls.yml's command (flower/superlink has no variable for its files)", async () => {
    expect(await varsFromConfig([compose, `${tls}#superlink`], { env: {} })).toEqual({
      profile: 'flower/superlink',
      vars: {},
      notes: [
        `server certificate certificates/server.pem (${tls}:7): flower/superlink has no variable for it`,
        `CA certificate certificates/ca.crt (${tls}:6): flower/superlink has no variable for it`,
        `server private key (used by path only) certificates/server.key (${tls}:8): flower/superlink has no ` +
          'variable for it',
      ],
    });
  });

  it('the files in the other order: compose.yml last, its --insecure command wins', async () => {
    const found = await varsFromConfig([tls, `${compose}#supernode-1`], { env: {} });
    expect(found.profile).toBe('flower/supernode-insecure');
    expect(found.vars.superlink_host).toEqual({ value: 'superlink', source: `${compose}:49` });
  });

  it("with-state.yml last: its superlink command (with --insecure) replaces with-tls.yml's", async () => {
    const found = await varsFromConfig([compose, tls, `${state}#superlink`], { env: {} });
    expect(found.profile).toBe('flower/superlink');
    expect(found.vars).toEqual({});
    expect(found.notes[0]).toBe(
      `--insecure (${state}:4): the Fleet and Control APIs are plaintext; SuperNodes and the flwr CLI must use ` +
        'flower/supernode-insecure and flower/cli-insecure',
    );
  });

  it('without #SERVICE: each component, with what differs', async () => {
    const files = `${compose} + ${tls}`;
    expect(await oneLine(varsFromConfig([compose, tls], { env: {} }))).toBe(
      `${files}: several components with different settings: superlink (flower/superlink); supernode-1 ` +
        '(flower/supernode, clientappio_api_port=(default)); supernode-2 (flower/supernode, ' +
        'clientappio_api_port=9095)' +
        `: pick one with --from ${files}#SERVICE`,
    );
  });

  it('two #SERVICE selectors, or a file that is not compose, is one line', async () => {
    expect(await oneLine(varsFromConfig([`${compose}#superlink`, `${tls}#supernode-1`], { env: {} }))).toBe(
      '--from: one #SERVICE for all the compose files, not 2',
    );
    const toml = up2('baselines-fedprox-pyproject.toml');
    expect(await oneLine(varsFromConfig([compose, toml], { env: {} }))).toBe(
      `--from ${toml}: several --from are compose files merged in order; this is not one`,
    );
  });
  it('framework/docker/complete/certs.yml: it makes the certificates, it runs no component: one line', async () => {
    const f = fx('flower', 'docker-complete-certs.yml');
    expect(await oneLine(read(f))).toBe(
      `${f}: no Fed-BioMed, Flower or HPE Swarm Learning configuration found (a Fed-BioMed .ini or config.env, a ` +
        'Flower pyproject.toml or config.toml, or a command line of flower-supernode, flower-superlink, run-sn, ' +
        'run-sl, run-swop or run-swci)',
    );
  });
});

describe('Fed-BioMed (fedbiomed/fedbiomed 60d6192c6)', () => {
  it('the node config.ini of docs/user-guide/nodes/configuring-nodes.md', async () => {
    const f = fx('fedbiomed', 'docs-configuring-nodes-config.ini');
    expect(await read(f)).toEqual({
      profile: 'fedbiomed/node-v5',
      vars: { researcher_host: { value: 'localhost', source: `${f}:19` } },
      notes: [`node configuration version 2 (${f}:4): Fed-BioMed v5 or later, gRPC over TLS`],
    });
  });

  it('the researcher config.ini of docs/user-guide/researcher/configuration.md', async () => {
    const f = fx('fedbiomed', 'docs-researcher-configuration-config.ini');
    expect(await read(f)).toEqual({
      profile: 'fedbiomed/researcher-v5',
      vars: {},
      notes: [
        `the researcher's gRPC server binds localhost (${f}:8): nodes on other machines cannot reach it; set ` +
          'FBM_SERVER_HOST to an address they dial',
        `researcher gRPC server address (FBM_SERVER_HOST) localhost (${f}:8): fedbiomed/researcher-v5 has no ` +
          'variable for it',
        `certificate the gRPC server presents (relative to etc/) certs/server_certificate.pem (${f}:14): ` +
          'fedbiomed/researcher-v5 has no variable for it',
        `its private key (used by path only) certs/server_certificate.key (${f}:13): fedbiomed/researcher-v5 has ` +
          'no variable for it',
      ],
    });
  });

  it('the VPN config.env templates: a placeholder is said to be one, never taken for an address', async () => {
    for (const name of ['config_node.env', 'config_researcher.env']) {
      const f = fx('fedbiomed', name);
      expect(await oneLine(read(f))).toBe(
        `${f}:17: VPN_SERVER_ENDPOINT=$vpn_server_endpoint is a placeholder: this is the template ` +
          "configure_peer.py fills in, not a peer's config.env",
      );
    }
  });

  it("envs/vpn/docker/.env: its own ${VAR:-default}s, the shell's environment first", () => {
    const f = fx('fedbiomed', 'vpn-docker/.env');
    const text = readFileSync(f, 'utf8');
    expect(parseEnvFile(text, f)).toEqual({
      FBM_CONTAINER_VERSION_TAG: { value: '6.3.3', source: `${f}:8` },
      FBM_CONTAINER_INSTANCE_ID: { value: 'default', source: `${f}:17` },
    });
    const shell = processLookup({ FBM_CONTAINER_VERSION_TAG: '7.0.0' });
    expect(parseEnvFile(text, f, shell).FBM_CONTAINER_VERSION_TAG).toEqual({
      value: '7.0.0',
      source: `${f}:8, $FBM_CONTAINER_VERSION_TAG from the environment`,
    });
  });

  it('envs/vpn/docker/docker-compose.yml (its .env beside it): the node read where its mount puts it', async () => {
    fx('fedbiomed', 'vpn-docker/.env');
    const f = fx('fedbiomed', 'vpn-docker/docker-compose.yml');
    // The first service, node (`<<: *standard-node`: image fedbiomed/vpn-node, ./node/run_mounts/fbm-node on
    // /fbm-node): its config.ini does not exist before the node first starts. compose-fedbiomed.test.ts has one.
    expect(await oneLine(read(f))).toBe(
      `${up('fedbiomed', 'vpn-docker/node/run_mounts/fbm-node/etc/config.ini')}: cannot read (no such file): ` +
        `/fbm-node/etc/config.ini in the container, bind mount ./node/run_mounts/fbm-node (${f}:37) of service node`,
    );
  });
});

describe('HPE Swarm Learning (HewlettPackard/swarm-learning 77231165d3)', () => {
  const capath = (f: string, line: number) =>
    `--capath workspace/mnist/cert/ca/capath (${f}:${line}) is a directory: give the CA file in it with --set ` +
    'swarm_ca=FILE';
  it('examples/mnist/README.md on host-1: the variables of step 5, the commands of steps 8, 10 and 12', async () => {
    const f = fx('swarm', 'mnist-readme-host-1.sh');
    expect(await read(`${f}#run-sn`)).toEqual({
      profile: 'swarm/sn',
      vars: { apls_host: { value: '172.1.1.1', source: `${f}:9` } },
      notes: [
        capath(f, 9),
        `--sentinel (${f}:8): this SN starts the swarm; other SNs are not in its arguments: --set peer_sn_host=HOST ` +
          'for each',
        `this host (--host-ip) 172.1.1.1 (${f}:8): swarm/sn has no variable for it`,
        `private key (--key, used by path only) workspace/mnist/cert/sn-1-key.pem (${f}:9): swarm/sn has no ` +
          'variable for it',
        `client certificate (--cert) workspace/mnist/cert/sn-1-cert.pem (${f}:9): swarm/sn has no variable for it`,
      ],
    });
    expect(await read(`${f}#run-swop`)).toEqual({
      profile: 'swarm/swop',
      vars: {
        apls_host: { value: '172.1.1.1', source: `${f}:13` },
        sn_host: { value: '172.1.1.1', source: `${f}:10` },
        swarm_key: { value: 'workspace/mnist/cert/swop-1-key.pem', source: `${f}:11` },
        swarm_cert: { value: 'workspace/mnist/cert/swop-1-cert.pem', source: `${f}:12` },
      },
      // Its SWOP profile is read too (swarm-profile.test.ts); it is not beside this file.
      notes: [
        capath(f, 12),
        `the SWOP profile workspace/mnist/swop/swop1_profile.yaml (--usr-dir ${f}:11, --profile-file-name ${f}:11) ` +
          'cannot be read here (no such file): its apisrv.locator, when set, takes precedence over --sn-ip, ' +
          '--sn-api-port and --sn-api-service',
      ],
    });
    expect(await read(`${f}#run-swci`)).toEqual({
      profile: 'swarm/swci',
      vars: {
        apls_host: { value: '172.1.1.1', source: `${f}:16` },
        swarm_key: { value: 'workspace/mnist/cert/swci-1-key.pem', source: `${f}:15` },
        swarm_cert: { value: 'workspace/mnist/cert/swci-1-cert.pem', source: `${f}:15` },
      },
      notes: [
        capath(f, 15),
        `SWCI reaches its SN through the init script's "create context … with ip …" (swci-init): --set sn_host=HOST`,
      ],
    });
  });

  it('examples/mnist/README.md on host-2: the second SN has the sentinel as its peer', async () => {
    const f = fx('swarm', 'mnist-readme-host-2.sh');
    expect((await read(`${f}#run-sn`)).vars).toEqual({
      apls_host: { value: '172.1.1.1', source: `${f}:10` },
      peer_sn_host: { value: '172.1.1.1', source: `${f}:8` },
    });
    expect((await read(`${f}#run-swop`)).vars).toEqual({
      apls_host: { value: '172.1.1.1', source: `${f}:14` },
      sn_host: { value: '172.2.2.2', source: `${f}:11` },
      swarm_key: { value: 'workspace/mnist/cert/swop-2-key.pem', source: `${f}:12` },
      swarm_cert: { value: 'workspace/mnist/cert/swop-2-cert.pem', source: `${f}:13` },
    });
  });

  it("the examples' SWOP profiles as shipped: apls.locator.host is a placeholder (one line), apisrv is ~", async () => {
    const mnist = fx('swarm', 'mnist-swop1_profile.yaml');
    const proxy = fx('swarm', 'reverse-proxy-mnist-swop1_profile.yaml');
    expect(await oneLine(read(mnist))).toBe(
      `apls.locator.host (${mnist}:15) is still the example's placeholder <LICENSE-SERVER-ADDRESS>; with the other ` +
        'values as read: fedprobe check swarm/swop --set apls_host=…',
    );
    expect(await oneLine(read(proxy))).toBe(
      `apls.locator.host (${proxy}:16) is still the example's placeholder <APLS-IP>; with the other values as ` +
        'read: fedprobe check swarm/swop --set apls_host=…',
    );
    // Given with --set, the rest is read: no SN in apisrv.locator (run-swop's arguments give it), the SL nodes.
    const given = await varsFromConfig(proxy, { env: {}, given: ['apls_host'] });
    expect(given.vars).toEqual({});
    expect(given.notes).toEqual([
      `apisrv.locator (${proxy}:19) names no SN: run-swop's --sn-ip or --sn-api-service does; --from that command ` +
        'line (it reads this profile too), or --set sn_host=HOST',
      `dns <DNS> (${proxy}:25): the name servers of the containers SWOP starts; what they answer for the service ` +
        'FQDNs is the reverse proxy (proxy_host)',
      `SL node sl-1.swarm (${proxy}:28) is started by SWOP with slfsservice fs.sl-1.swarm: check it with ` +
        'swarm/sl-proxy',
      `SL node sl-2.swarm (${proxy}:63) is started by SWOP with slfsservice fs.sl-2.swarm: check it with ` +
        'swarm/sl-proxy',
    ]);
  });

  it("the examples' run scripts take their addresses from $1, $2 …: one line naming the parameter", async () => {
    const runAll = fx('swarm', 'reverse-proxy-mnist-run-all');
    const spire1 = fx('swarm', 'spire-cifar10-run-on-host-1');
    const spire2 = fx('swarm', 'spire-cifar10-run-on-host-2');
    const bySet = (at: string, opt: string, name: string, n: number) =>
      `${at}: ${opt} \${${name}} uses $${name}, which the script sets from $${n} when it runs: give the value ` +
      'with --set';
    expect(await oneLine(read(`${runAll}#run-sn`))).toBe(bySet(`${runAll}:215`, '--apls-ip', 'APLS_IP', 1));
    expect(await oneLine(read(`${runAll}#run-swop`))).toBe(bySet(`${runAll}:254`, '--apls-ip', 'APLS_IP', 1));
    expect(await oneLine(read(`${runAll}#run-swci`))).toBe(bySet(`${runAll}:273`, '--apls-ip', 'APLS_IP', 1));
    expect(await oneLine(read(`${spire1}#run-sn`))).toBe(bySet(`${spire1}:226`, '--host-ip', 'Host_1_IP', 2));
    expect(await oneLine(read(`${spire2}#run-sn`))).toBe(bySet(`${spire2}:205`, '--host-ip', 'Host_2_IP', 3));
    // ${workingDir} is set nowhere in the script (its README has it exported): the environment can give it.
    expect(await oneLine(read(`${spire1}#run-swop`))).toBe(
      `${spire1}:273: --usr-dir \${workingDir}/swop uses $workingDir, which is not set here: set it in the ` +
        'environment or give the value with --set',
    );
  });
});

describe('the upstream folders', () => {
  it('every file copied is read above; each folder names its sources and carries its licence', () => {
    for (const fw of ['flower', 'fedbiomed', 'swarm']) {
      const files = (dir: string): string[] =>
        readdirSync(join(up(fw), dir)).flatMap((n) =>
          statSync(join(up(fw), dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)],
        );
      const all = files('');
      expect(all.filter((n) => /^LICENSE/.test(n))).toHaveLength(1);
      const source = readFileSync(up(fw, 'SOURCE.md'), 'utf8');
      for (const n of all.filter((x) => !/^(LICENSE|SOURCE)/.test(x))) {
        expect(covered, `${fw}/${n} is read by a test`).toContain(`${fw}/${n}`);
        expect(source, `${fw}/SOURCE.md names ${n}`).toContain(`\`${n}\``);
      }
    }
  });
});
