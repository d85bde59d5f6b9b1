// "Credentials were given" is decided per row: a row without credentials that the broker refuses
// is a warning (the service is there), even when another row of the same profile has a password.
// Against a real mosquitto that requires a password.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expand } from '../../src/profile/expand.js';
import { loadProfile } from '../../src/profile/load.js';
import { runCli } from '../helpers/cli.js';
import { startMosquitto, type Mosquitto } from '../helpers/mosquitto.js';

const profile = new URL('./fixtures/secrets-per-row.yaml', import.meta.url).pathname;
let broker: Mosquitto<'auth'>;

beforeAll(async () => {
  broker = await startMosquitto({ auth: { users: { node: 'right-pw-7f3a' } } });
}, 30_000);
afterAll(() => broker?.stop());

describe('credentials per row', () => {
  it('expand gives each check only the secrets its own row uses', async () => {
    const p = await loadProfile(profile);
    const checks = expand(p, {
      set: { broker_port: '1883' },
      env: { FEDPROBE_VAR_MQTT_PASSWORD: 'x' },
      timeoutMs: 1000,
      retries: 0,
    });
    expect(checks.map((c) => [c.row.id, c.secrets])).toEqual([
      ['with-password', { mqtt_password: 'x' }],
      ['anonymous', {}],
    ]);
  });

  it('wrong password: that row fails; the row without credentials only warns', async () => {
    const r = await runCli(['check', profile, '--set', `broker_port=${broker.ports.auth}`, '-f', 'json'], {
      FEDPROBE_VAR_MQTT_PASSWORD: 'wrong-pw-1',
    });
    const [withPassword, anonymous] = JSON.parse(r.stdout).results;
    expect(withPassword).toMatchObject({
      id: 'with-password',
      outcome: 'fail',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_5',
    });
    expect(anonymous).toMatchObject({
      id: 'anonymous',
      outcome: 'warn',
      state: 'open',
      reason: 'auth-rejected',
      code: 'CONNACK_5',
    });
    expect(r.code).toBe(1);
  });

  it('right password: that row passes; the anonymous row still warns', async () => {
    const r = await runCli(['check', profile, '--set', `broker_port=${broker.ports.auth}`, '-f', 'json'], {
      FEDPROBE_VAR_MQTT_PASSWORD: 'right-pw-7f3a',
    });
    const [withPassword, anonymous] = JSON.parse(r.stdout).results;
    expect(withPassword).toMatchObject({ outcome: 'pass', reason: 'ok' });
    expect(anonymous).toMatchObject({ outcome: 'warn', reason: 'auth-rejected' });
    expect(r.code).toBe(0);
  });
});
