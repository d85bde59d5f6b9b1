// judge(): what a prober saw → the row's outcome, for `expect: reachable` and `expect: blocked`.
import { describe, expect, it } from 'vitest';
import { OUTCOME_RANK, judge } from '../../src/probe/judge.js';
import { OUTCOMES, type PortState, type Reason } from '../../src/types.js';

const obs = (state: PortState, reason: Reason) => ({ state, reason });

describe('expect: reachable', () => {
  it.each<[PortState, Reason, string]>([
    ['open', 'ok', 'pass'],
    // A listen:// row's "ok" has state open; any ok passes.
    ['closed', 'refused', 'fail'],
    ['filtered', 'timeout', 'fail'],
    ['filtered', 'unreachable', 'fail'],
    ['unknown', 'dns-error', 'fail'],
    ['closed', 'reset', 'fail'],
    ['open', 'reset', 'fail'],
    ['open', 'wrong-protocol', 'fail'],
    ['open', 'tls-error', 'fail'],
    ['open', 'wrong-identity', 'fail'],
    ['open', 'not-serving', 'fail'],
    ['unknown', 'proxy-error', 'fail'],
    ['open', 'exposed', 'fail'],
    ['closed', 'not-listening', 'fail'],
    ['unknown', 'error', 'fail'],
    // UDP silence: open|filtered is inconclusive, never a pass.
    ['open|filtered', 'no-response', 'inconclusive'],
    // TCP came up, then the service said nothing: the service is broken.
    ['open', 'no-response', 'fail'],
    // The service works today; the certificate will stop it soon.
    ['open', 'expiring', 'warn'],
  ])('%s / %s → %s', (state, reason, outcome) => {
    expect(judge(obs(state, reason), { expect: 'reachable' })).toBe(outcome);
  });

  it('auth-rejected: warn without credentials (the path works), fail when credentials were given', () => {
    expect(judge(obs('open', 'auth-rejected'), { expect: 'reachable' })).toBe('warn');
    expect(judge(obs('open', 'auth-rejected'), { expect: 'reachable', credentialsGiven: false })).toBe('warn');
    expect(judge(obs('open', 'auth-rejected'), { expect: 'reachable', credentialsGiven: true })).toBe('fail');
  });

  it('credentials do not change other outcomes', () => {
    expect(judge(obs('open', 'ok'), { expect: 'reachable', credentialsGiven: true })).toBe('pass');
    expect(judge(obs('open', 'expiring'), { expect: 'reachable', credentialsGiven: true })).toBe('warn');
  });
});

describe('expect: blocked', () => {
  it.each<[PortState, Reason, string]>([
    // Nothing got through: pass.
    ['filtered', 'timeout', 'pass'],
    ['filtered', 'unreachable', 'pass'],
    ['closed', 'refused', 'pass'],
    ['closed', 'reset', 'pass'],
    ['closed', 'not-listening', 'pass'],
    // UDP silence proves nothing either way.
    ['open|filtered', 'no-response', 'inconclusive'],
    // Something answered: fail, whatever it said.
    ['open', 'ok', 'fail'],
    ['open', 'auth-rejected', 'fail'],
    ['open', 'tls-error', 'fail'],
    ['open', 'no-response', 'fail'],
    ['open', 'exposed', 'fail'],
    // A name that does not resolve says nothing about the firewall.
    ['unknown', 'dns-error', 'fail'],
    // We could not even try (EADDRNOTAVAIL, a local error).
    ['unknown', 'unreachable', 'inconclusive'],
    ['unknown', 'error', 'inconclusive'],
  ])('%s / %s → %s', (state, reason, outcome) => {
    expect(judge(obs(state, reason), { expect: 'blocked' })).toBe(outcome);
  });

  it('not-listening passes whatever the state', () => {
    expect(judge(obs('unknown', 'not-listening'), { expect: 'blocked' })).toBe('pass');
  });

  it('credentials never turn a blocked row around', () => {
    expect(judge(obs('open', 'auth-rejected'), { expect: 'blocked', credentialsGiven: true })).toBe('fail');
    expect(judge(obs('filtered', 'timeout'), { expect: 'blocked', credentialsGiven: true })).toBe('pass');
  });
});

describe('OUTCOME_RANK', () => {
  it('orders best first: pass, warn, inconclusive, skip, fail, and covers every outcome', () => {
    expect([...OUTCOMES].sort((a, b) => OUTCOME_RANK[a] - OUTCOME_RANK[b])).toEqual([
      'pass',
      'warn',
      'inconclusive',
      'skip',
      'fail',
    ]);
    expect(new Set(Object.values(OUTCOME_RANK)).size).toBe(OUTCOMES.length);
  });
});
