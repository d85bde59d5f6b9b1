// The profile format, once, in zod: the loader validates with it and `fedprobe schema` prints
// the JSON Schema made from it (profiles/schema.json is that output, checked in).
import { z } from 'zod';
import { PROBE_SCHEMES } from '../types.js';
import { MAX_ROW_TIMEOUT_MS, durationMs } from './duration.js';

const ID = /^[a-z0-9][a-z0-9_.-]*$/;
const VAR_NAME = /^[a-z_][a-z0-9_]*$/;
/** `tcp/1883` or `udp/51820`; the frameworks' docs write TCP/1883, which is accepted too. The port
 * may be a variable, `tcp/${restful_port}`, checked (1-65535) once it has its value. */
const PORT_PATTERN = /^(tcp|udp|TCP|UDP)\/([0-9]{1,5}|\$\{[a-z_][a-z0-9_]*\})$/;

export const varDefSchema = z
  .strictObject({
    default: z.string().optional().describe('value used when no --set, site file or FEDPROBE_VAR_ is given'),
    description: z.string().optional().describe('what the variable is, shown by `fedprobe show`'),
    secret: z
      .boolean()
      .optional()
      .describe('never printed; give it as a file path in <name>_file or an environment variable'),
  })
  .describe('a variable that probe URLs refer to as ${name}');

export const rowSchema = z
  .strictObject({
    id: z.string().regex(ID, 'lower-case letters, digits, "-", "_" or "."').describe('unique within the profile'),
    dir: z.enum(['in', 'out']).describe('out: this component connects; in: others connect to this component'),
    source: z.string().min(1).describe("source machine, in the framework's words"),
    destination: z.string().min(1).describe("destination machine, in the framework's words"),
    port: z
      .string()
      .regex(PORT_PATTERN, 'a protocol and port such as tcp/1883, udp/51820 or tcp/${restful_port}')
      .refine((p) => {
        // Runs after a failed regex too: the value may have no "/" at all.
        const port = p.split('/')[1] ?? '';
        if (port.startsWith('${')) return true;
        const n = Number(port);
        return n >= 1 && n <= 65535;
      }, 'a port between 1 and 65535')
      .describe('destination port, as tcp/N or udp/N; N may be a variable with a default, tcp/${name}'),
    service: z.string().min(1).describe('service column of the matrix (HTTP, MQTT, gRPC, WireGuard ...)'),
    type: z.enum(['backend', 'user']).describe('backend: between components; user: a person reaches a GUI'),
    status: z.enum(['mandatory', 'optional']),
    comment: z.string().optional(),
    purpose: z
      .string()
      .min(1)
      .optional()
      .describe('what the component uses this path for: the justification in a firewall change request'),
    probe: z
      .string()
      .min(1)
      .describe(`URL whose scheme picks the prober: ${PROBE_SCHEMES.join(', ')}`),
    expect: z.enum(['reachable', 'blocked']).optional().describe('blocked: the row passes only when nothing answers'),
    timeout: z
      // The bounds and the form are checked by durationMs; the meta only guides editors.
      .union([
        z.number().meta({ minimum: 0.05, maximum: 600 }),
        z.string().meta({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)?$', examples: ['500ms', '5s', '1m'] }),
      ])
      .transform((v, ctx) => {
        try {
          return durationMs(v, MAX_ROW_TIMEOUT_MS);
        } catch (e) {
          ctx.addIssue({ code: 'custom', message: (e as Error).message });
          return z.NEVER;
        }
      })
      .optional()
      .describe('deadline for this row: a number of seconds, or 500ms, 5s, 1m (50ms to 10m); default --timeout'),
    with: z.record(z.string(), z.unknown()).optional().describe("options of the row's prober"),
  })
  .describe('one row of the network communication matrix');

export const profileSchema = z
  .strictObject({
    schema: z.literal('fedprobe/v1'),
    framework: z.string().min(1),
    component: z.string().min(1),
    scenario: z.string().min(1),
    reference: z.string().optional().describe('where the matrix comes from'),
    description: z.string().optional(),
    vars: z.record(z.string().regex(VAR_NAME, 'lower-case letters, digits and "_"'), varDefSchema).optional(),
    rows: z.array(rowSchema).min(1),
  })
  .describe('fedprobe profile: the network communication matrix of one component');

export const siteSchema = z
  .strictObject({
    vars: z.record(z.string().regex(VAR_NAME), z.union([z.string(), z.number(), z.boolean()])).optional(),
    rows: z
      .record(
        z.string().regex(/^(\*|[a-z0-9][a-z0-9_.-]*)$/, 'a row id, or * for every row that takes the option'),
        z.strictObject({ with: z.record(z.string(), z.unknown()).describe("options put over the row's own") }),
      )
      .optional()
      .describe(
        'row options of this site, by row id (* for every row that takes the option): ' +
          '{fleet: {with: {ca: /etc/flwr/ca.pem}}}',
      ),
  })
  .describe('a site file: variable values and row options for one site');

export function profileJsonSchema(): unknown {
  return {
    $id: 'https://fedprobe.invalid/schema/profile-v1.json',
    ...z.toJSONSchema(profileSchema, { target: 'draft-2020-12', io: 'input' }),
  };
}
