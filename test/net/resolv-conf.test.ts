// resolv.conf as fedprobe's own lookup reads it, and the names it asks DNS in turn.
import { describe, expect, it } from 'vitest';
import { candidateNames, parseResolvConf } from '../../src/net/resolv-conf.js';

describe('resolv.conf', () => {
  it("glibc's defaults where the file says nothing; the search domain of this machine's name", () => {
    expect(parseResolvConf('nameserver 10.0.0.1\n', 'node7.lab.example.org')).toEqual({
      search: ['lab.example.org'],
      ndots: 1,
      timeoutMs: 5000,
      attempts: 2,
    });
    expect(parseResolvConf('', 'node7')).toMatchObject({ search: [] });
  });

  it('search, ndots, timeout and attempts; the last of search and domain wins; comments', () => {
    const text =
      'domain old.example\nsearch a.example b.example. # c.example\n; a comment\n' +
      'options ndots:2 timeout:1 attempts:3 rotate edns0\n';
    expect(parseResolvConf(text, 'x.y.example')).toEqual({
      search: ['a.example', 'b.example'],
      ndots: 2,
      timeoutMs: 1000,
      attempts: 3,
    });
    expect(parseResolvConf('search a.example\ndomain d.example\n', 'h')).toMatchObject({ search: ['d.example'] });
  });

  it("glibc's caps: ndots 15, timeout 30 s, attempts 5", () => {
    expect(parseResolvConf('options ndots:99 timeout:99 attempts:99\n', 'h')).toMatchObject({
      ndots: 15,
      timeoutMs: 30_000,
      attempts: 5,
    });
  });

  it.each([
    ['options inet6\n', 'resolv.conf option "inet6"'],
    ['options no-aaaa\n', 'resolv.conf option "no-aaaa"'],
    ['sortlist 10.0.0.0/255.0.0.0\n', 'resolv.conf sortlist'],
  ])('%j changes answers: left to getaddrinfo', (text, why) => {
    expect(parseResolvConf(text, 'h')).toEqual({ why });
  });
});

describe('candidate names', () => {
  const conf = { search: ['corp.example', 'example.org'], ndots: 1 };
  it('a short name: the search domains first, then the name itself', () => {
    expect(candidateNames('svc', conf)).toEqual(['svc.corp.example', 'svc.example.org', 'svc']);
  });
  it('a name with ndots dots: itself first, then the search domains', () => {
    expect(candidateNames('svc.lab', conf)).toEqual(['svc.lab', 'svc.lab.corp.example', 'svc.lab.example.org']);
    expect(candidateNames('svc.lab', { ...conf, ndots: 2 })).toEqual([
      'svc.lab.corp.example',
      'svc.lab.example.org',
      'svc.lab',
    ]);
  });
  it('a trailing dot: only the name itself', () => {
    expect(candidateNames('svc.lab.', conf)).toEqual(['svc.lab']);
  });
  it('no candidate longer than 253 characters', () => {
    const long = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(50)}`;
    expect(candidateNames(long, conf)).toEqual([long]);
  });
});
