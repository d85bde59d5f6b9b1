// compose `include:` (short and long form) and `extends:` (same file, or file + service), as the compose-spec
// defines them (14-include.md, 05-services.md "extends"), with Flower's own framework/docker/complete files
// (test/fixtures/flower/upstream) copied into a temporary directory.
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { varsFromConfig } from '../../src/frameworks/read.js';
import { oneLine } from '../helpers/one-line.js';

const up = (name: string) => fileURLToPath(new URL(`../fixtures/flower/upstream/${name}`, import.meta.url));

let root: string;
let flower: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'fedprobe-compose-include-'));
  flower = join(root, 'flower');
  mkdirSync(flower);
  copyFileSync(up('docker-complete-compose.yml'), join(flower, 'compose.yml'));
  copyFileSync(up('docker-complete-with-tls.yml'), join(flower, 'with-tls.yml'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const write = (name: string, text: string) => {
  writeFileSync(join(root, name), text);
  return join(root, name);
};

describe('include:', () => {
  it('short form: the included project is read with its own directory; its services can be picked', async () => {
    const site = write('site.yml', 'include:\n  - flower/compose.yml\n');
    const found = await varsFromConfig(`${site}#supernode-2`, { env: {} });
    expect(found.profile).toBe('flower/supernode-insecure');
    expect(found.vars.superlink_host).toEqual({ value: 'superlink', source: `${join(flower, 'compose.yml')}:64` });
  });

  it('long form: path: a list merged as -f files, relative paths from the included project directory', async () => {
    const site = write(
      'site.yml',
      'include:\n  - path:\n      - flower/compose.yml\n      - flower/with-tls.yml\n' +
        'services:\n  other:\n    image: x\n',
    );
    const found = await varsFromConfig(`${site}#supernode-1`, { env: {} });
    const tls = join(flower, 'with-tls.yml');
    expect(found.profile).toBe('flower/supernode');
    expect(found.vars.superlink_ca).toEqual({
      value: join(flower, 'superlink-certificates/ca.crt'),
      source:
        `${tls}:28: certificates/superlink-ca.crt, /app/certificates/superlink-ca.crt in the container, secret ` +
        `superlink-ca-certfile (${tls}:30), file ./superlink-certificates/ca.crt (${tls}:69)`,
    });
  });

  it("its .env or env_file gives defaults; the including project's variables win", async () => {
    mkdirSync(join(root, 'sn'));
    writeFileSync(
      join(root, 'sn', 'compose.yml'),
      'services:\n  sn:\n    image: flwr/supernode:1.28.0\n    command: [--insecure, --superlink, "${SL}:${PORT}"]\n',
    );
    writeFileSync(join(root, 'sn', '.env'), 'SL=10.0.0.5\nPORT=9092\n');
    write('prod.env', 'PORT=9192\n');
    const site = write('site.yml', 'include:\n  - sn/compose.yml\n');
    const inc = join(root, 'sn', 'compose.yml');
    expect((await varsFromConfig(site, { env: {} })).vars).toEqual({
      superlink_host: {
        value: '10.0.0.5',
        source: `${inc}:4 ($SL from ${join(root, 'sn', '.env')}:1, $PORT from ${join(root, 'sn', '.env')}:2)`,
      },
    });
    // The including project's .env wins over the included one's.
    write('.env', 'SL=sl.example.org\n');
    expect((await varsFromConfig(site, { env: {} })).vars.superlink_host).toEqual({
      value: 'sl.example.org',
      source: `${inc}:4 ($SL from ${join(root, '.env')}:1, $PORT from ${join(root, 'sn', '.env')}:2)`,
    });
    write('site.yml', 'include:\n  - path: sn/compose.yml\n    env_file: prod.env\n');
    const found = await varsFromConfig(site, { env: {} });
    expect(found.vars.superlink_port).toEqual({
      value: '9192',
      source: `${inc}:4 ($SL from ${join(root, '.env')}:1, $PORT from ${join(root, 'prod.env')}:1)`,
    });
  });

  it('a service on both sides, a cycle, a missing file, a bad item: one line each', async () => {
    const site = write('site.yml', 'include:\n  - flower/compose.yml\nservices:\n  supernode-1:\n    image: x\n');
    expect(await oneLine(varsFromConfig(site, { env: {} }))).toBe(
      `${site}:2: include ${join(flower, 'compose.yml')}: service supernode-1 is also defined in ${site}; compose ` +
        'refuses the conflict',
    );
    write('a.yml', 'include:\n  - b.yml\nservices:\n  a:\n    image: x\n');
    write('b.yml', 'include:\n  - a.yml\nservices:\n  b:\n    image: x\n');
    expect(await oneLine(varsFromConfig(join(root, 'a.yml'), { env: {} }))).toBe(
      `${join(root, 'b.yml')}:2: include ${join(root, 'a.yml')}: a cycle (${join(root, 'a.yml')} is already ` +
        'being read)',
    );
    write('site.yml', 'include:\n  - nowhere.yml\n');
    expect(await oneLine(varsFromConfig(site, { env: {} }))).toBe(
      `--from ${join(root, 'nowhere.yml')}: cannot read (no such file)`,
    );
    write('site.yml', 'include:\n  - project_directory: flower\n');
    expect(await oneLine(varsFromConfig(site, { env: {} }))).toBe(
      `${site}:2: include: each item is a path, or a mapping whose path: is one or a list`,
    );
  });
});

describe('include: a service defined on both sides', () => {
  const sn = (superlink: string) =>
    `services:\n  sn:\n    image: flwr/supernode:1.28.0\n    command: [--insecure, --superlink, "${superlink}"]\n`;

  it('the same once interpolated: one service, read from the first definition', async () => {
    mkdirSync(join(root, 'sn'));
    writeFileSync(join(root, 'sn', 'compose.yml'), sn('10.0.0.5:9092'));
    write('.env', 'SL=10.0.0.5\n');
    // Written with ${SL} here, literally in the included file: the same service once interpolated.
    const site = write('site.yml', `include:\n  - sn/compose.yml\n${sn('${SL}:9092')}`);
    const found = await varsFromConfig(site, { env: {} });
    expect(found.profile).toBe('flower/supernode-insecure');
    expect(found.vars).toEqual({
      superlink_host: { value: '10.0.0.5', source: `${site}:6 ($SL from ${join(root, '.env')}:1)` },
    });
    // One file included from two places (a.yml and b.yml both include common.yml): the same, not a conflict.
    writeFileSync(join(root, 'sn', 'common.yml'), sn('10.0.0.7:9092'));
    write('a.yml', 'include:\n  - sn/common.yml\nservices:\n  a:\n    image: x\n');
    write('b.yml', 'include:\n  - sn/common.yml\nservices:\n  b:\n    image: x\n');
    const both = write('both.yml', 'include:\n  - a.yml\n  - b.yml\n');
    expect((await varsFromConfig(`${both}#sn`, { env: {} })).vars).toEqual({
      superlink_host: { value: '10.0.0.7', source: `${join(root, 'sn', 'common.yml')}:4` },
    });
  });

  it('different once interpolated: the one-line error', async () => {
    mkdirSync(join(root, 'sn'));
    writeFileSync(join(root, 'sn', 'compose.yml'), sn('10.0.0.5:9092'));
    write('.env', 'SL=10.0.0.6\n');
    const site = write('site.yml', `include:\n  - sn/compose.yml\n${sn('${SL}:9092')}`);
    expect(await oneLine(varsFromConfig(site, { env: {} }))).toBe(
      `${site}:2: include ${join(root, 'sn', 'compose.yml')}: service sn is also defined in ${site}; compose ` +
        'refuses the conflict',
    );
    // The same text, but a relative path is each side's own directory's: two definitions, as in compose.
    const vol = '    volumes: [./certs:/app/certs]\n';
    writeFileSync(join(root, 'sn', 'compose.yml'), sn('10.0.0.6:9092') + vol);
    write('site.yml', `include:\n  - sn/compose.yml\n${sn('${SL}:9092')}${vol}`);
    expect(await oneLine(varsFromConfig(site, { env: {} }))).toBe(
      `${site}:2: include ${join(root, 'sn', 'compose.yml')}: service sn is also defined in ${site}; compose ` +
        'refuses the conflict',
    );
  });
});

describe('extends:', () => {
  it('the short form, in the same file: the base service first, the service over it', async () => {
    const site = write(
      'site.yml',
      'services:\n  base:\n    image: flwr/supernode:1.28.0\n' +
        '    command: [--insecure, --superlink, "10.0.0.5:9092"]\n' +
        '  sn:\n    extends: base\n    command: [--insecure, --superlink, "10.0.0.6:9092"]\n',
    );
    const found = await varsFromConfig(`${site}#sn`, { env: {} });
    expect(found.vars.superlink_host).toEqual({ value: '10.0.0.6', source: `${site}:7` });
  });

  it("file + service: Flower's supernode-2 from another directory; its relative paths stay its own", async () => {
    const site = write(
      'site.yml',
      'services:\n  sn:\n    extends:\n      file: flower/compose.yml\n      service: supernode-2\n',
    );
    const found = await varsFromConfig(`${site}#sn`, { env: {} });
    expect(found.profile).toBe('flower/supernode-insecure');
    expect(found.vars.superlink_host).toEqual({ value: 'superlink', source: `${join(flower, 'compose.yml')}:64` });
    writeFileSync(
      join(flower, 'base.yml'),
      'services:\n  node:\n    image: flwr/supernode:1.28.0\n    volumes:\n      - ./certs:/app/certs:ro\n' +
        '    command: [--superlink, "sl.example.org:9092", --root-certificates, certs/ca.crt]\n',
    );
    write(
      'site.yml',
      'services:\n  sn:\n    extends: { file: flower/base.yml, service: node }\n    environment: [A=1]\n',
    );
    const base = join(flower, 'base.yml');
    expect((await varsFromConfig(`${site}#sn`, { env: {} })).vars.superlink_ca).toEqual({
      value: join(flower, 'certs/ca.crt'),
      source: `${base}:6: certs/ca.crt, /app/certs/ca.crt in the container, bind mount ./certs (${base}:5)`,
    });
  });

  it('a cycle, a missing service, a missing file: one line each', async () => {
    const site = write(
      'site.yml',
      'services:\n  a:\n    extends: b\n    image: x\n  b:\n    extends:\n      service: a\n    image: x\n',
    );
    expect(await oneLine(varsFromConfig(site, { env: {} }))).toBe(
      `${site}:3: extends: a circular reference (${site}#a -> ${site}#b -> ${site}#a)`,
    );
    write('site.yml', 'services:\n  a:\n    extends: nothing\n    image: x\n');
    expect(await oneLine(varsFromConfig(site, { env: {} }))).toBe(
      `${site}:3: extends: no service "nothing" in ${site} (service a extends it)`,
    );
    write('site.yml', 'services:\n  a:\n    extends: { file: gone.yml, service: a }\n');
    expect(await oneLine(varsFromConfig(site, { env: {} }))).toBe(
      `--from ${join(root, 'gone.yml')}: cannot read (no such file)`,
    );
  });
});
