import { basename } from 'node:path';
import { isPlistDict, parsePlist, type PlistDict } from '../plist/index.js';
import { BackupError } from './errors.js';
import { readRegularFileSync } from './safe-open.js';

/** Info.plist may hold app icons and iTunes files (tens of MB); anything beyond this is not a backup plist. */
const MAX_PLIST_BYTES = 256 * 1024 * 1024;

/**
 * Reads a top-level-dict plist file; undefined when absent, BACKUP_CORRUPT_PLIST when unreadable or larger than a
 * backup plist can be, BACKUP_NOT_A_REGULAR_FILE when it is a link, FIFO, folder or device (safe-open.ts).
 */
export async function readPlistDictFile(path: string): Promise<PlistDict | undefined> {
  let bytes: Buffer;
  try {
    bytes = readRegularFileSync(path, { label: basename(path), maxBytes: MAX_PLIST_BYTES });
  } catch (error) {
    if (error instanceof BackupError && error.code === 'BACKUP_MISSING_DATA') return undefined;
    if (error instanceof BackupError && error.code === 'BACKUP_DATA_TOO_LARGE') {
      throw new BackupError('BACKUP_CORRUPT_PLIST', `${path} is larger than a backup plist can be`, {
        cause: error,
        details: error.details,
      });
    }
    throw error;
  }
  let value;
  try {
    value = parsePlist(bytes);
  } catch (error) {
    throw new BackupError('BACKUP_CORRUPT_PLIST', `${path} is not a readable plist: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  if (!isPlistDict(value))
    throw new BackupError('BACKUP_CORRUPT_PLIST', `${path} does not hold a dictionary`, { details: { path } });
  return value;
}

export function optString(dict: PlistDict, key: string): string | undefined {
  const value = dict[key];
  return typeof value === 'string' ? value : undefined;
}

export function optDate(dict: PlistDict, key: string): Date | undefined {
  const value = dict[key];
  return value instanceof Date && !Number.isNaN(value.getTime()) ? value : undefined;
}

export function optBool(dict: PlistDict, key: string): boolean | undefined {
  const value = dict[key];
  return typeof value === 'boolean' ? value : undefined;
}

export function optData(dict: PlistDict, key: string): Buffer | undefined {
  const value = dict[key];
  return Buffer.isBuffer(value) ? value : undefined;
}
