// The vocabulary of fedprobe. Every union is serialised as itself in JSON, JUnit and metrics.
import type { ErrorCode } from './error-code.js';
import type { ProbeFacts } from './facts.js';

export const OUTCOMES = ['pass', 'fail', 'warn', 'inconclusive', 'skip'] as const;
/** The verdict on a matrix row. */
export type Outcome = (typeof OUTCOMES)[number];

/** nmap's port-state words, so that operators recognise them. */
export const PORT_STATES = ['open', 'closed', 'filtered', 'open|filtered', 'unknown'] as const;
export type PortState = (typeof PORT_STATES)[number];

export const REASONS = [
  'ok',
  'refused',
  'timeout',
  'unreachable',
  'dns-error',
  'reset',
  'wrong-protocol',
  'tls-error',
  'auth-rejected',
  'not-serving',
  'proxy-error',
  'no-response',
  'not-listening',
  'exposed',
  'expiring',
  'wrong-identity',
  'error',
  'not-checked',
] as const;
/** Why a row has the state it has: what the wire (or /proc) said. */
export type Reason = (typeof REASONS)[number];

/**
 * URL schemes with a prober behind them. A scheme listed here without a registry entry in
 * src/probers/registry.ts is a compile error.
 */
export const PROBE_SCHEMES = [
  'tcp',
  'udp',
  'listen',
  'tls',
  'http',
  'https',
  'mqtt',
  'mqtts',
  'mqtt+ws',
  'mqtt+wss',
  'grpc',
  'grpcs',
  'wireguard',
  'discv4',
  'rlpx',
] as const;
export type ProbeScheme = (typeof PROBE_SCHEMES)[number];

export type Direction = 'in' | 'out';
export type RowType = 'backend' | 'user';
type RowStatus = 'mandatory' | 'optional';
export type Expectation = 'reachable' | 'blocked';
export type Family = 4 | 6;

/** One row of a framework's network communication matrix, in the framework's own columns. */
export interface Row {
  id: string;
  dir: Direction;
  source: string;
  destination: string;
  /** `tcp/1883`, `udp/51820`: the matrix's "destination port" column. */
  port: string;
  service: string;
  type: RowType;
  status: RowStatus;
  comment?: string;
  /** What the component uses this path for, in words a network team can accept as justification. */
  purpose?: string;
  /** A URL whose scheme picks the prober; may hold `${var}` references. */
  probe: string;
  expect?: Expectation;
  /** Per-row deadline in milliseconds, overriding --timeout. */
  timeout?: number;
  with?: Record<string, unknown>;
}

export interface VarDef {
  default?: string;
  description?: string;
  /** A secret's value is never printed; it is read from a file or environment variable. */
  secret?: boolean;
}

export interface Profile {
  /** `fedbiomed/node`, or the path as given for a profile outside the shipped set. */
  id: string;
  file: string;
  schema: 'fedprobe/v1';
  framework: string;
  component: string;
  scenario: string;
  reference?: string;
  description?: string;
  vars: Record<string, VarDef>;
  rows: Row[];
}

export interface ProbeTarget {
  scheme: ProbeScheme;
  url: string;
  /** Host as written (a name or an address); empty for listen://. */
  host: string;
  port: number;
  protocol: 'tcp' | 'udp';
  path: string;
}

/** A row made ready to run: variables substituted, target parsed, deadline fixed. */
export interface Check {
  row: Row;
  target: ProbeTarget;
  timeoutMs: number;
  retries: number;
  expect: Expectation;
  with: Record<string, unknown>;
  /** Values of secret variables, for probers that need them; never logged. */
  secrets: Record<string, string>;
}

export interface Timings {
  dnsMs?: number;
  connectMs?: number;
  tlsMs?: number;
  handshakeMs?: number;
  firstByteMs?: number;
  totalMs: number;
}

/** What a prober saw. Probers observe; judge() decides whether it is good news. */
export interface Observation<F extends ProbeFacts = ProbeFacts> {
  state: PortState;
  reason: Reason;
  detail: string;
  /** The raw error code (ECONNREFUSED, ERR_SSL_...) when there was one. */
  code?: ErrorCode;
  /** What the protocol showed beside the verdict: one type per scheme (facts.ts). */
  facts: F;
  /** Phases the prober timed itself, if any; the runner times connect, TLS, first byte (ctx.phase)
   * and always the total, so a prober has no placeholder to fill. */
  timings?: Partial<Timings>;
}

/** The source side of a path: what this machine used (or would use) to reach an address. */
export interface LocalSource {
  address: string;
  port?: number;
  family: Family;
  /** socket: the row's own socket used it; route: nothing connected, the kernel's route would pick
   * it (found without sending); proxy: the row went through an HTTP proxy, this is the hop to it. */
  kind: 'socket' | 'route' | 'proxy';
}

