import type { Command } from 'commander';
import { IosRescueError } from '../errors.js';
import { createLogger, type Logger, type LogLevel } from '../logging.js';
import { CliError } from './errors.js';
import { ExitCode, exitCodeFor } from './exit-codes.js';

export interface GlobalOptions {
  json: boolean;
  logLevel?: LogLevel;
  debug: boolean;
}

export interface CommandContext {
  globals: GlobalOptions;
  logger: Logger;
  /** Writes a result: the JSON form with --json, the human text otherwise. */
  print(human: string, json: unknown): void;
  /** Aborted on Ctrl-C / SIGTERM, so long work can stop cleanly and leave nothing half-written. */
  signal: AbortSignal;
}

/** How long a command may take to stop cleanly after SIGINT/SIGTERM before the process exits anyway. */
const SIGNAL_GRACE_MS = 1500;

/**
 * Runs a command body with the shared plumbing: logger from --log-level, --json output, Ctrl-C handling, and
 * errors turned into a one-line reason and a stable exit status (stack traces only with --debug).
 */
export async function runCommand(
  command: Command,
  body: (context: CommandContext) => Promise<number | void>,
): Promise<void> {
  const globals = command.optsWithGlobals() as GlobalOptions;
  const logLevel: LogLevel = globals.logLevel ?? (globals.debug ? 'debug' : globals.json ? 'warn' : 'info');
  // Made when a command first asks for it: a command that never logs (carve) does not load pino at all.
  let logger: Logger | undefined;
  const controller = new AbortController();
  let interrupted: NodeJS.Signals | undefined;
  const statusFor = (signal: NodeJS.Signals): number =>
    signal === 'SIGTERM' ? ExitCode.TERMINATED : ExitCode.INTERRUPTED;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) process.exit(statusFor(interrupted));
    interrupted = signal;
    controller.abort(new CliError('CLI_INTERRUPTED', `interrupted (${signal})`));
    // Work that honours the signal ends well within this; whatever does not (a slow disk, a stuck peer) is not
    // waited for: exiting runs the exit hooks that remove scratch folders and partial files.
    setTimeout(() => {
      process.stderr.write(`iosrescue: ${signal}: stopped\n`);
      process.exit(statusFor(signal));
    }, SIGNAL_GRACE_MS).unref();
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const context: CommandContext = {
    globals,
    get logger() {
      logger ??= createLogger({ level: logLevel });
      return logger;
    },
    signal: controller.signal,
    print(human, json) {
      if (globals.json) process.stdout.write(`${JSON.stringify(json, jsonReplacer)}\n`);
      else if (human) process.stdout.write(human.endsWith('\n') ? human : `${human}\n`);
    },
  };
  try {
    const status = await body(context);
    process.exitCode = interrupted ? statusFor(interrupted) : (status ?? ExitCode.OK);
  } catch (error) {
    process.exitCode = interrupted ? statusFor(interrupted) : exitCodeFor(error);
    reportError(error, globals);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function reportError(error: unknown, globals: GlobalOptions): void {
  const code = error instanceof IosRescueError ? error.code : 'UNEXPECTED';
  const message = error instanceof Error ? error.message : String(error);
  if (globals.json) {
    process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
  }
  process.stderr.write(`iosrescue: ${message}${code === 'UNEXPECTED' ? '' : ` [${code}]`}\n`);
  if (globals.debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
}

/** Buffers become base64 and bigints strings in --json output. */
export function jsonReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (
    value &&
    typeof value === 'object' &&
    (value as { type?: string }).type === 'Buffer' &&
    Array.isArray((value as { data?: unknown }).data)
  ) {
    return { base64: Buffer.from((value as { data: number[] }).data).toString('base64') };
  }
  return value;
}

export class CliUsageError extends CliError {
  constructor(message: string) {
    super('CLI_USAGE', message);
  }
}
