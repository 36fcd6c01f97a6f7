import { lstat, readdir } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { BackupError } from './errors.js';
import { readInfoPlist, type InfoPlist } from './info-plist.js';
import { readManifestPlist, type ManifestPlist } from './manifest-plist.js';
import { readStatusPlist, type StatusPlist } from './status-plist.js';

/** What `iosrescue backups` lists for one backup folder. */
export interface BackupSummary {
  path: string;
  udid?: string;
  deviceName?: string;
  productType?: string;
  productVersion?: string;
  /** Status.plist Date, else Manifest.plist Date, else Info.plist Last Backup Date. */
  date?: Date;
  encrypted: boolean;
  sizeBytes: number;
  /** Manifest present and Status.plist SnapshotState "finished" (a backup interrupted mid-way is not). */
  complete: boolean;
  snapshotState?: string;
  manifest: 'db' | 'mbdb' | 'none';
  problems: string[];
}

/** iosrescue's own backups: IOSRESCUE_BACKUP_DIR, else a per-platform data folder. */
export function ownBackupRoot(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.IOSRESCUE_BACKUP_DIR) return env.IOSRESCUE_BACKUP_DIR;
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'iosrescue', 'Backups');
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'iosrescue', 'Backups');
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'iosrescue', 'backups');
}

/** The folders Finder/iTunes and iosrescue keep backups in (native-notes/protocols/backup-format.md "Layout"), for this
 * platform. */
export function defaultBackupRoots(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string[] {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  const roots: string[] = [];
  if (platform === 'darwin') roots.push(join(home, 'Library', 'Application Support', 'MobileSync', 'Backup'));
  if (platform === 'win32') {
    if (env.APPDATA) roots.push(join(env.APPDATA, 'Apple Computer', 'MobileSync', 'Backup'));
    roots.push(join(env.USERPROFILE ?? home, 'Apple', 'MobileSync', 'Backup'));
  }
  roots.push(ownBackupRoot(env, platform));
  return roots;
}

async function kindOf(path: string): Promise<'dir' | 'file' | 'none'> {
  try {
    const stat = await lstat(path);
    return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'none';
  } catch {
    return 'none';
  }
}

async function looksLikeBackup(dir: string): Promise<boolean> {
  for (const name of ['Manifest.db', 'Manifest.mbdb', 'Manifest.plist', 'Info.plist', 'Status.plist']) {
    if ((await kindOf(join(dir, name))) === 'file') return true;
  }
  return false;
}

/** Total bytes of regular files under `dir`, walking without following symlinks; one directory listing at a time. */
export async function folderSize(dir: string): Promise<number> {
  let total = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    let names;
    try {
      names = await readdir(current, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of names) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) total += (await lstat(path)).size;
    }
  }
  return total;
}

export async function summarizeBackup(dir: string): Promise<BackupSummary> {
  const problems: string[] = [];
  const read = async <T>(reader: Promise<T>): Promise<T | undefined> =>
    reader.catch((error: unknown) => {
      if (!(error instanceof BackupError)) throw error;
      problems.push(`${error.code}: ${error.message}`);
      return undefined;
    });
  const info: InfoPlist | undefined = await read(readInfoPlist(dir));
  const status: StatusPlist | undefined = await read(readStatusPlist(dir));
  const manifest: ManifestPlist | undefined = await read(readManifestPlist(dir));
  const kind =
    (await kindOf(join(dir, 'Manifest.db'))) === 'file'
      ? 'db'
      : (await kindOf(join(dir, 'Manifest.mbdb'))) === 'file'
        ? 'mbdb'
        : 'none';
  return {
    path: dir,
    udid: info?.udid ?? manifest?.udid,
    deviceName: info?.deviceName ?? manifest?.deviceName,
    productType: info?.productType ?? manifest?.productType,
    productVersion: info?.productVersion ?? manifest?.productVersion,
    date: status?.date ?? manifest?.date ?? info?.lastBackupDate,
    encrypted: manifest?.isEncrypted ?? false,
    sizeBytes: await folderSize(dir),
    complete: kind !== 'none' && status?.snapshotState === 'finished',
    snapshotState: status?.snapshotState,
    manifest: kind,
    problems,
  };
}

/**
 * Backups in each given folder: the folder itself when it is a backup, else its immediate subfolders that are
 * (the `<root>/<UDID>/` layout). Missing folders are skipped; the default roots are searched unless told not to.
 */
export async function discoverBackups(
  options: { dirs?: string[]; includeDefaults?: boolean; env?: NodeJS.ProcessEnv } = {},
): Promise<BackupSummary[]> {
  const roots = [
    ...(options.dirs ?? []),
    ...(options.includeDefaults === false ? [] : defaultBackupRoots(options.env)),
  ].map((d) => resolve(d));
  const seen = new Set<string>();
  const found: BackupSummary[] = [];
  for (const root of roots) {
    if ((await kindOf(root)) !== 'dir') continue;
    const candidates = (await looksLikeBackup(root))
      ? [root]
      : (await readdir(root, { withFileTypes: true })).filter((e) => e.isDirectory()).map((e) => join(root, e.name));
    for (const dir of candidates) {
      if (seen.has(dir) || !(await looksLikeBackup(dir))) continue;
      seen.add(dir);
      found.push(await summarizeBackup(dir));
    }
  }
  return found;
}
