import type { BackupError, BackupFileEntry, BackupReader } from '../backup/index.js';
import type { OutputFolder } from './output-folder.js';
import type { DataType } from './registry.js';
import type { ReportSection } from './report/section.js';
import type { WorkDir } from './work-dir.js';

export type { DataType } from './registry.js';

/** Inclusive bounds on a record's date (photos: creation, messages and calls: when). Contacts are not filtered. */
export interface DateRange {
  since?: Date;
  until?: Date;
}

export function inRange(range: DateRange, iso: string | null): boolean {
  if (range.since === undefined && range.until === undefined) return true;
  if (iso === null) return false;
  const t = Date.parse(iso);
  return (
    (range.since === undefined || t >= range.since.getTime()) &&
    (range.until === undefined || t <= range.until.getTime())
  );
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
  /**
   * Ids handed out that no row holds now: the highest id ever given (sqlite_sequence / Z_PRIMARYKEY) minus the rows.
   * Rows deleted at some time, an estimate; not a count of what the carver can recover (it may find none of them).
   * `scan` shows it as `rowIdsMissing`, apart from the counts (operations/scan-backup.ts).
   */
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

/** One place in a backup an extractor reads, and the iOS versions whose layout it knows there. */
export interface ExtractorSource {
  domain: string;
  /** A file's relativePath, or a glob (`*` one segment, `**` any depth) for several files. */
  path: string;
  /** iOS versions, as the code knows them: `9+`, `12–14`, `≤ 8`; `any` when one layout is read whatever the version. */
  ios: string;
}

/** The place `location` names (one of the extractor's own constants, such as SMS_DB) for the iOS versions `ios`. */
export function source(location: { domain: string; relativePath: string }, ios: string): ExtractorSource {
  return { domain: location.domain, path: location.relativePath, ios };
}

/**
 * What an extractor says of itself, in its own module (as each iLEAPP artifact carries its own descriptor):
 * `registry.ts` lists the extractors once, and --types, `scan`, the report's titles and sections and the tests
 * checking both READMEs take everything from there.
 */
export interface ExtractorDescriptor<T extends string = string> {
  /** The name in --types, extraction.json and the output folder (OUT/<type>/). */
  type: T;
  /** For people: the report's tab and heading. */
  label: string;
  /** What `extract --help` says it saves, e.g. "contacts (vCard)". */
  saves: string;
  /** Where it reads, in the order it looks. */
  sources: readonly ExtractorSource[];
  /** The files it writes under OUT/<type>/ (`<…>` for names taken from the data). */
  outputs: readonly string[];
  /** The interfaces of its JSON records (records.ts), the main one first. */
  records: readonly string[];
  /** A look of its own in report.html; without one, the generic section draws a table per JSON file. */
  section?: ReportSection;
}

export interface Extractor<T extends string = DataType> extends ExtractorDescriptor<T> {
  /** Null when the type's database is not in the backup. */
  scan(context: ScanContext): Promise<ScanCounts | null>;
  extract(context: ExtractContext): Promise<{ records: number; files: number } | null>;
}

/** Declares an extractor, keeping its type's name as a literal so that `DataType` can be derived from the registry. */
export function defineExtractor<const T extends string>(extractor: Extractor<T>): Extractor<T> {
  return extractor;
}
