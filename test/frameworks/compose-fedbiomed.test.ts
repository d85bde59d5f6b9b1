// A Fed-BioMed node in Fed-BioMed's own VPN compose file (envs/vpn/docker/docker-compose.yml, copied in
// test/fixtures/fedbiomed/upstream): its config.ini and VPN config.env are in the directories the service
// bind-mounts, and are read there, each value with its file and line.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { varsFromConfig } from '../../src/frameworks/read.js';

const up = (name: string) => fileURLToPath(new URL(`../fixtures/fedbiomed/upstream/${name}`, import.meta.url));

describe('Fed-BioMed node in a compose service, its configuration in a bind mount', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-fbm-compose-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  copyFileSync(up('vpn-docker/docker-compose.yml'), join(dir, 'docker-compose.yml'));
  copyFileSync(up('vpn-docker/.env'), join(dir, '.env'));
  const f = join(dir, 'docker-compose.yml');
  const etc = join(dir, 'node/run_mounts/fbm-node/etc');
  const config = join(dir, 'node/run_mounts/config');

  it('before the node first started: its config.ini is not there, one line naming the mount', async () => {
    const err = await varsFromConfig(`${f}#node`, { env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UsageError);
    expect((err as Error).message).toBe(
      `${etc}/config.ini: cannot read (no such file): /fbm-node/etc/config.ini in the container, bind mount ` +
        `./node/run_mounts/fbm-node (${f}:37) of service node`,
    );
  });

  it("config.ini as the container's entrypoint writes it (researcher 10.222.0.2) and the VPN config.env", async () => {
    mkdirSync(etc, { recursive: true });
    mkdirSync(config, { recursive: true });
    // The user guide's node config.ini, with the researcher address envs/vpn/docker/node/build_files/
    // entrypoint.bash l.34 gives it (FBM_RESEARCHER_IP=10.222.0.2).
    const ini = `${etc}/config.ini`;
    writeFileSync(
      ini,
      (await import('node:fs'))
        .readFileSync(up('docs-configuring-nodes-config.ini'), 'utf8')
        .replace('ip = localhost', 'ip = 10.222.0.2'),
    );
    const env = `${config}/config.env`;
    writeFileSync(
      env,
      '# Fed-BioMed node configuration file\nexport VPN_IP=10.221.0.2\n' +
        'export VPN_SERVER_ENDPOINT=vpn.example.org:51820\n',
    );
    expect(await varsFromConfig(`${f}#node`, { env: {} })).toEqual({
      profile: 'fedbiomed/node-vpn',
      vars: { vpn_server: { value: 'vpn.example.org', source: `${env}:3` } },
      notes: [
        `researcher ip 10.222.0.2 (${ini}:19) is inside Fed-BioMed's VPN (10.222.0.0/16): the node reaches it ` +
          "through WireGuard; give vpn_server with --from the node's config.env (VPN_SERVER_ENDPOINT) or --set " +
          'vpn_server=HOST',
        `${ini} is /fbm-node/etc/config.ini in the container, bind mount ./node/run_mounts/fbm-node (${f}:37) of ` +
          'service node',
      ],
    });
  });

  it('a named volume holding the configuration: one line, it cannot be read from here', async () => {
    const named = join(dir, 'named.yml');
    writeFileSync(
      named,
      'services:\n  node:\n    image: fedbiomed/vpn-node:6.3.3\n    volumes:\n      - fbm:/fbm-node\n' +
        'volumes:\n  fbm: {}\n',
    );
    const err = await varsFromConfig(named, { env: {} }).catch((e: unknown) => e);
    expect((err as Error).message).toBe(
      `the node's configuration /fbm-node/etc/config.ini is in the named volume fbm (${named}:5) of service ` +
        'node, which cannot be read from here',
    );
  });
});
