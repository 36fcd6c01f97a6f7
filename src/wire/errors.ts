import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Transport-level failures. Codes:
 * WIRE_TIMEOUT (no bytes in time), WIRE_CLOSED (peer closed before a whole message arrived),
 * WIRE_SOCKET_ERROR (OS-level error; EPIPE, ECONNRESET and the like say in words that the connection was lost),
 * WIRE_FRAME_TOO_LARGE (a length prefix beyond our cap: a phone is not a trusted peer), WIRE_BAD_FRAME (a frame
 * that cannot be what it claims), WIRE_TLS_FAILED, WIRE_BUSY (two reads at once).
 * A broken frame is a lost connection, not bad input: the connection cannot go on once its framing is broken.
 */
export const WIRE_ERROR_CATEGORIES = {
  WIRE_TIMEOUT: 'timeout',
  WIRE_CLOSED: 'connection-lost',
  WIRE_SOCKET_ERROR: 'connection-lost',
  WIRE_FRAME_TOO_LARGE: 'connection-lost',
  WIRE_BAD_FRAME: 'connection-lost',
  WIRE_TLS_FAILED: 'connection-lost',
  WIRE_BUSY: 'connection-lost',
} as const satisfies CategoryTable<string>;

export type WireErrorCode = keyof typeof WIRE_ERROR_CATEGORIES;

export class WireError extends IosRescueError {
  declare readonly code: WireErrorCode;

  constructor(code: WireErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(WIRE_ERROR_CATEGORIES[code], options));
  }
}

/**
 * errnos that mean the other end went away: every connection we hold runs through usbmuxd (its own requests, or
 * a tunnel to a port on the phone), so the cause is a phone unplugged, locked into a reset, or usbmuxd restarting.
 */
const CONNECTION_LOST = new Set([
  'EPIPE',
  'ECONNRESET',
  'ECONNABORTED',
  'ENOTCONN',
  'ESHUTDOWN',
  'EHOSTUNREACH',
  'ENETRESET',
]);

/**
 * WIRE_SOCKET_ERROR for an OS-level socket error. A lost connection is said in words ("write EPIPE" alone told a
 * user nothing); the errno stays in details and in the cause.
 */
export function socketError(error: Error, doing: 'reading' | 'writing'): WireError {
  const { code: errno, syscall } = error as NodeJS.ErrnoException;
  // A failed write also surfaces as the socket's 'error' event, which the reader hears: trust the syscall.
  if (syscall === 'write') doing = 'writing';
  else if (syscall === 'read') doing = 'reading';
  if (errno !== undefined && CONNECTION_LOST.has(errno)) {
    return new WireError(
      'WIRE_SOCKET_ERROR',
      `the connection to the phone or to usbmuxd was lost while ${doing} (${errno}): check that the phone is still connected and usbmuxd is running, then try again`,
      { cause: error, details: { errno } },
    );
  }
  return new WireError('WIRE_SOCKET_ERROR', `connection error while ${doing}: ${error.message}`, {
    cause: error,
    details: { errno },
  });
}
