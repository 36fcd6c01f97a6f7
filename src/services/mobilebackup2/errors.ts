import {
  IosRescueError,
  withCategory,
  type CategoryTable,
  type ErrorCategory,
  type ErrorOptions,
} from '../../errors.js';

/**
 * mobilebackup2 failures. A device error (final ErrorCode ≠ 0) has code `MB2_DEVICE_<n>` with the device's number
 * and description in details; MB2_TIMEOUT: the phone went quiet past the phase's limit; MB2_BAD_REPLY: a reply of
 * the wrong shape; MB2_NO_COMMON_VERSION.
 * The device numbers people meet have their own category (105 not enough space, 207 wrong password, 208 the phone
 * timed out, 211/212 the phone refused); any other number is `internal`.
 */
export const MB2_ERROR_CATEGORIES = {
  MB2_TIMEOUT: 'timeout',
  MB2_BAD_REPLY: 'internal',
  MB2_NO_COMMON_VERSION: 'internal',
  MB2_DEVICE_105: 'no-space',
  MB2_DEVICE_207: 'wrong-password',
  MB2_DEVICE_208: 'timeout',
  MB2_DEVICE_211: 'device-refused',
  MB2_DEVICE_212: 'device-refused',
} as const satisfies CategoryTable<string>;

/** The phone's own numbers keep their form: `MB2_DEVICE_<ErrorCode>`. */
export type Mobilebackup2DeviceErrorCode = `MB2_DEVICE_${number}`;
export type Mobilebackup2ErrorCode = keyof typeof MB2_ERROR_CATEGORIES | Mobilebackup2DeviceErrorCode;

export function mobilebackup2Category(code: Mobilebackup2ErrorCode): ErrorCategory {
  return (MB2_ERROR_CATEGORIES as Partial<Record<string, ErrorCategory>>)[code] ?? 'internal';
}

export class Mobilebackup2Error extends IosRescueError {
  declare readonly code: Mobilebackup2ErrorCode;

  constructor(code: Mobilebackup2ErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(mobilebackup2Category(code), options));
  }
}
