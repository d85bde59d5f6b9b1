// The daemon's HTTP endpoints: /metrics (Prometheus), /healthz (alive), /readyz (the last run of
// every profile passed its mandatory rows), /results (the last run as `check --format json`
// prints it) and / (the status page). Nothing here takes a target or a profile from a request.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { renderHtml } from '../report/html.js';
import { renderJson } from '../report/json.js';
import type { RunReport } from '../types.js';

export interface DaemonView {
  registry: Registry;
  /** Last finished run per profile, in the order the profiles were given. */
  runs(): RunReport[];
  /** Why the daemon is not ready, or an empty list when it is. */
  notReady(): string[];
  refreshSeconds: number;
}

function send(res: ServerResponse, status: number, type: string, body: string): void {
  res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
  res.end(body);
}

async function handle(view: DaemonView, req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'text/plain; charset=utf-8', 'only GET\n');
  const path = (req.url ?? '/').split('?')[0];
  switch (path) {
    case '/healthz':
      return send(res, 200, 'text/plain; charset=utf-8', 'ok\n');
    case '/readyz': {
      const why = view.notReady();
      return why.length ? send(res, 503, 'text/plain; charset=utf-8', `not ready:\n${why.map((w) => `- ${w}`).join('\n')}\n`) : send(res, 200, 'text/plain; charset=utf-8', 'ready\n');
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
