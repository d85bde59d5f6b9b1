// A real Prometheus (Debian's `prometheus`) scraping one loopback target every second, and a query
// that waits for the first sample: what the daemon and --push tests check their series through.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { get, waitFor } from './http.js';
import { freePort } from './servers.js';

export interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

export interface RealPrometheus {
  process: ChildProcess;
  port: number;
  /** The instant query's result once it has at least one series (Prometheus must scrape first). */
  series(promql: string, what: string): Promise<Series[]>;
}

/** Starts Prometheus with its config and data in `dir`, scraping `target` (host:port) as job `job`. */
export async function startPrometheus(
  dir: string,
  job: { name: string; target: string; honorLabels?: boolean },
): Promise<RealPrometheus> {
  const port = await freePort();
  const config = join(dir, 'prometheus.yml');
  const lines = [
    'global: { scrape_interval: 1s, evaluation_interval: 1s }',
    'scrape_configs:',
    `  - job_name: ${job.name}`,
    ...(job.honorLabels ? ['    honor_labels: true'] : []),
    `    static_configs: [{ targets: ["${job.target}"] }]`,
  ];
  writeFileSync(config, `${lines.join('\n')}\n`);
  const args = [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`];
  const child = spawn('prometheus', [...args, `--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  return {
    process: child,
    port,
    async series(promql, what) {
      const query = `http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(promql)}`;
      let result: Series[] = [];
      const found = async () => {
        const r = await get(query);
        if (r.status !== 200) return false;
        result = JSON.parse(r.body).data.result;
        return result.length > 0;
      };
      await waitFor(`Prometheus to have scraped ${what}`, found, 40_000, 500);
      return result;
    },
  };
}
