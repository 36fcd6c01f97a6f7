import { createReadStream } from 'node:fs';
import { constants } from 'node:fs';
import { copyFile, lstat, mkdir, open, opendir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { silentLogger, type Logger } from '../logging.js';
import { checkDataSizes } from './data-size-check.js';
import { BackupError, PathEscapeError } from './errors.js';
import { freeDiskSpace, fsyncDirectory, syncFileSystem, syncFilesUnder } from './fs-durability.js';
import { safeJoin, unsafePathReason } from './layout.js';
import { linkTree } from './link-tree.js';
import { noSpaceErrno, noSpaceError } from './no-space.js';
import { StagedFile } from './staged-file.js';
import {
  acquireLock,
  commitStaging,
  recoverStaging,
  removeWorkFolderIfEmpty,
  stagingPaths,
  type CommitStep,
  type StagingPaths,
} from './staging.js';
import { readStatusPlist } from './status-plist.js';

/** What mobilebackup2 calls a directory entry (kept structurally equal to services' DirectoryEntry). */
export interface WriterDirectoryEntry {
  type: 'DLFileTypeRegular' | 'DLFileTypeDirectory' | 'DLFileTypeUnknown';
  size: number;
  modified: Date;
}

export interface BackupWriterOptions {
  logger?: Logger;
  /**
   * Make received files durable before the commit (default true; off only for tests and throwaway runs): one
   * filesystem-wide sync just before the commit where the platform has one, else a datasync per file.
   */
  syncFiles?: boolean;
  /** Called after each step of the commit; tests use it to stop the process dead at that point. */
  onCommitStep?: (step: CommitStep) => void | Promise<void>;
}

/** What the previous backup of this device looked like when the writer opened. */
export interface PreviousBackup {
  exists: boolean;
  /**
   * Status.plist says "finished" and Status.plist, Manifest.plist and Manifest.db (or, iOS 4–9, Manifest.mbdb) are
   * non-empty: a phone can build an incremental backup on it (a zero-byte Manifest.plist makes it fail with 205,
   * native-notes/protocols/mobilebackup2.md "What a real device does").
   */
  usableForIncremental: boolean;
  files: number;
}

async function nonEmptyFile(path: string): Promise<boolean> {
  try {
    const s = await lstat(path);
    return s.isFile() && s.size > 0;
  } catch {
    return false;
  }
}

const errno = (code: string, message: string): NodeJS.ErrnoException => Object.assign(new Error(message), { code });

/**
 * The on-disk side of a backup pull (BackupHost for mobilebackup2). The previous complete backup at `<out>/<UDID>`
 * is never written to: the phone works on a staging copy made of hard links, every file it sends lands under a
 * temporary name and is renamed over its link, and `commit()` swaps the folders with renames that
 * `recoverStaging` can finish or undo from any crash point. Paths from the phone start with the UDID; anything
 * else, `..`, absolute paths and NUL bytes are refused with BACKUP_PATH_ESCAPE and logged. Folders are 0700 and
 * files 0600. Nothing per file is kept in memory.
 *
 * A full disk (ENOSPC, EDQUOT) anywhere is BACKUP_NO_SPACE: open() and commit() throw it; in the BackupHost calls
 * the errno passes through (it becomes the status the phone is told) and is remembered, so the commit refuses and
 * `noSpaceFailure()` gives the caller the typed error however the phone ends the backup.
 */
export class BackupWriter {
  private tempCounter = 0;
  private readonly openFiles = new Set<StagedFile>();
  /** Directories whose entries changed since the last sync (a few hundred at most: the two-hex-char folders). */
  private readonly dirtyDirectories = new Set<string>();
  /** Received files are synced all at once before the commit (Linux, macOS) instead of one by one. */
  private readonly syncAtCommit = process.platform === 'linux' || process.platform === 'darwin';
  /** Folders in staging known to be real folders (made or checked in this run); cleared by moves and removals. */
  private readonly verifiedDirectories = new Set<string>();
  private state: 'open' | 'committing' | 'committed' | 'aborted' = 'open';
  /** The first write that failed for want of space in this run (the phone is told; the backup cannot be complete). */
  private diskFull: { cause: unknown; writing: string } | undefined;

  private constructor(
    readonly udid: string,
    readonly paths: StagingPaths,
    readonly previous: PreviousBackup,
    private readonly lock: { release(): Promise<void> },
    private readonly logger: Logger,
    private readonly options: BackupWriterOptions,
  ) {}

  /** Recovers from an earlier interrupted run, then stages a copy of the previous backup (if any) to write into. */
  static async open(outRoot: string, udid: string, options: BackupWriterOptions = {}): Promise<BackupWriter> {
    const logger = options.logger ?? silentLogger;
    const reason = unsafePathReason(udid);
    if (reason !== null || /[\\/]/.test(udid) || udid === '.' || udid.startsWith('.'))
      throw new PathEscapeError(udid, reason ?? 'a UDID is one folder name');
    const out = resolve(outRoot);
    const paths = stagingPaths(out, udid);
    let lock: { release(): Promise<void> };
    try {
      await mkdir(out, { recursive: true, mode: 0o700 });
      lock = await acquireLock(paths);
    } catch (error) {
      if (noSpaceErrno(error) === undefined) throw error;
      throw await noSpaceError(out, error, { writing: `the backup folder's lock file (${paths.lock})` });
    }
    let writing = 'the staging copy of the previous backup (hard links: only folder entries, no file data)';
    try {
      const recovery = await recoverStaging(paths);
      for (const action of recovery.actions)
        logger.warn({ udid, out }, `an earlier backup run was interrupted: ${action}`);
      const currentExists = await lstat(paths.current).then(
        (s) => s.isDirectory(),
        () => false,
      );
      let files = 0;
      const directories: string[] = [];
      if (currentExists) {
        const linked = await linkTree(paths.current, paths.staging, logger);
        files = linked.files;
        directories.push(...linked.directories);
        logger.debug({ files, method: linked.method }, 'staged the previous backup');
      } else {
        await mkdir(paths.staging, { mode: 0o700 });
        directories.push(paths.staging);
      }
      writing = `the folder for files being received (${paths.tmp})`;
      await mkdir(paths.tmp, { mode: 0o700 });
      const status = currentExists ? await readStatusPlist(paths.current).catch(() => undefined) : undefined;
      const usable =
        status?.snapshotState === 'finished' &&
        (await nonEmptyFile(join(paths.current, 'Status.plist'))) &&
        (await nonEmptyFile(join(paths.current, 'Manifest.plist'))) &&
        ((await nonEmptyFile(join(paths.current, 'Manifest.db'))) ||
          (await nonEmptyFile(join(paths.current, 'Manifest.mbdb'))));
      const writer = new BackupWriter(
        udid,
        paths,
        { exists: currentExists, usableForIncremental: usable, files },
        lock,
        logger,
        options,
      );
      for (const dir of directories) writer.dirtyDirectories.add(dir);
      writer.dirtyDirectories.add(paths.work);
      return writer;
    } catch (error) {
      // Measured before the clean-up below frees anything: the free space the write met.
      const failure = noSpaceErrno(error) === undefined ? error : await noSpaceError(out, error, { writing });
      // What was made here is ours (recovery ran first): an unfinished staging copy the next run would drop anyway.
      await rm(paths.staging, { recursive: true, force: true }).catch(() => undefined);
      await rm(paths.tmp, { recursive: true, force: true }).catch(() => undefined);
      await lock.release();
      await removeWorkFolderIfEmpty(paths);
      throw failure;
    }
  }

  /**
   * Runs one BackupHost operation; a full disk is remembered (the first one) before the errno goes on to become the
   * status the phone is told.
   */
  private async noting<T>(writing: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.noteFailure(error, writing);
      throw error;
    }
  }

  private noteFailure(error: unknown, writing: string): void {
    if (this.diskFull !== undefined || noSpaceErrno(error) === undefined) return;
    this.diskFull = { cause: error, writing };
    this.logger.warn(
      { udid: this.udid, errno: noSpaceErrno(error), writing },
      'the disk is full: the backup cannot be completed',
    );
  }

  /**
   * BACKUP_NO_SPACE when this run hit a full disk (whatever the phone did next: a phone told "no space" ends with an
   * error of its own, or a dropped connection) or when `error` itself is one; undefined otherwise. `neededBytes`:
   * what the phone announced for the batch of files it was sending, when the caller knows it.
   */
  async noSpaceFailure(error: unknown, neededBytes?: number): Promise<BackupError | undefined> {
    if (error instanceof BackupError && error.code === 'BACKUP_NO_SPACE') return error;
    const full =
      this.diskFull ?? (noSpaceErrno(error) === undefined ? undefined : { cause: error, writing: 'the backup' });
    if (full === undefined) return undefined;
    return noSpaceError(this.paths.out, full.cause, { writing: full.writing, neededBytes });
  }

  /** The folder the finished backup will be in. */
  get backupPath(): string {
    return this.paths.current;
  }

  /**
   * A device path (`<UDID>/…`) as an absolute path in staging. Refuses, logs and throws PathEscapeError for anything
   * that could land elsewhere: the checks of safeJoin, plus "must be inside this device's folder".
   */
  private async resolve(devicePath: string): Promise<string> {
    if (this.state !== 'open') throw new BackupError('BACKUP_WRITER_CLOSED', `the backup was already ${this.state}`);
    try {
      const reason = unsafePathReason(devicePath);
      if (reason !== null) throw new PathEscapeError(devicePath, reason);
      const segments = devicePath.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
      if (segments[0] !== this.udid)
        throw new PathEscapeError(devicePath, `outside this phone's backup folder ${this.udid}`);
      if (segments.length === 1) return this.paths.staging;
      return await safeJoin(this.paths.staging, segments.slice(1).join('/'));
    } catch (error) {
      if (error instanceof PathEscapeError)
        this.logger.warn({ path: devicePath, reason: error.details?.reason }, 'refused a path from the phone');
      throw error;
    }
  }

  /**
   * resolve() for a file about to be written: the file goes to a temporary file renamed over the target (a rename
   * replaces a symlink, never follows it), so only the folders above it need checking, and a folder already
   * checked or made in this run is not checked again — the per-file cost of a million-file backup.
   */
  private async resolveForWrite(devicePath: string): Promise<string> {
    const known = this.insideVerifiedFolder(devicePath);
    if (known !== undefined) return known;
    const target = await this.resolve(devicePath);
    if (target !== this.paths.staging) {
      await this.ensureParent(target);
      this.verifiedDirectories.add(dirname(target));
    }
    return target;
  }

  /**
   * The staging path of `devicePath` when it is safe by its text alone and its parent folder was checked or made
   * in this run; undefined sends the caller to the full check (resolve()).
   */
  private insideVerifiedFolder(devicePath: string): string | undefined {
    if (this.state !== 'open' || unsafePathReason(devicePath) !== null) return undefined;
    const segments = devicePath.split(/[\\/]/).filter((s) => s !== '' && s !== '.');
    if (segments[0] !== this.udid || segments.length < 2) return undefined;
    const target = join(this.paths.staging, ...segments.slice(1));
    return this.verifiedDirectories.has(dirname(target)) ? target : undefined;
  }

  private touched(path: string): void {
    this.dirtyDirectories.add(dirname(path));
  }

  private async ensureParent(path: string): Promise<void> {
    const parent = dirname(path);
    if (parent.length < this.paths.staging.length) return;
    await mkdir(parent, { recursive: true, mode: 0o700 });
    this.touched(parent);
  }

  async openForRead(devicePath: string): Promise<Readable | undefined> {
    const path = await this.resolve(devicePath);
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    if (!info.isFile()) throw errno('EISDIR', `${devicePath} is not a file`);
    return createReadStream(path);
  }

  async openForWrite(devicePath: string): Promise<Writable> {
    const writing = `a file from the phone (${devicePath})`;
    const target = await this.noting(writing, () => this.resolveForWrite(devicePath));
    if (target === this.paths.staging) throw errno('EISDIR', `${devicePath} is the backup folder itself`);
    // Beside the target, not in a shared temp folder: a rename within one folder cost a quarter of a rename
    // across folders here (0.07 vs 0.26 ms a file). A leftover from a crash sits in staging, which recovery drops.
    const tempPath = join(dirname(target), `.${basename(target)}.${++this.tempCounter}.part`);
    const file: StagedFile = new StagedFile(tempPath, target, {
      sync: (this.options.syncFiles ?? true) && !this.syncAtCommit,
      syncLargeEarly: (this.options.syncFiles ?? true) && this.syncAtCommit,
      onInstalled: (installed) => this.touched(installed),
      onSettled: () => this.openFiles.delete(file),
    });
    // Writes fail on the stream, not here: listen for a full disk there too.
    file.on('error', (error) => this.noteFailure(error, writing));
    this.openFiles.add(file);
    return file;
  }

  async contentsOfDirectory(devicePath: string): Promise<Map<string, WriterDirectoryEntry> | undefined> {
    const path = await this.resolve(devicePath);
    let dir;
    try {
      dir = await opendir(path, { bufferSize: 256 });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
      throw error;
    }
    const entries = new Map<string, WriterDirectoryEntry>();
    for await (const entry of dir) {
      const info = await lstat(join(path, entry.name)).catch(() => undefined);
      if (!info) continue;
      const type = info.isFile()
        ? 'DLFileTypeRegular'
        : info.isDirectory()
          ? 'DLFileTypeDirectory'
          : 'DLFileTypeUnknown';
      entries.set(entry.name, { type, size: info.isFile() ? info.size : 0, modified: info.mtime });
    }
    return entries;
  }

  createDirectory(devicePath: string): Promise<void> {
    return this.noting(`the folder ${devicePath}`, () => this.makeDirectory(devicePath));
  }

  private async makeDirectory(devicePath: string): Promise<void> {
    // A folder inside one already checked needs no symlink walk: only the last segment is new (a phone creates
    // <UDID> and then 256 <UDID>/xx folders, one request each).
    const known = this.insideVerifiedFolder(devicePath);
    if (known !== undefined) {
      await mkdir(known, { mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
      });
      if (!(await lstat(known)).isDirectory()) throw errno('ENOTDIR', `${devicePath} exists and is not a folder`);
      this.touched(known);
      this.dirtyDirectories.add(known);
      this.verifiedDirectories.add(known);
      return;
    }
    const path = await this.resolve(devicePath);
    await mkdir(path, { recursive: true, mode: 0o700 });
    this.touched(path);
    this.dirtyDirectories.add(path);
    this.verifiedDirectories.add(path);
  }

  move(pairs: Array<[from: string, to: string]>): Promise<void> {
    return this.noting('a move the phone asked for', () => this.moveItems(pairs));
  }

  private async moveItems(pairs: Array<[from: string, to: string]>): Promise<void> {
    this.verifiedDirectories.clear();
    for (const [from, to] of pairs) {
      const source = await this.resolve(from);
      const target = await this.resolve(to);
      if (source === target) continue;
      if (source === this.paths.staging || target === this.paths.staging)
        throw errno('EINVAL', 'cannot move the backup folder itself');
      await lstat(source);
      // As a real host: the target goes first (rm -rf for a folder), then the rename
      // (native-notes/protocols/mobilebackup2.md "Device messages during a backup").
      await rm(target, { recursive: true, force: true });
      await this.ensureParent(target);
      await rename(source, target);
      this.touched(source);
      this.touched(target);
    }
  }

  remove(devicePaths: string[]): Promise<void> {
    return this.noting('a removal the phone asked for', () => this.removeItems(devicePaths));
  }

  private async removeItems(devicePaths: string[]): Promise<void> {
    this.verifiedDirectories.clear();
    for (const devicePath of devicePaths) {
      const path = await this.resolve(devicePath);
      if (path === this.paths.staging) {
        await rm(path, { recursive: true, force: true });
        await mkdir(path, { mode: 0o700 });
      } else await rm(path, { recursive: true, force: true });
      this.touched(path);
    }
  }

  /** A file, or a folder's top-level files (as libimobiledevice does); written beside and renamed, never in place. */
  copy(from: string, to: string): Promise<void> {
    return this.noting(`a copy of ${from} to ${to}`, () => this.copyItem(from, to));
  }

  private async copyItem(from: string, to: string): Promise<void> {
    this.verifiedDirectories.clear();
    const source = await this.resolve(from);
    const target = await this.resolve(to);
    const info = await lstat(source);
    if (info.isFile()) {
      await this.ensureParent(target);
      await this.copyFileSafely(source, target);
      return;
    }
    if (!info.isDirectory()) throw errno('EINVAL', `${from} is neither a file nor a folder`);
    await mkdir(target, { recursive: true, mode: 0o700 });
    this.touched(target);
    for await (const entry of await opendir(source, { bufferSize: 256 })) {
      if (entry.isFile()) await this.copyFileSafely(join(source, entry.name), join(target, entry.name));
    }
  }

  private async copyFileSafely(source: string, target: string): Promise<void> {
    const tempPath = join(this.paths.tmp, String(++this.tempCounter));
    try {
      await copyFile(source, tempPath, constants.COPYFILE_FICLONE | constants.COPYFILE_EXCL);
      const handle = await open(tempPath, 'r+');
      try {
        await handle.chmod(0o600);
        if (this.options.syncFiles ?? true) await handle.datasync();
      } finally {
        await handle.close();
      }
      await rename(tempPath, target);
      this.touched(target);
    } catch (error) {
      await rm(tempPath, { force: true });
      throw error;
    }
  }

  /** Truthful statfs of the filesystem the backup goes to: the phone compares it with what it needs. */
  freeDiskSpace(): Promise<number> {
    return freeDiskSpace(this.paths.out);
  }

  /**
   * Makes the staged backup the device's backup. Refuses (previous backup kept, staging left for abort()) unless the
   * phone wrote a Status.plist saying "finished" and a Manifest.plist and Manifest.db/mbdb (BACKUP_INCOMPLETE), no
   * write ran out of space (BACKUP_NO_SPACE), and no data file is larger than its Manifest.db Size
   * (BACKUP_DATA_LARGER_THAN_MANIFEST, plain backups; see checkDataSizes): a half or doctored backup never replaces
   * a whole one.
   */
  async commit(): Promise<void> {
    if (this.state !== 'open') throw new BackupError('BACKUP_WRITER_CLOSED', `the backup was already ${this.state}`);
    if (this.openFiles.size > 0)
      throw new BackupError(
        'BACKUP_FILES_OPEN',
        `${this.openFiles.size} file(s) from the phone are still being written`,
      );
    const status = await readStatusPlist(this.paths.staging).catch(() => undefined);
    const manifest = await nonEmptyFile(join(this.paths.staging, 'Manifest.plist'));
    const db =
      (await nonEmptyFile(join(this.paths.staging, 'Manifest.db'))) ||
      (await nonEmptyFile(join(this.paths.staging, 'Manifest.mbdb')));
    if (status?.snapshotState !== 'finished' || !manifest || !db) {
      throw new BackupError(
        'BACKUP_INCOMPLETE',
        `the phone did not finish the backup (Status.plist SnapshotState ${JSON.stringify(status?.snapshotState ?? null)}${manifest ? '' : ', no Manifest.plist'}${db ? '' : ', no Manifest.db'}): the previous backup is kept`,
        { details: { snapshotState: status?.snapshotState, manifest, db } },
      );
    }
    // A phone told "no space" may still end the backup as if all went well; a file it sent is then missing.
    if (this.diskFull !== undefined)
      throw await noSpaceError(this.paths.out, this.diskFull.cause, { writing: this.diskFull.writing });
    const sizes = await checkDataSizes(this.paths.staging);
    this.logger.debug({ ...sizes }, 'data files checked against their Manifest.db sizes');
    this.state = 'committing';
    let installing = false;
    try {
      if ((this.options.syncFiles ?? true) && this.syncAtCommit && !(await syncFileSystem(this.paths.staging))) {
        this.logger.debug('no filesystem-wide sync here: syncing the received files one by one');
        await syncFilesUnder(this.paths.staging);
      }
      for (const dir of this.dirtyDirectories) await fsyncDirectory(dir);
      this.dirtyDirectories.clear();
      installing = true;
      await commitStaging(this.paths, async (step) => this.options.onCommitStep?.(step));
      this.state = 'committed';
      this.logger.debug({ path: this.paths.current }, 'backup committed');
    } catch (error) {
      const full =
        noSpaceErrno(error) === undefined
          ? undefined
          : await noSpaceError(this.paths.out, error, {
              writing: installing
                ? 'the commit (installing the new backup)'
                : 'the new backup while syncing it to disk',
            });
      // Nothing was renamed yet: the staging copy is dropped now, as abort() would. Once the renames began, everything
      // stays as it is on disk and the next open() finishes or undoes the commit.
      if (!installing) {
        this.state = 'open';
        await this.abort((full ?? (error as Error)).message);
      }
      throw full ?? error;
    } finally {
      await this.lock.release();
      await removeWorkFolderIfEmpty(this.paths);
    }
  }

  /** Drops the staging copy; the previous backup was never touched. */
  async abort(reason: string): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.logger.warn({ udid: this.udid, reason }, 'backup abandoned; the previous backup is unchanged');
    for (const file of [...this.openFiles]) file.destroy();
    try {
      await rm(this.paths.staging, { recursive: true, force: true });
      await rm(this.paths.tmp, { recursive: true, force: true });
    } finally {
      await this.lock.release();
      await removeWorkFolderIfEmpty(this.paths);
    }
  }
}
