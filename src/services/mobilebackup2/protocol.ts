/**
 * mobilebackup2 requests and the device's error codes, as pure data (native-notes/protocols/mobilebackup2.md
 * "Before the backup service", "Final error codes"; idevicebackup2.c, pymobiledevice3 services/mobilebackup2.py).
 */
import { Real, type PlistDict } from '../../plist/index.js';

export const MOBILEBACKUP2_SERVICE = 'com.apple.mobilebackup2';

/** Versions as reals: the device rejects integers here. */
export function helloRequest(): PlistDict {
  return { MessageName: 'Hello', SupportedProtocolVersions: [new Real(2.0), new Real(2.1)] };
}

export function backupRequest(udid: string, options: { forceFull?: boolean } = {}): PlistDict {
  const request: PlistDict = { MessageName: 'Backup', TargetIdentifier: udid, SourceIdentifier: udid };
  if (options.forceFull) request.Options = { ForceFullBackup: true };
  return request;
}

/** Enable = new only; disable = old only; change = both (§7.6). */
export function changePasswordRequest(
  udid: string,
  passwords: { oldPassword?: string; newPassword?: string },
): PlistDict {
  const request: PlistDict = { MessageName: 'ChangePassword', TargetIdentifier: udid };
  if (passwords.oldPassword !== undefined) request.OldPassword = passwords.oldPassword;
  if (passwords.newPassword !== undefined) request.NewPassword = passwords.newPassword;
  return request;
}

export function simpleRequest(messageName: 'Info' | 'List', udid: string): PlistDict {
  return { MessageName: messageName, TargetIdentifier: udid, SourceIdentifier: udid };
}

/** What to do about the final ErrorCodes phones send (MBErrorDomain; §5.6). Unknown codes show the device's text. */
const ADVICE: Record<number, string> = {
  1: 'the phone and this computer share no mobilebackup2 protocol version',
  3: 'the phone could not create its backup snapshot (a leftover from an earlier backup): restart the phone and try again',
  105: 'not enough free disk space for the backup: free space on the backup drive (or choose another folder with --out) and try again',
  205: "the phone could not read the previous backup's properties: run a full backup (--full)",
  // "Invalid password" (MKBKeyBagUnlock failed): libimobiledevice issues #996 and #1469.
  207: "the backup password is wrong (the phone could not unlock its backup keybag with it): give the password set for this phone's backups; if nobody knows it, reset it on the phone under Settings > General > Transfer or Reset > Reset All Settings",
  208: 'nobody entered the passcode on the phone in time: unlock the phone, start the backup again and enter the passcode when the phone asks',
  211: 'the phone refused the operation (usually because Find My is on): turn off Find My on the phone, then try again',
  212: 'the phone cannot be backed up until its setup is finished: finish the setup assistant on the phone',
};

export function adviceForDeviceError(code: number, description?: string): string {
  const advice = ADVICE[code];
  const said = description ? `the phone said "${description}"` : `the phone reported error ${code}`;
  return advice ? `${said}: ${advice}` : said;
}
