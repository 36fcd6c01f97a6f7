import { defaultBackupRoots, ownBackupRoot } from '../backup/index.js';

/**
 * Where backups go unless told otherwise: IOSRESCUE_BACKUP_DIR, else the platform's MobileSync folder on macOS and
 * Windows (where Finder/iTunes and every backup reader look), else our own data folder (Linux has no MobileSync).
 */
export function defaultBackupFolder(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.IOSRESCUE_BACKUP_DIR) return env.IOSRESCUE_BACKUP_DIR;
  if (platform === 'darwin' || platform === 'win32') return defaultBackupRoots(env, platform)[0]!;
  return ownBackupRoot(env, platform);
}
