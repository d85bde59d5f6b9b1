// A variable in the port column (`port: "tcp/${restful_port}"`): checked at load like any other
// reference, it must have a default (the matrix's documented port, which show, respond and demo
// print), and the operator's value lands in the expanded row's port column.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { expand } from '../../src/profile/expand.js';
import { loadProfile } from '../../src/profile/load.js';
import { portLabel } from '../../src/report/text.js';
import { runCli } from '../helpers/cli.js';

const dir = mkdtempSync(join(tmpdir(), 'fedprobe-port-vars-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function profile(name: string, vars: string, port: string, probe: string, dirIn = false): string {
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    [
      'schema: fedprobe/v1',
      'framework: T',
      'component: t',
      'scenario: s',
      'reference: r',
      vars,
      'rows:',
      `  - { id: a, dir: ${dirIn ? 'in' : 'out'}, source: s, destination: d, port: "${port}", service: S, type: ` +
        `backend,`,
      `      status: mandatory, probe: "${probe}" }`,
      '',
    ].join('\n'),
  );
  return file;
}

describe('load', () => {
  it.each([
    [
      'no-default',
      'vars:\n  p: { description: d }',
      'tcp/${p}',
      'tcp://h.example.org:${p}',
      'rows[0].port: ${p} has no default: a variable in the port column needs one (the port the framework documents)',
    ],
    [
      'secret',
      'vars:\n  p: { secret: true }',
      'tcp/${p}',
      'tcp://h.example.org:1',
      'rows[0].port: the secret ${p} cannot be a port',
    ],
    [
      'undeclared',
      'vars:\n  port_a: { default: "5" }',
      'tcp/${port_b}',
      'tcp://h.example.org:1',
      'rows[0].port: undefined variable ${port_b}; declare it under vars: (did you mean port_a?)',
    ],
    [
      'bad-default',
      'vars:\n  p: { default: "0" }',
      'tcp/${p}',
      'tcp://h.example.org:1',
      'vars.p.default: variable p="0" is not a port number: it is out of range: a port is 1-65535 ' +
        '(port 0 means "any port" and cannot be probed) (used by rows[0].port)',
    ],
    [
      'not-a-name',
      '',
      'tcp/${P}',
      'tcp://h.example.org:1',
      'rows[0].port: a protocol and port such as tcp/1883, udp/51820 or tcp/${restful_port}',
    ],
    ['out-of-range', '', 'tcp/70000', 'tcp://h.example.org:1', 'rows[0].port: a port between 1 and 65535'],
  ])('%s', async (name, vars, port, probe, message) => {
    const file = profile(name, vars, port, probe);
    const r = await runCli(['validate', file]);
    expect([r.code, r.stderr.trim()]).toEqual([2, `fedprobe: ${file}: ${message}`]);
  });

  it('a loaded row carries the default port; expand puts in the value given', async () => {
    const vars = 'vars:\n  p: { default: "8080", description: d }';
    const file = profile('ok', vars, 'TCP/${p}', 'listen://tcp/${p}', true);
    const p = await loadProfile(file);
    expect(p.rows[0]!.port).toBe('TCP/8080');
    const [byDefault] = expand(p, { timeoutMs: 1000, retries: 0, env: {} });
    expect([byDefault!.row.port, byDefault!.target.port]).toEqual(['TCP/8080', 8080]);
    const [given] = expand(p, { timeoutMs: 1000, retries: 0, env: {}, set: { p: '8844' } });
    expect([given!.row.port, given!.row.probe, given!.target.port]).toEqual(['TCP/8844', 'listen://tcp/8844', 8844]);
    expect(() => expand(p, { timeoutMs: 1000, retries: 0, env: {}, set: { p: '8844x' } })).toThrow(
      `${file} row a: variable p="8844x" is not a port number: it is not a port number (1-65535)`,
    );
  });
});

describe('portLabel', () => {
  it('uppercases the protocol only', () => {
    expect([portLabel('tcp/1883'), portLabel('udp/51820'), portLabel('tcp/${restful_port}')]).toEqual([
      'TCP/1883',
      'UDP/51820',
      'TCP/${restful_port}',
    ]);
  });
});

describe('the shipped profiles with port variables', () => {
  // Every port the framework configuration readers find has a variable of the reader's name.
  it.each([
    ['flower/supernode', 'fleet', 'superlink_port', '9092'],
    ['flower/supernode', 'clientappio', 'clientappio_api_port', '9094'],
    ['flower/cli', 'control', 'superlink_port', '9093'],
    ['flower/superlink', 'fleet', 'fleet_api_port', '9092'],
    ['flower/superlink', 'control', 'control_api_port', '9093'],
    ['flower/superlink', 'serverappio', 'serverappio_api_port', '9091'],
    ['fedbiomed/node', 'mqtt', 'mqtt_port', '1883'],
    ['fedbiomed/node-v5', 'researcher', 'researcher_port', '50051'],
    ['fedbiomed/researcher-v5', 'grpc', 'server_port', '50051'],
    ['fedbiomed/node-vpn', 'vpn', 'vpn_port', '51820'],
    ['swarm/sn', 'p2p-in', 'sn_p2p_port', '30303'],
    ['swarm/sn', 'api-in', 'sn_api_port', '30304'],
    ['swarm/sl', 'fs-in', 'sl_fs_port', '30305'],
    ['swarm/sl', 'license', 'apls_port', '5814'],
    ['swarm/sl-proxy', 'sn-api-service', 'sn_api_service_port', '443'],
  ])('%s %s: port column ${%s}, default %s', async (id, rowId, name, port) => {
    const p = await loadProfile(id);
    expect(p.vars[name]!.default).toBe(port);
    const row = p.rows.find((r) => r.id === rowId)!;
    expect(row.port).toMatch(new RegExp(`^(tcp|udp)/${port}$`));
    const required = Object.entries(p.vars).filter(([, v]) => v.default === undefined && !v.secret);
    const set = { ...Object.fromEntries(required.map(([k]) => [k, 'h.example.org'])), [name]: '40001' };
    const check = expand(p, { timeoutMs: 1000, retries: 0, env: {}, set }).find((c) => c.row.id === rowId)!;
    expect([check.row.port.split('/')[1], check.target.port]).toEqual(['40001', 40001]);
  });
});
