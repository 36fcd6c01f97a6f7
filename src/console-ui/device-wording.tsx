import type { Device, TypedError } from './types.js';

/** What a phone's state means for the person at the desk: the headline shown on its card. */
export function stateWording(device: Device): string {
  switch (device.state) {
    case 'attached':
      return 'Connected: talking to the phone…';
    case 'waiting-for-trust':
      return 'Tap Trust on the phone';
    case 'paired':
    case 'idle':
      return 'Ready';
    case 'backing-up':
      return 'Backing up';
    case 'extracting':
      return 'Extracting';
    case 'changing-encryption':
      return 'Changing backup encryption';
    case 'done':
      return 'Finished';
    case 'failed':
      return 'Failed';
    case 'detached':
      return 'Unplugged';
    default:
      return device.state;
  }
}

/** For a failure: what to do about it, by the error's category (its code stays visible for a bug report). */
export function whatToDo(error: TypedError): string {
  if (error.code === 'UserDeniedPairing') return 'Unplug the phone and plug it in again, then tap Trust on it.';
  switch (error.category) {
    case 'device-refused':
      return 'Unlock the phone, tap Trust if it asks, then try again.';
    case 'connection-lost':
      return 'Check the cable, plug the phone in again and retry.';
    case 'timeout':
      return 'The phone stopped answering: unlock it, keep it awake and retry.';
    case 'no-space':
      return 'Free space on this computer (or choose another backups folder) and retry.';
    case 'wrong-password':
      return 'The backup password is wrong: try again with the right one.';
    case 'interrupted':
      return 'It was stopped: start it again when ready.';
    case 'not-found':
      return 'The phone or folder is gone: plug it in again or check the path.';
    default:
      return 'Retry; if it fails again, look at the daemon log for this code.';
  }
}

/** States in which a backup may be started from the console. */
export function canBackUp(device: Device): boolean {
  // A phone that failed before it was ever paired has no name yet: a backup would fail the same way.
  return ['paired', 'idle', 'done'].includes(device.state) || (device.state === 'failed' && device.name !== null);
}

/** Whether the phone encrypts its backups, as its card says it. */
export function encryptionWording(device: Device): string {
  if (device.backupEncrypted === undefined) return 'encryption unknown';
  return device.backupEncrypted ? 'encrypted' : 'not encrypted';
}
