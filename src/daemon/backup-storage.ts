import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { listBackups } from '../operations/index.js';
import type { BackupView } from './engine-types.js';

/**
 * Where backups and extractions go. The embedded default is a local folder; a later S3-compatible store would
 * implement this by backing up to a local staging folder and uploading after the commit (`published`).
 */
export interface BackupStorage {
  /** The folder a backup job writes `<UDID>/` under (BackupWriter stages and commits inside it). */
  backupRoot(udid: string): Promise<string>;
  /** A fresh folder for one extraction. */
  extractOutDir(udid: string | undefined, jobId: string): Promise<string>;
  /** Called once a backup committed; a remote store uploads here. */
  published(backupDir: string): Promise<void>;
  /** The backups it holds, newest first. */
  list(extraDirs?: string[]): Promise<BackupView[]>;
  describe(): string;
}

export class LocalBackupStorage implements BackupStorage {
  constructor(
    private readonly backupsDir: string,
    private readonly extractsDir: string,
  ) {}

  async backupRoot(): Promise<string> {
    await mkdir(this.backupsDir, { recursive: true, mode: 0o700 });
    return this.backupsDir;
  }

  async extractOutDir(udid: string | undefined, jobId: string): Promise<string> {
    await mkdir(this.extractsDir, { recursive: true, mode: 0o700 });
    return join(this.extractsDir, `${udid ?? 'backup'}-${jobId}`);
  }

  async published(): Promise<void> {}

  async list(extraDirs: string[] = []): Promise<BackupView[]> {
    const found = await listBackups({ dirs: [this.backupsDir, ...extraDirs], includeDefaults: false });
    const seen = new Set<string>();
    const views: BackupView[] = [];
    for (const b of found) {
      if (seen.has(b.path)) continue;
      seen.add(b.path);
      views.push({
        path: b.path,
        ...(b.udid && { udid: b.udid }),
        ...(b.deviceName && { deviceName: b.deviceName }),
        ...(b.productType && { productType: b.productType }),
        ...(b.productVersion && { iosVersion: b.productVersion }),
        ...(b.date && { date: b.date.toISOString() }),
        encrypted: b.encrypted,
        complete: b.complete,
        sizeBytes: b.sizeBytes,
        problems: b.problems,
      });
    }
    return views;
  }

  describe(): string {
    return `local folder ${this.backupsDir}`;
  }
}
