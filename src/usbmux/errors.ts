import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * usbmuxd failures. Codes: USBMUX_UNREACHABLE (no daemon at the socket), USBMUX_BAD_PACKET,
 * USBMUX_PACKET_TOO_LARGE (a header claiming more than MAX_USBMUX_PACKET), USBMUX_BAD_DEVICE, USBMUX_NO_DEVICE
 * (nothing attached), USBMUX_DEVICE_NOT_FOUND (no such UDID), USBMUX_AMBIGUOUS_DEVICE (several attached and none
 * chosen), USBMUX_CONNECTION_REFUSED (Connect result 3), USBMUX_BAD_COMMAND, USBMUX_NO_PAIR_RECORD, USBMUX_RESULT
 * (any other non-zero result; the number is in details).
 *
 * USBMUX_BAD_PACKET and USBMUX_PACKET_TOO_LARGE exit with 8 (connection lost), as WIRE_FRAME_TOO_LARGE does on
 * the connections to the phone: the connection cannot go on once its framing is broken, and what helps is what
 * helps a lost connection (restart usbmuxd, plug the phone in again). 6 (bad input) is kept for files we are given.
 * A lost usbmuxd connection is WIRE_SOCKET_ERROR or WIRE_CLOSED (8) with a message naming usbmuxd.
 */
export const USBMUX_ERROR_CATEGORIES = {
  USBMUX_UNREACHABLE: 'not-found',
  USBMUX_NO_DEVICE: 'not-found',
  USBMUX_DEVICE_NOT_FOUND: 'not-found',
  USBMUX_AMBIGUOUS_DEVICE: 'usage',
  USBMUX_CONNECTION_REFUSED: 'connection-lost',
  USBMUX_PACKET_TOO_LARGE: 'connection-lost',
  USBMUX_BAD_PACKET: 'connection-lost',
  USBMUX_BAD_DEVICE: 'internal',
  USBMUX_BAD_COMMAND: 'internal',
  USBMUX_NO_PAIR_RECORD: 'internal',
  USBMUX_RESULT: 'internal',
} as const satisfies CategoryTable<string>;

export type UsbmuxErrorCode = keyof typeof USBMUX_ERROR_CATEGORIES;

export class UsbmuxError extends IosRescueError {
  declare readonly code: UsbmuxErrorCode;

  constructor(code: UsbmuxErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(USBMUX_ERROR_CATEGORIES[code], options));
  }
}
