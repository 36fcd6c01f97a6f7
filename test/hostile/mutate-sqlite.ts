import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { MutationContext } from './mutate.js';

const WAL_MAGIC = [0x377f0682, 0x377f0683];

function pageSizeOf(bytes: Buffer): number {
  if (bytes.length < 18) return 4096;
  const raw = bytes.readUInt16BE(16);
  return raw === 1 ? 65536 : raw >= 512 && (raw & (raw - 1)) === 0 ? raw : 4096;
}

/** Offset of a page's b-tree header (page 1's follows the 100-byte database header). */
function btreeHeader(page: number, pageSize: number): number {
  return (page - 1) * pageSize + (page === 1 ? 100 : 0);
}

/**
 * Page-level damage to a SQLite database (or its -wal): the kinds of damage a half-written or tampered file shows,
 * aimed at what SQLite and the carver walk (headers, cell pointers, freeblock and freelist chains).
 */
export function corruptSqlite(context: MutationContext, input: Buffer): { bytes: Buffer; what: string } {
  if (input.length >= 4 && WAL_MAGIC.includes(input.readUInt32BE(0))) return corruptWal(context, input);
  const bytes = Buffer.from(input);
  const pageSize = pageSizeOf(bytes);
  const pages = Math.max(1, Math.floor(bytes.length / pageSize));
  const page = context.int(1, pages);
  const start = (page - 1) * pageSize;
  const end = Math.min(bytes.length, start + pageSize);
  if (bytes.length < 100) return { bytes, what: 'too short to damage by page' };
  const header = btreeHeader(page, pageSize);
  switch (context.int(0, 8)) {
    case 0: {
      const flips = context.int(1, 32);
      for (let i = 0; i < flips; i++) bytes[context.int(start, end - 1)]! ^= 1 << context.int(0, 7);
      return { bytes, what: `${flips} bit flips in page ${page} of ${pages}` };
    }
    case 1: {
      const value = context.random.pick([0x00, 0xff]);
      bytes.fill(value, start, end);
      return { bytes, what: `page ${page} of ${pages} filled with 0x${value.toString(16)}` };
    }
    case 2: {
      const length = context.random.chance(0.5) ? start : context.int(start, end - 1);
      return {
        bytes: bytes.subarray(0, length),
        what: `truncated to ${length} bytes (page size ${pageSize}, ${pages} pages)`,
      };
    }
    case 3: {
      const [offset, width, name] = context.random.pick([
        [16, 2, 'page size'],
        [18, 1, 'write version'],
        [19, 1, 'read version'],
        [20, 1, 'reserved bytes'],
        [28, 4, 'page count'],
        [32, 4, 'first freelist trunk'],
        [36, 4, 'freelist count'],
        [40, 4, 'schema cookie'],
        [44, 4, 'schema format'],
        [52, 4, 'largest root page'],
        [56, 4, 'text encoding'],
      ] as const);
      const value =
        context.random.pick([0, 1, 2, 3, 4, 255, 65535, pages, pages + 1, 0x7fffffff, 0xffffffff]) % 2 ** (8 * width);
      bytes.writeUIntBE(value, offset, width);
      return { bytes, what: `database header ${name} = ${value}` };
    }
    case 4: {
      const [offset, width, name] = context.random.pick([
        [0, 1, 'page type'],
        [1, 2, 'first freeblock'],
        [3, 2, 'cell count'],
        [5, 2, 'cell content start'],
        [7, 1, 'fragmented bytes'],
        [8, 4, 'right child'],
      ] as const);
      const value =
        context.random.pick([0, 1, 2, 5, 10, 13, 100, pageSize - 4, pageSize, 0xffff, pages + 5, 0xffffffff]) %
        2 ** (8 * width);
      if (header + 12 > bytes.length) return { bytes, what: `page ${page}: no room for a b-tree header` };
      bytes.writeUIntBE(value, header + offset, width);
      return { bytes, what: `page ${page} b-tree header ${name} = ${value}` };
    }
    case 5: {
      const pointer = header + 8 + context.int(0, 8) * 2 + (bytes[header] === 2 || bytes[header] === 5 ? 4 : 0);
      if (pointer + 2 > end) return { bytes, what: `page ${page}: no cell pointer to damage` };
      const value = context.random.pick([0, 1, 8, pageSize - 1, pageSize, 0xffff, context.int(0, pageSize)]);
      bytes.writeUInt16BE(value, pointer);
      return { bytes, what: `page ${page} cell pointer at ${pointer - start} = ${value}` };
    }
    case 6: {
      // A freeblock that names itself as the next one: a chain that never ends.
      const at = context.int(Math.min(end - 4, header + 12), end - 4) - start;
      if (header + 3 > bytes.length || at < 0) return { bytes, what: `page ${page}: too small for a freeblock` };
      bytes.writeUInt16BE(at, header + 1);
      bytes.writeUInt16BE(context.random.chance(0.5) ? at : 0, start + at);
      bytes.writeUInt16BE(context.random.pick([0, 3, 4, 64, 0xffff]), start + at + 2);
      return { bytes, what: `page ${page}: first freeblock at ${at}, pointing at itself or with an odd size` };
    }
    case 7: {
      // A freelist trunk page that lists itself as the next trunk, and claims many leaves.
      bytes.writeUInt32BE(page, 32);
      bytes.writeUInt32BE(context.random.pick([1, 1000, 0x7fffffff]), 36);
      if (page > 1) {
        bytes.writeUInt32BE(context.random.chance(0.5) ? page : 1, start);
        bytes.writeUInt32BE(context.random.pick([0, (pageSize - 8) / 4, 0xffffffff]), start + 4);
        bytes.writeUInt32BE(page, start + 8);
      }
      return { bytes, what: `freelist trunk = page ${page}, a cycle with huge counts` };
    }
    default: {
      const extra = context.bytes(context.int(1, pageSize));
      return {
        bytes: Buffer.concat([bytes, extra]),
        what: `${extra.length} random bytes appended after ${pages} pages`,
      };
    }
  }
}

