// Fed-BioMed's configuration files, as each version writes them, → profile and variables with
// their file:line; every broken or partial file → one line.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { varsFromConfig } from '../../src/frameworks/read.js';

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/frameworks/fedbiomed/${name}`, import.meta.url));

describe('Fed-BioMed v4 (MQTT + restful)', () => {
  it('maps a node config_node.ini to fedbiomed/node', async () => {
    const f = fx('v4-config_node.ini');
    const found = await varsFromConfig(f);
    expect(found).toEqual({
      profile: 'fedbiomed/node',
      vars: {
        restful_port: { value: '8844', source: `${f}:4` },
        network_host: { value: 'fbm-network.example.org', source: `${f}:15` },
      },
      notes: [],
    });
  });

  it('FBM v4 environment variables override the file, as Environ does', async () => {
    const f = fx('v4-config_node.ini');
    const found = await varsFromConfig(f, { env: { MQTT_BROKER: '192.0.2.7', MQTT_BROKER_PORT: '11883' } });
    expect(found.vars.network_host).toEqual({ value: '192.0.2.7', source: 'env MQTT_BROKER' });
    // The port lands in the profile's mqtt_port: the mqtt row checks 11883.
    expect(found.vars.mqtt_port).toEqual({ value: '11883', source: 'env MQTT_BROKER_PORT' });
    expect(found.notes.some((n) => n.startsWith('the restful server (fbm-network.example.org'))).toBe(true);
  });

  it('a researcher inside the VPN → fedbiomed/researcher-vpn, vpn_server left to config.env', async () => {
    const f = fx('v4-vpn-config_researcher.ini');
    const found = await varsFromConfig(f);
    expect(found.profile).toBe('fedbiomed/researcher-vpn');
    expect(found.vars).toEqual({});
    expect(found.notes).toEqual([
      `MQTT broker 10.220.0.2 (${f}:8) is inside Fed-BioMed's VPN (10.220.0.0/16): traffic goes through ` +
        `WireGuard; give vpn_server with --from the researcher's config.env (VPN_SERVER_ENDPOINT) or --set ` +
        `vpn_server=HOST`,
    ]);
  });
});

describe('Fed-BioMed v5+ (gRPC over TLS)', () => {
  it('maps a develop node config.ini to fedbiomed/node-v5', async () => {
    const f = fx('v6-config.ini');
    expect(await varsFromConfig(f)).toEqual({
      profile: 'fedbiomed/node-v5',
      vars: { researcher_host: { value: 'researcher.example.org', source: `${f}:27` } },
      notes: [`node configuration version 2.3.0 (${f}:4): Fed-BioMed v5 or later, gRPC over TLS`],
    });
  });

  it('FBM_RESEARCHER_IP overrides the file, as Config._get does', async () => {
    const found = await varsFromConfig(fx('v6-config.ini'), { env: { FBM_RESEARCHER_IP: '198.51.100.4' } });
    expect(found.vars.researcher_host).toEqual({ value: '198.51.100.4', source: 'env FBM_RESEARCHER_IP' });
  });

  it('maps a researcher config.ini: port, certificate, key by path only, loopback bind', async () => {
    const f = fx('v6-config-researcher.ini');
    const found = await varsFromConfig(f);
    expect(found.profile).toBe('fedbiomed/researcher-v5');
    expect(found.vars).toEqual({ server_port: { value: '50052', source: `${f}:12` } });
    expect(found.notes).toEqual([
      `the researcher's gRPC server binds localhost (${f}:11): nodes on other machines cannot reach it; set ` +
        `FBM_SERVER_HOST to an address they dial`,
      `researcher gRPC server address (FBM_SERVER_HOST) localhost (${f}:11): fedbiomed/researcher-v5 has no ` +
        `variable for it`,
      `certificate the gRPC server presents (relative to etc/) certs/server_certificate.pem (${f}:17): ` +
        `fedbiomed/researcher-v5 has no variable for it`,
      `its private key (used by path only) certs/server_certificate.key (${f}:16): fedbiomed/researcher-v5 has ` +
        `no variable for it`,
    ]);
  });

  it('a v5 node whose researcher is inside the VPN → fedbiomed/node-vpn', async () => {
    const f = fx('v5-vpn-config_node.ini');
    const found = await varsFromConfig(f);
    expect(found.profile).toBe('fedbiomed/node-vpn');
    expect(found.vars).toEqual({});
    expect(found.notes[0]).toBe(
      `researcher ip 10.222.0.2 (${f}:23) is inside Fed-BioMed's VPN (10.222.0.0/16): the node reaches it ` +
        `through WireGuard; give vpn_server with --from the node's config.env (VPN_SERVER_ENDPOINT) or --set ` +
        `vpn_server=HOST`,
    );
  });

  it("the VPN peer's config.env gives vpn_server, and never prints the keys", async () => {
    const f = fx('vpn-node-config.env');
    const found = await varsFromConfig(f);
    expect(found).toEqual({
      profile: 'fedbiomed/node-vpn',
      vars: { vpn_server: { value: 'vpn.fbm.example.org', source: `${f}:17` } },
      notes: [
        `the peer's WireGuard keys are in ${f} (VPN_SERVER_PUBLIC_KEY, VPN_SERVER_PSK at line 20); fedprobe uses ` +
          `them by path, never prints them`,
      ],
    });
    expect(JSON.stringify(found)).not.toContain('TESTONLY');
  });
});

describe('broken or partial Fed-BioMed files: one line each', () => {
  const cases: [string, (f: string) => string][] = [
    ['partial-no-port.ini', (f) => `${f}: Fed-BioMed configuration without [researcher] port`],
    ['broken.ini', (f) => `${f}:4: not an INI line (expected [section] or key = value)`],
    ['no-transport.ini', (f) => `${f}: Fed-BioMed node configuration with neither [researcher] (v5+) nor [mqtt] (v4)`],
    ['duplicate-section.ini', (f) => `${f}:8: section [researcher] appears twice`],
    ['does-not-exist.ini', (f) => `--from ${f}: cannot read (no such file)`],
  ];
  for (const [name, message] of cases) {
    it(name, async () => {
      const f = fx(name);
      const err = await varsFromConfig(f).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(UsageError);
      expect((err as Error).message).toBe(message(f));
      expect((err as Error).message).not.toContain('\n');
    });
  }
});
