import { closeSync, createWriteStream, existsSync, lstatSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline as pipelineAsync } from 'node:stream/promises';
import { decryptBuffer } from './decrypt.js';
import { decryptFile } from './decrypt-file.js';
import { BackupError } from './errors.js';
import type { BackupFileEntry, FileFilter } from './file-entry.js';
import { readInfoPlist, type InfoPlist } from './info-plist.js';
import { keybagId, type KeyCache } from './key-cache.js';
import { Keybag, type UnlockedKeybag } from './keybag.js';
import { dataFileRelativePath, type DataFileLayout } from './layout.js';
import { ManifestDb } from './manifest-db.js';
import { ManifestMbdb } from './manifest-mbdb.js';
import { readManifestPlist, type ManifestPlist } from './manifest-plist.js';
import { readStatusPlist, type StatusPlist } from './status-plist.js';
import {
  assertRealFolders,
  inspectRegularFile,
  maxCipherBytes,
  openRegularFile,
  openRegularFileSync,
  readAtMostSync,
  type OpenCheck,
} from './safe-open.js';

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const READ_CHUNK = 1024 * 1024;
/** What readSmallFile reads in one go. */
export const SMALL_FILE_BYTES = 1024 * 1024;

export type PasswordSource = string | Buffer | (() => Promise<string | Buffer>);

export interface OpenBackupOptions {
  /** Asked for only when the backup is encrypted and no cached key fits (a function is called at most once). */
  password?: PasswordSource;
  /** Where derived keys are looked up and stored; none by default, so keys never reach the disk. */
  keyCache?: KeyCache;
  /** Parent of the owner-only folder holding the decrypted Manifest.db while the backup is open. */
  tempDir?: string;
}

/** Whether a top-level file of the backup is there; a link, FIFO or folder in its place is a typed error. */
function presentRegularFile(path: string, label: string): boolean {
  const found = inspectRegularFile(path, { label });
  if (found instanceof BackupError) throw found;
  return found !== undefined;
}

async function startsWith(path: string, magic: Buffer, label: string): Promise<boolean> {
  const { fd } = openRegularFileSync(path, { label });
  try {
    return readAtMostSync(fd, magic.length).equals(magic);
  } finally {
    closeSync(fd);
  }
}

/**
 * Devices pad Manifest.db with PKCS#7, so its ciphertext is pages + 16 bytes; some tools write it unpadded, a whole
 * number of pages. A length that is a multiple of 512 (the smallest SQLite page) therefore has no padding to strip.
 */
function unpaddedManifestSize(size: number): number | undefined {
  return size % 512 === 0 ? size : undefined;
}

/** Largest data file an entry of `size` bytes may have: the size itself, or its AES-CBC ciphertext with padding. */
function storedBytesBound(size: number, encrypted: boolean): number {
  return encrypted ? maxCipherBytes(size) : size;
}

/** Linux names an open descriptor's file by a path the kernel resolves to that very file, not by its old name. */
const PROC_FD_PATHS = process.platform === 'linux' && existsSync('/proc/self/fd');

/** Temp folders still open at exit are removed even if the caller forgot close() or the run was interrupted. */
const liveTempDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of liveTempDirs) rmSync(dir, { recursive: true, force: true });
});

/**
 * One backup folder, plain or encrypted: its plists, its manifest (Manifest.db or Manifest.mbdb) and its files as
 * streams. For an encrypted backup the password is turned into class keys once per open (one key derivation),
 * Manifest.db is decrypted into an owner-only temp folder that close() deletes, and each file is decrypted as it is
 * read.
 */
export class BackupReader {
  /** Non-fatal findings while opening (an unreadable Info.plist does not stop the files being read). */
  readonly problems: BackupError[] = [];
  info?: InfoPlist;
  status?: StatusPlist;
  manifestPlist?: ManifestPlist;
  keybag?: UnlockedKeybag;
  /** Path of the plain Manifest.db being read (the temp copy for encrypted backups); undefined for mbdb backups. */
  manifestDbPath?: string;
  private manifest!: ManifestDb | ManifestMbdb;
  private tempDir?: string;
  private layout: DataFileLayout = 'hashed';

  private constructor(readonly dir: string) {}

  get isEncrypted(): boolean {
    return this.keybag !== undefined;
  }

  get manifestKind(): 'db' | 'mbdb' {
    return this.manifest instanceof ManifestDb ? 'db' : 'mbdb';
  }

