import { describe, expect, it } from 'vitest';
import { BACKUP_ERROR_CATEGORIES, BackupError, BadPasswordError, PathEscapeError } from '../../../src/backup/errors.js';
import { CARVE_ERROR_CATEGORIES, CarveError } from '../../../src/carve/errors.js';
import { CLI_ERROR_CATEGORIES, CliError } from '../../../src/cli/errors.js';
import { ExitCode, exitCodeFor } from '../../../src/cli/exit-codes.js';
import { CliUsageError } from '../../../src/cli/run-command.js';
import { EMULATOR_ERROR_CATEGORIES, EmulatorError } from '../../../src/emulator/errors.js';
import { CATEGORY_STATUS, ERROR_CATEGORIES, type IosRescueError, httpStatusFor } from '../../../src/errors.js';
import { EXTRACT_ERROR_CATEGORIES, ExtractError } from '../../../src/extract/errors.js';
import { LOCKDOWN_ERROR_CATEGORIES, LockdownError, lockdownErrorCode } from '../../../src/lockdown/errors.js';
import { BACKUP_OPERATION_ERROR_CATEGORIES, BackupOperationError } from '../../../src/operations/backup-errors.js';
import { PLIST_ERROR_CATEGORIES, PlistError } from '../../../src/plist/errors.js';
import { AFC_ERROR_CATEGORIES, AfcError, type AfcErrorCode } from '../../../src/services/afc/errors.js';
import { AfcStatus } from '../../../src/services/afc/protocol.js';
import { DEVICELINK_ERROR_CATEGORIES, DeviceLinkError } from '../../../src/services/device-link/errors.js';
import { INSTPROXY_ERROR_CATEGORIES, InstallationProxyError } from '../../../src/services/installation-proxy/errors.js';
import {
  MB2_ERROR_CATEGORIES,
  Mobilebackup2Error,
  type Mobilebackup2ErrorCode,
} from '../../../src/services/mobilebackup2/errors.js';
import { USBMUX_ERROR_CATEGORIES, UsbmuxError } from '../../../src/usbmux/errors.js';
import { WIRE_ERROR_CATEGORIES, WireError } from '../../../src/wire/errors.js';

/**
 * The exit-code table as it was before exit statuses came from categories (src/cli/exit-codes.ts at aa70c7a),
 * frozen here: every code must still exit with what this gives.
 */
const FROZEN_BY_CODE: Record<string, number> = {
  CLI_USAGE: 2,
  CLI_PASSWORD_REQUIRED: 2,
  USBMUX_UNREACHABLE: 3,
  USBMUX_NO_DEVICE: 3,
  USBMUX_DEVICE_NOT_FOUND: 3,
  USBMUX_AMBIGUOUS_DEVICE: 2,
  USBMUX_CONNECTION_REFUSED: 8,
  USBMUX_PACKET_TOO_LARGE: 8,
  USBMUX_BAD_PACKET: 8,
  PairingDialogResponsePending: 4,
  UserDeniedPairing: 4,
  PasswordProtected: 4,
  InvalidHostID: 4,
  LOCKDOWN_NOT_PAIRED: 4,
  LOCKDOWN_PAIRING_TIMEOUT: 5,
  WIRE_TIMEOUT: 5,
  WIRE_CLOSED: 8,
  WIRE_SOCKET_ERROR: 8,
  BACKUP_BAD_PASSWORD: 7,
  BACKUP_NO_SPACE: 9,
  BACKUP_BUSY: 1,
  BACKUP_INCOMPLETE: 1,
  BACKUP_CANCELLED_ON_PHONE: 130,
  ENCRYPTION_ALREADY_ON: 2,
  ENCRYPTION_NOT_ON: 2,
  MB2_TIMEOUT: 5,
  MB2_DEVICE_105: 9,
  MB2_DEVICE_207: 7,
  MB2_DEVICE_208: 5,
  MB2_DEVICE_211: 4,
  MB2_DEVICE_212: 4,
  AFC_LOCK_TIMEOUT: 5,
  DEVICELINK_DISCONNECTED: 8,
  DEVICELINK_FILE_TOO_LARGE: 6,
  // Changed on purpose since the freeze (issue 17, media pull): an AFC failure now says what happened, as every
  // other layer's does, instead of the generic 1 — the phone's connection gone, the path missing, refused, disk full.
  AFC_CLOSED: 8,
  AFC_OBJECT_NOT_FOUND: 3,
  AFC_PERM_DENIED: 4,
  AFC_NO_SPACE_LEFT: 9,
  AFC_OP_TIMEOUT: 5,
};

