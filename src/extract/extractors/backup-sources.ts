import type { BackupFileEntry, BackupReader } from '../../backup/index.js';
import { IosRescueError } from '../../errors.js';
import { ExtractError } from '../errors.js';
import type { ScanContext } from '../extractor.js';
import type { OpenedDatabase } from '../work-dir.js';

export interface BackupLocation {
  domain: string;
  relativePath: string;
}

/**
 * The first of several places a database has lived across iOS versions that the backup holds, opened from a private
 * copy. A location the manifest lists without data (a cut-down or partial backup) is named in a warning and the next
 * one is tried; undefined when none is there.
 */
export async function openFirstDatabase(
  { reader, work, warn }: ScanContext,
  locations: readonly BackupLocation[],
): Promise<{ opened: OpenedDatabase; location: BackupLocation } | undefined> {
  for (const location of locations) {
    try {
      const opened = await work.openDatabase(reader, location.domain, location.relativePath);
      if (opened !== undefined) return { opened, location };
    } catch (error) {
      if (!(error instanceof IosRescueError && error.code === 'BACKUP_MISSING_DATA')) throw error;
      warn(`${location.domain}/${location.relativePath} is listed in the backup but its data is not there`);
    }
  }
  return undefined;
}

/** A small file (a plist) read whole; EXTRACT_FILE_TOO_LARGE past `cap` bytes, so a hostile backup cannot fill memory.
 * */
export async function readSmallFile(
  reader: BackupReader,
  entry: BackupFileEntry,
  cap = 16 * 1024 * 1024,
): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of await reader.openFile(entry)) {
    size += (chunk as Buffer).length;
    if (size > cap)
      throw new ExtractError('EXTRACT_FILE_TOO_LARGE', `${entry.domain}/${entry.relativePath} is over ${cap} bytes`, {
        details: { domain: entry.domain, relativePath: entry.relativePath },
      });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** The last path segment: ZPATH and base_location values are device paths or bare names. */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** ".m4a" of "20230318 142510-0ECA3CEA.m4a"; the fallback when the name has none. */
export function extensionOf(name: string, fallback: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 6 ? name.slice(dot) : fallback;
}