  static async open(dir: string, options: OpenBackupOptions = {}): Promise<BackupReader> {
    const reader = new BackupReader(dir);
    try {
      await reader.load(options);
      return reader;
    } catch (error) {
      await reader.close();
      throw error;
    }
  }

  private async load(options: OpenBackupOptions): Promise<void> {
    const settle = async <T>(read: Promise<T>): Promise<T | undefined> =>
      read.catch((error: unknown) => {
        if (!(error instanceof BackupError)) throw error;
        this.problems.push(error);
        return undefined;
      });
    this.info = await settle(readInfoPlist(this.dir));
    this.status = await settle(readStatusPlist(this.dir));
    let manifestPlistError: BackupError | undefined;
    this.manifestPlist = await readManifestPlist(this.dir).catch((error: unknown) => {
      if (!(error instanceof BackupError)) throw error;
      manifestPlistError = error;
      return undefined;
    });
    const dbPath = join(this.dir, 'Manifest.db');
    const mbdbPath = join(this.dir, 'Manifest.mbdb');
    if (presentRegularFile(dbPath, 'Manifest.db')) {
      const plain = await startsWith(dbPath, SQLITE_MAGIC, 'Manifest.db');
      if (!plain && manifestPlistError) throw manifestPlistError;
      if (manifestPlistError) this.problems.push(manifestPlistError);
      if (this.manifestPlist?.isEncrypted) await this.unlock(options);
      if (!plain && this.keybag && this.manifestPlist?.manifestKey) {
        this.manifestDbPath = await this.decryptManifestDb(dbPath, this.manifestPlist.manifestKey, options.tempDir);
      } else {
        this.manifestDbPath = dbPath;
      }
      this.manifest = await ManifestDb.open(this.manifestDbPath);
    } else if (presentRegularFile(mbdbPath, 'Manifest.mbdb')) {
      if (manifestPlistError) throw manifestPlistError;
      if (this.manifestPlist?.isEncrypted) await this.unlock(options);
      this.manifest = await ManifestMbdb.open(mbdbPath);
      this.layout = 'flat';
    } else {
      throw new BackupError(
        'BACKUP_NOT_FOUND',
        `${this.dir} is not a backup: it has neither Manifest.db nor Manifest.mbdb`,
        { details: { dir: this.dir } },
      );
    }
  }

  private async unlock(options: OpenBackupOptions): Promise<void> {
    const bagBytes = this.manifestPlist?.backupKeyBag;
    if (bagBytes === undefined)
      throw new BackupError(
        'BACKUP_CORRUPT_KEYBAG',
        'Manifest.plist says the backup is encrypted but holds no BackupKeyBag',
      );
    const bag = Keybag.parse(bagBytes);
    const id = keybagId(bagBytes);
    const cached = await options.keyCache?.get(id);
    if (cached) {
      try {
        this.keybag = bag.unlockWithKey(cached);
        return;
      } catch {
        // A stale cache entry (password changed) falls through to the password.
      }
    }
    if (options.password === undefined) {
      throw new BackupError('BACKUP_PASSWORD_REQUIRED', 'this backup is encrypted: a password is needed to read it');
    }
    const password = typeof options.password === 'function' ? await options.password() : options.password;
    this.keybag = await bag.unlock(password);
    await options.keyCache?.set(id, this.keybag.passwordKey);
  }

  private async decryptManifestDb(encryptedPath: string, manifestKey: Buffer, parent?: string): Promise<string> {
    const key = this.keybag!.unwrapKey(manifestKey);
    this.tempDir = await mkdtemp(join(parent ?? tmpdir(), 'iosrescue-manifest-'));
    liveTempDirs.add(this.tempDir);
    const plainPath = join(this.tempDir, 'Manifest.db');
    const { handle, size } = await openRegularFile(encryptedPath, { label: 'Manifest.db' });
    try {
      await pipelineAsync(
        decryptFile(handle, key, unpaddedManifestSize(size)),
        createWriteStream(plainPath, { mode: 0o600, flags: 'wx' }),
      );
    } catch (error) {
      throw new BackupError(
        'BACKUP_CORRUPT_MANIFEST',
        `encrypted Manifest.db does not decrypt: ${(error as Error).message}`,
        { cause: error },
      );
    }
    if (!(await startsWith(plainPath, SQLITE_MAGIC, 'the decrypted Manifest.db'))) {
      throw new BackupError(
        'BACKUP_CORRUPT_MANIFEST',
        'Manifest.db decrypted to something that is not SQLite (ManifestKey does not match the file)',
      );
    }
    return plainPath;
  }

