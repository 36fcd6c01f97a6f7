/** What a backup is doing right now, for a progress bar (CLI), JSON lines (--json) or the daemon's job view. */
export type BackupPhase =
  | 'connecting'
  | 'trust'
  | 'staging'
  | 'preparing'
  | 'waiting-for-phone'
  | 'passcode'
  | 'transferring'
  | 'finishing'
  | 'committing'
  | 'done';

export interface BackupProgress {
  phase: BackupPhase;
  /** A sentence for the person: what is happening, or what the phone waits for ("tap Trust on the phone"). */
  message: string;
  bytesDone: number;
  /** What the phone announced it will send, when it did. */
  bytesTotal?: number;
  files: number;
  /** The phone's own 0–100 estimate, when it sends one. */
  percent?: number;
}

export const PHASE_MESSAGES = {
  connecting: 'connecting to the phone',
  trust: 'unlock the phone and tap "Trust" on the "Trust This Computer?" dialog',
  staging: 'preparing the backup folder',
  preparing: 'starting the backup services on the phone',
  waitingForPhone: 'the phone is preparing the backup (if it asks for its passcode, enter it on the phone)',
  passcode: 'enter the passcode on the phone to allow the backup',
  transferring: 'receiving files from the phone',
  finishing: 'the phone finished sending',
  committing: 'saving the backup',
  done: 'backup complete',
} as const;
