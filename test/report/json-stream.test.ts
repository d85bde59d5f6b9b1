// The CLI writes the JSON report in pieces (src/report/json-stream.ts) so that a 10,000-row report is
// never held whole; the pieces joined must be exactly the text renderJson() gives, for every batch
// size, for an empty run, and for hostile text whose escaping must not depend on where a piece ends.
import { describe, expect, it } from 'vitest';
import { jsonPieces } from '../../src/report/json-stream.js';
import { renderJson } from '../../src/report/json.js';
import type { CheckResult } from '../../src/types.js';
import { sampleResults, sampleRun } from './sample-run.js';

const HOSTILE = '\u202e"results": []\n\x1b]0;x\x07\x85\x7f';

describe('the JSON report in pieces', () => {
  it.each([1, 2, 3, 64, 2048])('batch %i: the same bytes as renderJson', (batch) => {
    const run = sampleRun();
    const pieces = [...jsonPieces(run, batch)];
    expect(pieces.join('')).toBe(renderJson(run));
    // More than one piece whenever there are results: the whole text is never one string.
    if (batch < run.results.length) expect(pieces.length).toBeGreaterThan(2);
  });

  it('an empty run and a run of hostile text', () => {
    const empty = { ...sampleRun(), results: [] };
    expect([...jsonPieces(empty, 2)].join('')).toBe(renderJson(empty));
    const hostile = sampleRun();
    hostile.results = sampleResults.map((r): CheckResult => ({ ...r, detail: HOSTILE, comment: HOSTILE }));
    expect([...jsonPieces(hostile, 1)].join('')).toBe(renderJson(hostile));
  });
});
