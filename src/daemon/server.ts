// The daemon's HTTP endpoints: /metrics (Prometheus), /healthz, /readyz, /results (the last run as
// `check --format json` prints it) and / (the status page). Nothing here takes a target or a
// profile from a request.
//   /healthz: the process and its scheduler loop are alive: 503 when a profile's schedule has
//             stalled (a run far past its bound, or no run finishing), which only a restart cures.
//   /readyz:  the results are fresh and say the site works: 503 on a stalled schedule too, before
//             any run has finished, when the latest run failed, or when a mandatory row failed.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import type { RunReport } from '../types.js';

export interface DaemonView {
  registry: Registry;
  /** Last finished run per profile, in the order the profiles were given. */
  runs(): RunReport[];
  /** Profiles whose schedule has stalled ("<profile>: schedule stalled: …"), or an empty list. */
  stalled(): string[];
  /** Why the daemon is not ready apart from a stall, or an empty list when it is. */
  notReady(): string[];
  refreshSeconds: number;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

const TEXT = 'text/plain; charset=utf-8';
const list = (items: string[]) => items.map((w) => `- ${w}\n`).join('');

async function handle(view: DaemonView, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/healthz': {
      const stuck = view.stalled();
      if (stuck.length) return send(res, 503, TEXT, `not healthy:\n${list(stuck)}`);
      return send(res, 200, TEXT, 'ok\n');
    }
    case '/readyz': {
      const why = [...view.stalled(), ...view.notReady()];
      return why.length ? send(res, 503, TEXT, `not ready:\n${list(why)}`) : send(res, 200, TEXT, 'ready\n');
    }
    case '/metrics':
      return send(res, 200, view.registry.contentType, await view.registry.metrics());
    case '/results': {
      const runs = view.runs();
      if (runs.length === 0) return send(res, 503, 'application/json', '{"error":"no run has finished yet"}\n');
      return send(res, 200, 'application/json', runs.length === 1 ? renderJson(runs[0]!) : JSON.stringify(runs, null, 2) + '\n');
    }
    case '/':
      return send(res, 200, 'text/html; charset=utf-8', renderHtml(view.runs(), { refreshSeconds: view.refreshSeconds, title: 'fedprobe status' }));
    default:
      return send(res, 404, 'text/plain; charset=utf-8', 'not found: try /, /metrics, /healthz, /readyz or /results\n');
  }
}

export function startServer(view: DaemonView, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    handle(view, req, res).catch((e) => send(res, 500, 'text/plain; charset=utf-8', `error: ${(e as Error).message}\n`));
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.removeListener('error', reject);
      resolve(server);
    });
  });
}

export function parseListen(text: string): { host: string; port: number } | undefined {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]+)):([0-9]{1,5})$/.exec(text);
  if (!m) return undefined;
  const port = Number(m[3]);
  if (port > 65535) return undefined;
  return { host: m[1] ?? m[2]!, port };
}
