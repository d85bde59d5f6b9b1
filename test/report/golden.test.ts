// Golden files for every output format: a change in what operators or their tools read must be a
// deliberate one (regenerate with UPDATE_GOLDEN=1 npm test -- test/report).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { render, type FormatName } from '../../src/report/formats.js';
import { samplePlan, sampleRun } from './sample-run.js';

const cases: [FormatName, string, boolean][] = [
  ['table', 'table.txt', false],
  ['json', 'run.json', false],
  ['junit', 'junit.xml', false],
  ['junit', 'junit-strict.xml', true],
  ['prometheus', 'metrics.prom', false],
  ['firewall', 'firewall.md', false],
  ['csv', 'rows.csv', false],
  ['html', 'report.html', false],
];

/** The planned request (`check --all`) in the formats that carry the request's columns. */
const planCases: [FormatName, string][] = [
  ['firewall', 'firewall-plan.md'],
  ['csv', 'rows-plan.csv'],
];

/**
 * Compares with the golden file. A missing file is written (and the test passes) only on a
 * developer's machine: in CI (CI=true) it fails, since a test that writes its own expectation
 * can never fail there.
 */
function golden(file: string, text: string): void {
  const path = new URL(`./golden/${file}`, import.meta.url);
  const ci = process.env.CI !== undefined && process.env.CI !== '' && process.env.CI !== 'false';
  if (!existsSync(path) && ci)
    throw new Error(
      `golden file test/report/golden/${file} is missing: generate it with UPDATE_GOLDEN=1 and commit it`,
    );
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(path)) writeFileSync(path, text);
  expect(text).toBe(readFileSync(path, 'utf8'));
}

describe('golden outputs', () => {
  for (const [format, file, strict] of cases) {
    it(`${format}${strict ? ' --strict' : ''} → ${file}`, async () => {
      golden(file, await render(sampleRun(strict), format, { color: false }));
    });
  }

  for (const [format, file] of planCases) {
    it(`${format} of a planned request (check --all) → ${file}`, async () => {
      golden(file, await render(samplePlan(), format, { color: false }));
    });
  }

  it('a missing golden file fails in CI instead of being written', () => {
    const saved = process.env.CI;
    process.env.CI = 'true';
    try {
      expect(() => golden('no-such-golden.txt', 'x')).toThrow(
        'golden file test/report/golden/no-such-golden.txt is missing',
      );
      expect(existsSync(new URL('./golden/no-such-golden.txt', import.meta.url))).toBe(false);
    } finally {
      if (saved === undefined) delete process.env.CI;
      else process.env.CI = saved;
    }
  });

  it('exit code: a mandatory failure is 1, strict counts inconclusive too', () => {
    expect(sampleRun().exitCode).toBe(1);
    expect(sampleRun().summary).toEqual({ pass: 1, fail: 2, warn: 1, inconclusive: 1, skip: 0 });
  });
});

describe('prometheus exposition', () => {
  it('passes `promtool check metrics` (the real Prometheus linter)', async () => {
    const { spawnSync } = await import('node:child_process');
    const text = await render(sampleRun(), 'prometheus', { color: false });
    const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    expect(r.error).toBeUndefined();
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(text).toMatch(
      /^fedprobe_tls_cert_not_after_timestamp_seconds\{profile="fedbiomed\/node",row="researcher",.*\} 1798761600$/m,
    );
  });
});
