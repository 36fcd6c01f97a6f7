/** The shapes of the daemon's answers the console reads (the daemon's OpenAPI document is the full reference). */

export interface JobProgress {
  phase: string;
  message: string;
  bytesDone: number;
  bytesTotal?: number;
  files: number;
  percent?: number;
  dataType?: string;
}

export interface TypedError {
  code: string;
  message: string;
  category: string;
}

export interface Device {
  udid: string;
  name: string | null;
  state: string;
  connectionType?: string;
  productType?: string;
  iosVersion?: string;
  message?: string;
  jobId?: string;
  progress?: JobProgress;
  error?: TypedError;
  lastBackupAt?: string;
  /** Whether the phone encrypts its backups (lockdown WillEncrypt); absent when unknown. */
  backupEncrypted?: boolean;
  updatedAt: string;
}

export interface Job {
  id: string;
  type: string;
  state: string;
  udid?: string;
  request: Record<string, unknown>;
  progress?: JobProgress;
  error?: TypedError;
  backupDir?: string;
  outDir?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
}

export interface TypeCount {
  records: number;
  deleted: number;
  recovered: number;
}

export interface ConsoleBackup {
  id: string;
  path: string;
  udid?: string;
  deviceName?: string;
  date?: string;
  bytes?: number;
  encrypted: boolean;
  unlocked: boolean;
  counts: Record<string, TypeCount> | null;
}

export interface TypeSummary extends TypeCount {
  type: string;
  status?: string;
}

export interface Item {
  id: string;
  title: string;
  subtitle: string | null;
  date: string | null;
  dateSuspect?: boolean;
  deleted: boolean;
  origin: 'live' | 'recently-deleted' | 'recovered';
  thumb?: string;
  media?: string;
  fields: Record<string, unknown>;
}

export interface Conversation {
  id: string;
  title: string;
  participants: string[];
  lastDate: string | null;
  messageCount: number;
  deletedCount: number;
}

export interface Message {
  id: string;
  date: string | null;
  fromMe: boolean;
  sender: string | null;
  text: string | null;
  deleted: boolean;
  origin: string;
  attachments: Array<{ name: string; url: string; mime: string }>;
}

export interface Page<T> {
  total: number;
  items: T[];
}

/** What "Save selected" sends: ids per type, whole conversations, and "every deleted record" of some types. */
export interface Selection {
  items: Record<string, string[]>;
  conversations: string[];
  allDeleted: string[];
}
