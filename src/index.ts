// The public API (package.json "exports": "."): check a profile, render the result, load a profile,
// add a prober, the report's JSON Schema; the vocabulary and result types. The CLI is not part of it.
export { check, loadProfile, registerProber, render, reportJsonSchema } from './api.js';
export type { CheckOptions, ProfileInput } from './api.js';
export type { FormatName } from './report/formats.js';
export { ProbeError, ProfileError, UsageError } from './errors.js';
export { OUTCOMES, PORT_STATES, REASONS, REPORT_SCHEMA_VERSION } from './types.js';
export type {
  AddressResult,
  Check,
  CheckResult,
  Expectation,
  Family,
  LocalSource,
  Observation,
  Outcome,
  PortState,
  ProbeContext,
  Prober,
  ProbeTarget,
  Profile,
  Reason,
  Row,
  RunInput,
  RunReport,
  Summary,
  Timings,
} from './types.js';
