import { IosRescueError } from '../../errors.js';

/**
 * mobilebackup2 failures. A device error (final ErrorCode ≠ 0) has code `MB2_DEVICE_<n>` with the device's number
 * and description in details; MB2_TIMEOUT: the phone went quiet past the phase's limit; MB2_BAD_REPLY: a reply of
 * the wrong shape; MB2_NO_COMMON_VERSION.
 */
export class Mobilebackup2Error extends IosRescueError {}
