import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Errors of the extraction layer. Callers branch on `code`:
 * - EXTRACT_DATABASE_UNREADABLE: a database copied out of the backup does not open as SQLite
 * - EXTRACT_SCHEMA_UNSUPPORTED: a database lacks the table or columns an extractor cannot do without (also what
 * SQLite's "no such table/column" becomes in extraction.json)
 * - EXTRACT_UNKNOWN_TYPE: a data type name that no extractor handles (usage error)
 * - EXTRACT_BAD_DATE: a --since/--until value that is not a date
 * - EXTRACT_OUTPUT_NOT_EMPTY: the output folder already holds an extraction
 * - EXTRACT_FILE_TOO_LARGE: a small file read whole (a plist) is larger than any real one, so it is not read
 * - EXTRACT_PROTOBUF_MALFORMED: a protobuf (a note's body, a table) whose fields run past its end or are not the shape
 * expected
 * - EXTRACT_NOTE_BODY_UNREADABLE: a note's gzip'd body that does not inflate (truncated, or damaged: the CRC does not
 * match)
 *
 * All are `bad-input` (exit 6), EXTRACT_UNKNOWN_TYPE and EXTRACT_BAD_DATE included: a usage mistake, but they have
 * always exited 6 and scripts may rely on it.
 */
export const EXTRACT_ERROR_CATEGORIES = {
  EXTRACT_DATABASE_UNREADABLE: 'bad-input',
  EXTRACT_SCHEMA_UNSUPPORTED: 'bad-input',
  EXTRACT_UNKNOWN_TYPE: 'bad-input',
  EXTRACT_BAD_DATE: 'bad-input',
  EXTRACT_OUTPUT_NOT_EMPTY: 'bad-input',
  EXTRACT_FILE_TOO_LARGE: 'bad-input',
  EXTRACT_PROTOBUF_MALFORMED: 'bad-input',
  EXTRACT_NOTE_BODY_UNREADABLE: 'bad-input',
} as const satisfies CategoryTable<string>;

export type ExtractErrorCode = keyof typeof EXTRACT_ERROR_CATEGORIES;

export class ExtractError extends IosRescueError {
  declare readonly code: ExtractErrorCode;

  constructor(code: ExtractErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(EXTRACT_ERROR_CATEGORIES[code], options));
  }
}
