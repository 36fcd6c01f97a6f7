import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * lockdownd failures. When the device sent an `Error`, the code is lockdown's own string
 * (`PairingDialogResponsePending`, `UserDeniedPairing`, `PasswordProtected`, `InvalidHostID`, `InvalidService`,
 * `MissingValue`, …: the names libimobiledevice's lockdownd_strtoerr knows); a string not among them is
 * LOCKDOWN_DEVICE_ERROR with the phone's string in details.error. Codes we raise: LOCKDOWN_BAD_REPLY (no Request
 * echo, wrong type), LOCKDOWN_FAILURE (Result: Failure without an Error), LOCKDOWN_NOT_PAIRED (no pair record for
 * the device), LOCKDOWN_PAIRING_TIMEOUT (nobody tapped Trust in time), LOCKDOWN_NO_SESSION, LOCKDOWN_BAD_PAIR_RECORD.
 */
export const LOCKDOWN_ERROR_CATEGORIES = {
  // Apple's strings
  PairingDialogResponsePending: 'device-refused',
  UserDeniedPairing: 'device-refused',
  PasswordProtected: 'device-refused',
  InvalidHostID: 'device-refused',
  UserDeniedPairingTemp: 'internal',
  InvalidResponse: 'internal',
  MissingRequest: 'internal',
  MissingKey: 'internal',
  MissingValue: 'internal',
  GetProhibited: 'internal',
  SetProhibited: 'internal',
  RemoveProhibited: 'internal',
  ImmutableValue: 'internal',
  MissingHostID: 'internal',
  SessionActive: 'internal',
  SessionInactive: 'internal',
  MissingSessionID: 'internal',
  InvalidSessionID: 'internal',
  MissingService: 'internal',
  InvalidService: 'internal',
  ServiceLimit: 'internal',
  ServiceProhibited: 'internal',
  MissingPairRecord: 'internal',
  SavePairRecordFailed: 'internal',
  InvalidPairRecord: 'internal',
  InvalidActivationRecord: 'internal',
  MissingActivationRecord: 'internal',
  EscrowLocked: 'internal',
  PairingProhibitedOverThisConnection: 'internal',
  FMiPProtected: 'internal',
  MCProtected: 'internal',
  MCChallengeRequired: 'internal',
  // ours
  LOCKDOWN_DEVICE_ERROR: 'internal',
  LOCKDOWN_BAD_REPLY: 'internal',
  LOCKDOWN_FAILURE: 'internal',
  LOCKDOWN_NOT_PAIRED: 'device-refused',
  LOCKDOWN_PAIRING_TIMEOUT: 'timeout',
  LOCKDOWN_NO_SESSION: 'internal',
  LOCKDOWN_BAD_PAIR_RECORD: 'internal',
} as const satisfies CategoryTable<string>;

export type LockdownErrorCode = keyof typeof LOCKDOWN_ERROR_CATEGORIES;

/** The code for an `Error` string the phone sent: Apple's own when we know it, LOCKDOWN_DEVICE_ERROR otherwise. */
export function lockdownErrorCode(appleError: string): LockdownErrorCode {
  return Object.hasOwn(LOCKDOWN_ERROR_CATEGORIES, appleError) && !appleError.startsWith('LOCKDOWN_')
    ? (appleError as LockdownErrorCode)
    : 'LOCKDOWN_DEVICE_ERROR';
}

export class LockdownError extends IosRescueError {
  declare readonly code: LockdownErrorCode;

  constructor(code: LockdownErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(LOCKDOWN_ERROR_CATEGORIES[code], options));
  }
}
