import { closeSync, constants, fchmodSync, futimesSync, openSync, writeSync } from 'node:fs';
import { copyFile, lstat, open, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { safeJoin } from '../backup/index.js';
import {
  makeOutputFolder,
  outputPermissions,
  settleFileMode,
  sharedFileModeIn,
  type OutputPermissions,
} from './output-mode.js';

const RESERVED_WINDOWS = /^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i;
const MAX_NAME_BYTES = 180;
/**
 * Create or truncate, never through a symlink at the last component: safeJoin checks the folders on the way once,
 * this refuses a link planted where a file is about to be written (ELOOP) without an lstat per file.
 */
export const WRITE_NO_FOLLOW = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW;

/**
 * A file or folder name that is safe on Linux, macOS and Windows: no separators, control characters or
 * characters Windows forbids, no leading dots (hidden files, `..`), no trailing dots or spaces, no reserved device
 * names, at most 180 UTF-8 bytes (room for a " (2)" suffix under the usual 255-byte limit), never empty.
 */
export function sanitizeFileName(name: string, fallback = 'unnamed'): string {
  let clean = name
    .normalize('NFC')
    .replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .replace(/^[.\s]+/, '')
    .replace(/[.\s]+$/, '');
  if (RESERVED_WINDOWS.test(clean)) clean = `_${clean}`;
  if (Buffer.byteLength(clean, 'utf8') > MAX_NAME_BYTES) {
    // Cut the stem, keep the extension: "a very long title….jpg" must still open as a JPEG.
    const [stem, extension] = splitExtension(clean);
    const room = MAX_NAME_BYTES - Buffer.byteLength(extension, 'utf8');
    let kept = '';
    let bytes = 0;
    for (const char of stem) {
      bytes += Buffer.byteLength(char, 'utf8');
      if (bytes > room) break;
      kept += char;
    }
    clean = `${kept.replace(/[.\s]+$/, '')}${extension}`;
  }
  return clean === '' ? fallback : clean;
}

function splitExtension(name: string): [string, string] {
  const dot = name.lastIndexOf('.');
  return dot > 0 && name.length - dot <= 10 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
}

/** A backup file an extractor would have copied to `path` (relative to the output folder), with its mtime. */
export interface DeferredCopy {
  path: string;
  domain: string;
  relativePath: string;
  mtime?: Date;
}

/**
 * The --out folder. Every path is built from sanitised names and joined with `safeJoin`, so nothing a backup
 * contains (a contact called "../../etc", a symlink planted in the folder) can write outside it. Names are made
 * unique per folder, case-insensitively (macOS and Windows folders are): "image.jpg", "image (2).jpg", ...
 * Folders and files get the output mode's permissions (owner-only unless `shared`), whatever the umask.
 */
export class OutputFolder {
  private readonly taken = new Map<string, Set<string>>();
  /** Folders (relative) already checked by safeJoin and created: a 20,000-photo folder is checked once, not per file.
   * */
  private readonly readyFolders = new Set<string>();
  private readonly base: string;
  /** Shared mode's file mode once learnt (copies need it set explicitly: the kernel copy takes the source's mode). */
  private sharedFileMode: number | undefined;
  /**
   * When set, `copyEntry` hands each backup file it would copy here instead of copying it: the console's browse index
   * (src/operations/browse) keeps the records and streams media from the backup on demand.
   */
  deferCopy?: (copy: DeferredCopy) => void;

  constructor(
    readonly root: string,
    readonly permissions: OutputPermissions = outputPermissions(),
  ) {
    this.base = resolve(root);
  }

  /** A fresh relative path `folder/name` (name sanitised, suffixed when already used in that folder). */
  uniquePath(folder: string, name: string): string {
    const used = this.taken.get(folder) ?? new Set<string>();
    this.taken.set(folder, used);
    const [stem, extension] = splitExtension(sanitizeFileName(name));
    let candidate = `${stem}${extension}`;
    for (let n = 2; used.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${extension}`;
    used.add(candidate.toLowerCase());
    return folder === '' ? candidate : `${folder}/${candidate}`;
  }

  /**
   * The absolute path for `relativePath`, its folder created and the file itself created (or emptied) with the
   * output's file mode, so a TextSink opened on it with WRITE_NO_FOLLOW writes a file with the right permissions.
   * The file name is not lstat'ed: the open refuses a symlink planted there (ELOOP).
   */
  async absolute(relativePath: string): Promise<string> {
    const path = await this.prepare(relativePath);
    const fd = openSync(path, WRITE_NO_FOLLOW, this.permissions.fileMode);
    try {
      settleFileMode(fd, this.permissions);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  async writeFile(relativePath: string, data: string | Buffer, mtime?: Date): Promise<string> {
    const path = await this.prepare(relativePath);
    const handle = await open(path, WRITE_NO_FOLLOW, this.permissions.fileMode);
    try {
      settleFileMode(handle.fd, this.permissions);
      await handle.writeFile(data);
      if (mtime) await handle.utimes(mtime, mtime);
    } finally {
      await handle.close();
    }
    return path;
  }

  /**
   * A small file (a decrypted photo, a contact picture) written with synchronous calls: for thousands of them,
   * the thread-pool round trips of open, write, close and utimes cost more than the bytes (measured: 1 ms per photo).
   */
  async writeSmallFile(relativePath: string, data: Buffer, mtime?: Date): Promise<string> {
    const path = await this.prepare(relativePath);
    const fd = openSync(path, WRITE_NO_FOLLOW, this.permissions.fileMode);
    try {
      settleFileMode(fd, this.permissions);
      for (let done = 0; done < data.length; ) done += writeSync(fd, data, done, data.length - done);
      if (mtime) futimesSync(fd, mtime, mtime);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  async writeStream(relativePath: string, source: Readable, mtime?: Date): Promise<string> {
    const path = await this.prepare(relativePath);
    const handle = await open(path, WRITE_NO_FOLLOW, this.permissions.fileMode);
    try {
      settleFileMode(handle.fd, this.permissions);
      // Written through the handle we keep (an fs stream would close it), so the date is set on it, not through the
      // path.
      await pipeline(source, async (chunks: AsyncIterable<Buffer>) => {
        for await (const chunk of chunks) await writeAll(handle, chunk);
      });
      if (mtime) await handle.utimes(mtime, mtime);
    } finally {
      await handle.close();
    }
    return path;
  }

  /**
   * Copies a file by path (the kernel copies; on filesystems with reflinks nothing is duplicated). The target is
   * created exclusively, so a symlink planted at its name is never followed; a regular file left by an earlier,
   * interrupted extraction is replaced. The kernel copy gives the target the source's mode, so the output's mode
   * is set afterwards on a descriptor (the folder is already owner-only in private mode: nobody else can open the
   * file in between).
   */
  async copyFile(relativePath: string, source: string, mtime?: Date): Promise<string> {
    const path = await this.prepare(relativePath);
    try {
      await copyFile(source, path, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      if (!(await lstat(path)).isFile())
        throw Object.assign(new Error(`${path} exists and is not a regular file`), { code: 'ELOOP' });
      await unlink(path);
      await copyFile(source, path, constants.COPYFILE_EXCL | constants.COPYFILE_FICLONE);
    }
    const mode = this.permissions.exact
      ? this.permissions.fileMode
      : (this.sharedFileMode ??= sharedFileModeIn(dirname(path)));
    const fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      fchmodSync(fd, mode);
      if (mtime) futimesSync(fd, mtime, mtime);
    } finally {
      closeSync(fd);
    }
    return path;
  }

  /** The absolute path for `relativePath` with its folder created (and checked once per folder). */
  private async prepare(relativePath: string): Promise<string> {
    const slash = relativePath.lastIndexOf('/');
    const folder = slash < 0 ? '' : relativePath.slice(0, slash);
    const name = relativePath.slice(slash + 1);
    if (this.readyFolders.has(folder) && isPlainName(name)) return join(this.base, folder, name);
    const path = await safeJoin(this.root, relativePath);
    await makeOutputFolder(dirname(path), this.permissions);
    this.readyFolders.add(folder);
    return path;
  }

  relativeTo(from: string, to: string): string {
    return relative(dirname(from), to).split('\\').join('/');
  }
}

/** FileHandle.write may write less than asked (as write(2) may). */
export async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  for (let done = 0; done < data.length; ) done += (await handle.write(data, done, data.length - done)).bytesWritten;
}

/** One path segment that cannot climb or name a folder (what sanitizeFileName produces). */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[\\/\u0000]/.test(name);
}