export interface AddressResult {
  address: string;
  family: Family | 0;
  /** Where this machine's side of the path was (absent for listen:// rows and unknown routes). */
  localAddress?: LocalSource;
  outcome: Outcome;
  state: PortState;
  reason: Reason;
  detail: string;
  code?: ErrorCode;
  attempts: number;
  timings: Timings;
  facts: ProbeFacts;
}

export interface CheckResult {
  id: string;
  dir: Direction;
  source: string;
  destination: string;
  port: string;
  service: string;
  type: RowType;
  status: RowStatus;
  /** Always present in a result, '' when the row has none (jq filters rely on every key). */
  comment: string;
  /** The row's `purpose:` from the profile: the justification of the opening. */
  purpose?: string;
  probe: string;
  expect: Expectation;
  outcome: Outcome;
  state: PortState;
  reason: Reason;
  detail: string;
  hint: string;
  code?: ErrorCode;
  addresses: AddressResult[];
  /** `direct`, or `proxy http://host:port` (credentials never shown). */
  via: string;
  timings: Timings;
  facts: ProbeFacts;
}

export type Summary = Record<Outcome, number>;

/** The JSON report's format version: a consumer checks it before reading (see report/report-schema.ts). */
export const REPORT_SCHEMA_VERSION = 'fedprobe.report/v1';

export interface RunReport {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: string; version: string };
  profile: { id: string; framework: string; component: string; scenario: string; reference?: string };
  startedAt: string;
  /** This machine's host name (the source of every `out` row); absent in reports built elsewhere. */
  host?: string;
  durationMs: number;
  strict: boolean;
  summary: Summary;
  exitCode: number;
  results: CheckResult[];
  /** With `check --from`: the variables the framework's own configuration gave, each with its source. */
  inputs?: RunInput[];
}

/** One variable read from a framework's configuration. A secret's value is its reference (a path or an
 * environment variable name), never the secret itself. */
export interface RunInput {
  name: string;
  value: string;
  /** `config.ini:12`, `compose.yml:6`, `pid 1234 argv`. */
  source: string;
  secret?: boolean;
  /** What replaced it, when the operator gave it too: `--set`, `--site`, `FEDPROBE_VAR_NAME`. */
  overriddenBy?: string;
}

/** What the runner hands a prober for one address of one check. */
export interface ProbeContext {
  /** The resolved address to dial (the check's host may be a name; SNI and Host use that). */
  address: string;
  family: Family | 0;
  /** Aborts at the row's deadline or on shutdown; every prober must honour it. */
  signal: AbortSignal;
  timeoutMs: number;
  /** Records that a phase finished now (connect, tls, handshake, firstByte): timing and, for
   * `connect`, the fact that a timeout after it is the service's silence, not the network's. */
  phase(name: 'connect' | 'tls' | 'handshake' | 'firstByte'): void;
  log: import('pino').Logger;
  /** Set when TCP goes through an HTTP CONNECT proxy; `address` is then the target's name, which
   * the proxy resolves. dialTcp() honours it, so probers need not. */
  proxy?: ProxySpec;
  /** The runner's own record of this attempt, for the dial helpers (net/attempt-state.ts). Probers
   * use `signal`; a context without it (a test's own) is served through `signal`. */
  attempt?: AttemptState;
}

/**
 * One attempt's abort, and what its sockets saw, as the runner keeps them. The dial helpers that
 * every row runs (net/socket.ts, net/udp-socket.ts) use it instead of listeners on `signal`, so a
 * row whose prober never reads `signal` costs no AbortController (an EventTarget, several times
 * dearer) and no WeakMap entries: a 10,000-row run makes 10,000 attempts.
 */
export interface AttemptState {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Calls `listener` once when the attempt aborts (not if it already has); returns the unwatch. */
  onAbort(listener: () => void): () => void;
  /** The source address this attempt's socket used; the first one recorded stays. */
  source: LocalSource | undefined;
  /**
   * The first error of a socket dialled for this attempt after it connected. A prober that attached
   * its own listeners only after that error (it was reading PEM files) never hears of it and waits
   * out its deadline; the runner then reports this error instead of "no answer": it is what the wire said.
   */
  socketError: Error | undefined;
}

/**
 * One protocol's observation of one address, with its scheme's facts (a registered prober's own:
 * ForeignFacts). `opts` is the row's `with:` as its scheme's schema parses it (defaults, coercions),
 * parsed once per row by the runner; `check.with` keeps the row's text. Throws for failures
 * classify() understands.
 */
export type Prober<F extends ProbeFacts = ProbeFacts, O = Record<string, unknown>> = (
  check: Check,
  ctx: ProbeContext,
  opts: O,
) => Promise<Observation<F>>;

/** An HTTP CONNECT proxy a TCP row goes through (parsed by net/proxy.ts). */
export interface ProxySpec {
  host: string;
  port: number;
  /** `Basic …` header value; never printed. */
  authorization?: string;
  /** The proxy as shown in results, without credentials. */
  label: string;
}
