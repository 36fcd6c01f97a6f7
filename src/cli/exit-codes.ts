import { IosRescueError } from '../errors.js';

/**
 * Exit statuses, stable for scripts. Only this file maps error codes to them.
 * 0 ok · 1 failure not covered below · 2 usage error · 3 no device / device not found · 4 device refused
 * (not trusted, locked, denied) · 5 timed out waiting for the phone · 6 bad or corrupt input (plist, backup,
 * database) · 7 wrong password · 8 connection lost · 9 not enough disk space · 130 interrupted (Ctrl-C, SIGINT) · 143 terminated (SIGTERM).
 */
export const ExitCode = {
  OK: 0,
  FAILURE: 1,
  USAGE: 2,
  NO_DEVICE: 3,
  DEVICE_REFUSED: 4,
  TIMEOUT: 5,
  BAD_INPUT: 6,
  BAD_PASSWORD: 7,
  CONNECTION_LOST: 8,
  NO_SPACE: 9,
  INTERRUPTED: 130,
  TERMINATED: 143,
} as const;

const BY_CODE: Record<string, number> = {
  CLI_USAGE: ExitCode.USAGE,
  CLI_PASSWORD_REQUIRED: ExitCode.USAGE,
  USBMUX_UNREACHABLE: ExitCode.NO_DEVICE,
  USBMUX_NO_DEVICE: ExitCode.NO_DEVICE,
  USBMUX_DEVICE_NOT_FOUND: ExitCode.NO_DEVICE,
  USBMUX_AMBIGUOUS_DEVICE: ExitCode.USAGE,
  USBMUX_CONNECTION_REFUSED: ExitCode.CONNECTION_LOST,
  USBMUX_PACKET_TOO_LARGE: ExitCode.CONNECTION_LOST,
  USBMUX_BAD_PACKET: ExitCode.CONNECTION_LOST,
  PairingDialogResponsePending: ExitCode.DEVICE_REFUSED,
  UserDeniedPairing: ExitCode.DEVICE_REFUSED,
  PasswordProtected: ExitCode.DEVICE_REFUSED,
  InvalidHostID: ExitCode.DEVICE_REFUSED,
  LOCKDOWN_NOT_PAIRED: ExitCode.DEVICE_REFUSED,
  LOCKDOWN_PAIRING_TIMEOUT: ExitCode.TIMEOUT,
  WIRE_TIMEOUT: ExitCode.TIMEOUT,
  WIRE_CLOSED: ExitCode.CONNECTION_LOST,
  WIRE_SOCKET_ERROR: ExitCode.CONNECTION_LOST,
  BACKUP_BAD_PASSWORD: ExitCode.BAD_PASSWORD,
  BACKUP_NO_SPACE: ExitCode.NO_SPACE,
  BACKUP_BUSY: ExitCode.FAILURE,
  BACKUP_INCOMPLETE: ExitCode.FAILURE,
  BACKUP_CANCELLED_ON_PHONE: ExitCode.INTERRUPTED,
  ENCRYPTION_ALREADY_ON: ExitCode.USAGE,
  ENCRYPTION_NOT_ON: ExitCode.USAGE,
  MB2_TIMEOUT: ExitCode.TIMEOUT,
  MB2_DEVICE_105: ExitCode.NO_SPACE,
  MB2_DEVICE_207: ExitCode.BAD_PASSWORD,
  MB2_DEVICE_208: ExitCode.TIMEOUT,
  MB2_DEVICE_211: ExitCode.DEVICE_REFUSED,
  MB2_DEVICE_212: ExitCode.DEVICE_REFUSED,
  AFC_LOCK_TIMEOUT: ExitCode.TIMEOUT,
  DEVICELINK_DISCONNECTED: ExitCode.CONNECTION_LOST,
  DEVICELINK_FILE_TOO_LARGE: ExitCode.BAD_INPUT,
};

const BY_PREFIX: Array<[string, number]> = [
  ['PLIST_', ExitCode.BAD_INPUT],
  ['CARVE_', ExitCode.BAD_INPUT],
  ['BACKUP_', ExitCode.BAD_INPUT],
  ['EXTRACT_', ExitCode.BAD_INPUT],
  ['WIRE_', ExitCode.CONNECTION_LOST],
];

export function exitCodeFor(error: unknown): number {
  if (!(error instanceof IosRescueError)) return ExitCode.FAILURE;
  const exact = BY_CODE[error.code];
  if (exact !== undefined) return exact;
  for (const [prefix, code] of BY_PREFIX) if (error.code.startsWith(prefix)) return code;
  return ExitCode.FAILURE;
}