const FROZEN_BY_PREFIX: Array<[string, number]> = [
  ['PLIST_', 6],
  ['CARVE_', 6],
  ['BACKUP_', 6],
  ['EXTRACT_', 6],
  ['WIRE_', 8],
];

function frozenExitCode(code: string): number {
  const exact = FROZEN_BY_CODE[code];
  if (exact !== undefined) return exact;
  for (const [prefix, status] of FROZEN_BY_PREFIX) if (code.startsWith(prefix)) return status;
  return 1;
}

const mb2DeviceCodes: Mobilebackup2ErrorCode[] = Array.from({ length: 301 }, (_, n) => `MB2_DEVICE_${n - 1}` as const);
const afcDeviceCodes: AfcErrorCode[] = [
  ...Object.keys(AfcStatus).map((name) => `AFC_${name}` as AfcErrorCode),
  'AFC_STATUS_99',
];

/** One error of every code of every layer, built the way the layer builds it. */
const everyError: IosRescueError[] = [
  ...Object.keys(WIRE_ERROR_CATEGORIES).map((code) => new WireError(code as keyof typeof WIRE_ERROR_CATEGORIES, 'm')),
  ...Object.keys(USBMUX_ERROR_CATEGORIES).map(
    (code) => new UsbmuxError(code as keyof typeof USBMUX_ERROR_CATEGORIES, 'm'),
  ),
  ...Object.keys(LOCKDOWN_ERROR_CATEGORIES).map(
    (code) => new LockdownError(code as keyof typeof LOCKDOWN_ERROR_CATEGORIES, 'm'),
  ),
  ...Object.keys(DEVICELINK_ERROR_CATEGORIES).map(
    (code) => new DeviceLinkError(code as keyof typeof DEVICELINK_ERROR_CATEGORIES, 'm'),
  ),
  ...Object.keys(MB2_ERROR_CATEGORIES).map(
    (code) => new Mobilebackup2Error(code as keyof typeof MB2_ERROR_CATEGORIES, 'm'),
  ),
  ...mb2DeviceCodes.map((code) => new Mobilebackup2Error(code, 'm')),
  ...Object.keys(AFC_ERROR_CATEGORIES).map((code) => new AfcError(code as keyof typeof AFC_ERROR_CATEGORIES, 'm')),
  ...afcDeviceCodes.map((code) => new AfcError(code, 'm')),
  ...Object.keys(INSTPROXY_ERROR_CATEGORIES).map(
    (code) => new InstallationProxyError(code as keyof typeof INSTPROXY_ERROR_CATEGORIES, 'm'),
  ),
  ...Object.keys(BACKUP_ERROR_CATEGORIES).map(
    (code) => new BackupError(code as keyof typeof BACKUP_ERROR_CATEGORIES, 'm'),
  ),
  new BadPasswordError(),
  new PathEscapeError('../x', 'leaves the folder'),
  ...Object.keys(CARVE_ERROR_CATEGORIES).map(
    (code) => new CarveError(code as keyof typeof CARVE_ERROR_CATEGORIES, 'm'),
  ),
  ...Object.keys(EXTRACT_ERROR_CATEGORIES).map(
    (code) => new ExtractError(code as keyof typeof EXTRACT_ERROR_CATEGORIES, 'm'),
  ),
  ...Object.keys(PLIST_ERROR_CATEGORIES).map(
    (code) => new PlistError(code as keyof typeof PLIST_ERROR_CATEGORIES, 'm'),
  ),
  ...Object.keys(BACKUP_OPERATION_ERROR_CATEGORIES).map(
    (code) => new BackupOperationError(code as keyof typeof BACKUP_OPERATION_ERROR_CATEGORIES, 'm'),
  ),
  ...Object.keys(CLI_ERROR_CATEGORIES).map((code) => new CliError(code as keyof typeof CLI_ERROR_CATEGORIES, 'm')),
  new CliUsageError('m'),
  ...Object.keys(EMULATOR_ERROR_CATEGORIES).map(
    (code) => new EmulatorError(code as keyof typeof EMULATOR_ERROR_CATEGORIES, 'm'),
  ),
];