function corruptWal(context: MutationContext, input: Buffer): { bytes: Buffer; what: string } {
  const bytes = Buffer.from(input);
  const pageSize = bytes.length >= 12 ? bytes.readUInt32BE(8) : 4096;
  const frameSize = 24 + (pageSize >= 512 && pageSize <= 65536 ? pageSize : 4096);
  const frames = Math.max(0, Math.floor((bytes.length - 32) / frameSize));
  const frame = context.int(0, Math.max(0, frames - 1));
  const frameStart = 32 + frame * frameSize;
  switch (context.int(0, 3)) {
    case 0: {
      const [offset, name] = context.random.pick([
        [4, 'format version'],
        [8, 'page size'],
        [12, 'checkpoint sequence'],
        [16, 'salt 1'],
      ] as const);
      const value = context.random.pick([0, 1, 511, 512, 65536, 131072, 0xffffffff]);
      bytes.writeUInt32BE(value, offset);
      return { bytes, what: `WAL header ${name} = ${value}` };
    }
    case 1: {
      if (frameStart + 8 > bytes.length) return { bytes, what: 'WAL without frames' };
      const [offset, name] = context.random.pick([
        [0, 'page number'],
        [4, 'database size'],
      ] as const);
      const value = context.random.pick([0, 1, 2, 1000, 0x7fffffff, 0xffffffff]);
      bytes.writeUInt32BE(value, frameStart + offset);
      return { bytes, what: `WAL frame ${frame} ${name} = ${value}` };
    }
    case 2: {
      const length = context.int(0, bytes.length - 1);
      return {
        bytes: bytes.subarray(0, length),
        what: `WAL truncated to ${length} bytes (${frames} frames of ${frameSize})`,
      };
    }
    default: {
      const flips = context.int(1, 32);
      const from = Math.min(frameStart, bytes.length - 1);
      const to = Math.min(bytes.length - 1, frameStart + frameSize - 1);
      for (let i = 0; i < flips; i++) bytes[context.int(from, to)]! ^= 1 << context.int(0, 7);
      return { bytes, what: `${flips} bit flips in WAL frame ${frame}` };
    }
  }
}

