import Database from 'better-sqlite3';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Deterministic text, distinct per row, long enough that finding it by accident is impossible. */
export function bodyFor(n: number, seed = 1): string {
  let x = (n * 2654435761 + seed * 97) >>> 0;
  const words: string[] = [];
  for (let i = 0; i < 4 + (n % 5); i += 1) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    words.push(x.toString(36));
  }
  return `msg${seed}-${n} ${words.join(' ')}`;
}

export interface GeneratedDb {
  /** A copy taken while the writer was still open, with its -wal (WAL mode) or -journal (PERSIST mode). */
  path: string;
  deleted: Set<string>;
  live: Set<string>;
}

export interface GenerateOptions {
  pageSize: number;
  mode: 'wal' | 'delete' | 'persist';
  rows: number;
  /** Rows with n % deleteModulo === 0 are deleted; or an explicit predicate. */
  shouldDelete: (n: number) => boolean;
  churn?: number;
  secureDelete?: boolean;
  /** WAL mode: checkpoint the inserts into the main file before deleting. */
  checkpointBeforeDelete?: boolean;
}

/**
 * Builds a messages table with better-sqlite3 (real SQLite), deletes some rows, inserts churn, then copies the
 * files while the connection is still open: closing the last connection would checkpoint and remove the WAL.
 */
export function generateDatabase(options: GenerateOptions): GeneratedDb {
  const dir = mkdtempSync(join(tmpdir(), 'carve-test-'));
  const path = join(dir, 'work.db');
  const db = new Database(path);
  db.pragma(`page_size = ${options.pageSize}`);
  db.pragma(`journal_mode = ${options.mode === 'wal' ? 'WAL' : options.mode === 'persist' ? 'PERSIST' : 'DELETE'}`);
  db.pragma('wal_autocheckpoint = 0');
  db.pragma(`secure_delete = ${options.secureDelete ? 'ON' : 'OFF'}`);
  db.exec(
    'CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT, handle_id INTEGER, date INTEGER, is_read REAL)',
  );
  const insert = db.prepare('INSERT INTO message (text, handle_id, date, is_read) VALUES (?, ?, ?, ?)');
  const live = new Set<string>();
  const deleted = new Set<string>();
  db.transaction(() => {
    for (let n = 1; n <= options.rows; n += 1) {
      insert.run(bodyFor(n), n % 17, 700_000_000 + n * 13, n % 3 === 0 ? 1.5 : 0);
      live.add(bodyFor(n));
    }
  })();
  if (options.mode === 'wal' && options.checkpointBeforeDelete) db.pragma('wal_checkpoint(TRUNCATE)');
  const remove = db.prepare('DELETE FROM message WHERE text = ?');
  db.transaction(() => {
    for (let n = 1; n <= options.rows; n += 1) {
      if (!options.shouldDelete(n)) continue;
      remove.run(bodyFor(n));
      live.delete(bodyFor(n));
      deleted.add(bodyFor(n));
    }
  })();
  if (options.churn) {
    db.transaction(() => {
      for (let n = 1; n <= options.churn!; n += 1) {
        insert.run(bodyFor(n, 2), n, 800_000_000 + n, 2.25);
        live.add(bodyFor(n, 2));
      }
    })();
  }
  const copy = join(dir, 'evidence.db');
  copyFileSync(path, copy);
  for (const suffix of ['-wal', '-journal']) if (existsSync(path + suffix)) copyFileSync(path + suffix, copy + suffix);
  db.close();
  return { path: copy, deleted, live };
}

/** Deleted rows whose text is still somewhere in the evidence files' bytes. */
export function physicallyPresent(generated: GeneratedDb): Set<string> {
  const bytes = Buffer.concat(
    ['', '-wal', '-journal'].filter((s) => existsSync(generated.path + s)).map((s) => readFileSync(generated.path + s)),
  );
  return new Set([...generated.deleted].filter((text) => bytes.includes(Buffer.from(text))));
}
