// judge() decides, once and purely, whether what a prober saw is good news for the row.
import type { Expectation, Observation, Outcome } from '../types.js';

export interface JudgeOptions {
  expect: Expectation;
  /** Credentials were given: an auth rejection is then a failure, not a warning. */
  credentialsGiven?: boolean;
}

export function judge(obs: Pick<Observation, 'state' | 'reason'>, opts: JudgeOptions): Outcome {
  if (opts.expect === 'blocked') {
    // A blocked row passes only when nothing answered; UDP silence proves nothing either way.
    if (obs.reason === 'not-listening') return 'pass';
    if (obs.state === 'closed' || obs.state === 'filtered') return 'pass';
    if (obs.state === 'open|filtered') return 'inconclusive';
    if (obs.reason === 'dns-error') return 'fail';
    return obs.state === 'open' ? 'fail' : 'inconclusive';
  }
  switch (obs.reason) {
    case 'ok':
      return 'pass';
    case 'auth-rejected':
      return opts.credentialsGiven ? 'fail' : 'warn';
    case 'expiring':
      // The service works today; the certificate will stop it soon.
      return 'warn';
    case 'no-response':
      return obs.state === 'open|filtered' ? 'inconclusive' : 'fail';
    default:
      return 'fail';
  }
}

/** Best first: the outcome that represents a row whose addresses disagree. */
export const OUTCOME_RANK: Record<Outcome, number> = { pass: 0, warn: 1, inconclusive: 2, skip: 3, fail: 4 };
