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
function classOf(type: number): number {
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
  if (tables.length > INDEXED_TABLES) {
    columns.fill(-1);
    counts.fill(-1);
    return { columns, counts, maxColumns };
  }
  tables.forEach((table, t) => {
    const bit = 1 << t;
    counts[table.columns.length]! |= bit;
    for (let column = 0; column < table.columns.length; column += 1)
      for (let cls = 0; cls < CLASSES; cls += 1)
        if (typeFits(SAMPLE_TYPE[cls]!, table, column)) columns[column * CLASSES + cls]! |= bit;
  });
  return { columns, counts, maxColumns };
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
  // A table of n columns needs at least n bytes of serial types.
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
    } else size = (type - 12) >>> 1;
    alive &= masks[column * CLASSES + classOf(type)]!;
    if (alive === 0) return false;
    body += size;
    if (body > budget) return false;
    column += 1;
  }
  return body === budget && (alive & index.counts[column]!) !== 0;
}
