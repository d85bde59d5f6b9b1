// The daemon's HTTP endpoints: /metrics (Prometheus), /healthz, /readyz, /results (the last run as
// `check --format json` prints it; with several profiles, the list of their last runs), /history
// (the last runs of every row, kept in memory) and / (the status page). /results stays exactly
// the document `check` prints, so one jq filter serves both; the history has its own endpoint.
// Nothing here takes a target or a profile from a request.
//   /healthz: the process and its scheduler loop are alive: 503 when a profile's schedule has
//             stalled (a run far past its bound, or no run finishing), which only a restart cures.
//   /readyz:  the results are fresh and say the site works: 503 on a stalled schedule too, before
//             any run has finished, when the latest run failed, or when a mandatory row failed.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { PAGE_CSP, renderHtml, type HtmlOptions } from '../report/html.js';
import { jsonText } from '../escape.js';
import { renderJson } from '../report/json.js';
import type { RunReport } from '../types.js';

export interface DaemonView {
  registry: Registry;
  /** Last finished run per profile, in the order the profiles were given. */
  runs(): RunReport[];
  /** Profiles whose schedule has stalled ("<profile>: schedule stalled: …"), or an empty list. */
  stalled(): string[];
  /** Why the daemon is not ready (a stall included), or an empty list when it is. */
  notReady(): string[];
  /** /history as a JSON value. */
  history(): unknown;
  /** What the status page is rendered with (title, host, readiness, history, now). */
  page(): HtmlOptions;
}

function send(res: ServerResponse, status: number, type: string, body: string, extra: Record<string, string> = {}) {
  res.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...extra,
  });
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
      const why = view.notReady();
      return why.length ? send(res, 503, TEXT, `not ready:\n${list(why)}`) : send(res, 200, TEXT, 'ready\n');
    }
    case '/metrics':
      return send(res, 200, view.registry.contentType, await view.registry.metrics());
    case '/results': {
      const runs = view.runs();
      if (runs.length === 0) return send(res, 503, 'application/json', '{"error":"no run has finished yet"}\n');
      return send(res, 200, 'application/json', renderJson(runs.length === 1 ? runs[0]! : runs));
    }
    case '/history':
      return send(res, 200, 'application/json', `${jsonText(JSON.stringify(view.history(), null, 2))}\n`);
    case '/':
      return send(res, 200, 'text/html; charset=utf-8', renderHtml(view.runs(), view.page()), {
        'content-security-policy': `${PAGE_CSP}; frame-ancestors 'none'`,
      });
    default:
      return send(res, 404, TEXT, 'not found: try /, /metrics, /healthz, /readyz, /results or /history\n');
  }
}

export function startServer(view: DaemonView, host: string, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    handle(view, req, res).catch((e) =>
      send(res, 500, 'text/plain; charset=utf-8', `error: ${(e as Error).message}\n`),
    );
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