describe('exit statuses come from the error category table', () => {
  it('gives every code of every layer the exit status the old code/prefix table gave it', () => {
    const wrong = everyError
      .filter((error) => exitCodeFor(error) !== frozenExitCode(error.code))
      .map((error) => ({
        code: error.code,
        category: error.category,
        now: exitCodeFor(error),
        before: frozenExitCode(error.code),
      }));
    expect(wrong).toEqual([]);
  });

  it('covers every code the old table named', () => {
    const codes = new Set(everyError.map((error) => error.code));
    expect(Object.keys(FROZEN_BY_CODE).filter((code) => !codes.has(code))).toEqual([]);
  });

  it('maps an error that is not ours to 1 and HTTP 500', () => {
    expect(exitCodeFor(new Error('boom'))).toBe(ExitCode.FAILURE);
    expect(exitCodeFor('a string')).toBe(1);
    expect(httpStatusFor(new TypeError('bug'))).toBe(500);
  });

  it('keeps a per-error category override', () => {
    expect(exitCodeFor(new WireError('WIRE_TIMEOUT', 'm', { category: 'device-refused' }))).toBe(
      ExitCode.DEVICE_REFUSED,
    );
  });

  it('has an exit status and an HTTP error status for every category, the exit statuses distinct', () => {
    for (const category of ERROR_CATEGORIES) {
      const { exit, http } = CATEGORY_STATUS[category];
      expect(Number.isInteger(exit) && exit > 0, category).toBe(true);
      expect(http >= 400 && http <= 599, category).toBe(true);
    }
    expect(ERROR_CATEGORIES).toHaveLength(10);
    expect(new Set(ERROR_CATEGORIES.map((category) => CATEGORY_STATUS[category].exit)).size).toBe(
      ERROR_CATEGORIES.length,
    );
    for (const error of everyError) expect(httpStatusFor(error)).toBe(CATEGORY_STATUS[error.category].http);
  });
});

describe('codes from the phone', () => {
  it('keeps a lockdown error string Apple documents and turns an unknown one into LOCKDOWN_DEVICE_ERROR', () => {
    expect(lockdownErrorCode('PairingDialogResponsePending')).toBe('PairingDialogResponsePending');
    expect(lockdownErrorCode('SomethingNewInIOS27')).toBe('LOCKDOWN_DEVICE_ERROR');
    // our own codes are not strings the phone can claim
    expect(lockdownErrorCode('LOCKDOWN_NOT_PAIRED')).toBe('LOCKDOWN_DEVICE_ERROR');
    expect(lockdownErrorCode('toString')).toBe('LOCKDOWN_DEVICE_ERROR');
  });

  it("keeps the phone's mobilebackup2 number in the code", () => {
    expect(new Mobilebackup2Error('MB2_DEVICE_105', 'm').category).toBe('no-space');
    expect(new Mobilebackup2Error('MB2_DEVICE_17', 'm').category).toBe('internal');
  });
});
