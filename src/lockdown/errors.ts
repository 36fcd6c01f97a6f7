import { IosRescueError } from '../errors.js';

/**
 * lockdownd failures. When the device sent an `Error`, the code is lockdown's own string
 * (`PairingDialogResponsePending`, `UserDeniedPairing`, `PasswordProtected`, `InvalidHostID`, `InvalidService`,
 * `MissingValue`, …). Codes we raise: LOCKDOWN_BAD_REPLY (no Request echo, wrong type), LOCKDOWN_NOT_PAIRED
 * (no pair record for the device), LOCKDOWN_PAIRING_TIMEOUT (nobody tapped Trust in time), LOCKDOWN_NO_SESSION,
 * LOCKDOWN_BAD_PAIR_RECORD.
 */
export class LockdownError extends IosRescueError {}
