import { copyFileSync, existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { carveDatabase, type CarvedRecord } from '../../../src/carve/index.js';
import { carvedRecordToJson } from '../../../src/operations/index.js';

async function carveAll(path: string): Promise<CarvedRecord[]> {
  const records: CarvedRecord[] = [];
  for await (const record of carveDatabase(path)) records.push(record);
  return records;
}

/** Runs `build` on a fresh database, then copies the files while the connection is open (closing would checkpoint the
 * WAL). */
function evidence(mode: 'DELETE' | 'WAL', build: (db: Database.Database) => void): string {
  const dir = mkdtempSync(join(tmpdir(), 'carve-dropped-'));
  const path = join(dir, 'work.db');
  const db = new Database(path);
  db.pragma('page_size = 1024');
  db.pragma(`journal_mode = ${mode}`);
  db.pragma('wal_autocheckpoint = 0');
  db.pragma('secure_delete = OFF');
  build(db);
  const copy = join(dir, 'evidence.db');
  copyFileSync(path, copy);
  if (existsSync(`${path}-wal`)) copyFileSync(`${path}-wal`, `${copy}-wal`);
  db.close();
  return copy;
}

const titleOf = (n: number): string => `note title ${n} ${'x'.repeat(n % 13)}`;
const nameOf = (n: number): string => `contact ${n}`;

describe('carving the rows of a dropped table', () => {
  for (const mode of ['DELETE', 'WAL'] as const) {
    it(`attributes the rows of a dropped table to it, from its deleted sqlite_master row (${mode} journal)`, async () => {
      const path = evidence(mode, (db) => {
        db.exec('CREATE TABLE contact (id INTEGER PRIMARY KEY, name TEXT NOT NULL, phone TEXT)');
        db.exec('CREATE TABLE note (id INTEGER PRIMARY KEY, title TEXT NOT NULL, body TEXT, created INTEGER)');
        const addContact = db.prepare('INSERT INTO contact (name, phone) VALUES (?, ?)');
        const addNote = db.prepare('INSERT INTO note (title, body, created) VALUES (?, ?, ?)');
        db.transaction(() => {
          for (let n = 1; n <= 30; n += 1) addContact.run(nameOf(n), `+49 30 ${1000 + n}`);
          // Several pages of 1024 bytes: freed, the root page loses its header, the other leaves keep theirs.
          for (let n = 1; n <= 60; n += 1) addNote.run(titleOf(n), `body of note ${n}`, 1_700_000_000 + n);
        })();
        db.exec('DELETE FROM contact WHERE id % 10 = 0');
        db.exec('DROP TABLE note');
      });
      const records = await carveAll(path);

      const notes = records.filter((r) => r.table === 'note');
      const titles = new Set(notes.map((r) => r.values[1]));
      const missing = Array.from({ length: 60 }, (_, i) => titleOf(i + 1)).filter((t) => !titles.has(t));
      // Without a WAL, the first freed leaf becomes the freelist trunk: a sqlite_master rebuild over its old,
      // zero-filled cell pointer space (all of sqlite_master's columns may be NULL) can swallow the cell after it.
      expect(missing.length).toBeLessThanOrEqual(mode === 'WAL' ? 0 : 1);
      for (const note of notes) {
        expect(note.tableDropped).toBe(true);
        expect(note.columns).toEqual(['id', 'title', 'body', 'created']);
      }
      const recovered = notes.find((r) => r.values[1] === titleOf(7))!;
      expect(recovered.values).toEqual([7, titleOf(7), 'body of note 7', 1_700_000_007]);
      // `iosrescue carve --json` says so too.
      expect(carvedRecordToJson(recovered)).toMatchObject({
        table: 'note',
        tableDropped: true,
        values: [7, titleOf(7), 'body of note 7', 1_700_000_007],
      });

      // The live table keeps its deleted rows, and no live row comes back.
      const contacts = records.filter((r) => r.table === 'contact');
      expect(contacts.every((r) => r.tableDropped === undefined)).toBe(true);
      const names = contacts.map((r) => r.values[1]);
      for (const n of [10, 20, 30]) expect(names).toContain(nameOf(n));
      expect(names.filter((name) => typeof name === 'string' && ![10, 20, 30].map(nameOf).includes(name))).toEqual([]);
    });
  }

  it('takes no renamed or rebuilt table for a dropped one', async () => {
    const path = evidence('DELETE', (db) => {
      db.exec('CREATE TABLE item (id INTEGER PRIMARY KEY, label TEXT NOT NULL, price REAL)');
      db.exec('CREATE TABLE old_tag (id INTEGER PRIMARY KEY, word TEXT NOT NULL)');
      const add = db.prepare('INSERT INTO item (label, price) VALUES (?, ?)');
      for (let n = 1; n <= 40; n += 1) add.run(`item ${n}`, n * 1.25);
      db.exec("INSERT INTO old_tag (word) VALUES ('red'), ('green')");
      db.exec('ALTER TABLE old_tag RENAME TO tag');
      // The usual migration: build the new shape, copy, drop the old table, give the new one its name.
      db.exec('CREATE TABLE item_new (id INTEGER PRIMARY KEY, label TEXT NOT NULL, price REAL, stock INTEGER)');
      db.exec('INSERT INTO item_new (id, label, price, stock) SELECT id, label, price, 0 FROM item');
      db.exec('DROP TABLE item');
      db.exec('ALTER TABLE item_new RENAME TO item');
      db.exec('DELETE FROM item WHERE id = 5');
    });
    const records = await carveAll(path);
    expect(records.filter((r) => r.tableDropped)).toEqual([]);
  });
});
