import pino, { type Logger } from 'pino';

export type { Logger } from 'pino';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * The one place loggers are made: human-readable (pino-pretty) when stderr is a terminal, JSON lines otherwise,
 * so a lab's log collector gets structured events and a person gets sentences. Logs go to stderr; stdout is
 * for results (`--json` output stays parseable).
 */
export function createLogger(options: { level?: LogLevel; pretty?: boolean; name?: string } = {}): Logger {
  const level = options.level ?? (process.env.IOSRESCUE_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  if (pretty) {
    return pino({
      name: options.name,
      level,
      transport: {
        target: 'pino-pretty',
        options: { destination: 2, colorize: true, translateTime: 'HH:MM:ss', ignore: 'pid,hostname' },
      },
    });
  }
  return pino({ name: options.name, level, base: undefined }, pino.destination({ fd: 2, sync: true }));
}

/** A logger that drops everything: the default for library callers who pass none. */
export const silentLogger: Logger = pino({ level: 'silent' });