  files(filter: FileFilter = {}): AsyncGenerator<BackupFileEntry> {
    return this.manifest.files(filter);
  }

  get(domain: string, relativePath: string): BackupFileEntry | undefined {
    return this.manifest.get(domain, relativePath);
  }

  countByFlags(): Map<number, number> {
    return this.manifest.countByFlags();
  }

  /** Folders between the root and a data file already found to be real folders (at most 256 + 1). */
  private readonly realFolders = new Set<string>();

  /**
   * Absolute path of an entry's data file as stored (encrypted or not), or undefined when nothing is there. Whatever
   * is at that path counts as there, a symlink or a FIFO too: reading it is refused later, with its own code, instead
   * of being reported as missing.
   */
  async dataFilePath(entry: BackupFileEntry): Promise<string | undefined> {
    return this.locateDataFile(entry)?.path;
  }

  private locateDataFile(entry: BackupFileEntry): { path: string; relative: string } | undefined {
    const layouts: DataFileLayout[] = this.layout === 'hashed' ? ['hashed', 'flat'] : ['flat', 'hashed'];
    for (const layout of layouts) {
      const relative = dataFileRelativePath(entry.fileId, layout);
      const path = join(this.dir, relative);
      // A synchronous lstat: a few microseconds, where a thread-pool round trip per photo cost more than the check.
      try {
        lstatSync(path);
        return { path, relative };
      } catch {
        // absent in this layout
      }
    }
    return undefined;
  }

  /**
   * Where an entry's stored bytes are and how many of them it may have, or nothing (an empty file, also when its
   * data file is absent). Errors (typed): BACKUP_NOT_A_FILE, BACKUP_MISSING_DATA, BACKUP_CORRUPT_METADATA,
   * BACKUP_NOT_A_REGULAR_FILE (a symlinked folder on the way).
   */
  private storedData(
    entry: BackupFileEntry,
  ): { path?: undefined } | { path: string; check: OpenCheck & { maxBytes: number }; size: number } {
    if (entry.kind !== 'file') {
      throw new BackupError(
        'BACKUP_NOT_A_FILE',
        `${entry.domain}/${entry.relativePath} is a ${entry.kind}, not a file`,
        { details: { fileId: entry.fileId } },
      );
    }
    if (entry.metadata === null)
      throw entry.problem ?? new BackupError('BACKUP_CORRUPT_METADATA', 'entry has no metadata');
    const { size } = entry.metadata;
    const located = this.locateDataFile(entry);
    if (located === undefined) {
      if (size === 0) return {};
      throw new BackupError(
        'BACKUP_MISSING_DATA',
        `no data file for ${entry.domain}/${entry.relativePath} (${entry.fileId})`,
        {
          details: { fileId: entry.fileId, domain: entry.domain, relativePath: entry.relativePath },
        },
      );
    }
    assertRealFolders(this.dir, located.relative, this.realFolders);
    const label = `${entry.domain}/${entry.relativePath}`;
    return { path: located.path, size, check: { label, maxBytes: storedBytesBound(size, this.keybag !== undefined) } };
  }

  /** The key of an encrypted entry with data (unwrapped here, so a bad key is an error of the caller's call). */
  private fileKey(entry: BackupFileEntry): Buffer | undefined {
    if (this.keybag === undefined) return undefined;
    const { encryptionKey, protectionClass } = entry.metadata!;
    if (encryptionKey === undefined) {
      throw new BackupError(
        'BACKUP_CORRUPT_METADATA',
        `${entry.domain}/${entry.relativePath} has data but no EncryptionKey`,
        { details: { fileId: entry.fileId } },
      );
    }
    return this.keybag.unwrapKey(encryptionKey, protectionClass);
  }

  /**
   * Why an entry's contents cannot be read, without reading them (an lstat): a link, FIFO, folder or device where its
   * data file should be, a data file larger than its manifest entry allows, missing data, damaged metadata. Extractors
   * ask before they promise a file in their records; reading still checks again on the opened descriptor.
   */
  unreadableReason(entry: BackupFileEntry): BackupError | undefined {
    try {
      const stored = this.storedData(entry);
      if (stored.path === undefined) return undefined;
      const found = inspectRegularFile(stored.path, stored.check);
      return found instanceof BackupError ? found : undefined;
    } catch (error) {
      if (error instanceof BackupError) return error;
      throw error;
    }
  }

