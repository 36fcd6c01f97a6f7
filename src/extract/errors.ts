import { IosRescueError } from '../errors.js';

/**
 * Errors of the extraction layer. Callers branch on `code`:
 * - EXTRACT_DATABASE_UNREADABLE: a database copied out of the backup does not open as SQLite
 * - EXTRACT_SCHEMA_UNSUPPORTED: a database lacks the table or columns an extractor cannot do without
 * - EXTRACT_UNKNOWN_TYPE: a data type name that no extractor handles (usage error)
 * - EXTRACT_BAD_DATE: a --since/--until value that is not a date
 * - EXTRACT_OUTPUT_NOT_EMPTY: the output folder already holds an extraction
 */
export class ExtractError extends IosRescueError {}
