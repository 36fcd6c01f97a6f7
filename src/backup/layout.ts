import { createHash } from 'node:crypto';
import { lstat } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { BackupError, PathEscapeError } from './errors.js';

/**
 * Where things live inside a backup folder. A file's ID is the lowercase hex SHA-1 of
 * `domain + "-" + relativePath` (UTF-8); iOS ≥ 10 stores its data at `<id[0:2]>/<id>`, older backups flat at `<id>`
 * (native-notes/protocols/backup-format.md "Layout").
 */
export function fileIdFor(domain: string, relativePath: string): string {
  return createHash('sha1').update(`${domain}-${relativePath}`, 'utf8').digest('hex');
}

const FILE_ID = /^[0-9a-f]{40}$/;

/** A file ID read from a manifest is only used as a path after this check, so a row cannot name `../x`. */
export function assertFileId(fileId: string): string {
  const lower = fileId.toLowerCase();
  if (!FILE_ID.test(lower)) {
    throw new PathEscapeError(fileId, 'a file ID must be 40 hexadecimal characters');
  }
  return lower;
}

export type DataFileLayout = 'hashed' | 'flat';

/** Path of a data file relative to the backup root, `ab/abcdef…` (hashed) or `abcdef…` (flat). */
export function dataFileRelativePath(fileId: string, layout: DataFileLayout = 'hashed'): string {
  const id = assertFileId(fileId);
  return layout === 'hashed' ? `${id.slice(0, 2)}/${id}` : id;
}

/**
 * Why a relative path from a device or a backup may not be joined to a folder, or null when it may.
 * Refused: empty, NUL, absolute (POSIX `/x`, Windows `C:x`, `\\server`), any `..` segment. Backslashes count as
 * separators too, because on Windows they are.
 */
export function unsafePathReason(relativePath: string): string | null {
  if (relativePath.length === 0) return 'empty path';
  if (relativePath.includes('\0')) return 'contains a NUL byte';
  if (relativePath.startsWith('/') || relativePath.startsWith('\\')) return 'absolute path';
  if (/^[A-Za-z]:/.test(relativePath)) return 'absolute (drive-letter) path';
  const segments = relativePath.split(/[\\/]/);
  if (segments.includes('..')) return 'contains a ".." segment';
  return null;
}

/**
 * Joins `relativePath` under `root` for writing, refusing every way of landing outside it: the checks of
 * `unsafePathReason`, and a parent folder (between root and the target) that already exists as a symlink — a
 * backup that first creates `a -> /etc` and then writes `a/passwd` must not reach /etc. The root itself is the
 * caller's choice and is not checked. Resolves to an absolute path; throws PathEscapeError.
 */
export async function safeJoin(root: string, relativePath: string): Promise<string> {
  const reason = unsafePathReason(relativePath);
  if (reason !== null) throw new PathEscapeError(relativePath, reason);
  const base = resolve(root);
  const segments = relativePath.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
  if (segments.length === 0) throw new PathEscapeError(relativePath, 'names the folder itself');
  const target = join(base, ...segments);
  if (!target.startsWith(base + sep)) throw new PathEscapeError(relativePath, 'resolves outside the folder');
  let current = base;
  for (const segment of segments) {
    current = join(current, segment);
    let stat;
    try {
      stat = await lstat(current);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') break;
      throw new BackupError('BACKUP_IO', `cannot inspect ${current}: ${(error as Error).message}`, { cause: error });
    }
    if (stat.isSymbolicLink()) throw new PathEscapeError(relativePath, `${current} is a symbolic link`);
  }
  return target;
}
