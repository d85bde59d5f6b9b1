// HTTP CONNECT proxies for every TCP-based prober: --proxy, a row's `with.proxy`, or the usual
// environment variables (HTTPS_PROXY, HTTP_PROXY for http://, ALL_PROXY, NO_PROXY). A proxy's
// refusal is the proxy's outcome (proxy-error), never the target's state.
import { request } from 'node:http';
import { connect as netConnect, isIP, type Socket } from 'node:net';
import { ProbeError, UsageError } from '../errors.js';
import { errorCode } from './error-kind.js';
import { terminalText } from '../escape.js';
import type { ProxyFacts } from '../facts.js';
import type { ProbeScheme, ProxySpec } from '../types.js';

export interface ProxySettings {
  /** From --proxy: a URL, or `direct` to ignore the environment. */
  flag?: string;
  env: NodeJS.ProcessEnv;
}

const NON_TCP: ReadonlySet<ProbeScheme> = new Set<ProbeScheme>(['udp', 'wireguard', 'discv4', 'listen']);

/**
 * A proxy URL as it may be shown: userinfo cut, also from text that is no URL at all (everything
 * between `//` and the last `@`, or before the last `@` when there is no `//`), then controls made
 * visible and the length capped, since it goes into a one-line message.
 */
export function redactProxyUrl(text: string): string {
  const at = text.lastIndexOf('@');
  let shown = text;
  if (at >= 0) {
    const slashes = text.indexOf('//');
    shown =
      slashes >= 0 && slashes < at
        ? `${text.slice(0, slashes + 2)}***@${text.slice(at + 1)}`
        : `***@${text.slice(at + 1)}`;
  }
  return terminalText(shown, 200);
}

/** Percent-decoding that keeps a stray `%` (a password such as `50%off`) instead of throwing. */
function decodePart(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

export function parseProxyUrl(text: string, where: string): ProxySpec {
  let url: URL;
  try {
    url = new URL(text.includes('://') ? text : `http://${text}`);
  } catch {
    throw new UsageError(
      `${where}: "${redactProxyUrl(text)}" is not a proxy URL such as http://proxy.example.org:3128`,
    );
  }
  if (url.protocol !== 'http:')
    throw new UsageError(
      `${where}: only http:// proxies (HTTP CONNECT) are supported, not ${terminalText(url.protocol, 40)}//`,
    );
  const port = Number(url.port || 80);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const spec: ProxySpec = { host, port, label: `http://${url.hostname}:${port}` };
  if (url.username) {
    const user = decodePart(url.username);
    const pass = decodePart(url.password);
    spec.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
  }
  return spec;
}

function envVar(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return v === undefined || v === '' ? undefined : v;
}

/** NO_PROXY: `*`, host names (suffix match, with or without a leading dot), IPs, host:port. */
export function bypassesProxy(noProxy: string | undefined, host: string, port: number): boolean {
  if (!noProxy) return false;
  const h = host.toLowerCase();
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (!entry) continue;
    if (entry === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(entry.replace(/^\[(.*)\](:\d+)?$/, '$1$2'))!;
    const name = m[1]!.replace(/^\*?\./, '');
    if (m[2] && Number(m[2]) !== port) continue;
    if (isIP(name) ? h === name : h === name || h.endsWith(`.${name}`)) return true;
  }
  return false;
}

/** A row's own `with.proxy` (every TCP scheme's options allow it; its schema made it a string). */
export function rowProxy(withOptions: Readonly<Record<string, unknown>>): string | undefined {
  return typeof withOptions.proxy === 'string' ? withOptions.proxy : undefined;
}

/** The proxy a check goes through, or undefined for a direct connection. */
export function selectProxy(
  scheme: ProbeScheme,
  host: string,
  port: number,
  rowProxy: string | undefined,
  settings: ProxySettings | undefined,
): ProxySpec | undefined {
  return proxyChooser(settings)(scheme, host, port, rowProxy);
}

/** selectProxy with the settings fixed: what a run asks for each row. */
export type ProxyChooser = (
  scheme: ProbeScheme,
  host: string,
  port: number,
  rowProxy: string | undefined,
) => ProxySpec | undefined;

/**
 * selectProxy for one run: the environment is read here, once, not per row (each read of
 * process.env is a native lookup, and the names are tried in two cases). Where neither --proxy nor
 * the environment names a proxy, a row without `with.proxy` costs one comparison.
 */
export function proxyChooser(settings: ProxySettings | undefined): ProxyChooser {
  const flag = settings?.flag;
  const env = settings?.env ?? {};
  const httpProxy = envVar(env, 'http_proxy') ?? envVar(env, 'all_proxy');
  const otherProxy = envVar(env, 'https_proxy') ?? envVar(env, 'all_proxy');
  const noProxy = envVar(env, 'no_proxy');
  return (scheme, host, port, rowProxy) => {
    if (rowProxy === undefined && flag === undefined && httpProxy === undefined && otherProxy === undefined)
      return undefined;
    if (NON_TCP.has(scheme)) return undefined;
    const explicit = rowProxy ?? flag;
    if (explicit !== undefined)
      return explicit === 'direct'
        ? undefined
        : parseProxyUrl(explicit, rowProxy !== undefined ? 'with.proxy' : '--proxy');
    const fromEnv = scheme === 'http' ? httpProxy : otherProxy;
    if (!fromEnv || bypassesProxy(noProxy, host, port)) return undefined;
    return parseProxyUrl(fromEnv, scheme === 'http' ? 'HTTP_PROXY' : 'HTTPS_PROXY');
  };
}

/** Opens a tunnel to host:port through the proxy; the socket is then the target's. */
export function connectViaProxy(proxy: ProxySpec, host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const authority = isIP(host) === 6 ? `[${host}]:${port}` : `${host}:${port}`;
    const headers: Record<string, string> = { host: authority };
    if (proxy.authorization) headers['proxy-authorization'] = proxy.authorization;
    let reachedProxy = false;
    const req = request({
      host: proxy.host,
      port: proxy.port,
      method: 'CONNECT',
      path: authority,
      headers,
      agent: false,
      signal,
      createConnection: () => {
        const s = netConnect({ host: proxy.host, port: proxy.port });
        s.once('connect', () => (reachedProxy = true));
        return s;
      },
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      const status = `${res.statusCode} ${res.statusMessage ?? ''}`.trim();
      const why =
        res.statusCode === 407
          ? 'the proxy wants credentials (407): put them in the proxy URL'
          : res.statusCode === 403
            ? `the proxy does not allow this destination or port (${status})`
            : (res.statusCode ?? 0) >= 500
              ? `the proxy could not connect to ${authority} (${status}): the target may be down or blocked beyond ` +
                `the proxy`
              : `the proxy answered ${status}`;
      reject(
        new ProbeError<ProxyFacts>('proxy-error', `${proxy.label}: ${why}`, {
          code: `PROXY_${res.statusCode ?? 0}`,
          state: 'unknown',
          facts: { via: proxy.label, ...(res.statusCode !== undefined && { proxyStatus: res.statusCode }) },
        }),
      );
    });
    req.once('error', (e) => {
      if (signal.aborted) return reject(signal.reason);
      const code = errorCode(e);
      reject(
        new ProbeError<ProxyFacts>(
          'proxy-error',
          reachedProxy
            ? `${proxy.label} closed the tunnel request: ${e.message}`
            : `cannot reach the proxy ${proxy.label}: ${code ?? e.message}`,
          { ...(code && { code }), state: 'unknown', facts: { via: proxy.label } },
        ),
      );
    });
    req.end();
  });
}
