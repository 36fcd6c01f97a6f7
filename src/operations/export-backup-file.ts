import { access, rename, rm } from 'node:fs/promises';
import { BackupError, BackupReader, type OpenBackupOptions } from '../backup/index.js';
import { writeStreamToNewFile } from './write-stream-file.js';

export interface ExportBackupFileOptions extends OpenBackupOptions {
  backup: string;
  domain: string;
  relativePath: string;
  /** Destination file; must not exist. Written under a temporary name and renamed when complete. */
  out: string;
  signal?: AbortSignal;
}

/** Copies one file out of a backup (decrypting it when the backup is encrypted). */
export async function exportBackupFile(options: ExportBackupFileOptions): Promise<{ out: string; bytes: number; fileId: string }> {
  if (await access(options.out).then(() => true, () => false)) {
    throw new BackupError('BACKUP_OUTPUT_EXISTS', `${options.out} already exists; not overwriting it`, { details: { path: options.out } });
  }
  const reader = await BackupReader.open(options.backup, options);
  const partial = `${options.out}.partial`;
  try {
    const entry = reader.get(options.domain, options.relativePath);
    if (entry === undefined) {
      throw new BackupError('BACKUP_FILE_NOT_FOUND', `no ${options.domain} ${options.relativePath} in this backup`, {
        details: { domain: options.domain, relativePath: options.relativePath },
      });
    }
    const bytes = await writeStreamToNewFile(await reader.openFile(entry), partial, options.signal);
    await rename(partial, options.out);
    return { out: options.out, bytes, fileId: entry.fileId };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await reader.close();
  }
}
