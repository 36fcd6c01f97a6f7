import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../../../errors.js';

/**
 * Errors of the browser console (README.md beside this file).
 * - CONSOLE_NO_SESSION: no session cookie, or one the daemon does not know (expired, or the daemon restarted): 401.
 * - CONSOLE_CSRF: a state-changing request whose X-CSRF-Token is missing or not its session's: 403.
 * - CONSOLE_LOGIN_LINK_INVALID: a login link already used, expired or never made: 401.
 * - CONSOLE_UNKNOWN_BACKUP, CONSOLE_UNKNOWN_ITEM: no such backup id, item id or conversation: 404.
 * - CONSOLE_BACKUP_LOCKED: an encrypted backup this session has not unlocked: 403.
 * - CONSOLE_NOT_A_BACKUP: a folder added that holds no backup: 400.
 * - BACKUP_WRONG_PASSWORD: the password does not open the backup (the contract's name for BACKUP_BAD_PASSWORD): 400.
 * - CONSOLE_NO_THUMBNAIL: the item has no picture a thumbnail can be made from: 404.
 * - CONSOLE_BAD_OUTPUT: a save's folder that is not absolute, not usable, or not empty: 400.
 */
export const CONSOLE_ERROR_CATEGORIES = {
  CONSOLE_NO_SESSION: 'usage',
  CONSOLE_CSRF: 'usage',
  CONSOLE_LOGIN_LINK_INVALID: 'usage',
  CONSOLE_UNKNOWN_BACKUP: 'not-found',
  CONSOLE_UNKNOWN_ITEM: 'not-found',
  CONSOLE_BACKUP_LOCKED: 'wrong-password',
  CONSOLE_NOT_A_BACKUP: 'usage',
  BACKUP_WRONG_PASSWORD: 'wrong-password',
  CONSOLE_NO_THUMBNAIL: 'not-found',
  CONSOLE_BAD_OUTPUT: 'usage',
} as const satisfies CategoryTable<string>;

export type ConsoleErrorCode = keyof typeof CONSOLE_ERROR_CATEGORIES;

/** Statuses that differ from the category's: HTTP's own words for "log in first" and "not allowed". */
export const CONSOLE_STATUS_OVERRIDES: Partial<Record<string, number>> = {
  CONSOLE_NO_SESSION: 401,
  CONSOLE_LOGIN_LINK_INVALID: 401,
  CONSOLE_CSRF: 403,
  BACKUP_WRONG_PASSWORD: 400,
};

export class ConsoleError extends IosRescueError {
  declare readonly code: ConsoleErrorCode;

  constructor(code: ConsoleErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(CONSOLE_ERROR_CATEGORIES[code], options));
  }
}
