import type { Command } from 'commander';
import { FileKeyCache, type OpenBackupOptions } from '../../operations/index.js';
import { readPassword } from '../password.js';

/** The password and key-cache options every command that opens a backup takes. */
export function addBackupOpenOptions(command: Command): Command {
  return command
    .option('--password-env <VAR>', 'read the backup password from this environment variable')
    .option('--password-file <FILE>', 'read the backup password from the first line of this file')
    .option(
      '--keep-key-cache',
      'store the derived key (owner-only, under ~/.cache/iosrescue) so later runs skip the slow key derivation',
      false,
    );
}

export interface BackupOpenFlags {
  passwordEnv?: string;
  passwordFile?: string;
  keepKeyCache?: boolean;
}

/** The password is asked for lazily: only when the backup is encrypted and no cached key fits. */
export function backupOpenOptions(flags: BackupOpenFlags): OpenBackupOptions {
  return {
    password: () => readPassword(flags, { prompt: 'Backup password: ' }),
    keyCache: flags.keepKeyCache ? new FileKeyCache() : undefined,
  };
}
