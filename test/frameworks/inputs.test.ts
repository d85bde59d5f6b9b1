// What the report carries from `--from`: each variable with its source, a secret by reference, and
// which operator input replaced it (the order resolveVars() applies: --set, FEDPROBE_VAR_*, --site).
import { describe, expect, it } from 'vitest';
import { runInputs, type Found } from '../../src/frameworks/found.js';

const found: Found = {
  profile: 'flower/superlink',
  vars: {
    fleet_api_port: { value: '9192', source: 'superlink.service:9' },
    ssl_keyfile_file: { value: '/etc/flwr/server.key', source: 'superlink.service:10', secret: true },
    ssl_ca_certfile: { value: '/etc/flwr/ca.crt', source: 'pid 7 argv' },
  },
  notes: [],
};

describe('runInputs', () => {
  it('names each source; a secret is its path, marked secret', () => {
    expect(runInputs(found)).toEqual([
      { name: 'fleet_api_port', value: '9192', source: 'superlink.service:9' },
      { name: 'ssl_keyfile_file', value: '/etc/flwr/server.key', source: 'superlink.service:10', secret: true },
      { name: 'ssl_ca_certfile', value: '/etc/flwr/ca.crt', source: 'pid 7 argv' },
    ]);
  });

  it('says what replaced a value, strongest first', () => {
    const inputs = runInputs(found, {
      set: { fleet_api_port: '1' },
      env: { FEDPROBE_VAR_FLEET_API_PORT: '2', FEDPROBE_VAR_SSL_KEYFILE_FILE: '/k' },
      site: { fleet_api_port: '3', ssl_keyfile_file: '/k2', ssl_ca_certfile: '/ca' },
    });
    expect(inputs.map((i) => [i.name, i.overriddenBy])).toEqual([
      ['fleet_api_port', '--set'],
      ['ssl_keyfile_file', 'FEDPROBE_VAR_SSL_KEYFILE_FILE'],
      ['ssl_ca_certfile', '--site'],
    ]);
  });
});
