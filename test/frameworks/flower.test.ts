// Flower's own configuration — compose files and a pyproject.toml from the Flower repository, a
// systemd unit, a start script, ~/.flwr/config.toml — → profile and variables with their sources.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { varsFromConfig } from '../../src/frameworks/read.js';

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/frameworks/flower/${name}`, import.meta.url));

async function usageError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

describe('flower-supernode', () => {
  // The CA a SuperNode reads in its container (/app is the flwr/* images' WORKDIR) is the file its secret is.
  const certs = fileURLToPath(new URL('../fixtures/frameworks/superlink-certificates/ca.crt', import.meta.url));
  const secret = (line: number) =>
    `/app/certificates/superlink-ca.crt in the container, secret superlink-ca-certfile ` +
    `(${fx('compose-client.yml')}:${line}), file ../superlink-certificates/ca.crt (${fx('compose-client.yml')}:136)`;
  it("reads the SuperNodes of Flower's distributed compose file, with compose's ${VAR:-default}", async () => {
    const f = fx('compose-client.yml');
    // The two SuperNodes serve ClientAppIo on 9094 and 9095: they are checked one at a time.
    expect(await usageError(varsFromConfig(f))).toBe(
      `${f}: several components with different settings: supernode-1 (flower/supernode, ` +
        `clientappio_api_port=(default)); supernode-2 (flower/supernode, clientappio_api_port=9095): pick one with ` +
        `--from ${f}#SERVICE`,
    );
    expect(await varsFromConfig(`${f}#supernode-1`)).toEqual({
      profile: 'flower/supernode',
      vars: {
        superlink_host: { value: '127.0.0.1', source: `${f}:6` },
        superlink_ca: { value: certs, source: `${f}:14: certificates/superlink-ca.crt, ${secret(16)}` },
      },
      notes: [`--superlink 127.0.0.1:9092 (${f}:6) uses the default of unset $SUPERLINK_IP`],
    });
  });

  it('takes SUPERLINK_IP from the environment, and one service with #name', async () => {
    const f = fx('compose-client.yml');
    const found = await varsFromConfig(`${f}#supernode-2`, { env: { SUPERLINK_IP: '203.0.113.9' } });
    expect(found.profile).toBe('flower/supernode');
    expect(found.vars).toEqual({
      superlink_host: { value: '203.0.113.9', source: `${f}:23` },
      superlink_ca: { value: certs, source: `${f}:31: certificates/superlink-ca.crt, ${secret(33)}` },
      clientappio_api_port: { value: '9095', source: `${f}:25` },
    });
    expect(found.notes).toEqual([]);
  });

  it('reads a systemd unit: ExecStart= over continued lines, Environment=, the key by path only', async () => {
    const f = fx('flower-supernode.service');
    expect(await varsFromConfig(f)).toEqual({
      profile: 'flower/supernode',
      vars: {
        superlink_host: { value: 'superlink.example.org', source: `${f}:10` },
        superlink_ca: { value: '/etc/flwr/superlink-ca.crt', source: `${f}:11` },
      },
      notes: [
        `SuperNode authentication key (used by path only) /etc/flwr/supernode.key (${f}:14): flower/supernode ` +
          `has no variable for it`,
        `ClientAppIo API bind address 127.0.0.1 (${f}:12): flower/supernode has no variable for it`,
      ],
    });
  });

  it('a ${VAR} that is set nowhere is one line, not a guess', async () => {
    const f = fx('compose-unset.yml');
    expect(await usageError(varsFromConfig(f))).toBe(
      `${f}:4: --superlink \${SUPERLINK_IP}:9092 uses $SUPERLINK_IP, which is not set here: set it in the ` +
        `environment or give the value with --set`,
    );
  });
});

describe('flower-superlink', () => {
  it("reads Flower's distributed server compose file: TLS with the three --ssl-* files, key by path", async () => {
    const f = fx('compose-server.yml');
    expect(await varsFromConfig(f)).toEqual({
      profile: 'flower/superlink',
      vars: {},
      notes: [
        `server certificate certificates/server.pem (${f}:8): flower/superlink has no variable for it`,
        `CA certificate certificates/ca.crt (${f}:7): flower/superlink has no variable for it`,
        `server private key (used by path only) certificates/server.key (${f}:9): flower/superlink has no ` +
          `variable for it`,
      ],
    });
  });

  it('reads a start script: NAME=value lines, "$NAME", exec', async () => {
    const f = fx('flower-superlink-insecure.sh');
    expect(await varsFromConfig(f)).toEqual({
      profile: 'flower/superlink',
      vars: { fleet_api_port: { value: '19092', source: `${f}:4` } },
      notes: [
        `--insecure (${f}:4): the Fleet and Control APIs are plaintext; SuperNodes and the flwr CLI must use ` +
          `flower/supernode-insecure and flower/cli-insecure`,
        `Control API bind address 127.0.0.1 (${f}:4): flower/superlink has no variable for it`,
      ],
    });
  });
});

