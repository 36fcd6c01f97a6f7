import type { TextEncoding } from './record.js';
import type { TableInfo } from './schema.js';

/**
 * A record found on a page, before its overflow chain is followed and its values decoded. Carved copies may have
 * lost their first bytes: then `rowid` is null and, when even the first serial type is gone, `types[0]` is -1
 * with `column0Size` giving the size its body must have had.
 */
export interface RawRecord {
  page: Buffer;
  /** Where the cell (or what is left of it) starts on the page. */
  cellOffset: number;
  /** Where the payload starts; bytes before the first serial type may be overwritten. */
  payloadStart: number;
  payloadSize: number;
  localSize: number;
  firstOverflowPage: number;
  headerLength: number;
  types: number[];
  column0Size: number;
  rowid: number | bigint | null;
  /** First byte after the cell on the page. */
  end: number;
  /** Tables whose columns this record fits; empty when none does. */
  tables: TableInfo[];
  kind: 'cell' | 'freeblock' | 'unallocated';
}

export interface CarveContext {
  tables: TableInfo[];
  /** Distinct column counts of `tables`, for headerless matching. */
  columnCounts: number[];
  maxColumns: number;
  encoding: TextEncoding;
  usableSize: number;
  /** No payload can be larger than the files hold. */
  maxPayload: number;
}

export function carveContext(
  tables: TableInfo[],
  encoding: TextEncoding,
  usableSize: number,
  maxPayload: number,
): CarveContext {
  const columnCounts = [...new Set(tables.map((t) => t.columns.length))].sort((a, b) => a - b);
  return {
    tables,
    columnCounts,
    // Without a schema, SQLite's own default column limit (SQLITE_MAX_COLUMN) bounds a header.
    maxColumns: columnCounts.length ? columnCounts[columnCounts.length - 1]! : 2000,
    encoding,
    usableSize,
    maxPayload,
  };
}
