import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Failures of the media verbs themselves (AFC, usbmux and lockdown failures keep their own codes):
 * - MEDIA_BAD_TYPES: --types names something that is not a media type
 * - MEDIA_BAD_DATE: --since/--until is not a date
 * - MEDIA_INCOMPLETE: the pull ended, but some files could not be copied (each is listed in the result)
 * - MEDIA_OUTPUT_UNUSABLE: the output folder cannot be made or written, or a name from the phone cannot be a file
 *   name there (per file)
 * - MEDIA_SIZE_CHANGED: a file came back with another size than the phone listed (it changed while copied; per file)
 * - MEDIA_NO_SPACE: the output disk is full
 */
export const MEDIA_ERROR_CATEGORIES = {
  MEDIA_BAD_TYPES: 'usage',
  MEDIA_BAD_DATE: 'usage',
  MEDIA_INCOMPLETE: 'internal',
  MEDIA_OUTPUT_UNUSABLE: 'bad-input',
  MEDIA_SIZE_CHANGED: 'internal',
  MEDIA_NO_SPACE: 'no-space',
} as const satisfies CategoryTable<string>;

export type MediaErrorCode = keyof typeof MEDIA_ERROR_CATEGORIES;

export class MediaError extends IosRescueError {
  declare readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(MEDIA_ERROR_CATEGORIES[code], options));
  }
}
