import { discoverBackups, type BackupSummary } from '../backup/index.js';

export interface ListBackupsOptions {
  /** Extra folders: each may be a backup or hold backups (`<root>/<UDID>/`). */
  dirs?: string[];
  /** Also search the Finder/iTunes folders and iosrescue's own (default true). */
  includeDefaults?: boolean;
  env?: NodeJS.ProcessEnv;
}

/** The backups on this computer, newest first. */
export async function listBackups(options: ListBackupsOptions = {}): Promise<BackupSummary[]> {
  const found = await discoverBackups(options);
  return found.sort((a, b) => (b.date?.getTime() ?? 0) - (a.date?.getTime() ?? 0));
}
