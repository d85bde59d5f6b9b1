// Docker compose's environment files and interpolation: the .env beside a compose file (its own ${VAR}s,
// quoting, earlier keys, the shell's environment first) and a service's env_file: / environment:, as the
// container's shell sees them in `sh -c "flower-supernode …"`; each value names its line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseEnvFile, processLookup } from '../../src/frameworks/dotenv.js';
import { substitute } from '../../src/frameworks/interpolate.js';
import { varsFromConfig } from '../../src/frameworks/read.js';

const fx = (name: string) => fileURLToPath(new URL(`../fixtures/flower/${name}`, import.meta.url));
const values = (m: Record<string, { value: string }>) =>
  Object.fromEntries(Object.entries(m).map(([k, v]) => [k, v.value]));

describe('substitute (compose-spec "Interpolation")', () => {
  const env = processLookup({ SET: 'v', EMPTY: '' });
  const sub = (t: string) => substitute(t, env, 'here');
  it.each([
    ['${SET}', 'v'],
    ['$SET/x', 'v/x'],
    ['${UNSET:-d}', 'd'],
    ['${EMPTY:-d}', 'd'],
    ['${EMPTY-d}', ''],
    ['${UNSET-d}', 'd'],
    ['${SET:+alt}', 'alt'],
    ['${EMPTY:+alt}', ''],
    ['${EMPTY+alt}', 'alt'],
    ['${UNSET+alt}', ''],
    ['${UNSET:-${SET}-x}', 'v-x'],
    ['${UNSET:-${ALSO:-deep}}', 'deep'],
    ['$$SET', '$SET'],
    ['cost: 5$ or $1', 'cost: 5$ or $1'],
  ])('%s → %s', (t, want) => {
    expect(sub(t).text).toBe(want);
    expect(sub(t).unresolved).toEqual([]);
  });

  it('unset without a default, and ${VAR:?err}: unresolved, the text kept to be shown', () => {
    expect(sub('${UNSET}:9092')).toEqual({ text: '${UNSET}:9092', used: [], defaulted: [], unresolved: ['UNSET'] });
    expect(sub('${EMPTY:?needed}').unresolved).toEqual(['EMPTY']);
    expect(sub('${EMPTY?needed}')).toEqual({ text: '', used: ['EMPTY'], defaulted: [], unresolved: [] });
    expect(sub('$UNSET').unresolved).toEqual(['UNSET']);
  });

  it('what compose does not support is one line', () => {
    expect(() => sub('${SET/a/b}')).toThrow(
      new UsageError('here: invalid interpolation format for "${SET/a/b}" (compose-spec "Interpolation")'),
    );
    expect(() => sub('${SET')).toThrow(UsageError);
  });
});

describe('parseEnvFile (Docker "Syntax for environment files")', () => {
  it('NAME=value, export, NAME: value, quotes, comments; each with its line', () => {
    const text = '# c\n\nA=1\nexport B="two words"\nC=\'$x\'\nD=4 # why\nE=\nF=a#b\nG: yaml style\n';
    expect(parseEnvFile(text, '/p/.env')).toEqual({
      A: { value: '1', source: '/p/.env:3' },
      B: { value: 'two words', source: '/p/.env:4' },
      C: { value: '$x', source: '/p/.env:5' },
      D: { value: '4', source: '/p/.env:6' },
      E: { value: '', source: '/p/.env:7' },
      F: { value: 'a#b', source: '/p/.env:8' },
      G: { value: 'yaml style', source: '/p/.env:9' },
    });
  });

  it('quoting: single quotes literal, double quotes escaped and interpolated, spanning lines', () => {
    const text = [
      'H=host',
      `S='\${H}\\t$H'`,
      'D="${H}\\t\\"q\\" \\$H \\\\"  # after the quote',
      'M="line one',
      'line two ${H}"',
      "L='Let\\'s go'",
      'U=${H}:9092 # $H expands unquoted',
      'N=after',
    ].join('\n');
    const m = parseEnvFile(text, '/p/.env');
    expect(values(m)).toEqual({
      H: 'host',
      S: '${H}\\t$H',
      D: 'host\t"q" $H \\',
      M: 'line one\nline two host',
      L: "Let's go",
      U: 'host:9092',
      N: 'after',
    });
    expect(m.M!.source).toBe('/p/.env:4, $H from /p/.env:1');
    expect(m.N!.source).toBe('/p/.env:8');
  });

  it("${VAR} sees the shell's environment first, then the keys above it; a bare NAME takes the environment's", () => {
    const text = 'HOST=file.example.org\nURL=https://${HOST}:${PORT:-443}\nPORT\nLATER=$PORT\nGONE\n';
    const m = parseEnvFile(text, '/p/.env', processLookup({ HOST: 'shell.example.org', PORT: '8443' }));
    expect(values(m)).toEqual({
      HOST: 'file.example.org',
      URL: 'https://shell.example.org:8443',
      PORT: '8443',
      LATER: '8443',
    });
    expect(m.URL!.source).toBe('/p/.env:2, $HOST from the environment, $PORT from the environment');
    expect(m.PORT!.source).toBe('/p/.env:3 ($PORT from the environment)');
    expect(Object.hasOwn(m, 'GONE')).toBe(false);
  });

  it('a value that needs an unset variable is marked, never filled with an empty string', () => {
    const m = parseEnvFile('A=${NOPE}.example.org\nB=$A\n', '/p/.env');
    expect(m.A).toEqual({ value: '${NOPE}.example.org', source: '/p/.env:1', unresolved: ['NOPE'] });
    expect(m.B).toEqual({
      value: '${NOPE}.example.org',
      source: '/p/.env:2, $A from /p/.env:1',
      unresolved: ['NOPE'],
    });
  });

  it('broken lines are one line each, with the line', () => {
    expect(() => parseEnvFile('A=1\nthis is not\n', '/p/.env')).toThrow(
      new UsageError('/p/.env:2: "this is not" is not NAME=value (an environment file as docker compose reads it)'),
    );
    expect(() => parseEnvFile('A=1\n\nB="open\nC=2\n', '/p/.env')).toThrow(
      new UsageError('/p/.env:3: unterminated double-quoted value (an environment file as docker compose reads it)'),
    );
  });
});

