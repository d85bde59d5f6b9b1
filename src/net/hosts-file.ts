// The `files` source: /etc/hosts read by fedprobe itself, as glibc reads it (every line naming the
// host contributes its address, names compare without case, aliases count, `#` starts a comment).
import { isIP } from 'node:net';
import type { Family } from '../types.js';

/** Every address /etc/hosts gives `name` (without a trailing dot), in file order, each once. */
export function hostsFileAddresses(text: string, name: string, family: Family | undefined): string[] {
  const wanted = name.replace(/\.$/, '').toLowerCase();
  const found: string[] = [];
  for (const raw of text.split('\n')) {
    const [address, ...names] = raw.replace(/#.*/, '').trim().split(/\s+/);
    if (!address || names.length === 0) continue;
    const kind = isIP(address);
    if (kind === 0 || (family !== undefined && kind !== family)) continue;
    if (names.some((n) => n.toLowerCase() === wanted) && !found.includes(address)) found.push(address);
  }
  return found;
}
