// Three error classes: bad input from the user (exit 2), a broken profile (exit 2, names file and
// path), and a probe failure that carries a reason for classify().
import type { ErrorCode } from './error-code.js';
import type { NoFacts, ProbeFacts } from './facts.js';
import type { PortState, Reason } from './types.js';

/** A bad flag, an unknown profile id, a missing variable: one line on stderr, exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** A profile or site file that does not load; the message names the file and the path in it. */
export class ProfileError extends Error {
  override name = 'ProfileError';
  constructor(
    readonly file: string,
    readonly path: string,
    readonly problem: string,
  ) {
    super(path ? `${file}: ${path}: ${problem}` : `${file}: ${problem}`);
  }
}

/** Text from the user or a file, quoted for a one-line message: JSON escapes (no raw control
 * characters reach the terminal) and at most `max` characters. */
export function quote(text: string, max = 80): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

/** One line safe for a terminal: control characters (C0, DEL, C1) and bidi overrides become
 * visible escapes (`\u001b`), whatever a file name, key or YAML error carried. */
export function printable(text: string): string {
  return text.replace(
    /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/**
 * A failure a prober understood itself (wrong protocol, no CONNACK ...), with its reason. Its facts
 * become the row's facts, so a built-in prober names its scheme's type (`new ProbeError<HttpFacts>`):
 * they are then held to it as strictly as the facts it returns. Not inferred from the argument (which
 * would accept any keys); left out, it is any ProbeFacts (a registered prober's own keys).
 */
export class ProbeError<F extends ProbeFacts = ProbeFacts> extends Error {
  override name = 'ProbeError';
  readonly code: ErrorCode | undefined;
  /** What the prober learned before failing (certificate facts, the bytes that came back ...). */
  readonly facts: F | NoFacts;
  /** The port state, when the prober knows better than the connected/not-connected default. */
  readonly state: PortState | undefined;
  constructor(
    readonly reason: Reason,
    message: string,
    options: { code?: ErrorCode; cause?: unknown; facts?: NoInfer<F>; state?: PortState } = {},
  ) {
    super(message, { cause: options.cause });
    this.code = options.code;
    this.facts = options.facts ?? {};
    this.state = options.state;
  }
}
