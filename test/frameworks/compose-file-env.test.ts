// COMPOSE_FILE / COMPOSE_PATH_SEPARATOR, as docker compose reads them when no -f is given: `--from compose.yml`
// alone reads the project as `docker compose` in its directory would. Flower's own framework/docker/complete
// files (test/fixtures/flower/upstream) are copied into a temporary project directory beside a .env.
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { varsFromConfig } from '../../src/frameworks/read.js';
import { oneLine } from '../helpers/one-line.js';

const up = (name: string) => fileURLToPath(new URL(`../fixtures/flower/upstream/${name}`, import.meta.url));

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'fedprobe-compose-file-'));
  copyFileSync(up('docker-complete-compose.yml'), join(dir, 'compose.yml'));
  copyFileSync(up('docker-complete-with-tls.yml'), join(dir, 'with-tls.yml'));
  copyFileSync(up('docker-complete-with-state.yml'), join(dir, 'with-state.yml'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const dotenv = (text: string) => writeFileSync(join(dir, '.env'), text);

describe('COMPOSE_FILE with --from compose.yml alone', () => {
  it("the .env's COMPOSE_FILE adds with-tls.yml: its command and secret, and a note naming the .env line", async () => {
    dotenv('# Flower docker/complete, with TLS\nFLWR_VERSION=1.28.0\nCOMPOSE_FILE=compose.yml:with-tls.yml\n');
    const compose = join(dir, 'compose.yml');
    const tls = join(dir, 'with-tls.yml');
    expect(await varsFromConfig(`${compose}#supernode-1`, { env: {} })).toEqual({
      profile: 'flower/supernode',
      vars: {
        superlink_host: { value: 'superlink', source: `${tls}:20` },
        superlink_ca: {
          value: join(dir, 'superlink-certificates/ca.crt'),
          source:
            `${tls}:28: certificates/superlink-ca.crt, /app/certificates/superlink-ca.crt in the container, ` +
            `secret superlink-ca-certfile (${tls}:30), file ./superlink-certificates/ca.crt (${tls}:69)`,
        },
      },
      notes: [
        `merged as docker compose in ${dir} would: ${compose} + ${tls} ` +
          `(${dir}/.env:3 COMPOSE_FILE=compose.yml:with-tls.yml)`,
      ],
    });
  });

  it("the shell's COMPOSE_FILE wins over the .env's; with-state.yml last gives the superlink --insecure", async () => {
    dotenv('COMPOSE_FILE=compose.yml:with-tls.yml\n');
    const list = 'compose.yml:with-tls.yml:with-state.yml';
    const found = await varsFromConfig(`${join(dir, 'compose.yml')}#superlink`, { env: { COMPOSE_FILE: list } });
    expect(found.profile).toBe('flower/superlink');
    expect(found.notes).toEqual([
      `merged as docker compose in ${dir} would: ${['compose.yml', 'with-tls.yml', 'with-state.yml']
        .map((f) => join(dir, f))
        .join(' + ')} (the environment COMPOSE_FILE=${list})`,
      `--insecure (${join(dir, 'with-state.yml')}:4): the Fleet and Control APIs are plaintext; SuperNodes and the ` +
        'flwr CLI must use flower/supernode-insecure and flower/cli-insecure',
    ]);
  });

  it('COMPOSE_PATH_SEPARATOR from the .env splits the list; a relative --from keeps relative names', async () => {
    dotenv('COMPOSE_PATH_SEPARATOR=;\nCOMPOSE_FILE="compose.yml;with-tls.yml"\n');
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const found = await varsFromConfig('compose.yml#supernode-2', { env: {} });
      expect(found.profile).toBe('flower/supernode');
      expect(found.vars.clientappio_api_port).toEqual({ value: '9095', source: 'with-tls.yml:38' });
      expect(found.notes).toEqual([
        'merged as docker compose in . would: compose.yml + with-tls.yml ' +
          '(.env:2 COMPOSE_FILE=compose.yml;with-tls.yml, .env:1 COMPOSE_PATH_SEPARATOR=;)',
      ]);
    } finally {
      process.chdir(cwd);
    }
  });

  it('a COMPOSE_FILE without the file: read alone, as given, and a note says what compose reads', async () => {
    dotenv('COMPOSE_FILE=with-tls.yml\n');
    const compose = join(dir, 'compose.yml');
    const found = await varsFromConfig(`${compose}#supernode-1`, { env: {} });
    expect(found).toEqual({
      profile: 'flower/supernode-insecure',
      vars: { superlink_host: { value: 'superlink', source: `${compose}:49` } },
      notes: [
        `${dir}/.env:1 COMPOSE_FILE=with-tls.yml does not name ${compose}: docker compose in ${dir} would read ` +
          `${join(dir, 'with-tls.yml')} instead; ${compose} is read alone, as given`,
      ],
    });
  });

  it('a missing file of COMPOSE_FILE, or an empty name: one line with where COMPOSE_FILE was set', async () => {
    dotenv('COMPOSE_FILE=compose.yml:site.yml\n');
    const compose = join(dir, 'compose.yml');
    expect(await oneLine(varsFromConfig(compose, { env: {} }))).toBe(
      `--from ${join(dir, 'site.yml')}: cannot read (no such file) (merged because of ${dir}/.env:1 ` +
        'COMPOSE_FILE=compose.yml:site.yml)',
    );
    dotenv('COMPOSE_FILE=compose.yml::with-tls.yml\n');
    expect(await oneLine(varsFromConfig(compose, { env: {} }))).toBe(
      `${dir}/.env:1 COMPOSE_FILE=compose.yml::with-tls.yml: an empty file name in COMPOSE_FILE`,
    );
  });

  it('several --from are the -f files: COMPOSE_FILE is not read then, as compose ignores it with -f', async () => {
    dotenv('COMPOSE_FILE=compose.yml:with-state.yml\n');
    const found = await varsFromConfig([join(dir, 'compose.yml'), `${join(dir, 'with-tls.yml')}#superlink`], {
      env: {},
    });
    expect(found.notes.filter((n) => n.includes('COMPOSE_FILE'))).toEqual([]);
    expect(found.notes[0]).toMatch(/^server certificate certificates\/server.pem/);
  });
});

describe('the override file beside compose.yml, with --from compose.yml alone', () => {
  const compose = () => join(dir, 'compose.yml');
  const ca = () => join(dir, 'superlink-certificates/ca.crt');

  it('compose.override.yml is merged when COMPOSE_FILE is not set, and a note names it', async () => {
    const over = join(dir, 'compose.override.yml');
    copyFileSync(join(dir, 'with-tls.yml'), over);
    const found = await varsFromConfig(`${compose()}#supernode-1`, { env: {} });
    expect(found.profile).toBe('flower/supernode');
    expect(found.vars.superlink_host).toEqual({ value: 'superlink', source: `${over}:20` });
    expect(found.vars.superlink_ca?.value).toBe(ca());
    expect(found.notes).toEqual([
      `merged as docker compose in ${dir} would: ${compose()} + ${over} (compose.override.yml is its override ` +
        'file and COMPOSE_FILE is not set)',
    ]);
  });

  it('docker-compose.override.yml too; a broken one is one line that says why it was read', async () => {
    const over = join(dir, 'docker-compose.override.yml');
    writeFileSync(over, 'services:\n  supernode-1:\n    command: [--insecure, --superlink, "sl.example.org:9092"]\n');
    const found = await varsFromConfig(`${compose()}#supernode-1`, { env: {} });
    expect(found.vars.superlink_host).toEqual({ value: 'sl.example.org', source: `${over}:3` });
    writeFileSync(over, 'services:\n  supernode-1:\n    command: [--insecure\n');
    expect(await oneLine(varsFromConfig(`${compose()}#supernode-1`, { env: {} }))).toBe(
      `${over}:4: not valid YAML: Flow sequence in block collection must be sufficiently indented and end with a ] ` +
        'at line 4, column 1: (merged because docker-compose.override.yml is its override file and COMPOSE_FILE is ' +
        'not set)',
    );
  });

  it('not with COMPOSE_FILE, not with several --from (-f), not for a file compose would not pick', async () => {
    writeFileSync(
      join(dir, 'compose.override.yml'),
      'services:\n  supernode-1:\n    command: [--insecure, --superlink, "sl.example.org:9092"]\n',
    );
    const insecure = { value: 'superlink', source: `${compose()}:49` };
    dotenv('COMPOSE_FILE=compose.yml\n');
    expect((await varsFromConfig(`${compose()}#supernode-1`, { env: {} })).vars.superlink_host).toEqual(insecure);
    dotenv('');
    const both = await varsFromConfig([compose(), `${join(dir, 'with-state.yml')}#supernode-1`], { env: {} });
    expect(both.vars.superlink_host).toEqual(insecure);
    expect(both.notes.filter((n) => n.includes('override'))).toEqual([]);
    // compose.yaml comes first among the default names: compose in this directory would not read compose.yml.
    copyFileSync(compose(), join(dir, 'compose.yaml'));
    expect((await varsFromConfig(`${compose()}#supernode-1`, { env: {} })).vars.superlink_host).toEqual(insecure);
  });
});
