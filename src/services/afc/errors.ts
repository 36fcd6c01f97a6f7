import {
  IosRescueError,
  withCategory,
  type CategoryTable,
  type ErrorCategory,
  type ErrorOptions,
} from '../../errors.js';
import type { AfcStatus } from './protocol.js';

/**
 * AFC failures. A status the device sent has code `AFC_<STATUS NAME>` (AFC_OBJECT_NOT_FOUND, AFC_OP_WOULD_BLOCK…),
 * or `AFC_STATUS_<n>` for a number AFC does not name; ours: AFC_BAD_PACKET, AFC_PACKET_TOO_LARGE, AFC_BAD_REPLY,
 * AFC_LOCK_TIMEOUT, AFC_CLOSED. A missing path is `not-found`, a refused one `device-refused`, a full phone
 * `no-space`; other device statuses are `internal`.
 */
export const AFC_ERROR_CATEGORIES = {
  AFC_BAD_PACKET: 'internal',
  AFC_PACKET_TOO_LARGE: 'internal',
  AFC_BAD_REPLY: 'internal',
  AFC_LOCK_TIMEOUT: 'timeout',
  AFC_CLOSED: 'connection-lost',
  AFC_OBJECT_NOT_FOUND: 'not-found',
  AFC_PERM_DENIED: 'device-refused',
  AFC_NO_SPACE_LEFT: 'no-space',
  AFC_OP_TIMEOUT: 'timeout',
} as const satisfies CategoryTable<string>;

export type AfcDeviceErrorCode = `AFC_${keyof typeof AfcStatus}` | `AFC_STATUS_${number}`;
export type AfcErrorCode = keyof typeof AFC_ERROR_CATEGORIES | AfcDeviceErrorCode;

export function afcCategory(code: AfcErrorCode): ErrorCategory {
  return (AFC_ERROR_CATEGORIES as Partial<Record<string, ErrorCategory>>)[code] ?? 'internal';
}

export class AfcError extends IosRescueError {
  declare readonly code: AfcErrorCode;

  constructor(code: AfcErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(afcCategory(code), options));
  }
}
