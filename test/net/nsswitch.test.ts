// Which nsswitch.conf `hosts:` lines fedprobe resolves by itself, and which it leaves to glibc.
import { describe, expect, it } from 'vitest';
import { hostSources } from '../../src/net/nsswitch.js';

const own = (...order: [string, boolean][]) => ({
  kind: 'own',
  order: order.map(([source, stopIfNotFound]) => ({ source, stopIfNotFound })),
});

describe('nsswitch.conf hosts:', () => {
  it.each([
    ['hosts:          files dns\n', own(['files', false], ['dns', false])],
    ['hosts: dns files\n', own(['dns', false], ['files', false])],
    ['hosts: files\n', own(['files', false])],
    ['hosts: dns\n', own(['dns', false])],
    ['# comment\npasswd: files systemd\nHOSTS: Files DNS # trailing\n', own(['files', false], ['dns', false])],
    ['hosts: files [NOTFOUND=return] dns\n', own(['files', true], ['dns', false])],
    ['hosts: files [SUCCESS=return notfound=continue] dns\n', own(['files', false], ['dns', false])],
    // After the last source, every status ends the lookup: its criteria change nothing.
    ['hosts: files dns [NOTFOUND=return]\n', own(['files', false], ['dns', false])],
    ['hosts: files mdns\nhosts: files dns\n', own(['files', false], ['dns', false])], // the last line wins
    ['passwd: files\n', own(['files', false], ['dns', false])], // no hosts line: files, then dns
    ['hosts:\n', own(['files', false], ['dns', false])], // no source named: the same (as Go)
  ])('%j → our own lookup', (text, expected) => {
    expect(hostSources(text)).toEqual(expected);
  });

  it('no nsswitch.conf at all (musl, minimal images): /etc/hosts, then DNS', () => {
    expect(hostSources(undefined)).toEqual(own(['files', false], ['dns', false]));
  });

  it.each([
    ['hosts: files mdns4_minimal [NOTFOUND=return] dns\n', 'source "mdns4_minimal" needs glibc'],
    ['hosts: files myhostname dns\n', 'source "myhostname" needs glibc'],
    ['hosts: resolve [!UNAVAIL=return] files dns\n', 'source "resolve" needs glibc'],
    ['hosts: files dns sss ldap wins\n', 'source "sss" needs glibc'],
    ['hosts: files [!UNAVAIL=return] dns\n', 'criteria [!UNAVAIL=return]'],
    ['hosts: dns [TRYAGAIN=return] files\n', 'dns [TRYAGAIN=return]'],
    ['hosts: files [SUCCESS=continue] dns\n', 'files [SUCCESS=continue]'],
    ['hosts: [NOTFOUND=return] files\n', 'criteria out of place'],
  ])('%j → getaddrinfo', (text, why) => {
    const plan = hostSources(text);
    expect(plan.kind).toBe('getaddrinfo');
    expect(plan).toMatchObject({ why: expect.stringContaining(why) });
  });
});
