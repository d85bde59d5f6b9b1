// Prometheus metrics for a run, shared by `check --format prometheus` (node_exporter's textfile
// collector) and the daemon's /metrics, so both expose the same names. Base units, `_seconds`.
import { Gauge, Registry } from 'prom-client';
import { OUTCOMES, type CheckResult, type RunReport } from '../types.js';
import { promLabel } from '../escape.js';

export const ROW_LABELS = ['profile', 'row', 'dir', 'destination', 'port', 'service', 'status'] as const;
const PHASES = [
  ['dns', 'dnsMs'],
  ['connect', 'connectMs'],
  ['tls', 'tlsMs'],
  ['handshake', 'handshakeMs'],
  ['first_byte', 'firstByteMs'],
] as const;

export interface RunGauges {
  registry: Registry;
  success: Gauge<(typeof ROW_LABELS)[number]>;
  outcome: Gauge<(typeof ROW_LABELS)[number] | 'outcome'>;
  info: Gauge<(typeof ROW_LABELS)[number] | 'state' | 'reason'>;
  duration: Gauge<(typeof ROW_LABELS)[number]>;
  phase: Gauge<(typeof ROW_LABELS)[number] | 'phase'>;
  certNotAfter: Gauge<(typeof ROW_LABELS)[number]>;
  runTimestamp: Gauge<'profile'>;
  runDuration: Gauge<'profile'>;
  runExit: Gauge<'profile'>;
  runRows: Gauge<'profile' | 'outcome'>;
  /** Row series written per profile, removed before the next run of that profile is recorded. */
  written: Map<string, [Gauge<string>, Record<string, string>][]>;
}

export function createRunGauges(registry = new Registry()): RunGauges {
  const g = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Gauge<L>({ name, help, labelNames: [...labelNames], registers: [registry] });
  return {
    registry,
    success: g('fedprobe_row_success', '1 when the matrix row passed (or warned), 0 otherwise', ROW_LABELS),
    outcome: g('fedprobe_row_outcome', "the row's outcome: 1 on the current outcome label, 0 on the others", [
      ...ROW_LABELS,
      'outcome',
    ]),
    info: g('fedprobe_row_info', "always 1; the labels carry the row's port state and reason", [
      ...ROW_LABELS,
      'state',
      'reason',
    ]),
    duration: g('fedprobe_row_duration_seconds', "total time of the row's check, DNS included", ROW_LABELS),
    phase: g('fedprobe_row_phase_duration_seconds', 'time until each phase of the check finished', [
      ...ROW_LABELS,
      'phase',
    ]),
    certNotAfter: g(
      'fedprobe_tls_cert_not_after_timestamp_seconds',
      "expiry of the certificate the row's TLS server presented, as a Unix time",
      ROW_LABELS,
    ),
    runTimestamp: g(
      'fedprobe_last_run_timestamp_seconds',
      'when the last run of the profile finished, as a Unix time',
      ['profile'],
    ),
    runDuration: g('fedprobe_last_run_duration_seconds', 'how long the last run of the profile took', ['profile']),
    runExit: g('fedprobe_last_run_exit_code', 'exit code the last run would give: 0 ok, 1 a mandatory row failed', [
      'profile',
    ]),
    runRows: g('fedprobe_last_run_rows', 'rows of the last run by outcome', ['profile', 'outcome']),
    written: new Map(),
  };
}

function rowLabels(profile: string, r: CheckResult): Record<(typeof ROW_LABELS)[number], string> {
  // Profile text (`profile` already is): prom-client escapes it for the exposition format, promLabel
  // keeps it printable.
  const l = promLabel;
  return {
    profile,
    row: l(r.id),
    dir: r.dir,
    destination: l(r.destination),
    port: l(r.port),
    service: l(r.service),
    status: r.status,
  };
}

/** Replaces every series of `run.profile.id` with the values of this run. */
export function recordRun(g: RunGauges, run: RunReport, finishedAt = Date.now()): void {
  const profile = promLabel(run.profile.id);
  // Rows removed from a reloaded profile, or a reason that changed, must not linger as stale series.
  for (const [gauge, labels] of g.written.get(profile) ?? []) gauge.remove(labels);
  const written: [Gauge<string>, Record<string, string>][] = [];
  g.written.set(profile, written);
  const set = <L extends string>(gauge: Gauge<L>, labels: Record<L, string>, value: number) => {
    gauge.set(labels, value);
    written.push([gauge as unknown as Gauge<string>, labels]);
  };
  for (const r of run.results) {
    const labels = rowLabels(profile, r);
    set(g.success, labels, r.outcome === 'pass' || r.outcome === 'warn' ? 1 : 0);
    for (const o of OUTCOMES) set(g.outcome, { ...labels, outcome: o }, r.outcome === o ? 1 : 0);
    set(g.info, { ...labels, state: promLabel(r.state), reason: promLabel(r.reason) }, 1);
    set(g.duration, labels, r.timings.totalMs / 1000);
    for (const [phase, key] of PHASES) {
      const v = r.timings[key];
      if (v !== undefined) set(g.phase, { ...labels, phase }, v / 1000);
    }
    // Every TLS scheme (tls:// too) keeps the certificate under facts.tls.
    const notAfter = r.facts.tls?.notAfter;
    if (notAfter && !Number.isNaN(Date.parse(notAfter)))
      set(g.certNotAfter, labels, Math.floor(Date.parse(notAfter) / 1000));
  }
  g.runTimestamp.set({ profile }, Math.floor(finishedAt / 1000));
  g.runDuration.set({ profile }, run.durationMs / 1000);
  g.runExit.set({ profile }, run.exitCode);
  for (const o of OUTCOMES) g.runRows.set({ profile, outcome: o }, run.summary[o]);
}

/** --format prometheus: the exposition text for one run. */
export async function renderPrometheus(run: RunReport): Promise<string> {
  const g = createRunGauges();
  recordRun(g, run, Date.parse(run.startedAt) + run.durationMs);
  return g.registry.metrics();
}
