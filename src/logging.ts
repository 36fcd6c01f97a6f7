import { createRequire } from 'node:module';
import type { Logger, default as Pino } from 'pino';

export type { Logger } from 'pino';

/**
 * pino is loaded on first use, not at import: loading it costs ~30 ms, and a command that never logs (`carve --json`
 * on a healthy file) should not pay that at start-up. pino is CommonJS, so a synchronous require keeps every caller
 * unchanged.
 */
let pinoModule: typeof Pino | undefined;
function loadPino(): typeof Pino {
  pinoModule ??= createRequire(import.meta.url)('pino') as typeof Pino;
  return pinoModule;
}

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/**
 * The one place loggers are made: human-readable (pino-pretty) when stderr is a terminal, JSON lines otherwise,
 * so a lab's log collector gets structured events and a person gets sentences. Logs go to stderr; stdout is
 * for results (`--json` output stays parseable).
 */
export function createLogger(options: { level?: LogLevel; pretty?: boolean; name?: string } = {}): Logger {
  const level = options.level ?? (process.env.IOSRESCUE_LOG_LEVEL as LogLevel | undefined) ?? 'info';
  const pretty = options.pretty ?? Boolean(process.stderr.isTTY);
  const pino = loadPino();
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

/**
 * A logger that drops everything: the default for library callers who pass none. It stands in for a silent pino
 * logger made on first use, so importing a module that defaults to it does not load pino.
 */
let silentPino: Logger | undefined;
export const silentLogger: Logger = new Proxy({} as Logger, {
  get(_target, property) {
    silentPino ??= loadPino()({ level: 'silent' });
    const value: unknown = Reflect.get(silentPino, property, silentPino);
    return typeof value === 'function' ? value.bind(silentPino) : value;
  },
});
