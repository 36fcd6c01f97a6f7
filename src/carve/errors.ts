import { IosRescueError } from '../errors.js';

/**
 * Stable codes for what the carver refuses. Damage inside a database (a bad page, a looping chain) is not an
 * error: the carver skips it and keeps what it found; these are for files it cannot read at all.
 */
export type CarveErrorCode =
  | 'CARVE_NOT_SQLITE'
  | 'CARVE_TRUNCATED'
  | 'CARVE_BAD_PAGE_SIZE'
  | 'CARVE_PAGE_OUT_OF_RANGE'
  | 'CARVE_UNREADABLE'
  | 'CARVE_NOT_A_REGULAR_FILE';

export class CarveError extends IosRescueError {
  declare readonly code: CarveErrorCode;

  constructor(code: CarveErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(code, message, options);
  }
}
