import type { Readable, Writable } from 'node:stream';

export interface DirectoryEntry {
  type: 'DLFileTypeRegular' | 'DLFileTypeDirectory' | 'DLFileTypeUnknown';
  size: number;
  modified: Date;
}

/**
 * Where a backup's bytes live on the host. mobilebackup2 only talks to this interface; `backup/writer.ts`
 * implements it (staging, path confinement, permissions, atomic commit), so the protocol code never touches files.
 * Every path is relative to the backup root and starts with the UDID, exactly as the device sends it; an
 * implementation must refuse paths that escape the root. Errors should carry an errno-style `code` (ENOENT,
 * EEXIST, ENOSPC…): it becomes the device-visible status code.
 */
export interface BackupHost {
  /** The file's bytes, or undefined when it does not exist. */
  openForRead(path: string): Promise<Readable | undefined>;
  /** A Writable that keeps the file when ended and discards it when destroyed with an error. */
  openForWrite(path: string): Promise<Writable>;
  /** Entries of a directory (undefined when it does not exist). */
  contentsOfDirectory(path: string): Promise<Map<string, DirectoryEntry> | undefined>;
  createDirectory(path: string): Promise<void>;
  /** Moves each source to its target, replacing the target; stops at the first failure. */
  move(pairs: Array<[from: string, to: string]>): Promise<void>;
  /** Removes files or whole directories; a missing path is not an error. */
  remove(paths: string[]): Promise<void>;
  copy(from: string, to: string): Promise<void>;
  /** Bytes available to the backup: the device compares this with what it needs. */
  freeDiskSpace(): Promise<number>;
}
