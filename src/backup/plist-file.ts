import { open } from 'node:fs/promises';
import { isPlistDict, parsePlist, type PlistDict } from '../plist/index.js';
import { BackupError } from './errors.js';

/** Info.plist may hold app icons and iTunes files (tens of MB); anything beyond this is not a backup plist. */
const MAX_PLIST_BYTES = 256 * 1024 * 1024;

/** Reads a top-level-dict plist file; undefined when absent, BACKUP_CORRUPT_PLIST when unreadable. */
export async function readPlistDictFile(path: string): Promise<PlistDict | undefined> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new BackupError('BACKUP_IO', `cannot open ${path}: ${(error as Error).message}`, { cause: error });
  }
  try {
    const { size } = await handle.stat();
    if (size > MAX_PLIST_BYTES) {
      throw new BackupError('BACKUP_CORRUPT_PLIST', `${path} is ${size} bytes, more than a backup plist can be`, { details: { path, size } });
    }
    const bytes = await handle.readFile();
    let value;
    try {
      value = parsePlist(bytes);
    } catch (error) {
      throw new BackupError('BACKUP_CORRUPT_PLIST', `${path} is not a readable plist: ${(error as Error).message}`, { cause: error, details: { path } });
    }
    if (!isPlistDict(value)) throw new BackupError('BACKUP_CORRUPT_PLIST', `${path} does not hold a dictionary`, { details: { path } });
    return value;
  } finally {
    await handle.close();
  }
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
