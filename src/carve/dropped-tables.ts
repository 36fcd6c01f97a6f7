import { SQLITE_MASTER, type LiveState } from './live-rows.js';
import { carvePageVersion } from './page-carver.js';
import { assemblePayload, type PageLookup } from './payload.js';
import { carveContext, type RawRecord } from './raw-record.js';
import { decodeValue, serialTypeSize, type TextEncoding } from './record.js';
import { createTableName, tableInfoFrom, type TableInfo } from './schema.js';
import { scanRegion } from './unallocated.js';

/**
 * DROP TABLE deletes the table's sqlite_master row and frees its pages: without its schema, the table's rows (still
 * intact on the freelist) fit no table, so they are skipped or reported without a table and lose their first
 * column when rebuilt. The deleted sqlite_master row usually survives in the free space of the page that held it
 * (SQLite's freeSpace() overwrites only its first four bytes), and its CREATE TABLE text gives the schema back.
 *
 * A carved row is believed only when it is a 'table' row whose name and tbl_name agree with the name its own sql
 * creates. Definitions that add nothing but ambiguity are left out: a name the live schema still has (an older
 * version of a live table's row: ALTER TABLE, or a sqlite_master page split), the column layout of a live table
 * (a renamed table's old row), SQLite's own tables, and tables without declared types (they fit any record).
 */
export interface PageVersion {
  page: Buffer;
  pageNumber: number;
  /** Whether the page's allocated cells are history too (a freed or superseded page). */
  cells: boolean;
  /** A freelist trunk: scanned whole from here (its header is the trunk's). */
  scanFrom?: number;
}

export async function findDroppedTables(
  versions: AsyncIterable<PageVersion>,
  lookup: PageLookup,
  live: LiveState,
  encoding: TextEncoding,
  usableSize: number,
  maxPayload: number,
): Promise<TableInfo[]> {
  const ctx = carveContext([SQLITE_MASTER], encoding, usableSize, maxPayload);
  const liveNames = new Set(live.tables.map((t) => t.name.toLowerCase()));
  const liveShapes = new Set(live.tables.map(shapeOf));
  const found = new Map<string, TableInfo>();
  // SQLite writes every table's sql as "CREATE TABLE " + the rest as typed (sqlite3EndTable), and a record's start
  // is always on its page: a page without those bytes holds no definition (most freed pages), and is not carved.
  const marker = encodeText('CREATE TABLE ', encoding);
  for await (const version of versions) {
    if (version.page.indexOf(marker) < 0) continue;
    const raws: RawRecord[] = [];
    if (version.scanFrom !== undefined)
      scanRegion(version.page, version.scanFrom, usableSize, ctx, 'unallocated', raws);
    else raws.push(...carvePageVersion(version.page, version.pageNumber, ctx, { cells: version.cells }));
    for (const raw of raws) {
      const table = await definitionOf(raw, lookup, encoding, usableSize);
      if (!table || liveNames.has(table.name.toLowerCase()) || table.name.toLowerCase().startsWith('sqlite_')) continue;
      const shape = shapeOf(table);
      if (liveShapes.has(shape) || table.affinities.every((a) => a === 'BLOB')) continue;
      const key = `${table.name.toLowerCase()}\u0000${shape}`;
      if (!found.has(key)) found.set(key, { ...table, dropped: true });
    }
  }
  return [...found.values()];
}

function encodeText(text: string, encoding: TextEncoding): Buffer {
  if (encoding === 1) return Buffer.from(text, 'utf8');
  const utf16 = Buffer.from(text, 'utf16le');
  return encoding === 2 ? utf16 : utf16.swap16();
}

/** Column names and affinities: two tables of one shape take the same records. */
function shapeOf(table: TableInfo): string {
  return table.columns
    .map(
      (c, i) =>
        `${c.toLowerCase()}:${table.affinities[i]}:${table.notNull[i] ? 1 : 0}:${table.rowidAlias === i ? 1 : 0}`,
    )
    .join(',');
}

/** The table a carved sqlite_master record defines, null when it is not a complete, self-consistent 'table' row. */
async function definitionOf(
  raw: RawRecord,
  lookup: PageLookup,
  encoding: TextEncoding,
  usableSize: number,
): Promise<TableInfo | null> {
  if (raw.types.length !== 5 || raw.types.some((t) => t < 0)) return null;
  const { payload, complete } = await assemblePayload(raw, lookup, usableSize);
  if (!complete) return null;
  const values: unknown[] = [];
  let pos = raw.headerLength;
  for (const type of raw.types) {
    const size = serialTypeSize(type);
    if (pos + size > payload.length) return null;
    values.push(decodeValue(payload, pos, type, encoding));
    pos += size;
  }
  const [type, name, tblName, rootPage, sql] = values;
  if (type !== 'table' || typeof name !== 'string' || typeof sql !== 'string' || typeof rootPage !== 'number')
    return null;
  if (tblName !== name || createTableName(sql)?.toLowerCase() !== name.toLowerCase()) return null;
  return tableInfoFrom(name, rootPage, sql);
}
