import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Plist failures. Codes: PLIST_TRUNCATED, PLIST_BAD_HEADER, PLIST_BAD_OFFSET, PLIST_CYCLE, PLIST_TOO_LARGE
 * (counts or nesting beyond what the input can hold or we accept), PLIST_BAD_XML, PLIST_UNSUPPORTED_TYPE,
 * PLIST_BAD_VALUE (a JavaScript value that has no plist form), PLIST_BAD_ARCHIVE (NSKeyedArchiver structure).
 */
export const PLIST_ERROR_CATEGORIES = {
  PLIST_TRUNCATED: 'bad-input',
  PLIST_BAD_HEADER: 'bad-input',
  PLIST_BAD_OFFSET: 'bad-input',
  PLIST_CYCLE: 'bad-input',
  PLIST_TOO_LARGE: 'bad-input',
  PLIST_BAD_XML: 'bad-input',
  PLIST_UNSUPPORTED_TYPE: 'bad-input',
  PLIST_BAD_VALUE: 'bad-input',
  PLIST_BAD_ARCHIVE: 'bad-input',
} as const satisfies CategoryTable<string>;

export type PlistErrorCode = keyof typeof PLIST_ERROR_CATEGORIES;

export class PlistError extends IosRescueError {
  declare readonly code: PlistErrorCode;

  constructor(code: PlistErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(PLIST_ERROR_CATEGORIES[code], options));
  }
}
