// http:// and https:// `with:` options, apart from the prober so that loading a profile does not load it.
import { RE2JS } from 're2js';
import { z } from 'zod';
import { tlsClientOptionShape } from '../../net/tls.js';

const statusSpec = z.union([
  z.number().int().min(100).max(599),
  z.string().regex(/^[1-5][0-9xX]{2}$/, 'expected a status such as 200, or a class such as 2xx'),
]);

export const httpOptions = z.strictObject({
  ...tlsClientOptionShape,
  method: z
    .string()
    .regex(/^[A-Za-z]+$/, 'expected an HTTP method such as GET')
    .optional()
    .describe('HTTP method (default GET)'),
  expectStatus: z
    .union([statusSpec, z.array(statusSpec).min(1)])
    .optional()
    .describe('status(es) that count as success: 200, "2xx", [200, 301]; default: any status below 500'),
  // RE2 syntax, matched in linear time: a profile's pattern such as (a+)+$ must not be able to
  // block the event loop (and with it every deadline and SIGTERM), as a backtracking RegExp can.
  bodyMatch: z
    .string()
    .refine((s) => {
      try {
        RE2JS.compile(s);
        return true;
      } catch {
        return false;
      }
    }, 'expected a valid regular expression (RE2 syntax)')
    .optional()
    .describe('regular expression (RE2 syntax, linear time) the first 64 KiB of the body must match'),
  headers: z
    .record(z.string(), z.string())
    .optional()
    .describe('extra request headers, e.g. { Authorization: "Bearer ${token}" }'),
});
