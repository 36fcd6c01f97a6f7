import { IosRescueError } from '../errors.js';

/**
 * Transport-level failures. Codes:
 * WIRE_TIMEOUT (no bytes in time), WIRE_CLOSED (peer closed before a whole message arrived),
 * WIRE_SOCKET_ERROR (OS-level error), WIRE_FRAME_TOO_LARGE (a length prefix beyond our cap: a phone is not a
 * trusted peer), WIRE_BAD_FRAME (a frame that cannot be what it claims), WIRE_TLS_FAILED, WIRE_BUSY (two reads at once).
 */
export class WireError extends IosRescueError {}
