// Two questions every prober asks of an error it caught, answered once: which errno-style code
// does it carry, and is it the row's own deadline (not shutdown, not a failure of the wire)?
import { errorCodeOf, type ErrorCode } from '../error-code.js';

/** The string `code` of an error (ECONNRESET, ERR_SSL_..., WS_ERR_...), or undefined. */
export function errorCode(e: unknown): ErrorCode | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? errorCodeOf(e.code) : undefined;
}

/**
 * The attempt's deadline passed and `e` is what it aborted with. A shutdown aborts the same
 * signal with another reason, and a prober's own error is not the signal's reason: both stay errors.
 */
export function isDeadline(e: unknown, signal: Pick<AbortSignal, 'aborted' | 'reason'>): boolean {
  return signal.aborted && e === signal.reason && e instanceof Error && e.name === 'TimeoutError';
}

/** The signal was aborted by its deadline (whatever the caller is holding now). */
export function deadlinePassed(signal: Pick<AbortSignal, 'aborted' | 'reason'>): boolean {
  return isDeadline(signal.reason, signal);
}
