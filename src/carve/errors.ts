import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Stable codes for what the carver refuses. Damage inside a database (a bad page, a looping chain) is not an
 * error: the carver skips it and keeps what it found; these are for files it cannot read at all (`bad-input`).
 */
export const CARVE_ERROR_CATEGORIES = {
  CARVE_NOT_SQLITE: 'bad-input',
  CARVE_TRUNCATED: 'bad-input',
  CARVE_BAD_PAGE_SIZE: 'bad-input',
  CARVE_PAGE_OUT_OF_RANGE: 'bad-input',
  CARVE_UNREADABLE: 'bad-input',
  CARVE_NOT_A_REGULAR_FILE: 'bad-input',
} as const satisfies CategoryTable<string>;

export type CarveErrorCode = keyof typeof CARVE_ERROR_CATEGORIES;

export class CarveError extends IosRescueError {
  declare readonly code: CarveErrorCode;

  constructor(code: CarveErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(CARVE_ERROR_CATEGORIES[code], options));
  }
}
