import { closeSync, constants, fstatSync, lstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from './errors.js';

/**
 * The one way a backup's own files are opened for reading. A backup is attacker-controlled input: a data file may be
 * a symlink to ~/.ssh/id_rsa or /dev/zero, a FIFO that never answers, a folder or a device node. So:
 * - the path is lstat'ed first, and nothing but a regular file is ever opened (opening a device can have effects);
 * - it is opened with O_NOFOLLOW (a link swapped in after the lstat is refused, ELOOP) and O_NONBLOCK (a FIFO swapped
 *   in cannot hold the open, and so the event loop, forever);
 * - fstat on the opened descriptor must show the same regular file the lstat saw;
 * - its size must not exceed what the manifest lets the caller expect, and callers read at most that many bytes.
 * Windows has neither flag; there the lstat and fstat checks stand alone.
 */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) | (constants.O_NONBLOCK ?? 0);

export interface OpenCheck {
  /** Largest size the caller accepts; a bigger file is refused with BACKUP_DATA_TOO_LARGE. */
  maxBytes?: number;
  /** What the file is, for messages ("Manifest.db", "HomeDomain/Library/SMS/sms.db"). */
  label: string;
}

export interface OpenedRegularFile {
  fd: number;
  /** Size from fstat on the open descriptor. */
  size: number;
}

function kindOf(stats: Stats): string {
  if (stats.isSymbolicLink()) return 'a symbolic link';
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO (named pipe)';
  if (stats.isSocket()) return 'a socket';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}

export function notRegularFile(path: string, label: string, kind: string): BackupError {
  return new BackupError(
    'BACKUP_NOT_A_REGULAR_FILE',
    `${label} is ${kind} in the backup, not a regular file; it is not read`,
    {
      details: { path, label, kind },
    },
  );
}

function tooLarge(path: string, label: string, size: number, maxBytes: number): BackupError {
  return new BackupError(
    'BACKUP_DATA_TOO_LARGE',
    `${label} holds ${size} bytes, more than the ${maxBytes} its manifest entry allows; it is not read`,
    {
      details: { path, label, size, maxBytes },
    },
  );
}

function ioError(path: string, label: string, error: unknown): BackupError {
  if (error instanceof BackupError) return error;
  const code = (error as NodeJS.ErrnoException).code;
  // ELOOP: O_NOFOLLOW met a symlink that appeared after the lstat.
  if (code === 'ELOOP') return notRegularFile(path, label, 'a symbolic link');
  return new BackupError('BACKUP_IO', `cannot read ${label}: ${(error as Error).message}`, {
    cause: error,
    details: { path, label },
  });
}

/**
 * What is at `path` without opening it: its lstat when it is a regular file within bounds, undefined when nothing is
 * there, a typed error otherwise (never thrown: callers decide whether a bad entry is skipped or fatal).
 */
export function inspectRegularFile(path: string, check: OpenCheck): Stats | BackupError | undefined {
  let stats: Stats;
  try {
    stats = lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
      return undefined;
    return ioError(path, check.label, error);
  }
  if (!stats.isFile()) return notRegularFile(path, check.label, kindOf(stats));
  if (check.maxBytes !== undefined && stats.size > check.maxBytes)
    return tooLarge(path, check.label, stats.size, check.maxBytes);
  return stats;
}

function verifyOpened(path: string, check: OpenCheck, seen: Stats, opened: Stats): void {
  if (!opened.isFile()) throw notRegularFile(path, check.label, kindOf(opened));
  if (opened.ino !== seen.ino || opened.dev !== seen.dev)
    throw notRegularFile(path, check.label, 'a file that was replaced while it was being opened');
  if (check.maxBytes !== undefined && opened.size > check.maxBytes)
    throw tooLarge(path, check.label, opened.size, check.maxBytes);
}

function inspectOrThrow(path: string, check: OpenCheck): Stats {
  const seen = inspectRegularFile(path, check);
  if (seen === undefined) {
    throw new BackupError('BACKUP_MISSING_DATA', `${check.label} is not in the backup folder`, {
      details: { path, label: check.label },
    });
  }
  if (seen instanceof BackupError) throw seen;
  return seen;
}

/** Opens a regular file under the rules above, synchronously (cheap: no call here can wait on another process). */
export function openRegularFileSync(path: string, check: OpenCheck): OpenedRegularFile {
  const seen = inspectOrThrow(path, check);
  let fd: number;
  try {
    fd = openSync(path, READ_FLAGS);
  } catch (error) {
    throw ioError(path, check.label, error);
  }
  try {
    const opened = fstatSync(fd);
    verifyOpened(path, check, seen, opened);
    return { fd, size: opened.size };
  } catch (error) {
    closeSync(fd);
    throw ioError(path, check.label, error);
  }
}

/** The same, as a FileHandle for streamed reads. */
export async function openRegularFile(path: string, check: OpenCheck): Promise<{ handle: FileHandle; size: number }> {
  const seen = inspectOrThrow(path, check);
  let handle: FileHandle;
  try {
    handle = await open(path, READ_FLAGS);
  } catch (error) {
    throw ioError(path, check.label, error);
  }
  try {
    const opened = await handle.stat();
    verifyOpened(path, check, seen, opened);
    return { handle, size: opened.size };
  } catch (error) {
    await handle.close();
    throw ioError(path, check.label, error);
  }
}

/** Reads at most `limit` bytes from an open descriptor (fewer when the file is shorter). */
export function readAtMostSync(fd: number, limit: number): Buffer {
  const buffer = Buffer.allocUnsafe(limit);
  let done = 0;
  while (done < limit) {
    const n = readSync(fd, buffer, done, limit - done, done);
    if (n === 0) break;
    done += n;
  }
  return done === limit ? buffer : buffer.subarray(0, done);
}

/** A whole regular file, at most `check.maxBytes` (which is required here: nothing is read without a bound). */
export function readRegularFileSync(path: string, check: OpenCheck & { maxBytes: number }): Buffer {
  const { fd, size } = openRegularFileSync(path, check);
  try {
    return readAtMostSync(fd, Math.min(size, check.maxBytes));
  } finally {
    closeSync(fd);
  }
}

/**
 * Refuses a symlinked folder between a backup's root and one of its files (`ab` in `ab/abcdef…`): O_NOFOLLOW only
 * guards the last component. The root itself is the user's choice and is not checked. `checked` remembers the
 * folders already seen, so a 20,000-photo extraction lstats each of the 256 folders once.
 */
export function assertRealFolders(root: string, relativePath: string, checked?: Set<string>): void {
  const segments = relativePath.split('/');
  let current = '';
  for (const segment of segments.slice(0, -1)) {
    current = current === '' ? segment : `${current}/${segment}`;
    if (checked?.has(current)) continue;
    const path = join(root, current);
    let stats: Stats;
    try {
      stats = lstatSync(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw ioError(path, current, error);
    }
    if (!stats.isDirectory()) throw notRegularFile(path, `the folder ${current}`, kindOf(stats));
    checked?.add(current);
  }
}

/**
 * Largest ciphertext a file of `size` plaintext bytes may have: AES-CBC with PKCS#7 always adds 1–16 bytes of padding
 * (Apple's devices pad every file); unpadded writers give exactly `size` when it is a whole number of blocks.
 */
export function maxCipherBytes(size: number): number {
  return size + 16 - (size % 16);
}
