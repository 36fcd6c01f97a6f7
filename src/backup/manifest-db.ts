import { closeSync, createWriteStream, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { BackupError } from './errors.js';
import { entryKind, makeMatcher, type BackupFileEntry, type FileFilter } from './file-entry.js';
import { assertFileId } from './layout.js';
import { decodeMbFile } from './mb-file.js';
import { inspectRegularFile, openRegularFile, openRegularFileSync, readAtMostSync } from './safe-open.js';

interface FileRow {
  rowid: number;
  fileID: unknown;
  domain: unknown;
  relativePath: unknown;
  flags: unknown;
  file: unknown;
}

const BATCH = 512;

/** SQLite header bytes 18 and 19 (file format write/read versions) are 2 in WAL mode. */
function isWalMode(path: string): boolean {
  let fd: number;
  try {
    ({ fd } = openRegularFileSync(path, { label: 'Manifest.db' }));
  } catch (error) {
    throw corrupt(path, error);
  }
  try {
    const header = readAtMostSync(fd, 20);
    return header.length === 20 && (header[18] === 2 || header[19] === 2);
  } finally {
    closeSync(fd);
  }
}

/** Copies a file of the backup (never through a link, never a FIFO or device) into the scratch folder. */
async function copyOut(from: string, to: string, label: string): Promise<void> {
  const { handle } = await openRegularFile(from, { label });
  try {
    await pipeline(handle.createReadStream({ autoClose: false }), createWriteStream(to, { mode: 0o600, flags: 'wx' }));
  } finally {
    await handle.close();
  }
}

function corrupt(path: string, error: unknown): BackupError {
  if (error instanceof BackupError) return error;
  return new BackupError(
    'BACKUP_CORRUPT_MANIFEST',
    `Manifest.db is not readable (${path}): ${(error as Error).message}`,
    {
      cause: error,
      details: { path },
    },
  );
}

/** Turns one `Files` row into an entry; a row whose metadata or ID is bad is still returned, with `problem` set. */
export function entryFromRow(row: Omit<FileRow, 'rowid'>): BackupFileEntry {
  const domain = typeof row.domain === 'string' ? row.domain : '';
  const relativePath = typeof row.relativePath === 'string' ? row.relativePath : '';
  const flags = typeof row.flags === 'number' ? row.flags : typeof row.flags === 'bigint' ? Number(row.flags) : 0;
  const entry: BackupFileEntry = {
    fileId: String(row.fileID ?? ''),
    domain,
    relativePath,
    flags,
    kind: entryKind(flags, undefined),
    metadata: null,
  };
  try {
    entry.fileId = assertFileId(entry.fileId);
    if (!Buffer.isBuffer(row.file)) throw new BackupError('BACKUP_CORRUPT_METADATA', 'row has no file metadata blob');
    entry.metadata = decodeMbFile(row.file);
    entry.kind = entryKind(flags, entry.metadata.mode);
  } catch (error) {
    entry.problem = corrupt('Manifest.db', error);
  }
  return entry;
}

/**
 * The schema and indexes found in device-made Manifest.db files (native-notes/protocols/backup-format.md
 * "Manifest.db"), for anything that writes one.
 */
export const MANIFEST_DB_SCHEMA = `
CREATE TABLE Files (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, flags INTEGER, file BLOB);
CREATE INDEX FilesDomainIdx ON Files(domain);
CREATE INDEX FilesRelativePathIdx ON Files(relativePath);
CREATE INDEX FilesFlagsIdx ON Files(flags);
CREATE TABLE Properties (key TEXT PRIMARY KEY, value BLOB);
`;

/**
 * Manifest.db of an iOS ≥ 10 backup (native-notes/protocols/backup-format.md "Manifest.db"), opened read-only.
 * Rows stream in rowid batches, so memory stays flat for any number of rows and the connection is free between
 * batches (`get` may be called while a `files()` loop is running).
 */
export class ManifestDb {
  private constructor(
    readonly path: string,
    private readonly db: Database.Database,
    /** Private folder holding a copy of a WAL-mode database, removed at close. */
    private readonly scratchDir?: string,
  ) {}

  /**
   * Opens read-only without changing anything next to the file. SQLite opens a WAL-mode database (header bytes
   * 18–19 = 2, as in device-made Manifest.db files) only with `-shm`/`-wal` files beside it and creates them even on
   * a read-only connection when it can (as root, even in a read-only folder): such a file is copied, with its -wal,
   * into an owner-only temp folder and the copy is opened. Throws BACKUP_CORRUPT_MANIFEST when the file is not
   * SQLite or has no usable `Files` table.
   */
  static async open(path: string): Promise<ManifestDb> {
    let scratchDir: string | undefined;
    let openPath = path;
    if (isWalMode(path)) {
      scratchDir = await mkdtemp(join(tmpdir(), 'iosrescue-manifest-'));
      openPath = join(scratchDir, 'Manifest.db');
      try {
        await copyOut(path, openPath, 'Manifest.db');
        if (inspectRegularFile(`${path}-wal`, { label: 'Manifest.db-wal' }) !== undefined)
          await copyOut(`${path}-wal`, `${openPath}-wal`, 'Manifest.db-wal');
      } catch (error) {
        rmSync(scratchDir, { recursive: true, force: true });
        throw corrupt(path, error);
      }
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(openPath, { readonly: true, fileMustExist: true });
      db.prepare('SELECT fileID, domain, relativePath, flags, file FROM Files LIMIT 0').all();
      return new ManifestDb(path, db, scratchDir);
    } catch (error) {
      db?.close();
      if (scratchDir !== undefined) rmSync(scratchDir, { recursive: true, force: true });
      throw corrupt(path, error);
    }
  }

  /** Rows in storage order, filtered by exact domain (in SQL) and a path glob. */
  async *files(filter: FileFilter = {}): AsyncGenerator<BackupFileEntry> {
    const matches = makeMatcher(filter);
    const byDomain = filter.domain !== undefined;
    let statement: Database.Statement;
    try {
      statement = this.db.prepare(
        `SELECT rowid, fileID, domain, relativePath, flags, file FROM Files WHERE rowid > ? ${byDomain ? 'AND domain = ?' : ''} ORDER BY rowid LIMIT ${BATCH}`,
      );
    } catch (error) {
      throw corrupt(this.path, error);
    }
    let after = -Infinity;
    for (;;) {
      let rows: FileRow[];
      try {
        rows = (byDomain ? statement.all(after, filter.domain) : statement.all(after)) as FileRow[];
      } catch (error) {
        throw corrupt(this.path, error);
      }
      for (const row of rows) {
        if (matches({ domain: String(row.domain ?? ''), relativePath: String(row.relativePath ?? '') }))
          yield entryFromRow(row);
      }
      if (rows.length < BATCH) return;
      after = rows[rows.length - 1]!.rowid;
    }
  }

  /** Prepared once: extractors look up one entry per photo or attachment, tens of thousands of times. */
  private getStatement: Database.Statement | undefined;

  get(domain: string, relativePath: string): BackupFileEntry | undefined {
    try {
      this.getStatement ??= this.db.prepare(
        'SELECT fileID, domain, relativePath, flags, file FROM Files WHERE domain = ? AND relativePath = ? LIMIT 1',
      );
      const row = this.getStatement.get(domain, relativePath) as FileRow | undefined;
      return row === undefined ? undefined : entryFromRow(row);
    } catch (error) {
      throw corrupt(this.path, error);
    }
  }

  /** Row counts per flags value, straight from SQL (a cheap summary for listings). */
  countByFlags(): Map<number, number> {
    try {
      const rows = this.db.prepare('SELECT flags, count(*) AS n FROM Files GROUP BY flags').all() as Array<{
        flags: number;
        n: number;
      }>;
      return new Map(rows.map((r) => [Number(r.flags), r.n]));
    } catch (error) {
      throw corrupt(this.path, error);
    }
  }

  close(): void {
    this.db.close();
    if (this.scratchDir !== undefined) rmSync(this.scratchDir, { recursive: true, force: true });
  }
}