describe('compose env_file: and environment:', () => {
  const f = fx('compose-env-file/compose.yml');
  const at = (name: string, line: number) => `${fx(`compose-env-file/${name}`)}:${line}`;
  it('a SuperNode run by the container shell: each value from its env_file line, the later file winning', async () => {
    const word =
      `${f}:9 ($SUPERLINK_HOST from ${at('site.env', 1)}, $SITE from ${at('common.env', 2)}, ` +
      `$DOMAIN from ${at('.env', 2)}, $FLEET_PORT from ${at('site.env', 2)})`;
    const appio = `${f}:9 ($APPIO_PORT from ${f}:18 ($APPIO_PORT from ${at('.env', 3)}))`;
    expect(await varsFromConfig(f, { env: {} })).toEqual({
      profile: 'flower/supernode',
      vars: {
        // site.env's SUPERLINK_HOST wins over common.env's; its ${SITE} is common.env's, ${DOMAIN} the .env's.
        superlink_host: { value: 'hospital-a.superlink.example.net', source: word },
        superlink_port: { value: '9192', source: word },
        // Single-quoted in common.env: $SITE stays as written, and the container's shell does not expand it again.
        // Read in the container, which bind-mounts ./certificates there: the file is read from that directory.
        superlink_ca: {
          value: fx('compose-env-file/certificates/$SITE-ca.crt'),
          source:
            `${f}:9 ($CA from ${at('common.env', 4)}): /app/certificates/$SITE-ca.crt in the container, bind mount ` +
            `./certificates ` +
            `(${f}:20)`,
        },
        // environment: wins over env_file; its ${APPIO_PORT:-9096} is the .env's, itself ${APPIO_BASE:-91}95.
        clientappio_api_port: { value: '9195', source: appio },
      },
      notes: [`ClientAppIo API bind address 127.0.0.1 (${appio}): flower/supernode has no variable for it`],
    });
  });

  it("the shell's environment wins over the .env and the env_files' own keys", async () => {
    const found = await varsFromConfig(f, { env: { DOMAIN: 'example.com', APPIO_PORT: '9200', SITE: 'clinic-b' } });
    expect(found.vars.superlink_host?.value).toBe('clinic-b.superlink.example.com');
    expect(found.vars.clientappio_api_port).toEqual({ value: '9200', source: `${f}:9 ($APPIO_PORT from ${f}:18)` });
  });

  function tempCompose(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'fedprobe-envfile-'));
    for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
    return dir;
  }
  const shellService = (more: string) =>
    'services:\n  sn:\n    image: flwr/supernode\n' +
    `    entrypoint: sh -c 'flower-supernode --insecure --superlink $$HOST:9092'\n${more}`;

  it('env_file as one string; a required one that is missing is one line naming the compose line', async () => {
    const dir = tempCompose({
      'compose.yml': shellService('    env_file: sn.env\n'),
      'sn.env': 'HOST=10.0.0.5\n',
      'broken.yml': shellService('    env_file:\n      - path: absent.env\n'),
    });
    try {
      expect((await varsFromConfig(join(dir, 'compose.yml'), { env: {} })).vars).toEqual({
        superlink_host: {
          value: '10.0.0.5',
          source: `${join(dir, 'compose.yml')}:4 ($HOST from ${join(dir, 'sn.env')}:1)`,
        },
      });
      await expect(varsFromConfig(join(dir, 'broken.yml'), { env: {} })).rejects.toThrow(
        new UsageError(
          `${join(dir, 'absent.env')}: cannot read the env_file of service sn (${join(dir, 'broken.yml')}:6, ` +
            'required) (no such file)',
        ),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a variable the container would not have is one line, not a guess; environment: list form', async () => {
    const dir = tempCompose({ 'compose.yml': shellService('    environment:\n      - OTHER=1\n      - HOST\n') });
    try {
      // HOST is listed bare and set nowhere: compose leaves it out of the container.
      await expect(varsFromConfig(join(dir, 'compose.yml'), { env: {} })).rejects.toThrow(
        new UsageError(
          `${join(dir, 'compose.yml')}:4: --superlink $HOST:9092 uses $HOST, which is not set here: set it in the ` +
            'environment or give the value with --set',
        ),
      );
      const found = await varsFromConfig(join(dir, 'compose.yml'), { env: { HOST: 'sl.example.org' } });
      expect(found.vars.superlink_host).toEqual({
        value: 'sl.example.org',
        source: `${join(dir, 'compose.yml')}:4 ($HOST from ${join(dir, 'compose.yml')}:7 ($HOST from the environment))`,
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an env_file entry that is neither a path nor { path, required } is one line', async () => {
    const dir = tempCompose({
      'compose.yml': shellService('    env_file:\n      - path: a.env\n        required: maybe\n'),
    });
    try {
      await expect(varsFromConfig(join(dir, 'compose.yml'), { env: {} })).rejects.toThrow(
        new UsageError(`${join(dir, 'compose.yml')}:6: service sn: env_file must be a path or { path, required }`),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
