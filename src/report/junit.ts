// --format junit: one testcase per matrix row, for CI dashboards and cron wrappers. A failure's
// message is the reason and the hint; warnings are passes with a note in system-out.
import type { CheckResult, RunReport } from '../types.js';
import { portLabel } from './text.js';

export function xmlEscape(s: string): string {
  return s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    // XML 1.0 forbids most control characters; a garbage-speaking server must not break the file.
    .replace(/[\x00-\x08\x0b\x0c\x0e-\x1f]/g, '');
}

function testcaseName(r: CheckResult): string {
  return `${r.id}: ${r.dir} ${r.source} → ${r.destination} ${portLabel(r.port)} ${r.service} (${r.status})`;
}

function failing(r: CheckResult, strict: boolean): boolean {
  return r.outcome === 'fail' || (strict && r.outcome === 'inconclusive');
}

export function renderJunit(run: RunReport): string {
  const suite = `fedprobe.${run.profile.id}`;
  const failures = run.results.filter((r) => failing(r, run.strict)).length;
  const skipped = run.results.filter((r) => !failing(r, run.strict) && (r.outcome === 'skip' || r.outcome === 'inconclusive')).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="fedprobe" tests="${run.results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${(run.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xmlEscape(suite)}" tests="${run.results.length}" failures="${failures}" errors="0" skipped="${skipped}" time="${(run.durationMs / 1000).toFixed(3)}" timestamp="${run.startedAt}">`,
    '    <properties>',
    `      <property name="framework" value="${xmlEscape(run.profile.framework)}"/>`,
    `      <property name="component" value="${xmlEscape(run.profile.component)}"/>`,
    `      <property name="scenario" value="${xmlEscape(run.profile.scenario)}"/>`,
    `      <property name="exitCode" value="${run.exitCode}"/>`,
    '    </properties>',
  ];
  for (const r of run.results) {
    const open = `    <testcase classname="${xmlEscape(suite)}" name="${xmlEscape(testcaseName(r))}" time="${(r.timings.totalMs / 1000).toFixed(3)}"`;
    const say = `${r.state}, ${r.reason}: ${r.detail}${r.hint ? ` — ${r.hint}` : ''}`;
    if (failing(r, run.strict)) {
      lines.push(`${open}>`, `      <failure type="${r.reason}" message="${xmlEscape(`${r.reason}: ${r.hint || r.detail}`)}">${xmlEscape(`${say}\nprobe: ${r.probe}`)}</failure>`, '    </testcase>');
    } else if (r.outcome === 'skip' || r.outcome === 'inconclusive') {
      lines.push(`${open}>`, `      <skipped message="${xmlEscape(`${r.outcome}: ${r.detail}`)}"/>`, '    </testcase>');
    } else if (r.outcome === 'warn') {
      lines.push(`${open}>`, `      <system-out>${xmlEscape(`warning: ${say}`)}</system-out>`, '    </testcase>');
    } else {
      lines.push(`${open}/>`);
    }
  }
  lines.push('  </testsuite>', '</testsuites>');
  return lines.join('\n') + '\n';
}
