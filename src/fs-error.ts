// The code of a failed system call (ENOENT, EACCES, EISDIR, EADDRINUSE ...) for the messages and
// branches about files and listening sockets. A plain string, not an ErrorCode (error-code.ts):
// these codes never reach a result, they explain why fedprobe itself could not read or listen.

/** The string `code` a Node system error carries, or undefined for anything else thrown. */
export function fsErrorCode(e: unknown): string | undefined {
  if (typeof e !== 'object' || e === null || !('code' in e)) return undefined;
  return typeof e.code === 'string' ? e.code : undefined;
}
