import type { Readable, Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import { freeDiskSpace } from '../backup/index.js';
import { openLockdownSession, type LockdownSession } from '../lockdown/index.js';
import { Mobilebackup2Client, type BackupHost, type DirectoryEntry } from '../services/mobilebackup2/index.js';
import { BackupOperationError } from './backup-errors.js';
import { selectDevice, type DeviceAccess } from './device-access.js';

export type EncryptionChange =
  | { action: 'on'; newPassword: string }
  | { action: 'off'; oldPassword: string }
  | { action: 'change'; oldPassword: string; newPassword: string };

export interface EncryptionOptions {
  udid?: string;
  /** Told when the phone waits for its passcode (iOS 13 and later ask before changing backup encryption). */
  onWaiting?: (message: string) => void;
  timeoutMs?: number;
}

const PASSCODE_WAIT = 'enter the passcode on the phone to confirm the backup encryption change';

async function session(access: DeviceAccess, udid?: string): Promise<LockdownSession> {
  const device = await selectDevice(access.usbmux, udid);
  return openLockdownSession(access.usbmux, device, {
    store: access.store,
    logger: access.logger,
    onWaiting: access.onWaiting,
    signal: access.signal,
  });
}

async function willEncrypt(s: LockdownSession): Promise<boolean> {
  return (await s.lockdown.tryGetValue({ domain: 'com.apple.mobile.backup', key: 'WillEncrypt' })) === true;
}

/**
 * Whether the phone encrypts its backups: lockdown `com.apple.mobile.backup` `WillEncrypt`
 * (native-notes/protocols/backup-encryption.md "Turning encryption on and off").
 */
export async function backupEncryptionStatus(
  access: DeviceAccess,
  udid?: string,
): Promise<{ udid: string; encrypted: boolean }> {
  const s = await session(access, udid);
  try {
    return { udid: s.device.udid, encrypted: await willEncrypt(s) };
  } finally {
    await s.close();
  }
}

/**
 * A BackupHost with no files: a password change needs none, and a phone that asks for one gets "not found" (or a
 * refusal to write) rather than access to anything on this computer.
 */
const NO_FILES: BackupHost = {
  openForRead: async (): Promise<Readable | undefined> => undefined,
  openForWrite: async (path: string): Promise<Writable> => {
    throw Object.assign(new Error(`not writing ${path}: a password change stores no files`), { code: 'EACCES' });
  },
  contentsOfDirectory: async (): Promise<Map<string, DirectoryEntry> | undefined> => undefined,
  createDirectory: async (): Promise<void> => undefined,
  move: async (): Promise<void> => undefined,
  remove: async (): Promise<void> => undefined,
  copy: async (): Promise<void> => undefined,
  freeDiskSpace: () => freeDiskSpace(tmpdir()),
};

/**
 * Turns backup encryption on or off, or changes its password, with mobilebackup2 ChangePassword (§7.6): on = new
 * password only, off = old only, change = both. Refuses what does not fit the current state, as idevicebackup2
 * does, and checks WillEncrypt afterwards. Passwords go to the phone only; they are never logged.
 */
export async function changeBackupEncryption(
  access: DeviceAccess,
  change: EncryptionChange,
  options: EncryptionOptions = {},
): Promise<{ udid: string; encrypted: boolean }> {
  const s = await session(access, options.udid);
  try {
    const udid = s.device.udid;
    const before = await willEncrypt(s);
    if (change.action === 'on' && before)
      throw new BackupOperationError(
        'ENCRYPTION_ALREADY_ON',
        'backup encryption is already on (use "change" to set a new password)',
      );
    if (change.action !== 'on' && !before)
      throw new BackupOperationError(
        'ENCRYPTION_NOT_ON',
        'backup encryption is off: there is no backup password to remove or change',
      );
    const mb2 = await Mobilebackup2Client.open(s, { logger: access.logger });
    try {
      options.onWaiting?.(PASSCODE_WAIT);
      await mb2.changePassword({
        udid,
        host: NO_FILES,
        oldPassword: change.action === 'on' ? undefined : change.oldPassword,
        newPassword: change.action === 'off' ? undefined : change.newPassword,
        signal: access.signal,
        logger: access.logger,
        firstMessageTimeoutMs: options.timeoutMs ?? 300_000,
      });
    } finally {
      await mb2.disconnect().catch(() => undefined);
    }
    const after = await willEncrypt(s);
    const expected = change.action !== 'off';
    if (after !== expected) {
      throw new BackupOperationError(
        'ENCRYPTION_NOT_CHANGED',
        `the phone accepted the request but still reports encryption ${after ? 'on' : 'off'}`,
      );
    }
    return { udid, encrypted: after };
  } finally {
    await s.close();
  }
}
