// Reports join a row's detail and hint; each must end as a sentence, or they run together
// ("…listens on tcp/8484 Start the HTTP service…", issue 10).
import { describe, expect, it } from 'vitest';
import { REASON_SUMMARY, hintFor } from '../../src/messages.js';
import { sentence, sentences } from '../../src/report/text.js';
import { REASONS, type Direction, type Expectation, type PortState } from '../../src/types.js';

describe('sentence()', () => {
  it('ends a fragment with a full stop and capitalises a plain first word', () => {
    expect(sentence('nothing on this machine listens on tcp/8484')).toBe(
      'Nothing on this machine listens on tcp/8484.',
    );
    expect(sentence('listens on all addresses (0.0.0.0)')).toBe('Listens on all addresses (0.0.0.0).');
  });

  it('keeps a sentence that already ends, and the spelling of a first word that is no plain word', () => {
    expect(sentence('Bind this service to 127.0.0.1.')).toBe('Bind this service to 127.0.0.1.');
    expect(sentence('is it the right port?')).toBe('Is it the right port?');
    expect(sentence('(see the detail.)')).toBe('(see the detail.)');
    expect(sentence('tcp/8484 is closed')).toBe('tcp/8484 is closed.');
    expect(sentence('discv4 PONG from node 1a2b…')).toBe('discv4 PONG from node 1a2b…');
    expect(sentence('gRPC status 12')).toBe('gRPC status 12.');
    expect(sentence('192.0.2.10: no answer')).toBe('192.0.2.10: no answer.');
  });

  it('joins detail and hint as two sentences, leaving out empty ones', () => {
    expect(sentences('nothing on this machine listens on tcp/8484', 'Start the HTTP service on TCP/8484.')).toBe(
      'Nothing on this machine listens on tcp/8484. Start the HTTP service on TCP/8484.',
    );
    expect(sentences('the expected service answered', '')).toBe('The expected service answered.');
    expect(sentences('', undefined, '  ')).toBe('');
  });
});

describe('hints are sentences', () => {
  const dirs: Direction[] = ['in', 'out'];
  const expects: Expectation[] = ['reachable', 'blocked'];
  const states: PortState[] = ['open', 'closed', 'filtered', 'open|filtered', 'unknown'];
  it('every hint, for every reason, direction, expectation and state, ends with a full stop', () => {
    let seen = 0;
    for (const reason of REASONS) {
      for (const dir of dirs)
        for (const expect_ of expects)
          for (const state of states) {
            for (const service of ['MQTT', 'HTTP']) {
              for (const probe of ['grpcs://h:9092', 'rlpx://h:30303']) {
                const hint = hintFor({
                  reason,
                  outcome: 'fail',
                  expect: expect_,
                  dir,
                  port: 'tcp/1883',
                  service,
                  destination: 'broker',
                  state,
                  host: 'h.example.org',
                  probe,
                });
                expect(hint, `${reason} ${dir} ${expect_} ${state}`).toMatch(/[.!?]$/);
                expect(hint, `${reason} ${dir} ${expect_} ${state}`).toMatch(/^[A-Z`]/);
                seen++;
              }
            }
          }
    }
    expect(seen).toBe(REASONS.length * 2 * 2 * 5 * 2 * 2);
  });

  it('every reason has a summary', () => {
    for (const reason of REASONS) expect(REASON_SUMMARY[reason].length).toBeGreaterThan(0);
  });
});
