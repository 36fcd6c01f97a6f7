import { access } from 'node:fs/promises';
import { BackupError, BackupReader, type OpenBackupOptions } from '../backup/index.js';
import { outputPermissions, type OutputMode } from '../extract/index.js';
import { writeStreamThroughPartial } from './write-stream-file.js';

export interface ExportBackupFileOptions extends OpenBackupOptions {
  backup: string;
  domain: string;
  relativePath: string;
  /** Destination file; must not exist. Written under a temporary name and renamed when complete. */
  out: string;
  /** private (default): the file (and any folder created for it) owner-only whatever the umask; shared: the umask
   * decides. */
  outputMode?: OutputMode;
  signal?: AbortSignal;
}

/** Copies one file out of a backup (decrypting it when the backup is encrypted). */
export async function exportBackupFile(
  options: ExportBackupFileOptions,
): Promise<{ out: string; bytes: number; fileId: string }> {
  if (
    await access(options.out).then(
      () => true,
      () => false,
    )
  ) {
    throw new BackupError('BACKUP_OUTPUT_EXISTS', `${options.out} already exists; not overwriting it`, {
      details: { path: options.out },
    });
  }
  const reader = await BackupReader.open(options.backup, options);
  try {
    const entry = reader.get(options.domain, options.relativePath);
    if (entry === undefined) {
      throw new BackupError('BACKUP_FILE_NOT_FOUND', `no ${options.domain} ${options.relativePath} in this backup`, {
        details: { domain: options.domain, relativePath: options.relativePath },
      });
    }
    const bytes = await writeStreamThroughPartial(await reader.openFile(entry), options.out, {
      signal: options.signal,
      permissions: outputPermissions(options.outputMode),
    });
    return { out: options.out, bytes, fileId: entry.fileId };
  } finally {
    await reader.close();
  }
}