  /**
   * Runs `copy` with a path that names exactly the checked, opened data file of a plain backup's regular file, so the
   * caller can copy it with the kernel (copy_file_range, reflinks) instead of through a stream. On Linux that path is
   * the descriptor's /proc entry, so a link swapped in after the checks is never followed. Returns false (and does not
   * call `copy`) for an encrypted backup or an entry without data.
   */
  async withPlainDataFile(entry: BackupFileEntry, copy: (path: string) => Promise<void>): Promise<boolean> {
    if (this.keybag !== undefined || entry.kind !== 'file' || entry.metadata === null) return false;
    const stored = this.storedData(entry);
    if (stored.path === undefined) return false;
    const { fd } = openRegularFileSync(stored.path, stored.check);
    try {
      await copy(PROC_FD_PATHS ? `/proc/self/fd/${fd}` : stored.path);
    } finally {
      closeSync(fd);
    }
    return true;
  }

  /**
   * The contents of a regular file as a stream, decrypted when the backup is, never more than the manifest's Size.
   * Errors: those of storedData and safe-open.ts (BACKUP_NOT_A_REGULAR_FILE, BACKUP_DATA_TOO_LARGE), and, on the
   * stream, BACKUP_TRUNCATED_FILE and BACKUP_BAD_PADDING.
   */
  async openFile(entry: BackupFileEntry): Promise<Readable> {
    const stored = this.storedData(entry);
    if (stored.path === undefined) return Readable.from([]);
    const key = this.fileKey(entry);
    const { handle, size } = await openRegularFile(stored.path, stored.check);
    if (key !== undefined) return decryptFile(handle, key, stored.size);
    if (size === 0) {
      await handle.close();
      return Readable.from([]);
    }
    // A buffer of the file's size for small files: a 1 MiB read buffer per 3 KB thumbnail is what the GC then pays for.
    return handle.createReadStream({
      start: 0,
      end: Math.min(size, stored.check.maxBytes) - 1,
      highWaterMark: Math.min(READ_CHUNK, Math.max(16 * 1024, size)),
    });
  }

  /**
   * The whole contents of a small file (the recorded Size at most `SMALL_FILE_BYTES`) in one synchronous read and
   * decryption: for thousands of photos and attachments, a stream per file costs more than the bytes. Larger
   * files: use openFile. Same errors as openFile, BACKUP_TRUNCATED_FILE included.
   */
  async readSmallFile(entry: BackupFileEntry): Promise<Buffer> {
    const size = entry.metadata?.size ?? 0;
    if (size > SMALL_FILE_BYTES)
      throw new BackupError(
        'BACKUP_FILE_TOO_LARGE',
        `${entry.domain}/${entry.relativePath} holds ${size} bytes: stream it with openFile`,
        { details: { fileId: entry.fileId, size } },
      );
    const stored = this.storedData(entry);
    if (stored.path === undefined) return Buffer.alloc(0);
    const key = this.fileKey(entry);
    const { fd, size: storedBytes } = openRegularFileSync(stored.path, stored.check);
    let bytes: Buffer;
    try {
      bytes = readAtMostSync(fd, Math.min(storedBytes, stored.check.maxBytes));
    } finally {
      closeSync(fd);
    }
    return key === undefined ? bytes : decryptBuffer(key, bytes, stored.size);
  }

  /**
   * A file of the backup folder itself (`Info.plist`, `Status.plist`, `Manifest.mbdb`) or the plain Manifest.db being
   * read, as a stream through the safe open; undefined when it is absent. `maxBytes` bounds what is read.
   */
  async openFolderFile(
    name: 'Info.plist' | 'Status.plist' | 'Manifest.mbdb' | 'Manifest.db',
    maxBytes?: number,
  ): Promise<Readable | undefined> {
    const path = name === 'Manifest.db' ? this.manifestDbPath : join(this.dir, name);
    if (path === undefined || inspectRegularFile(path, { label: name }) === undefined) return undefined;
    const { handle, size } = await openRegularFile(path, { label: name, maxBytes });
    if (size === 0) {
      await handle.close();
      return Readable.from([]);
    }
    return handle.createReadStream({ start: 0, end: size - 1 });
  }

  async close(): Promise<void> {
    this.manifest?.close();
    if (this.tempDir !== undefined) {
      await rm(this.tempDir, { recursive: true, force: true });
      liveTempDirs.delete(this.tempDir);
      this.tempDir = undefined;
    }
  }
}
