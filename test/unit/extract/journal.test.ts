import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup } from '../../../src/backup/index.js';
import { carveDatabase } from '../../../src/carve/index.js';
import { runExtraction, WorkDir, type CallRecord } from '../../../src/extract/index.js';
import { withTempDir } from '../../helpers/backup-fixtures.js';

const CALLS = { domain: 'HomeDomain', relativePath: 'Library/CallHistoryDB/CallHistory.storedata' };
/** 2001-01-01 in Unix seconds: CallHistory.storedata's ZDATE counts from there. */
const APPLE_EPOCH = 978_307_200;

const SCHEMA = `
CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER,
  ZCALLTYPE INTEGER, ZORIGINATED INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS BLOB, ZNAME VARCHAR,
  ZSERVICE_PROVIDER VARCHAR, ZISO_COUNTRY_CODE VARCHAR, ZUNIQUE_ID VARCHAR);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);`;

interface Call {
  pk: number;
  uniqueId: string;
  address: string;
  date: Date;
}

const calls: Call[] = Array.from({ length: 8 }, (_, i) => ({
  pk: i + 1,
  uniqueId: `5C1A1D0E-0000-4000-8000-00000000000${i}`,
  address: `+4420794600${String(i).padStart(2, '0')}`,
  date: new Date(Date.UTC(2019, 4, 1 + i, 9, 30)),
}));

function insertCalls(db: Database.Database, rows: Call[]): void {
  const insert = db.prepare(
    `INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZANSWERED, ZCALLTYPE, ZORIGINATED, ZDATE, ZDURATION, ZADDRESS, ZNAME,
       ZSERVICE_PROVIDER, ZISO_COUNTRY_CODE, ZUNIQUE_ID) VALUES (?, 2, 1, 1, 1, 0, ?, 61.0, ?, NULL, 'com.apple.Telephony', 'gb', ?)`,
  );
  for (const c of rows) insert.run(c.pk, c.date.getTime() / 1000 - APPLE_EPOCH, c.address, c.uniqueId);
}

/** Writes a one-database backup holding `files` (the database and its sidecars) under CALLS' path. */
async function backupOf(dir: string, files: Record<string, Buffer>): Promise<string> {
  const backup = join(dir, 'backup');
  await writeSyntheticBackup(backup, {
    items: Object.entries(files).map(([suffix, data]) => ({
      domain: CALLS.domain,
      relativePath: `${CALLS.relativePath}${suffix}`,
      data,
    })),
  });
  return backup;
}

async function carvedIds(path: string, journalPath: string | null): Promise<string[]> {
  const ids: string[] = [];
  for await (const record of carveDatabase(path, { table: 'ZCALLRECORD', journalPath, walPath: null })) {
    const at = record.columns?.indexOf('ZUNIQUE_ID') ?? -1;
    const value = at >= 0 ? record.values[at] : undefined;
    if (typeof value === 'string') ids.push(value);
  }
  return ids;
}

