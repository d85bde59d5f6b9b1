// --format junit: one testcase per matrix row, for CI dashboards and cron wrappers. A failure's
// message is the reason and the hint; warnings are passes with a note in system-out.
import type { CheckResult, RunReport } from '../types.js';
import { xmlText } from '../escape.js';
import { portLabel } from './text.js';

function testcaseName(r: CheckResult): string {
  return `${r.id}: ${r.dir} ${r.source} → ${r.destination} ${portLabel(r.port)} ${r.service} (${r.status})`;
}

function failing(r: CheckResult, strict: boolean): boolean {
  return r.outcome === 'fail' || (strict && r.outcome === 'inconclusive');
}

export function renderJunit(run: RunReport): string {
  const suite = `fedprobe.${run.profile.id}`;
  const failures = run.results.filter((r) => failing(r, run.strict)).length;
  const skipped = run.results.filter(
    (r) => !failing(r, run.strict) && (r.outcome === 'skip' || r.outcome === 'inconclusive'),
  ).length;
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="fedprobe" tests="${run.results.length}" failures="${failures}" errors="0" ` +
      `skipped="${skipped}" time="${(run.durationMs / 1000).toFixed(3)}">`,
    `  <testsuite name="${xmlText(suite)}" tests="${run.results.length}" failures="${failures}" errors="0" ` +
      `skipped="${skipped}" time="${(run.durationMs / 1000).toFixed(3)}" timestamp="${xmlText(run.startedAt)}">`,
    '    <properties>',
    `      <property name="framework" value="${xmlText(run.profile.framework)}"/>`,
    `      <property name="component" value="${xmlText(run.profile.component)}"/>`,
    `      <property name="scenario" value="${xmlText(run.profile.scenario)}"/>`,
    `      <property name="exitCode" value="${run.exitCode}"/>`,
    '    </properties>',
  ];
  for (const r of run.results) {
    const open =
      `    <testcase classname="${xmlText(suite)}" name="${xmlText(testcaseName(r))}" ` +
      `time="${(r.timings.totalMs / 1000).toFixed(3)}"`;
    const say = `${r.state}, ${r.reason}: ${r.detail}${r.hint ? ` — ${r.hint}` : ''}`;
    if (failing(r, run.strict)) {
      lines.push(
        `${open}>`,
        `      <failure type="${xmlText(r.reason)}" ` +
          `message="${xmlText(`${r.reason}: ${r.hint || r.detail}`)}">${xmlText(say)}\nprobe: ` +
          `${xmlText(r.probe)}</failure>`,
        '    </testcase>',
      );
    } else if (r.outcome === 'skip' || r.outcome === 'inconclusive') {
      lines.push(`${open}>`, `      <skipped message="${xmlText(`${r.outcome}: ${r.detail}`)}"/>`, '    </testcase>');
    } else if (r.outcome === 'warn') {
      lines.push(`${open}>`, `      <system-out>${xmlText(`warning: ${say}`)}</system-out>`, '    </testcase>');
    } else {
      lines.push(`${open}/>`);
    }
  }
  lines.push('  </testsuite>', '</testsuites>');
  return `${lines.join('\n')}\n`;
}
