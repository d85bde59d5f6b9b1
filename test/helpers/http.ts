// Small HTTP GET helper for tests (loopback only) and a bounded wait-until.
import { request } from 'node:http';

export function get(url: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { agent: false, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }),
      );
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

/** Polls `probe` every `everyMs` until it returns true, at most `maxMs`; throws with `what` otherwise. */
export async function waitFor(
  what: string,
  probe: () => Promise<boolean>,
  maxMs = 15_000,
  everyMs = 100,
): Promise<void> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