describe('rollback journals during extraction', () => {
  it('extracts as recovered the calls whose rows survive only in the -journal (PERSIST mode, secure_delete)', async () => {
    await withTempDir('iosrescue-journal-', async (dir) => {
      const dbPath = join(dir, 'CallHistory.storedata');
      const db = new Database(dbPath);
      db.pragma('journal_mode = PERSIST');
      // secure_delete zeroes a deleted row's bytes in the database file: only the journal's page images keep them.
      db.pragma('secure_delete = ON');
      db.exec(SCHEMA);
      db.exec("INSERT INTO Z_PRIMARYKEY VALUES (2, 'CallRecord', 0, 8)");
      insertCalls(db, calls);
      const deleted = calls.filter((c) => c.pk % 3 === 0);
      db.prepare(`DELETE FROM ZCALLRECORD WHERE Z_PK IN (${deleted.map((c) => c.pk).join(',')})`).run();
      db.close();
      const journal = await readFile(`${dbPath}-journal`);
      // Preconditions that make this test mean something: the rows are gone from the database file itself, and the
      // committed journal's header is zeroed (not hot), so only a carver that is handed the journal can find them.
      expect(await carvedIds(dbPath, null)).toEqual([]);
      expect(journal.subarray(0, 8).equals(Buffer.alloc(8))).toBe(true);

      const backup = await backupOf(dir, { '': await readFile(dbPath), '-journal': journal });
      const reader = await BackupReader.open(backup);
      try {
        const out = join(dir, 'out');
        const report = await runExtraction(reader, { out, types: ['calls'], tempDir: dir });
        expect(report.types[0]).toMatchObject({ type: 'calls', status: 'ok', records: calls.length, warnings: [] });
        const records = JSON.parse(await readFile(join(out, 'calls/calls.json'), 'utf8')) as CallRecord[];
        const live = calls.filter((c) => !deleted.includes(c));
        expect(records.filter((r) => r.origin === 'live').map((r) => r.uniqueId)).toEqual(live.map((c) => c.uniqueId));
        const recovered = records.filter((r) => r.origin === 'recovered');
        expect(recovered.map((r) => ({ uniqueId: r.uniqueId, address: r.address, date: r.date })).sort(byId)).toEqual(
          deleted.map((c) => ({ uniqueId: c.uniqueId, address: c.address, date: c.date.toISOString() })),
        );
      } finally {
        await reader.close();
      }
    });
  });

  it('a hot journal: SQLite shows the last committed rows, the carver still reads the file and journal as stored', async () => {
    await withTempDir('iosrescue-hot-journal-', async (dir) => {
      const dbPath = join(dir, 'CallHistory.storedata');
      const db = new Database(dbPath);
      db.pragma('journal_mode = DELETE');
      db.exec(SCHEMA);
      insertCalls(db, calls.slice(0, 3));
      // A transaction larger than the page cache spills into the database file before it commits: the moment a
      // phone's backup may copy the file and its (hot) journal. The calls' page, changed first, is spilled first.
      db.pragma('cache_size = 10');
      db.exec('BEGIN');
      db.exec("UPDATE ZCALLRECORD SET ZADDRESS = 'uncommitted'");
      const spill = db.prepare('INSERT INTO Z_PRIMARYKEY (Z_ENT, Z_NAME) VALUES (?, ?)');
      for (let i = 100; i < 400; i++) spill.run(i, 'x'.repeat(400));
      const stored = { '': await readFile(dbPath), '-journal': await readFile(`${dbPath}-journal`) };
      db.exec('ROLLBACK');
      db.close();
      expect(stored['-journal'].subarray(0, 8).toString('hex')).toBe('d9d505f920a163d7');

      const backup = await backupOf(dir, stored);
      const reader = await BackupReader.open(backup);
      const work = await WorkDir.create(dir);
      try {
        const opened = (await work.openDatabase(reader, CALLS.domain, CALLS.relativePath))!;
        expect(opened.rolledBack).toBe(true);
        const addresses = (sql: Database.Database) =>
          (sql.prepare('SELECT ZADDRESS AS a FROM ZCALLRECORD ORDER BY Z_PK').all() as Array<{ a: string }>).map(
            (r) => r.a,
          );
        expect(addresses(opened.db)).toEqual(calls.slice(0, 3).map((c) => c.address));
        // Without the rollback the file as stored shows the unfinished transaction's values (the spill happened).
        const unrolled = new Database(stored[''], { readonly: true });
        expect(addresses(unrolled)).toEqual(['uncommitted', 'uncommitted', 'uncommitted']);
        unrolled.close();
        // What the carver reads is what the backup held, byte for byte: the rollback happened on SQLite's own copy.
        expect((await readFile(opened.path)).equals(stored[''])).toBe(true);
        expect((await readFile(`${opened.path}-journal`)).equals(stored['-journal'])).toBe(true);
        // An extraction says so, and shows the committed calls.
        const out = join(dir, 'out');
        const report = await runExtraction(reader, { out, types: ['calls'], tempDir: dir });
        expect(report.types[0]!.warnings).toEqual([expect.stringMatching(/caught a transaction half-written/)]);
        const records = JSON.parse(await readFile(join(out, 'calls/calls.json'), 'utf8')) as CallRecord[];
        expect(records.filter((r) => r.origin === 'live').map((r) => r.address)).toEqual(
          calls.slice(0, 3).map((c) => c.address),
        );
      } finally {
        await work.close();
        await reader.close();
      }
    });
  });

  it('a database without a journal is opened read-only on the very file the carver reads', async () => {
    await withTempDir('iosrescue-no-journal-', async (dir) => {
      const dbPath = join(dir, 'CallHistory.storedata');
      const db = new Database(dbPath);
      db.exec(SCHEMA);
      insertCalls(db, calls);
      db.close();
      const bytes = await readFile(dbPath);
      const reader = await BackupReader.open(await backupOf(dir, { '': bytes }));
      const work = await WorkDir.create(dir);
      try {
        const opened = (await work.openDatabase(reader, CALLS.domain, CALLS.relativePath))!;
        expect(opened.rolledBack).toBe(false);
        expect(opened.db.readonly).toBe(true);
        expect(() => opened.db.exec('DELETE FROM ZCALLRECORD')).toThrow(/readonly/);
        expect((await readFile(opened.path)).equals(bytes)).toBe(true);
      } finally {
        await work.close();
        await reader.close();
      }
    });
  });
});

function byId(a: { uniqueId: string | null }, b: { uniqueId: string | null }): number {
  return (a.uniqueId ?? '').localeCompare(b.uniqueId ?? '');
}
