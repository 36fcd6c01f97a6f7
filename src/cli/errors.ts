import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Errors the command line raises itself. Codes: CLI_USAGE (an option or argument we cannot use; CliUsageError),
 * CLI_PASSWORD_REQUIRED (an encrypted backup and no way to ask for its password), CLI_INTERRUPTED (Ctrl-C or a
 * signal stopped the run).
 * CLI_INTERRUPTED is `internal` (exit 1) as it has always been: a signal's exit status (130, 143) comes from
 * runCommand, which knows the signal; the error itself reaches exitCodeFor only from Ctrl-C at the password prompt.
 */
export const CLI_ERROR_CATEGORIES = {
  CLI_USAGE: 'usage',
  CLI_PASSWORD_REQUIRED: 'usage',
  CLI_INTERRUPTED: 'internal',
} as const satisfies CategoryTable<string>;

export type CliErrorCode = keyof typeof CLI_ERROR_CATEGORIES;

export class CliError extends IosRescueError {
  declare readonly code: CliErrorCode;

  constructor(code: CliErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(CLI_ERROR_CATEGORIES[code], options));
  }
}
