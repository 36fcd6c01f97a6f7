import { copyFile, link, mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { createWriteStream, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { DigestCheck, type BackupFileEntry, type BackupReader } from '../backup/index.js';
import { ExtractError } from './errors.js';

/**
 * Files SQLite keeps beside a database. The -wal holds changes iOS had not checkpointed; the -journal (rollback mode)
 * holds page images from before a transaction, also after it committed when the journal mode is PERSIST; the -shm is
 * only an index of the -wal, which SQLite rebuilds.
 */
const SQLITE_SIDECARS = ['-wal', '-journal', '-shm'] as const;
type Sidecar = (typeof SQLITE_SIDECARS)[number];

/** fileformat2 §4.1: a rollback journal whose header starts with these bytes is "hot" (its transaction never ended). */
const JOURNAL_MAGIC = Buffer.from('d9d505f920a163d7', 'hex');

/** Decrypted copies of personal databases must not outlive the process, even when close() was never reached. */
const liveWorkDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of liveWorkDirs) rmSync(dir, { recursive: true, force: true });
});

/** A database copied out of a backup and opened from a second name SQLite may change. */
export interface OpenedDatabase {
  db: Database.Database;
  /**
   * The database exactly as stored, with its -wal and -journal beside it as stored: what the carver reads
   * (`carvedRows(path, …)`). SQLite never opens this path, so no rollback or checkpoint has touched these bytes.
   */
  path: string;
  /** Bytes of the database and its sidecars as stored in the backup. */
  bytes: number;
  /** The backup's -journal was hot: SQLite rolled its own copy back, so `db` shows the last committed state. */
  rolledBack: boolean;
}

/**
 * An owner-only (0700, mkdtemp's mode) scratch folder for one extraction. Databases are never opened inside the
 * backup: SQLite writes -shm/-wal next to a WAL database even when opened read-only, and an encrypted backup's
 * files must be decrypted first anyway.
 *
 * Each database is copied with its sidecars into `<n>/` before SQLite opens anything, and that copy is what the
 * carver reads. SQLite opens `<n>/sqlite/<name>`: the same file by a hard link, read-only, with the -wal beside it so
 * the newest changes are applied, and without the journal. A hot journal (fileformat2 §4.1) is the one exception:
 * SQLite would roll it back into the file before the carver could read the pages that transaction wrote, so SQLite
 * then gets a copy of its own, journal included, and rolls that copy back.
 */
export class WorkDir {
  private counter = 0;
  private readonly opened: Database.Database[] = [];
  private readonly notices: string[] = [];

  private constructor(readonly path: string) {}

  static async create(parent?: string): Promise<WorkDir> {
    const path = await mkdtemp(join(parent ?? tmpdir(), 'iosrescue-extract-'));
    liveWorkDirs.add(path);
    return new WorkDir(path);
  }

  /** Copies domain/relativePath out of the backup; undefined when the backup does not hold it. */
  async copyFile(
    reader: BackupReader,
    domain: string,
    relativePath: string,
  ): Promise<{ path: string; bytes: number } | undefined> {
    const entry = reader.get(domain, relativePath);
    if (entry === undefined || entry.kind !== 'file') return undefined;
    const folder = join(this.path, String(++this.counter));
    await mkdir(folder, { mode: 0o700 });
    const path = join(folder, basename(relativePath));
    await this.copyOut(reader, entry, path);
    return { path, bytes: entry.metadata?.size ?? 0 };
  }

  async openDatabase(reader: BackupReader, domain: string, relativePath: string): Promise<OpenedDatabase | undefined> {
    const main = await this.copyFile(reader, domain, relativePath);
    if (main === undefined) return undefined;
    let bytes = main.bytes;
    const captured = new Set<Sidecar>();
    for (const suffix of SQLITE_SIDECARS) {
      const entry = reader.get(domain, `${relativePath}${suffix}`);
      if (entry === undefined || entry.kind !== 'file') continue;
      await this.copyOut(reader, entry, `${main.path}${suffix}`);
      captured.add(suffix);
      bytes += entry.metadata?.size ?? 0;
    }
    const rolledBack = captured.has('-journal') && (await isHotJournal(`${main.path}-journal`));
    const sqlitePath = await sqliteView(main.path, captured, rolledBack);
    let db: Database.Database | undefined;
    try {
      // Read-only, so neither a checkpoint nor anything else writes into the file the carver reads (they are one file).
      db = new Database(sqlitePath, { fileMustExist: true, readonly: !rolledBack });
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } catch (error) {
      // A connection whose first query failed (a malformed schema) still holds the file and its -wal/-shm open.
      if (db?.open) db.close();
      throw new ExtractError(
        'EXTRACT_DATABASE_UNREADABLE',
        `${domain}/${relativePath} is not a readable SQLite database: ${(error as Error).message}`,
        {
          cause: error,
          details: { domain, relativePath },
        },
      );
    }
    this.opened.push(db);
    if (rolledBack)
      this.notices.push(
        `${domain}/${relativePath}: the backup caught a transaction half-written (a hot -journal); its records are shown as last committed, and the carver read the file and journal as stored`,
      );
    return { db, path: main.path, bytes, rolledBack };
  }

  /**
   * Streams an entry's bytes into a new owner-only file. A plain Manifest.mbdb backup's SHA-1 is checked on the way;
   * a mismatch is a notice, and the bytes are used as found (they are all there is).
   */
  private async copyOut(reader: BackupReader, entry: BackupFileEntry, target: string): Promise<void> {
    const check = DigestCheck.for(entry, reader);
    // The source first: when the backup refuses it (a link, a FIFO), no output stream is left open behind.
    const source = await reader.openFile(entry);
    const out = createWriteStream(target, { mode: 0o600, flags: 'wx' });
    await (check === undefined ? pipeline(source, out) : pipeline(source, check, out));
    if (check?.mismatch !== undefined) this.notices.push(`${check.mismatch.message} [${check.mismatch.code}]`);
  }

  /**
   * What copying and opening databases found that a person should know (a hot journal rolled back, a plain mbdb
   * backup's file that does not match its SHA-1), since the last call.
   */
  drainNotices(): string[] {
    return this.notices.splice(0);
  }

  async close(): Promise<void> {
    for (const db of this.opened.splice(0)) if (db.open) db.close();
    await rm(this.path, { recursive: true, force: true });
    liveWorkDirs.delete(this.path);
  }
}

/**
 * The name SQLite opens, in `sqlite/` beside the stored copy: a hard link to it and to its -wal (a copy where links
 * are refused), a copy of the -shm (SQLite writes there), and, for a hot journal only, copies of the database and
 * journal for SQLite to roll back.
 */
async function sqliteView(stored: string, captured: ReadonlySet<Sidecar>, rollBack: boolean): Promise<string> {
  const folder = join(stored, '..', 'sqlite');
  await mkdir(folder, { mode: 0o700 });
  const view = join(folder, basename(stored));
  await (rollBack ? copyFile(stored, view) : linkOrCopy(stored, view));
  if (captured.has('-wal')) await linkOrCopy(`${stored}-wal`, `${view}-wal`);
  if (captured.has('-shm')) await copyFile(`${stored}-shm`, `${view}-shm`);
  if (rollBack) await copyFile(`${stored}-journal`, `${view}-journal`);
  return view;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    // File systems without hard links (some FUSE and network mounts): the bytes are the same either way.
    await copyFile(from, to);
  }
}

async function isHotJournal(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(JOURNAL_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    return bytesRead === head.length && head.equals(JOURNAL_MAGIC);
  } finally {
    await handle.close();
  }
}
