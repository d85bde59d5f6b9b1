// pino to stderr (fd 2): stdout is for results only, so `--format json | jq` always works. On a
// terminal the lines are made readable (pino-pretty); anywhere else they stay JSON for log tools.
// Log lines carry peer text (a detail, an error message): like every output, they must not let a
// peer drive the operator's terminal, so both paths pass through the escaping of src/escape.ts.
import { createRequire } from 'node:module';
import { Writable } from 'node:stream';
import { pino, type Logger, type LevelWithSilent } from 'pino';
import type PinoPretty from 'pino-pretty';
import { jsonText } from './escape.js';

/**
 * pino-pretty (and its colour and date modules, ≈ 10 ms) only when a human reads the log: cron, CI and
 * the daemon write JSON. Loaded through a require of our own, not `import`, so createLogger stays
 * synchronous and the bundler leaves the module out of the start-up chunk (it is resolved at run time).
 */
function loadPretty(): typeof PinoPretty {
  const load = createRequire(import.meta.url);
  return load('pino-pretty') as typeof PinoPretty;
}

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const BIDI_OR_CONTROL = (code: number) =>
  code < 0x20 ||
  (code >= 0x7f && code <= 0x9f) ||
  code === 0x61c ||
  code === 0x200e ||
  code === 0x200f ||
  (code >= 0x2028 && code <= 0x202e) ||
  (code >= 0x2066 && code <= 0x2069);

/**
 * One NDJSON log line made safe for pino-pretty: pretty-printing decodes the JSON, so an escaped
 * control character (`\u001b`, `\n`) would reach the terminal raw. Escaping the escape keeps it
 * visible as text (`\u001b`). Walks escape pairs, so a literal backslash (`\\`) is left alone.
 */
export function prettySafeLine(line: string): string {
  return jsonText(line).replace(/\\(u[0-9a-fA-F]{4}|[^u])/g, (pair: string, escaped: string) => {
    if (escaped.length === 1) return 'nrtbf'.includes(escaped) ? `\\${pair}` : pair;
    return BIDI_OR_CONTROL(parseInt(escaped.slice(1), 16)) ? `\\${pair}` : pair;
  });
}

/** A destination that rewrites each line before handing it on (pino writes whole lines). */
function rewriting(next: { write(chunk: string): unknown }, rewrite: (line: string) => string): Writable {
  return new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      next.write(rewrite(String(chunk)));
      callback();
    },
  });
}

export function createLogger(level: LevelWithSilent = 'warn', humanReadable = false, colour = true): Logger {
  const options = {
    level,
    base: { name: 'fedprobe' },
    redact: { paths: ['*.password', '*.privateKey', '*.psk', 'secrets'], censor: '[secret]' },
  };
  if (humanReadable) {
    const prettyStream = loadPretty()({
      destination: 2,
      sync: true,
      colorize: colour,
      ignore: 'pid,hostname,name',
      translateTime: 'SYS:HH:MM:ss',
    });
    return pino(options, rewriting(prettyStream, prettySafeLine));
  }
  const fd2 = pino.destination({ fd: 2, sync: true });
  return pino(options, rewriting(fd2, jsonText));
}

export const silentLogger: Logger = pino({ level: 'silent' });
