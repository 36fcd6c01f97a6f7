import type { KeybagOptions } from '../../backup/index.js';
import type { PhoneContent } from './phone-content.js';

/** Ways to make the virtual phone misbehave during a backup, for tests of the host's error handling. */
export interface BackupFaults {
  /** Drop the connection (a pulled cable) once this many file bytes have been sent. */
  failAfterBytes?: number;
  /** End the backup with this MBErrorDomain code and description once the free-space answer is in (e.g. 105, 205, 212).
   * */
  errorCode?: { code: number; description: string };
  /** Stop talking without closing: before the first backup message, or halfway through the upload. */
  stall?: 'before-first-message' | 'mid-upload';
  /**
   * iOS 16.1+: the phone asks for its passcode before a backup starts. `enterAfterMs` is when the owner types it;
   * without it nobody does, and after `timeoutMs` (default 180,000, about what a phone waits) the backup ends with 208.
   */
  passcode?: { enterAfterMs?: number; timeoutMs?: number };
  /** Claim the backup needs this many bytes more than it does (to test the not-enough-space answer, 105). */
  extraBytesNeeded?: number;
  /** Also upload a file under this host path (paths that try to leave the backup folder). */
  uploadExtraPath?: string;
  /**
   * Send the first file of the upload this many bytes longer than its Manifest.db row (and the batch size
   * announced) say: a phone that sends more than it declared. The extra bytes are zeros, streamed.
   */
  oversizeFileBytes?: number;
  /** Answer the first N exclusive AFC FileLock requests with OP_WOULD_BLOCK (the host must retry). */
  busyLockReplies?: number;
  /** Once this many bytes of file data went out over the phone's AFC connections, one drops (a pulled cable). */
  afcDropAfterBytes?: number;
}

/** What the emulator's backup side serves: the phone's content, its faults, and how it builds keybags. */
export interface BackupAgentConfig {
  /** The phone's files; every phone of the emulator serves the same content. */
  content: () => Promise<PhoneContent>;
  faults: BackupFaults;
  /**
   * A folder served read-only as every phone's media partition over AFC (`emulator --media DIR`), instead of the
   * media files of `content` (DCIM, PhotoData, iTunes_Control…) copied into the phone's own Media folder.
   */
  media?: string;
  /** PBKDF2 rounds of keybags made by `encryption on` (devices: 10,000 and 10,000,000; tests may lower them). */
  keybag?: KeybagOptions;
  /** How many files go in one UploadFiles batch, and the most bytes (devices send batches; defaults 1,000 / 64 MiB). */
  batchFiles?: number;
  batchBytes?: number;
}
