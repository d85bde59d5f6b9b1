// pino to stderr (fd 2): stdout is for results only, so `--format json | jq` always works. On a
// terminal the lines are made readable (pino-pretty); anywhere else they stay JSON for log tools.
import { pino, type Logger, type LevelWithSilent } from 'pino';
import pretty from 'pino-pretty';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

export function createLogger(level: LevelWithSilent = 'warn', humanReadable = false, colour = true): Logger {
  const options = { level, base: { name: 'fedprobe' }, redact: { paths: ['*.password', '*.privateKey', '*.psk', 'secrets'], censor: '[secret]' } };
  const destination = humanReadable
    ? pretty({ destination: 2, sync: true, colorize: colour, ignore: 'pid,hostname,name', translateTime: 'SYS:HH:MM:ss' })
    : pino.destination({ fd: 2, sync: true });
  return pino(options, destination);
}

export const silentLogger: Logger = pino({ level: 'silent' });
