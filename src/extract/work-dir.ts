import { createWriteStream, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import type { BackupReader } from '../backup/index.js';
import { ExtractError } from './errors.js';

const SQLITE_SIDECARS = ['-wal', '-shm'] as const;

/** Decrypted copies of personal databases must not outlive the process, even when close() was never reached. */
const liveWorkDirs = new Set<string>();
process.once('exit', () => {
  for (const dir of liveWorkDirs) rmSync(dir, { recursive: true, force: true });
});

/** A database copied out of a backup and opened from the copy. */
export interface OpenedDatabase {
  db: Database.Database;
  /** Path of the private copy (its -wal sits beside it when the backup had one). */
  path: string;
  /** Bytes of the database and its sidecars as stored in the backup. */
  bytes: number;
}

/**
 * An owner-only (0700, mkdtemp's mode) scratch folder for one extraction. Databases are never opened inside the
 * backup: SQLite writes -shm/-wal next to a WAL database even when opened read-only, and an encrypted backup's
 * files must be decrypted first anyway. Each database is copied with its -wal and -shm, so the newest changes that
 * iOS had not yet checkpointed are applied when the copy opens.
 */
export class WorkDir {
  private counter = 0;
  private readonly opened: Database.Database[] = [];

  private constructor(readonly path: string) {}

  static async create(parent?: string): Promise<WorkDir> {
    const path = await mkdtemp(join(parent ?? tmpdir(), 'iosrescue-extract-'));
    liveWorkDirs.add(path);
    return new WorkDir(path);
  }

  /** Copies domain/relativePath (and its sidecars) out of the backup; undefined when the backup does not hold it. */
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
    await pipeline(await reader.openFile(entry), createWriteStream(path, { mode: 0o600, flags: 'wx' }));
    return { path, bytes: entry.metadata?.size ?? 0 };
  }

  async openDatabase(reader: BackupReader, domain: string, relativePath: string): Promise<OpenedDatabase | undefined> {
    const main = await this.copyFile(reader, domain, relativePath);
    if (main === undefined) return undefined;
    let bytes = main.bytes;
    for (const suffix of SQLITE_SIDECARS) {
      const entry = reader.get(domain, `${relativePath}${suffix}`);
      if (entry === undefined || entry.kind !== 'file') continue;
      await pipeline(
        await reader.openFile(entry),
        createWriteStream(`${main.path}${suffix}`, { mode: 0o600, flags: 'wx' }),
      );
      bytes += entry.metadata?.size ?? 0;
    }
    let db: Database.Database | undefined;
    try {
      db = new Database(main.path, { fileMustExist: true });
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
    return { db, path: main.path, bytes };
  }

  async close(): Promise<void> {
    for (const db of this.opened.splice(0)) if (db.open) db.close();
    await rm(this.path, { recursive: true, force: true });
    liveWorkDirs.delete(this.path);
  }
}
