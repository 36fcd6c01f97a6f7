import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../../errors.js';

/**
 * DeviceLink failures. Codes: DEVICELINK_BAD_MESSAGE (not a DL array), DEVICELINK_VERSION (no common protocol
 * version), DEVICELINK_PATH_TOO_LONG, DEVICELINK_BLOCK_TOO_LARGE, DEVICELINK_FILE_TOO_LARGE (one uploaded file went
 * past the receiver's cap; details: devicePath, path, bytes, limit), DEVICELINK_BAD_STREAM (a file stream that breaks
 * its format), DEVICELINK_DISCONNECTED (the device said DLMessageDisconnect).
 */
export const DEVICELINK_ERROR_CATEGORIES = {
  DEVICELINK_BAD_MESSAGE: 'internal',
  DEVICELINK_VERSION: 'internal',
  DEVICELINK_PATH_TOO_LONG: 'internal',
  DEVICELINK_BLOCK_TOO_LARGE: 'internal',
  DEVICELINK_FILE_TOO_LARGE: 'bad-input',
  DEVICELINK_BAD_STREAM: 'internal',
  DEVICELINK_DISCONNECTED: 'connection-lost',
} as const satisfies CategoryTable<string>;

export type DeviceLinkErrorCode = keyof typeof DEVICELINK_ERROR_CATEGORIES;

export class DeviceLinkError extends IosRescueError {
  declare readonly code: DeviceLinkErrorCode;

  constructor(code: DeviceLinkErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(DEVICELINK_ERROR_CATEGORIES[code], options));
  }
}
