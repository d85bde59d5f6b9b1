// On a terminal, long checks show rows as they finish, on stderr so stdout stays the report.
// Never when piped: cron logs and `| jq` get no carriage returns.
import type { CheckResult } from '../types.js';
import type { Io } from './io.js';

export function progressLine(io: Io, total: number): { row: (r: CheckResult) => void; end: () => void } | undefined {
  if (io.stderr.isTTY !== true || io.env['CI'] || total < 2) return undefined;
  let done = 0;
  const clear = '\r\x1b[2K';
  return {
    row(r) {
      done++;
      io.stderr.write(`${clear}checked ${done}/${total}: ${r.id} ${r.outcome}`);
    },
    end() {
      io.stderr.write(clear);
    },
  };
}
