// Several compose files, merged as `docker compose -f a.yml -f b.yml` does (compose-spec "Merge"), on small
// files written here: command replaced, environment merged by name, volumes by target; a named volume is one
// line. Flower's own compose.yml + with-tls.yml are read in upstream.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { varsFromConfig } from '../../src/frameworks/read.js';

async function usageError(p: Promise<unknown>): Promise<string> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  expect((err as Error).message).not.toContain('\n');
  return (err as Error).message;
}

describe('merge rules on small files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fedprobe-merge-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string) => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };

  it('volumes merged by target (the later one wins), a sh -c command with environment merged by name', async () => {
    const base = file(
      'base.yml',
      'services:\n  sn:\n    image: flwr/supernode:1.28.0\n    entrypoint: ["sh", "-c"]\n' +
        '    command: [\'flower-supernode --superlink "$$HOST:9092" --root-certificates /certs/ca.pem\']\n' +
        '    environment:\n      HOST: a.example.org\n      OTHER: x\n' +
        '    volumes:\n      - ./old-certs:/certs:ro\n      - data:/data\n',
    );
    const over = file(
      'over.yml',
      'services:\n  sn:\n    environment:\n      - HOST=b.example.org\n    volumes:\n      - ./site/certs:/certs:ro\n',
    );
    expect(await varsFromConfig([base, over], { env: {} })).toEqual({
      profile: 'flower/supernode',
      vars: {
        superlink_host: { value: 'b.example.org', source: `${base}:5 ($HOST from ${over}:4)` },
        superlink_ca: {
          value: join(dir, 'site/certs/ca.pem'),
          source: `${base}:5: /certs/ca.pem in the container, bind mount ./site/certs (${over}:6)`,
        },
      },
      notes: [],
    });
  });

  it('a CA in a named volume: one line, the other values as read', async () => {
    const named = file(
      'named.yml',
      'services:\n  sn:\n    image: flwr/supernode\n    command: [--superlink, "sl.example.org:9092", ' +
        '--root-certificates, /certs/ca.pem]\n    volumes:\n      - certs:/certs\nvolumes:\n  certs: {}\n',
    );
    expect(await usageError(varsFromConfig(named, { env: {} }))).toBe(
      `superlink_ca /certs/ca.pem (${named}:4) is in the named volume certs (${named}:6) of service sn, which ` +
        'cannot be read from here; with the other values as read: fedprobe check flower/supernode --set ' +
        'superlink_host=sl.example.org --set superlink_ca=…',
    );
  });

  it('a folded `command: >-` block: each value names its own line inside the block', async () => {
    const folded = file(
      'folded.yml',
      'services:\n  sn:\n    image: flwr/supernode\n    command: >-\n      --superlink\n' +
        '      sl.example.org:9192\n\n      --clientappio-api-address 127.0.0.1:9096\n      --insecure\n',
    );
    expect(await varsFromConfig(folded, { env: {} })).toEqual({
      profile: 'flower/supernode-insecure',
      vars: {
        superlink_host: { value: 'sl.example.org', source: `${folded}:6` },
        superlink_port: { value: '9192', source: `${folded}:6` },
        clientappio_api_port: { value: '9096', source: `${folded}:8` },
      },
      notes: [`ClientAppIo API bind address 127.0.0.1 (${folded}:8): flower/supernode-insecure has no variable for it`],
    });
    // A literal block keeps its line breaks: one command per line, backslash-newline continues it.
    const literal = file(
      'literal.yml',
      'services:\n  sn:\n    image: flwr/supernode\n    entrypoint: ["sh", "-c"]\n    command:\n      - |\n' +
        '        echo start\n        exec flower-supernode --insecure \\\n          --superlink sl.example.org:9092\n',
    );
    expect((await varsFromConfig(literal, { env: {} })).vars).toEqual({
      superlink_host: { value: 'sl.example.org', source: `${literal}:9` },
    });
  });
});
