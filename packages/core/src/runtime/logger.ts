import { pino, type Logger, type LoggerOptions } from 'pino';

/** The default structured logger: JSON lines on stderr, level from `JOBBY_LOG_LEVEL` (default info). */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino({ name: 'jobby', level: process.env.JOBBY_LOG_LEVEL || 'info', ...options }, pino.destination(2));
}

export type { Logger };
