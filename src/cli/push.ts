// --push URL: a batch job in the Prometheus world does not wait to be scraped; it pushes its
// metrics to a Pushgateway, which Prometheus scrapes (with honor_labels: true). One PUT per run
// replaces the whole group, so a row that disappeared from the profile disappears from the
// gateway too. The group is job + instance + profile, so two cron lines of one host (two
// profiles) never overwrite each other.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { hostname } from 'node:os';
import { UsageError } from '../errors.js';

export interface PushTarget {
  url: URL;
  job: string;
  instance: string;
}

/** Removes user:password from a URL for messages: a push URL may carry basic-auth credentials. */
function redactUrl(text: string): string {
  return text.replace(/\/\/[^/@\s]*@/g, '//***@');
}

export function parsePushTarget(raw: string, job = 'fedprobe', instance = hostname()): PushTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UsageError(
      `--push: expected the Pushgateway's URL such as http://pushgateway:9091, got "${redactUrl(raw)}"`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--push: expected an http:// or https:// URL, got ${url.protocol}`);
  }
  if (!job) throw new UsageError('--push-job: must not be empty');
  if (!instance) throw new UsageError('--push-instance: must not be empty');
  return { url, job, instance };
}

/** A grouping-key value in the path; base64url (the `@base64` form) where it holds a slash. */
function keyPart(name: string, value: string): string {
  if (/^[A-Za-z0-9._~-]+$/.test(value)) return `${name}/${value}`;
  return `${name}@base64/${Buffer.from(value, 'utf8').toString('base64url') || '='}`;
}

function groupPath(target: PushTarget, profile: string): string {
  const base = target.url.pathname.replace(/\/+$/, '');
  const job = keyPart('job', target.job);
  return `${base}/metrics/${job}/${keyPart('instance', target.instance)}/${keyPart('profile', profile)}`;
}

/** PUTs the exposition text; resolves, or rejects with a one-line message without credentials. */
export function pushMetrics(target: PushTarget, profile: string, text: string, timeoutMs: number): Promise<void> {
  const url = new URL(target.url);
  url.pathname = groupPath(target, profile);
  const auth = url.username ? `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}` : undefined;
  url.username = '';
  url.password = '';
  const shown = redactUrl(url.toString());
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'PUT',
        headers: {
          'content-type': 'text/plain; version=0.0.4; charset=utf-8',
          'content-length': Buffer.byteLength(text),
        },
        ...(auth && { auth }),
        timeout: timeoutMs,
      },
      (res) => {
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (c: Buffer) => {
          // The gateway's error text is short; keep at most 2 KiB of it.
          if (size < 2048) chunks.push(c);
          size += c.length;
        });
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) return resolve();
          const said = Buffer.concat(chunks)
            .toString('utf8')
            .replace(/[\x00-\x1f\x7f]+/g, ' ')
            .trim()
            .slice(0, 200);
          reject(new Error(`the Pushgateway at ${shown} answered ${status}${said ? `: ${said}` : ''}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(`cannot push to ${shown}: ${e.code ?? e.message}`)));
    req.end(text);
  });
}
