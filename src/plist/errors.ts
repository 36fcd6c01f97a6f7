import { IosRescueError } from '../errors.js';

/**
 * Plist failures. Codes: PLIST_TRUNCATED, PLIST_BAD_HEADER, PLIST_BAD_OFFSET, PLIST_CYCLE, PLIST_TOO_LARGE
 * (counts or nesting beyond what the input can hold or we accept), PLIST_BAD_XML, PLIST_UNSUPPORTED_TYPE,
 * PLIST_BAD_VALUE (a JavaScript value that has no plist form), PLIST_BAD_ARCHIVE (NSKeyedArchiver structure).
 */
export class PlistError extends IosRescueError {}
