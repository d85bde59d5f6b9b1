// Golden files for every output format: a change in what operators or their tools read must be a
// deliberate one (regenerate with UPDATE_GOLDEN=1 npm test -- test/report).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { render, type FormatName } from '../../src/report/formats.js';
import { sampleRun } from './sample-run.js';

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

describe('golden outputs', () => {
  for (const [format, file, strict] of cases) {
    it(`${format}${strict ? ' --strict' : ''} → ${file}`, async () => {
      const text = await render(sampleRun(strict), format, { color: false });
      const path = new URL(`./golden/${file}`, import.meta.url);
      if (process.env['UPDATE_GOLDEN'] === '1' || !existsSync(path)) writeFileSync(path, text);
      expect(text).toBe(readFileSync(path, 'utf8'));
    });
  }

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
    expect(text).toMatch(/^fedprobe_tls_cert_not_after_timestamp_seconds\{profile="fedbiomed\/node",row="researcher",.*\} 1798761600$/m);
  });
});
