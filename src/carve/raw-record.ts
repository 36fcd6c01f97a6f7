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
  /**
   * Where this record's bytes stop on the page when a later cell took back the end of its freed area: the payload
   * beyond is another cell's, its columns unknown. Absent when the whole local payload survives.
   */
  knownEnd?: number;
  /** What survives of an overwritten rowid varint: its width in bytes and its low `rowidBits` bits. */
  rowidWidth?: number;
  rowidLow?: number;
  rowidBits?: number;
  /** `rowid` was rebuilt (see rowid-inference.ts), not read. */
  rowidInferred?: true;
  /** The first column's serial type was rebuilt from the size the freed area leaves for it. */
  column0Inferred?: true;
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
  /**
   * The table whose b-tree reaches a page now (the live walk's page map), used when a page's own cells do not
   * say which table it holds. Absent: only the page's cells attribute it.
   */
  ownerOf?: (pageNumber: number) => TableInfo | undefined;
  /** Set on a context narrowed to the tables one page holds (see page-tables.ts). */
  narrowed?: true;
}

export function carveContext(
  tables: TableInfo[],
  encoding: TextEncoding,
  usableSize: number,
  maxPayload: number,
  ownerOf?: (pageNumber: number) => TableInfo | undefined,
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
    ...(ownerOf ? { ownerOf } : {}),
  };
}
