// The JSON report's shape as a zod schema, from which the published JSON Schema is generated
// (`fedprobe schema --report`). The schema cannot drift from the RunReport type: the key checks at
// the bottom make a field added to (or dropped from) types.ts without its twin here a compile
// error, and RunReport must be assignable to what the schema accepts.
import { z } from 'zod';
import {
  OUTCOMES,
  PORT_STATES,
  REASONS,
  REPORT_SCHEMA_VERSION,
  type Outcome,
  type AddressResult,
  type CheckResult,
  type LocalSource,
  type RunInput,
  type RunReport,
  type Timings,
} from '../types.js';

const ms = z.number().nonnegative();

const timings = z.strictObject({
  dnsMs: ms.optional(),
  connectMs: ms.optional(),
  tlsMs: ms.optional(),
  handshakeMs: ms.optional(),
  firstByteMs: ms.optional(),
  totalMs: ms,
});

const family = z.union([z.literal(4), z.literal(6)]);

/** Open: each prober records what its protocol shows (facts.tls for every TLS scheme, listeningOn …). */
const facts = z.record(z.string(), z.unknown());

const localSource = z.strictObject({
  address: z.string(),
  port: z.number().int().optional(),
  family,
  kind: z.enum(['socket', 'route', 'proxy']),
});

const verdict = {
  outcome: z.enum(OUTCOMES),
  state: z.enum(PORT_STATES),
  reason: z.enum(REASONS),
  detail: z.string(),
  code: z.string().optional(),
  timings,
  facts,
};

const addressResult = z.strictObject({
  address: z.string(),
  family: z.union([family, z.literal(0)]),
  localAddress: localSource.optional(),
  attempts: z.number().int().nonnegative(),
  ...verdict,
});

const checkResult = z.strictObject({
  id: z.string(),
  dir: z.enum(['in', 'out']),
  source: z.string(),
  destination: z.string(),
  port: z.string(),
  service: z.string(),
  type: z.enum(['backend', 'user']),
  status: z.enum(['mandatory', 'optional']),
  comment: z.string().describe("the matrix row's comment, '' when it has none"),
  purpose: z.string().optional(),
  probe: z.string(),
  expect: z.enum(['reachable', 'blocked']),
  hint: z.string(),
  addresses: z.array(addressResult),
  via: z.string(),
  ...verdict,
});

const runInput = z.strictObject({
  name: z.string(),
  value: z.string(),
  source: z.string(),
  secret: z.boolean().optional(),
  overriddenBy: z.string().optional(),
});

const count = z.number().int().nonnegative();

export const runReportSchema = z
  .strictObject({
    schemaVersion: z.literal(REPORT_SCHEMA_VERSION),
    tool: z.strictObject({ name: z.string(), version: z.string() }),
    profile: z.strictObject({
      id: z.string(),
      framework: z.string(),
      component: z.string(),
      scenario: z.string(),
      reference: z.string().optional(),
    }),
    startedAt: z.iso.datetime(),
    host: z.string().optional(),
    durationMs: z.number().int().nonnegative(),
    strict: z.boolean(),
    summary: z.strictObject(Object.fromEntries(OUTCOMES.map((o) => [o, count])) as Record<Outcome, typeof count>),
    exitCode: z.number().int().min(0).max(2).describe('0 all good, 1 a row failed, 2 usage (a name did not resolve)'),
    results: z.array(checkResult),
    inputs: z.array(runInput).optional(),
  })
  .describe('One fedprobe run: `fedprobe check --format json`');

/** The published JSON Schema (draft 2020-12) of `--format json`. */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    $id: `https://fedprobe.invalid/schema/${REPORT_SCHEMA_VERSION.replace('fedprobe.', '').replace('/', '-')}.json`,
    ...z.toJSONSchema(runReportSchema, { target: 'draft-2020-12' }),
  };
}

// ---- drift guards: compile errors, never run ----
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type Holds<T extends true> = T;
type _ReportSchemaInSync = [
  Holds<SameKeys<RunReport, z.infer<typeof runReportSchema>>>,
  Holds<SameKeys<CheckResult, z.infer<typeof checkResult>>>,
  Holds<SameKeys<AddressResult, z.infer<typeof addressResult>>>,
  Holds<SameKeys<Timings, z.infer<typeof timings>>>,
  Holds<SameKeys<LocalSource, z.infer<typeof localSource>>>,
  Holds<SameKeys<RunInput, z.infer<typeof runInput>>>,
  Holds<RunReport extends z.infer<typeof runReportSchema> ? true : false>,
];
