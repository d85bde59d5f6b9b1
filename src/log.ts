// pino to stderr (fd 2): stdout is for results only, so `--format json | jq` always works.
import { pino, type Logger, type LevelWithSilent } from 'pino';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(level: LevelWithSilent = 'warn'): Logger {
  return pino({ level, base: { name: 'fedprobe' }, redact: { paths: ['*.password', '*.privateKey', '*.psk', 'secrets'], censor: '[secret]' } }, pino.destination({ fd: 2, sync: true }));
}

export const silentLogger: Logger = pino({ level: 'silent' });
