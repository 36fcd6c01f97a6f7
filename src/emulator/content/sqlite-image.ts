import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';

/** The bytes of a generated database: the main file and, when the last changes were left uncheckpointed, its WAL. */
export interface SqliteImage {
  main: Buffer;
  wal?: Buffer;
}

export interface SqliteImageSteps {
  schema: string;
  /** Every row ever written, live and doomed alike, so deleted cells sit between live ones as on a phone. */
  fill(db: Database.Database): void;
  /** Deletes the doomed rows. With secure_delete off their bytes stay in freeblocks and freelist pages. */
  remove?(db: Database.Database): void;
  /** Changes left in the WAL, as a phone leaves its most recent writes until the next checkpoint. */
  tail?(db: Database.Database): void;
  /** 'delete' for databases iOS keeps in rollback-journal mode (voicemail.db); WAL otherwise. */
  journalMode?: 'wal' | 'delete';
}

/**
 * Builds a database the way iOS leaves one: WAL journal mode (file header bytes 18–19 = 2), secure_delete off,
 * no auto-vacuum, deletions checkpointed into the main file, and optionally a tail of changes still in the -wal.
 * The files are read while the connection is open, because closing the last connection checkpoints and deletes
 * the WAL.
 */
export function buildSqliteImage(steps: SqliteImageSteps): SqliteImage {
  const dir = mkdtempSync(join(tmpdir(), 'iosrescue-content-'));
  const path = join(dir, 'db.sqlite');
  const db = new Database(path);
  try {
    db.pragma('auto_vacuum = NONE');
    db.pragma(`journal_mode = ${steps.journalMode === 'delete' ? 'DELETE' : 'WAL'}`);
    db.pragma('secure_delete = OFF');
    db.exec(steps.schema);
    db.transaction(() => steps.fill(db))();
    db.pragma('wal_checkpoint(TRUNCATE)');
    if (steps.remove) {
      db.transaction(() => steps.remove!(db))();
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    let wal: Buffer | undefined;
    if (steps.tail) {
      db.pragma('wal_autocheckpoint = 0');
      db.transaction(() => steps.tail!(db))();
      if (statSync(`${path}-wal`).size > 0) wal = withFixedSalts(readFileSync(`${path}-wal`));
    }
    return { main: readFileSync(path), wal };
  } finally {
    db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Checksum of SQLite's WAL format: pairs of 32-bit words, in the byte order the magic number names. */
function walChecksum(data: Buffer, bigEndian: boolean, seed: [number, number]): [number, number] {
  let [s0, s1] = seed;
  for (let i = 0; i < data.length; i += 8) {
    const x0 = bigEndian ? data.readUInt32BE(i) : data.readUInt32LE(i);
    const x1 = bigEndian ? data.readUInt32BE(i + 4) : data.readUInt32LE(i + 4);
    s0 = (s0 + x0 + s1) >>> 0;
    s1 = (s1 + x1 + s0) >>> 0;
  }
  return [s0, s1];
}

const FIXED_SALTS = [0x10c0ffee, 0x5eed5a17] as const;

/**
 * SQLite picks the two WAL salts at random (sqlite.org/fileformat2.html §4.1), which would make every generated
 * backup differ. The salts are replaced by constants and the header and frame checksums (cumulative over the
 * header and every frame) recomputed, so the same seed gives the same bytes and SQLite still accepts every frame.
 */
function withFixedSalts(wal: Buffer): Buffer {
  const out = Buffer.from(wal);
  const bigEndian = out.readUInt32BE(0) === 0x377f0683;
  const pageSize = out.readUInt32BE(8);
  out.writeUInt32BE(FIXED_SALTS[0], 16);
  out.writeUInt32BE(FIXED_SALTS[1], 20);
  let sum = walChecksum(out.subarray(0, 24), bigEndian, [0, 0]);
  out.writeUInt32BE(sum[0], 24);
  out.writeUInt32BE(sum[1], 28);
  for (let at = 32; at + 24 + pageSize <= out.length; at += 24 + pageSize) {
    out.writeUInt32BE(FIXED_SALTS[0], at + 8);
    out.writeUInt32BE(FIXED_SALTS[1], at + 12);
    sum = walChecksum(out.subarray(at, at + 8), bigEndian, sum);
    sum = walChecksum(out.subarray(at + 24, at + 24 + pageSize), bigEndian, sum);
    out.writeUInt32BE(sum[0], at + 16);
    out.writeUInt32BE(sum[1], at + 20);
  }
  return out;
}
