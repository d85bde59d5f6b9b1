// What a peer sent instead of the expected answer, in one encoding for every prober: the bytes in
// hex (exact, for a protocol expert) and as text with everything unprintable escaped (for the
// operator: "SSH-2.0-OpenSSH_9.2p1\r\n", "HTTP/1.1 400 Bad Request").

/** Bytes of a foreign answer kept in the facts. */
export const FIRST_BYTES = 64;

/** Bytes as readable text: printable ASCII kept, the rest escaped (`\r`, `\n`, `\x00`). */
export function printable(buf: Buffer): string {
  return buf.toString('latin1').replace(/[^\x20-\x7e]/g, (c) => {
    if (c === '\r') return '\\r';
    if (c === '\n') return '\\n';
    return `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`;
  });
}

/** `{ firstBytes: hex, firstText: printable }` of the first FIRST_BYTES bytes; {} for none. */
export function firstBytes(buf: Buffer): { firstBytes?: string; firstText?: string } {
  const head = buf.subarray(0, FIRST_BYTES);
  if (head.length === 0) return {};
  return { firstBytes: head.toString('hex'), firstText: printable(head) };
}
