import { IosRescueError } from '../errors.js';

/**
 * Errors of the extraction layer. Callers branch on `code`:
 * - EXTRACT_DATABASE_UNREADABLE: a database copied out of the backup does not open as SQLite
 * - EXTRACT_SCHEMA_UNSUPPORTED: a database lacks the table or columns an extractor cannot do without
 * - EXTRACT_UNKNOWN_TYPE: a data type name that no extractor handles (usage error)
 * - EXTRACT_BAD_DATE: a --since/--until value that is not a date
 * - EXTRACT_OUTPUT_NOT_EMPTY: the output folder already holds an extraction
 * - EXTRACT_FILE_TOO_LARGE: a small file read whole (a plist) is larger than any real one, so it is not read
 * - EXTRACT_PROTOBUF_MALFORMED: a protobuf (a note's body, a table) whose fields run past its end or are not the shape expected
 * - EXTRACT_NOTE_BODY_UNREADABLE: a note's gzip'd body that does not inflate (truncated, or damaged: the CRC does not match)
 */
export class ExtractError extends IosRescueError {}
