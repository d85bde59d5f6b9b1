// The process metrics of /metrics: prom-client's defaults, less the three gauges whose names end
// in `_total` (nodejs_active_handles_total, _requests_total, _resources_total). `promtool check
// metrics` rejects a `_total` suffix on anything but a counter, and each is only the sum of its
// labelled sibling (nodejs_active_handles{type} …), which `sum()` gives back.
import { collectDefaultMetrics, type Registry } from 'prom-client';

const DROPPED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export function registerProcessMetrics(registry: Registry): void {
  collectDefaultMetrics({ register: registry });
  for (const name of DROPPED_DEFAULT_METRICS) registry.removeSingleMetric(name);
}
