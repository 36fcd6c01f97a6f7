import { serialTypeSize } from './record.js';
import { typeFits, type TableInfo } from './schema.js';
import { readVarint, varintLength } from './varint.js';

/**
 * The tables' record shapes indexed once per carving context, so that the question asked at every byte of free
 * space — "could a record header start here that some table's row would have?" — is answered while the header
 * is read, without building its list of serial types. Each table is one bit; each (column, class of serial type)
 * holds the tables that allow it there (`typeFits` in schema.ts, the same rules); a header is dropped at the first
 * column no table allows, which at a byte that is not a cell is usually the first.
 */
export interface ShapeIndex {
  /** Whether the masks are exact (31 tables or fewer); otherwise every mask is "any table". */
  exact: boolean;
  /** `aliases[column]`: bit t set when column is table t's rowid alias (INTEGER PRIMARY KEY). */
  aliases: Int32Array;
  /** `columns[column * CLASSES + class]`: bit t set when table t allows that class of value in that column. */
  columns: Int32Array;
  /** `counts[n]`: bit t set when table t has n columns. */
  counts: Int32Array;
  maxColumns: number;
}

const NULL_CLASS = 0;
const INTEGER_CLASS = 1;
const REAL_CLASS = 2;
const TEXT_CLASS = 3;
const BLOB_CLASS = 4;
const CLASSES = 5;

/** Serial type → class. Reserved types (10, 11) never reach here: their size is -1. */
export function classOf(type: number): number {
  if (type === 0) return NULL_CLASS;
  if (type === 7) return REAL_CLASS;
  if (type < 12) return INTEGER_CLASS;
  return (type & 1) === 1 ? TEXT_CLASS : BLOB_CLASS;
}

/** A representative serial type per class, to ask `typeFits` with. */
const SAMPLE_TYPE = [0, 1, 7, 13, 12];

/** One bit per table: beyond 31 tables the index says "any table" and the full check afterwards decides alone. */
const INDEXED_TABLES = 31;

export function shapeIndex(tables: readonly TableInfo[]): ShapeIndex {
  const maxColumns = tables.reduce((max, t) => Math.max(max, t.columns.length), 0);
  const columns = new Int32Array(Math.max(1, maxColumns) * CLASSES);
  const counts = new Int32Array(maxColumns + 1);
  const aliases = new Int32Array(Math.max(1, maxColumns));
  if (tables.length > INDEXED_TABLES) {
    columns.fill(-1);
    counts.fill(-1);
    return { exact: false, aliases, columns, counts, maxColumns };
  }
  tables.forEach((table, t) => {
    const bit = 1 << t;
    counts[table.columns.length]! |= bit;
    if (table.rowidAlias >= 0) aliases[table.rowidAlias]! |= bit;
    for (let column = 0; column < table.columns.length; column += 1)
      for (let cls = 0; cls < CLASSES; cls += 1)
        if (typeFits(SAMPLE_TYPE[cls]!, table, column)) columns[column * CLASSES + cls]! |= bit;
  });
  return { exact: true, aliases, columns, counts, maxColumns };
}

/**
 * Whether a record header at `pos` (length varint intact) announces exactly `payloadSize` bytes and its serial
 * types fit some table column for column. Allocation-free; true here is followed by the full parse.
 */
export function headerFitsSomeTable(
  buf: Uint8Array,
  pos: number,
  end: number,
  payloadSize: number,
  index: ShapeIndex,
): boolean {
  const headerLength = readVarint(buf, pos, end);
  const lengthBytes = varintLength;
  if (lengthBytes === 0 || headerLength < lengthBytes + 1 || headerLength > payloadSize || pos + headerLength > end)
    return false;
  // More serial-type bytes than the widest table's columns can take (9 bytes each at most) is no header of ours.
  if (headerLength - lengthBytes > 9 * index.maxColumns) return false;
  const headerEnd = pos + headerLength;
  const budget = payloadSize - headerLength;
  const masks = index.columns;
  let alive = -1;
  let body = 0;
  let column = 0;
  let at = pos + lengthBytes;
  while (at < headerEnd) {
    if (column >= index.maxColumns) return false;
    let type = buf[at]!;
    let size: number;
    if (type < 0x80) {
      at += 1;
    } else {
      type = readVarint(buf, at, headerEnd);
      if (varintLength === 0) return false;
      at += varintLength;
    }
    if (type < 12) {
      if (type === 10 || type === 11) return false;
      size = type <= 4 ? type : type === 5 ? 6 : type === 6 || type === 7 ? 8 : 0;
    } else {
      // Absurd sizes (past a billion) are refused as serialTypeSize refuses them.
      size = serialTypeSize(type);
      if (size < 0) return false;
    }
    alive &= masks[column * CLASSES + classOf(type)]!;
    if (alive === 0) return false;
    body += size;
    if (body > budget) return false;
    column += 1;
  }
  return body === budget && (alive & index.counts[column]!) !== 0;
}

/** Set by `headerTableMask`: the tables (of those it returned) whose rowid alias column is NULL in the header. */
export let lastAliasNullMask = 0;

/**
 * The tables a whole record header at `pos` fits column for column — what parseRecordHeader then matchingTables
 * say, as a bit mask over `index`'s tables (0 when it fits none, -1 when the header does not parse) — without
 * building the list of serial types. Only meaningful when `index.exact` (then bit 31 is never a table).
 */
export function headerTableMask(
  buf: Uint8Array,
  pos: number,
  end: number,
  maxColumns: number,
  index: ShapeIndex,
): number {
  const headerLength = readVarint(buf, pos, end);
  const lengthBytes = varintLength;
  if (lengthBytes === 0 || headerLength < lengthBytes + 1 || pos + headerLength > end) return -1;
  const headerEnd = pos + headerLength;
  const masks = index.columns;
  let alive = -1;
  let aliasNull = 0;
  let column = 0;
  let at = pos + lengthBytes;
  while (at < headerEnd) {
    if (column >= maxColumns) return -1;
    const type = readVarint(buf, at, headerEnd);
    if (varintLength === 0 || serialTypeSize(type) < 0) return -1;
    at += varintLength;
    // Columns beyond the widest table fit nothing, but the header must still parse to the end.
    if (column < index.maxColumns) {
      alive &= masks[column * CLASSES + classOf(type)]!;
      if (type === 0) aliasNull |= index.aliases[column]!;
    } else alive = 0;
    column += 1;
  }
  const fits = column <= index.maxColumns ? alive & index.counts[column]! : 0;
  lastAliasNullMask = aliasNull & fits;
  return fits;
}
