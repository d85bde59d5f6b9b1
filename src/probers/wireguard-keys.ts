// Where a WireGuard probe's keys come from: a wg-quick style file ([Interface] PrivateKey of the
// probe peer, [Peer] PublicKey and PresharedKey of the server), key files, or environment
// variables. Keys are never printed; errors name where a key was expected, not its value.
import { readFileSync } from 'node:fs';
import { ProbeError } from '../errors.js';
import { errorCode } from '../net/error-kind.js';
import type { Keys } from './wireguard-noise.js';
import { SAY } from './wireguard-text.js';

export interface KeyOptions {
  config?: string | undefined;
  privateKeyFile?: string | undefined;
  privateKeyEnv?: string | undefined;
  publicKey?: string | undefined;
  presharedKeyFile?: string | undefined;
  presharedKeyEnv?: string | undefined;
}

function decodeKey(text: string, what: string): Uint8Array {
  const b = Buffer.from(text.trim(), 'base64');
  if (b.length !== 32 || b.toString('base64') !== text.trim()) throw new ProbeError('error', SAY.notAKey(what));
  return b;
}

/** [Interface] PrivateKey and the first [Peer]'s PublicKey / PresharedKey. */
export function parseWgQuick(text: string): { privateKey?: string; publicKey?: string; presharedKey?: string } {
  const out: { privateKey?: string; publicKey?: string; presharedKey?: string } = {};
  let section = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/#.*/, '').trim();
    const header = /^\[(\w+)\]$/.exec(line);
    if (header) {
      section = header[1]!.toLowerCase();
      continue;
    }
    const kv = /^(\w+)\s*=\s*(.+)$/.exec(line);
    if (!kv) continue;
    const key = kv[1]!.toLowerCase();
    if (section === 'interface' && key === 'privatekey') out.privateKey ??= kv[2]!;
    if (section === 'peer' && key === 'publickey') out.publicKey ??= kv[2]!;
    if (section === 'peer' && key === 'presharedkey') out.presharedKey ??= kv[2]!;
  }
  return out;
}

function readText(path: string, what: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new ProbeError('error', SAY.unreadable(what, path, errorCode(e) ?? 'error'));
  }
}

function fromEnv(name: string, what: string): string {
  const v = process.env[name];
  if (v === undefined || v === '') throw new ProbeError('error', SAY.envUnset(what, name));
  return v;
}

/** The keys, or undefined when none were configured (the keyless probe). */
export function loadKeys(o: KeyOptions): Keys | undefined {
  const file = o.config ? parseWgQuick(readText(o.config, 'with.config')) : {};
  const priv = o.privateKeyFile
    ? readText(o.privateKeyFile, 'with.privateKeyFile')
    : o.privateKeyEnv
      ? fromEnv(o.privateKeyEnv, 'with.privateKeyEnv')
      : file.privateKey;
  const pub = o.publicKey ?? file.publicKey;
  const psk = o.presharedKeyFile
    ? readText(o.presharedKeyFile, 'with.presharedKeyFile')
    : o.presharedKeyEnv
      ? fromEnv(o.presharedKeyEnv, 'with.presharedKeyEnv')
      : file.presharedKey;
  if (priv === undefined && pub === undefined) return undefined;
  if (priv === undefined) throw new ProbeError('error', SAY.noPrivateKey);
  if (pub === undefined) throw new ProbeError('error', SAY.noPublicKey);
  return {
    privateKey: decodeKey(priv, SAY.privateKeyName),
    serverPublicKey: decodeKey(pub, SAY.publicKeyName),
    ...(psk !== undefined && { presharedKey: decodeKey(psk, SAY.pskName) }),
  };
}
