// The attempt state a dial helper uses: the runner's own (ProbeContext.attempt), or, for a context
// made elsewhere (a test's, an embedder calling dialTcp itself), one that reads its AbortSignal.
import type { AttemptState, LocalSource } from '../types.js';

/** An AttemptState over an AbortSignal: what the runner's state does with a plain field, done
 * with the signal's listeners, kept by signal so that later calls see the same record. */
class SignalState implements AttemptState {
  source: LocalSource | undefined = undefined;
  socketError: Error | undefined = undefined;

  constructor(private readonly signal: AbortSignal) {}

  get aborted(): boolean {
    return this.signal.aborted;
  }

  get reason(): unknown {
    return this.signal.reason;
  }

  onAbort(listener: () => void): () => void {
    this.signal.addEventListener('abort', listener, { once: true });
    return () => this.signal.removeEventListener('abort', listener);
  }
}

const bySignal = new WeakMap<AbortSignal, SignalState>();

/** A row attempt's context, its state itself, or (a context made outside the runner) its signal. */
export type AttemptOf = { attempt?: AttemptState; signal: AbortSignal } | AttemptState | AbortSignal;

/** The state of the attempt `of` stands for (see AttemptOf). */
export function attemptState(of: AttemptOf): AttemptState {
  if (of instanceof AbortSignal) return ofSignal(of);
  if ('onAbort' in of) return of;
  return of.attempt ?? ofSignal(of.signal);
}

function ofSignal(signal: AbortSignal): AttemptState {
  let state = bySignal.get(signal);
  if (!state) {
    state = new SignalState(signal);
    bySignal.set(signal, state);
  }
  return state;
}
