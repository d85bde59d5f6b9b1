// Proxy URLs in messages (issue 7 item 6): userinfo never shown, also for text that is no URL.
import { describe, expect, it } from 'vitest';
import { parseProxyUrl, redactProxyUrl, selectProxy } from '../../src/net/proxy.js';

const SECRET = 'pa55-Secret';

function message(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
}

describe('redactProxyUrl', () => {
  it('cuts everything between // and the last @', () => {
    expect(redactProxyUrl(`http://user:${SECRET}@proxy:3128`)).toBe('http://***@proxy:3128');
    expect(redactProxyUrl(`http://user:p@ss@${SECRET}@proxy:3128`)).toBe('http://***@proxy:3128');
    expect(redactProxyUrl(`http://user:pa/${SECRET}@proxy:3128`)).toBe('http://***@proxy:3128');
    expect(redactProxyUrl(`http://user:pa?#${SECRET}@[::1`)).toBe('http://***@[::1');
  });

  it('without //, cuts everything before the last @', () => {
    expect(redactProxyUrl(`user:${SECRET}@proxy:3128/x y`)).toBe('***@proxy:3128/x y');
    expect(redactProxyUrl(`${SECRET}@proxy//x`)).toBe('***@proxy//x');
  });

  it('leaves a URL without userinfo as it is, controls made visible', () => {
    expect(redactProxyUrl('http://proxy:3128')).toBe('http://proxy:3128');
    expect(redactProxyUrl('http://pro\x1b[2Jxy')).toBe('http://pro\\x1b[2Jxy');
  });
});

describe('parseProxyUrl and selectProxy never echo a password', () => {
  const broken = [
    `http://u:${SECRET}@[::1`,
    `http://u:pa/${SECRET}@h:3128`,
    `http://u:${SECRET}@h:99999`,
    `http://u:${SECRET}@we@ird@h:nope`,
  ];
  it.each(broken)('%s: the error names the proxy without the password', (url) => {
    for (const [where, f] of [
      ['--proxy', () => parseProxyUrl(url, '--proxy')],
      ['with.proxy', () => selectProxy('tcp', 'h', 1, url, undefined)],
      ['HTTPS_PROXY', () => selectProxy('tls', 'h', 1, undefined, { env: { HTTPS_PROXY: url } })],
    ] as const) {
      const m = message(f);
      expect(m.startsWith(`${where}: "http://***@`), m).toBe(true);
      expect(m).toContain('is not a proxy URL');
      expect(m).not.toContain(SECRET);
    }
  });

  it('another scheme: the error names only the scheme', () => {
    const m = message(() => parseProxyUrl(`socks5://u:${SECRET}@h:1080`, '--proxy'));
    expect(m).toBe('--proxy: only http:// proxies (HTTP CONNECT) are supported, not socks5://');
  });

  it('a password with a stray % is sent as written, not an unexpected error', () => {
    const spec = parseProxyUrl('http://u:50%zz@h:3128', '--proxy');
    expect(spec).toEqual({
      host: 'h',
      port: 3128,
      label: 'http://h:3128',
      authorization: `Basic ${Buffer.from('u:50%zz').toString('base64')}`,
    });
  });
});
