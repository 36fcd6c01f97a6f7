import { BackupReader, type OpenBackupOptions } from '../backup/index.js';
import { scanBackupContent, type DataType, type TypeScan } from '../extract/index.js';

export interface ScanBackupOptions extends OpenBackupOptions {
  backup: string;
  types?: DataType[];
}

/**
 * What a backup holds of one type. `records` and `recentlyDeleted` are counted in the databases: facts.
 * `rowIdsMissing` is not a count of anything recoverable: it is how many ids the database handed out that no row
 * holds now (the highest id ever used, from sqlite_sequence or Z_PRIMARYKEY, minus the rows). Those rows were
 * deleted at some time; their bytes may or may not still be in the file. What the carver actually recovers is
 * counted by `extract` (extraction.json, report.html), never here.
 */
export interface ScanTypeSummary {
  type: DataType;
  /** The type's database is in the backup. */
  present: boolean;
  /** Rows counted (for photos and messages, those in Recently Deleted included). */
  records: number;
  /** Rows in the phone's Recently Deleted (or marked for deletion), still extracted; null when the type has none. */
  recentlyDeleted: number | null;
  /** Ids handed out that no row holds now; null when the database keeps no highest id. An estimate of deletions. */
  rowIdsMissing: number | null;
  firstDate: string | null;
  lastDate: string | null;
  /** Database bytes plus, for photos and messages, the media files the records point to. */
  bytes: number;
  warnings: string[];
}

export interface ScanBackupResult {
  backup: string;
  device: { name: string | null; productType: string | null; iosVersion: string | null; lastBackup: string | null };
  encrypted: boolean;
  /** Manifest.db (iOS 10 and later) or Manifest.mbdb (iOS 5–9). */
  manifest: 'db' | 'mbdb';
  types: ScanTypeSummary[];
}

/** The extract layer's counts under names that say which are facts and which is an estimate. */
export function scanSummary(scan: TypeScan): ScanTypeSummary {
  return {
    type: scan.type,
    present: scan.present,
    records: scan.count,
    recentlyDeleted: scan.recentlyDeleted,
    rowIdsMissing: scan.purged,
    firstDate: scan.firstDate,
    lastDate: scan.lastDate,
    bytes: scan.bytes,
    warnings: scan.warnings,
  };
}

/** What a backup holds per data type: counts, date range, sizes, deleted counts. Reads databases, writes nothing
 * outside a temp folder. */
export async function scanBackup(options: ScanBackupOptions): Promise<ScanBackupResult> {
  const reader = await BackupReader.open(options.backup, options);
  try {
    const info = reader.info;
    const types = await scanBackupContent(reader, { types: options.types, tempDir: options.tempDir });
    return {
      backup: options.backup,
      device: {
        name: info?.deviceName ?? null,
        productType: info?.productType ?? null,
        iosVersion: info?.productVersion ?? null,
        lastBackup: info?.lastBackupDate?.toISOString() ?? null,
      },
      encrypted: reader.isEncrypted,
      manifest: reader.manifestKind,
      types: types.map(scanSummary),
    };
  } finally {
    await reader.close();
  }
}
