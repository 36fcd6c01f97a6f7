import { IosRescueError } from '../errors.js';

/**
 * usbmuxd failures. Codes: USBMUX_UNREACHABLE (no daemon at the socket), USBMUX_BAD_PACKET,
 * USBMUX_PACKET_TOO_LARGE, USBMUX_BAD_DEVICE, USBMUX_NO_DEVICE (nothing attached), USBMUX_DEVICE_NOT_FOUND (no such
 * UDID), USBMUX_AMBIGUOUS_DEVICE (several attached and none chosen), USBMUX_CONNECTION_REFUSED (Connect result 3),
 * USBMUX_BAD_COMMAND, USBMUX_NO_PAIR_RECORD, USBMUX_RESULT (any other non-zero result; the number is in details).
 */
export class UsbmuxError extends IosRescueError {}
