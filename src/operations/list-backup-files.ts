import { BackupReader, type FileFilter, type OpenBackupOptions } from '../backup/index.js';
import { summarizeEntry, type BackupFileSummary } from './backup-file-summary.js';

export interface ListBackupFilesOptions extends FileFilter, OpenBackupOptions {
  backup: string;
}

/** The manifest entries of a backup matching the filter, streamed; the backup is closed when iteration ends. */
export async function* listBackupFiles(options: ListBackupFilesOptions): AsyncGenerator<BackupFileSummary> {
  const reader = await BackupReader.open(options.backup, options);
  try {
    for await (const entry of reader.files({ domain: options.domain, match: options.match }))
      yield summarizeEntry(entry);
  } finally {
    await reader.close();
  }
}
