import { join } from 'node:path';
import { toBinaryPlist, type PlistDict } from '../plist/index.js';
import { optBool, optDate, optString, readPlistDictFile } from './plist-file.js';

/** Status.plist, written by the device (native-notes/protocols/backup-format.md "Status.plist"). */
export interface StatusPlist {
  backupState?: string;
  date?: Date;
  isFullBackup?: boolean;
  /** "uploading" | "moving" | "removing" | "finished": only "finished" is a complete backup. */
  snapshotState?: string;
  uuid?: string;
  version?: string;
  raw: PlistDict;
}

export function parseStatusPlist(raw: PlistDict): StatusPlist {
  return {
    backupState: optString(raw, 'BackupState'),
    date: optDate(raw, 'Date'),
    isFullBackup: optBool(raw, 'IsFullBackup'),
    snapshotState: optString(raw, 'SnapshotState'),
    uuid: optString(raw, 'UUID'),
    version: optString(raw, 'Version'),
    raw,
  };
}

export async function readStatusPlist(backupDir: string): Promise<StatusPlist | undefined> {
  const raw = await readPlistDictFile(join(backupDir, 'Status.plist'));
  return raw === undefined ? undefined : parseStatusPlist(raw);
}

/** The device writes Status.plist as a binary plist of these six keys. */
export function buildStatusPlist(status: {
  date: Date;
  uuid: string;
  snapshotState?: string;
  isFullBackup?: boolean;
}): Buffer {
  return toBinaryPlist({
    BackupState: 'new',
    Date: status.date,
    IsFullBackup: status.isFullBackup ?? true,
    SnapshotState: status.snapshotState ?? 'finished',
    UUID: status.uuid,
    Version: '3.3',
  });
}
