import { IosRescueError } from '../../errors.js';

/**
 * AFC failures. A status the device sent has code `AFC_<STATUS NAME>` (AFC_OBJECT_NOT_FOUND, AFC_OP_WOULD_BLOCK…);
 * ours: AFC_BAD_PACKET, AFC_PACKET_TOO_LARGE, AFC_BAD_REPLY, AFC_LOCK_TIMEOUT.
 */
export class AfcError extends IosRescueError {}