/** Values a damaged or hostile database may hold in any column (SQLite columns take any type). */
function oddValue(context: MutationContext): { value: unknown; shown: string } {
  return context.random.pick<() => { value: unknown; shown: string }>([
    () => ({ value: null, shown: 'NULL' }),
    () => ({ value: '', shown: "''" }),
    () => ({ value: 'not a number', shown: "'not a number'" }),
    () => ({ value: -1, shown: '-1' }),
    () => ({ value: 0, shown: '0' }),
    () => ({ value: 1e300, shown: '1e300' }),
    () => ({ value: -1e300, shown: '-1e300' }),
    () => ({ value: 0.5, shown: '0.5' }),
    () => ({ value: 2n ** 63n - 1n, shown: 'INT64_MAX' }),
    () => ({ value: -(2n ** 63n), shown: 'INT64_MIN' }),
    () => ({ value: 2 ** 53 + 2, shown: '2^53+2' }),
    () => ({ value: context.bytes(context.int(0, 40)), shown: 'random blob' }),
    () => ({ value: 'w'.repeat(context.int(10_000, 200_000)), shown: 'a long string' }),
    () => ({ value: '../../../../escaped-by-fuzz', shown: "'../../../../escaped-by-fuzz'" }),
    () => ({ value: '/etc/passwd', shown: "'/etc/passwd'" }),
    () => ({ value: '<script>alert(1)</script>', shown: 'an HTML tag' }),
    () => ({ value: 'é\u0000\u202e\ud800', shown: 'NUL, RTL override, lone surrogate' }),
  ])();
}

/**
 * Edits a database through SQLite: odd values in a column (a date that is text, a path with `..`, a blob where text
 * was), or a schema edit (a renamed table or column, a dropped table). Returns the new file.
 */
export function editSqliteValues(context: MutationContext, input: Buffer): { bytes: Buffer; what: string } {
  const path = join(context.scratch, `edit-${context.int(0, 1e9)}.sqlite`);
  writeFileSync(path, input);
  let what: string;
  const db = new Database(path);
  try {
    db.defaultSafeIntegers(true);
    const tables = (
      db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as Array<{
        name: string;
      }>
    ).map((t) => t.name);
    const withRows = tables.filter(
      (t) => (db.prepare(`SELECT count(*) AS n FROM "${t}"`).get() as { n: bigint }).n > 0n,
    );
    const table = context.random.pick(withRows.length > 0 ? withRows : tables);
    const columns = (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map(
      (c) => c.name,
    );
    const column = context.random.pick(columns);
    try {
      what = editOnce(context, db, table, column);
    } catch (error) {
      what = `edit of ${table}.${column} refused by SQLite (${(error as Error).message}); unchanged`;
    }
  } finally {
    db.close();
  }
  const bytes = readFileSync(path);
  rmSync(path, { force: true });
  return { bytes, what };
}

function editOnce(context: MutationContext, db: Database.Database, table: string, column: string): string {
  const kind = context.int(0, 9);
  if (kind === 0) {
    db.exec(`ALTER TABLE "${table}" RENAME TO "${table}_fuzz"`);
    return `table ${table} renamed`;
  }
  if (kind === 1) {
    db.exec(`ALTER TABLE "${table}" RENAME COLUMN "${column}" TO "${column}_fuzz"`);
    return `column ${table}.${column} renamed`;
  }
  if (kind === 2) {
    db.exec(`DROP TABLE "${table}"`);
    return `table ${table} dropped`;
  }
  // Triggers of the phone's schema may call functions only iOS has: they are not what is being tested.
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{
    name: string;
  }>)
    db.exec(`DROP TRIGGER "${name}"`);
  if (kind <= 5) {
    // Every column of the table at once, each its own odd value: one edit reaches every column an extractor reads.
    const edited: string[] = [];
    for (const name of (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map(
      (c) => c.name,
    )) {
      const { value, shown } = oddValue(context);
      try {
        db.prepare(`UPDATE "${table}" SET "${name}" = ?`).run(value as string);
        edited.push(`${name} = ${shown}`);
      } catch {
        // a NOT NULL, UNIQUE or primary-key column keeps its values
      }
    }
    return `${table}, every row: ${edited.join(', ')}`;
  }
  const { value, shown } = oddValue(context);
  if (context.random.chance(0.5)) {
    db.prepare(`UPDATE "${table}" SET "${column}" = ?`).run(value as string);
    return `${table}.${column} = ${shown} in every row`;
  }
  const rowids = (db.prepare(`SELECT rowid AS id FROM "${table}" ORDER BY rowid`).all() as Array<{ id: bigint }>).map(
    (r) => r.id,
  );
  const rowid = rowids.length === 0 ? -1n : context.random.pick(rowids);
  db.prepare(`UPDATE "${table}" SET "${column}" = ? WHERE rowid = ?`).run(value as string, rowid);
  return `${table}.${column} = ${shown} in row ${rowid}`;
}
