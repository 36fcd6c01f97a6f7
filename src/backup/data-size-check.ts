import { lstatSync } from 'node:fs';
import { join } from 'node:path';
import { BackupError } from './errors.js';
import { dataFileRelativePath } from './layout.js';
import { ManifestDb } from './manifest-db.js';
import { ManifestMbdb } from './manifest-mbdb.js';
import { readManifestPlist } from './manifest-plist.js';

export interface DataSizeReport {
  /** Regular-file rows whose data file was measured. */
  checked: number;
  /** Why nothing was checked: the backup is encrypted (no password here), or it has neither Manifest.db nor
   * Manifest.mbdb. */
  skipped?: 'encrypted' | 'no Manifest.db';
}

/** Rows between two turns of the event loop: the check must not hold off a Ctrl-C for long. */
const ROWS_PER_TURN = 2_000;

/**
 * Refuses a backup in which a phone sent more bytes for a file than its own Manifest.db records (a plain backup's
 * data file is exactly its Size; BackupReader streams a plain data file as it is, so extra bytes would reach
 * whoever reads it): one streaming pass over the Files rows with an lstat each, nothing kept per row. A missing or
 * smaller data file is left to the reader, which reports it when the file is read (BACKUP_MISSING_DATA,
 * BACKUP_TRUNCATED_FILE).
 *
 * Encrypted backups are skipped: their Manifest.db is encrypted and no password is held while backing up. The
 * per-file cap while receiving still applies, and the reader checks again: a decrypted file is cut to its Size and
 * fails with BACKUP_BAD_PADDING or BACKUP_TRUNCATED_FILE when its ciphertext is longer than that Size allows.
 *
 * Throws BACKUP_DATA_LARGER_THAN_MANIFEST (details: domain, relativePath, fileId, size, manifestSize) and the errors
 * of ManifestDb.open (BACKUP_CORRUPT_MANIFEST: a plain backup whose Manifest.db is not readable).
 */
export async function checkDataSizes(folder: string): Promise<DataSizeReport> {
  const manifest = await readManifestPlist(folder);
  if (manifest?.isEncrypted) return { checked: 0, skipped: 'encrypted' };
  const dbPath = join(folder, 'Manifest.db');
  const mbdbPath = join(folder, 'Manifest.mbdb');
  const db =
    lstatSync(dbPath, { throwIfNoEntry: false }) !== undefined
      ? await ManifestDb.open(dbPath)
      : lstatSync(mbdbPath, { throwIfNoEntry: false }) !== undefined
        ? await ManifestMbdb.open(mbdbPath)
        : undefined;
  if (db === undefined) return { checked: 0, skipped: 'no Manifest.db' };
  let checked = 0;
  let rows = 0;
  try {
    for await (const entry of db.files()) {
      if (++rows % ROWS_PER_TURN === 0) await new Promise((resolve) => setImmediate(resolve));
      // A row whose metadata or ID is unreadable has no Size to compare with; the reader refuses it on its own.
      if (entry.kind !== 'file' || entry.metadata === null || entry.problem !== undefined) continue;
      // Synchronous: an lstat is a few microseconds, a hand-off to the disk threads costs more than that.
      const info =
        lstatSync(join(folder, dataFileRelativePath(entry.fileId)), { throwIfNoEntry: false }) ??
        lstatSync(join(folder, dataFileRelativePath(entry.fileId, 'flat')), { throwIfNoEntry: false });
      if (info === undefined || !info.isFile()) continue;
      checked += 1;
      if (info.size > entry.metadata.size) {
        throw new BackupError(
          'BACKUP_DATA_LARGER_THAN_MANIFEST',
          `the phone sent ${info.size} bytes for ${entry.domain}/${entry.relativePath} (${entry.fileId}), but its Manifest.db records ${entry.metadata.size}: the backup is refused and the previous one kept`,
          {
            details: {
              domain: entry.domain,
              relativePath: entry.relativePath,
              fileId: entry.fileId,
              size: info.size,
              manifestSize: entry.metadata.size,
            },
          },
        );
      }
    }
  } finally {
    db.close();
  }
  return { checked };
}
