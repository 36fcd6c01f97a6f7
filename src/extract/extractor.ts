import type { BackupError, BackupFileEntry, BackupReader } from '../backup/index.js';
import type { OutputFolder } from './output-folder.js';
import type { WorkDir } from './work-dir.js';

export const DATA_TYPES = ['photos', 'contacts', 'messages', 'calls', 'calendar', 'safari', 'reminders', 'voicemail', 'whatsapp', 'audio', 'notes'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Inclusive bounds on a record's date (photos: creation, messages and calls: when). Contacts are not filtered. */
export interface DateRange {
  since?: Date;
  until?: Date;
}

export function inRange(range: DateRange, iso: string | null): boolean {
  if (range.since === undefined && range.until === undefined) return true;
  if (iso === null) return false;
  const t = Date.parse(iso);
  return (range.since === undefined || t >= range.since.getTime()) && (range.until === undefined || t <= range.until.getTime());
}

export interface ScanContext {
  reader: BackupReader;
  work: WorkDir;
  warn(message: string): void;
  /** A backup file of this type that cannot be read (typed reason); counted per code, never kept per entry. */
  skip(entry: BackupFileEntry, reason: BackupError): void;
}

export interface ExtractContext extends ScanContext {
  out: OutputFolder;
  range: DateRange;
  signal?: AbortSignal;
}

/** What the backup holds of one type, counted with SQL only (nothing exported). */
export interface TypeScan {
  type: DataType;
  /** The type's database is in the backup. */
  present: boolean;
  /** Live records (for photos and messages, Recently Deleted ones included). */
  count: number;
  /** Records the phone keeps in its Recently Deleted (photos, messages on iOS 16+); null when the type has none. */
  recentlyDeleted: number | null;
  /** Rows deleted for good, estimated from the highest id ever given (sqlite_sequence / Z_PRIMARYKEY) minus live rows: what a carver may still find. */
  purged: number | null;
  firstDate: string | null;
  lastDate: string | null;
  /** Database bytes plus, for photos and messages, the media files the records point to. */
  bytes: number;
  warnings: string[];
}

export interface TypeResult {
  type: DataType;
  status: 'ok' | 'missing' | 'failed';
  records: number;
  /** Files written (exports and copied media). */
  files: number;
  warnings: string[];
  /** Backup files of this type that were not read, by code (BACKUP_NOT_A_REGULAR_FILE, BACKUP_DATA_TOO_LARGE…). */
  skipped?: Record<string, number>;
  error?: { code: string; message: string };
}

export type ScanCounts = Omit<TypeScan, 'type' | 'warnings' | 'present'>;

export interface Extractor {
  type: DataType;
  /** Null when the type's database is not in the backup. */
  scan(context: ScanContext): Promise<ScanCounts | null>;
  extract(context: ExtractContext): Promise<{ records: number; files: number } | null>;
}
