// /etc/hosts as glibc reads it: every line naming the host, aliases, any case, comments.
import { describe, expect, it } from 'vitest';
import { hostsFileAddresses } from '../../src/net/hosts-file.js';

const hosts = [
  '# static names',
  '127.0.0.1\tlocalhost',
  '::1 localhost ip6-localhost ip6-loopback',
  '10.1.2.3   Fed.Example.org  fed   # the aggregator',
  'fd00::3 fed.example.org',
  '10.1.2.3 fed.example.org',
  'not-an-address fed.example.org',
  '10.9.9.9',
  '10.1.2.4 other #fed',
].join('\n');

describe('/etc/hosts', () => {
  it('every address of a name, in file order, each once; names compare without case', () => {
    expect(hostsFileAddresses(hosts, 'FED.example.org', undefined)).toEqual(['10.1.2.3', 'fd00::3']);
    expect(hostsFileAddresses(hosts, 'localhost', undefined)).toEqual(['127.0.0.1', '::1']);
  });
  it('aliases count; a trailing dot is ignored; a comment names nothing', () => {
    expect(hostsFileAddresses(hosts, 'fed', undefined)).toEqual(['10.1.2.3']);
    expect(hostsFileAddresses(hosts, 'ip6-loopback.', undefined)).toEqual(['::1']);
    expect(hostsFileAddresses(hosts, 'other', undefined)).toEqual(['10.1.2.4']);
  });
  it('one family only when asked', () => {
    expect(hostsFileAddresses(hosts, 'fed.example.org', 6)).toEqual(['fd00::3']);
    expect(hostsFileAddresses(hosts, 'fed.example.org', 4)).toEqual(['10.1.2.3']);
  });
  it('a name the file does not list', () => {
    expect(hostsFileAddresses(hosts, 'example.org', undefined)).toEqual([]);
  });
});
