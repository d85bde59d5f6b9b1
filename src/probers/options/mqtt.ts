// mqtt(s):// and mqtt+ws(s):// `with:` options, apart from the prober so that loading a profile does not load it.
import { z } from 'zod';
import { tlsClientOptionShape } from '../../net/tls.js';

// No passwordFile / passwordEnv: a profile must never pick a local file or an environment
// variable to send to its target. The password reaches this prober only as the value of a
// `secret: true` variable that the operator supplied (FEDPROBE_VAR_<NAME>, --set <name>_file=PATH,
// a site file); the profile loader refuses any other source for it.
export const mqttOptions = z.strictObject({
  ...tlsClientOptionShape,
  version: z
    .union([z.literal('3.1.1'), z.literal('5'), z.literal(4), z.literal(5), z.literal('5.0')])
    .optional()
    .describe('MQTT protocol version: 3.1.1 (default) or 5'),
  username: z.string().optional().describe('user name for the CONNECT'),
  password: z
    .string()
    .optional()
    .describe(
      'password: a reference to a secret variable ("${mqtt_password}") whose value the operator gives, never plain ' +
        'text',
    ),
  clientId: z.string().max(23).optional().describe('client identifier (default: fedprobe-<random>)'),
  path: z
    .string()
    .startsWith('/')
    .optional()
    .describe('WebSocket path for mqtt+ws(s):// (default /mqtt; mosquitto ignores it, RabbitMQ needs /ws)'),
});