describe('flwr CLI connections', () => {
  it('pyproject.toml written by `flwr new` (v1.20 template), remote federation with TLS', async () => {
    const f = fx('project-tls/pyproject.toml');
    expect(await varsFromConfig(`${f}#remote-federation`)).toEqual({
      profile: 'flower/cli',
      vars: {
        superlink_host: { value: 'superlink.example.org', source: `${f}:51` },
        superlink_ca: { value: fx('project-tls/certificates/ca.crt'), source: `${f}:53` },
      },
      notes: [`connection "remote-federation" (${f})`],
    });
  });

  it('insecure = true → flower/cli-insecure', async () => {
    const f = fx('project-insecure/pyproject.toml');
    expect(await varsFromConfig(`${f}#remote-federation`)).toEqual({
      profile: 'flower/cli-insecure',
      vars: { superlink_host: { value: 'superlink.example.org', source: `${f}:51` } },
      notes: [`connection "remote-federation" (${f})`],
    });
  });

  it("a project whose default federation is a simulation (Flower's own example) is one line", async () => {
    const f = fx('pyproject-simulation.toml');
    expect(await usageError(varsFromConfig(f))).toBe(
      `${f}: connection "local-simulation" has no address (a simulation: options only): nothing on the network ` +
        `to check`,
    );
  });

  it('~/.flwr/config.toml: the default connection, or one named with #name', async () => {
    const f = fx('config.toml');
    expect(await varsFromConfig(f)).toEqual({
      profile: 'flower/cli',
      vars: {
        superlink_host: { value: 'superlink.example.org', source: `${f}:11` },
        superlink_ca: { value: '/home/alice/.flwr/certs/my-site-ca.crt', source: `${f}:12` },
      },
      notes: [`connection "my-site" (${f})`],
    });
    expect(await varsFromConfig(`${f}#lab`)).toEqual({
      profile: 'flower/cli-insecure',
      vars: { superlink_host: { value: '10.0.0.5', source: `${f}:15` } },
      notes: [`connection "lab" (${f})`],
    });
    expect(await usageError(varsFromConfig(`${f}#local`))).toBe(
      `${f}:8: connection "local" is flwr's own managed local SuperLink (:local:), started by flwr on this ` +
        `machine; pick a remote one with --from ${f}#NAME`,
    );
  });

  it('broken and partial config.toml files: one line each', async () => {
    const missing = fx('config-missing-default.toml');
    expect(await usageError(varsFromConfig(missing))).toBe(`${missing}: no [superlink].gone (connections: lab)`);
    const broken = fx('config-broken.toml');
    expect(await usageError(varsFromConfig(broken))).toMatch(
      new RegExp(`^${broken.replace(/[.]/g, '\\.')}:5: not valid TOML: `),
    );
    const bad = fx('config-bad-insecure.toml');
    expect(await usageError(varsFromConfig(bad))).toBe(`${bad}:6: insecure must be true or false`);
  });
});

describe('compose: the .env beside the file', () => {
  const f = fx('compose-dotenv/compose.yml');
  const dotenv = fx('compose-dotenv/.env');

  it('takes ${VAR} from it and names its line; both SuperNodes are reported, each with what differs', async () => {
    expect(await usageError(varsFromConfig(f, { env: {} }))).toBe(
      `${f}: several components with different settings: supernode-1 (flower/supernode); ` +
        `supernode-2 (flower/supernode-insecure): pick one with --from ${f}#SERVICE`,
    );
    // Its CA is read in the container, and nothing mounts it there: it is in the image. The other values
    // stand; that one must be given.
    const unknown =
      `superlink_ca certificates/superlink-ca.crt (${f}:10) (/app/certificates/superlink-ca.crt in the ` +
      'container) is inside the image of service supernode-1: no volume, bind mount, secret or config of it covers ' +
      'that path, so it cannot be read from here';
    expect(await usageError(varsFromConfig(`${f}#supernode-1`, { env: {} }))).toBe(
      `${unknown}; with the other values as read: fedprobe check flower/supernode --set ` +
        'superlink_host=superlink.example.org --set superlink_ca=…',
    );
    expect(await varsFromConfig(`${f}#supernode-1`, { env: {}, given: ['superlink_ca'] })).toEqual({
      profile: 'flower/supernode',
      vars: {
        superlink_host: { value: 'superlink.example.org', source: `${f}:8 ($SUPERLINK_IP from ${dotenv}:3)` },
      },
      notes: [],
      unknown: { superlink_ca: unknown },
    });
    // FEDPROBE_VAR_SUPERLINK_CA gives it too.
    const env = { FEDPROBE_VAR_SUPERLINK_CA: '/etc/ca.pem' };
    expect((await varsFromConfig(`${f}#supernode-1`, { env })).unknown).toEqual({ superlink_ca: unknown });
    // A string command: split like compose does, the .env value's line kept per word.
    expect(await varsFromConfig(`${f}#supernode-2`, { env: {} })).toEqual({
      profile: 'flower/supernode-insecure',
      vars: {
        superlink_host: { value: 'superlink.example.org', source: `${f}:13 ($SUPERLINK_IP from ${dotenv}:3)` },
        clientappio_api_port: { value: '9095', source: `${f}:13 ($APPIO_PORT from ${dotenv}:4)` },
      },
      notes: [],
    });
  });

  it('an unreadable .env is one line, not a guess without it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-dotenv-'));
    try {
      copyFileSync(f, join(dir, 'compose.yml'));
      mkdirSync(join(dir, '.env')); // read() of a directory: EISDIR
      expect(await usageError(varsFromConfig(`${join(dir, 'compose.yml')}#supernode-1`, { env: {} }))).toBe(
        `${join(dir, '.env')}: cannot read the .env docker compose would read (EISDIR)`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the shell's environment wins over the .env, as in docker compose", async () => {
    const env = { SUPERLINK_IP: '203.0.113.7' };
    const found = await varsFromConfig(`${f}#supernode-1`, { env, given: ['superlink_ca'] });
    expect(found.vars.superlink_host).toEqual({ value: '203.0.113.7', source: `${f}:8` });
  });
});
