import type { TextEncoding } from './record.js';
import type { TableInfo } from './schema.js';
import { shapeIndex, type ShapeIndex } from './shape-index.js';

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
   * beyond is another cell's, its columns unknown. Undefined when the whole local payload survives.
   */
  knownEnd: number | undefined;
  /** What survives of an overwritten rowid varint: its width in bytes and its low `rowidBits` bits. */
  rowidWidth: number | undefined;
  rowidLow: number | undefined;
  rowidBits: number | undefined;
  /** `rowid` was rebuilt (see rowid-inference.ts), not read. */
  rowidInferred: boolean;
  /** The first column's serial type was rebuilt from the size the freed area leaves for it. */
  column0Inferred: boolean;
  /**
   * A later cell took the end of this record's freed area *and* some of its texts or blobs (`knownEnd` cuts one):
   * no content fingerprint tells it from a stale copy of a live row, so it is kept only with a rowid, checked
   * against the live row of that rowid (carved-record.ts), and only when its first two texts or blobs survive.
   */
  contentCut: boolean;
}

/**
 * Every record is made here, with every field present from the start and in one order: the carver's hot
 * functions then see one object shape, and V8 keeps their optimised code (records given fields later, in
 * different orders, made them polymorphic and recompiled again and again — most of a carve's CPU time).
 */
export function rawRecord(
  page: Buffer,
  cellOffset: number,
  payloadStart: number,
  payloadSize: number,
  localSize: number,
  firstOverflowPage: number,
  headerLength: number,
  types: number[],
  column0Size: number,
  rowid: number | bigint | null,
  end: number,
  tables: TableInfo[],
  kind: RawRecord['kind'],
): RawRecord {
  return {
    page,
    cellOffset,
    payloadStart,
    payloadSize,
    localSize,
    firstOverflowPage,
    headerLength,
    types,
    column0Size,
    rowid,
    end,
    tables,
    kind,
    knownEnd: undefined,
    rowidWidth: undefined,
    rowidLow: undefined,
    rowidBits: undefined,
    rowidInferred: false,
    column0Inferred: false,
    contentCut: false,
  };
}

export interface CarveContext {
  tables: TableInfo[];
  /** Distinct column counts of `tables`, for headerless matching. */
  columnCounts: number[];
  maxColumns: number;
  /** `tables`' shapes, for the check made at every byte of free space (shape-index.ts). */
  shapeIndex: ShapeIndex;
  encoding: TextEncoding;
  usableSize: number;
  /** No payload can be larger than the files hold. */
  maxPayload: number;
  /**
   * The table whose b-tree reaches a page now (the live walk's page map), used when a page's own cells do not
   * say which table it holds. Undefined: only the page's cells attribute it.
   */
  ownerOf: ((pageNumber: number) => TableInfo | undefined) | undefined;
  /** True on a context narrowed to the tables one page holds (see page-tables.ts). */
  narrowed: boolean;
}

export function carveContext(
  tables: TableInfo[],
  encoding: TextEncoding,
  usableSize: number,
  maxPayload: number,
  ownerOf?: (pageNumber: number) => TableInfo | undefined,
  narrowed = false,
): CarveContext {
  const columnCounts = [...new Set(tables.map((t) => t.columns.length))].sort((a, b) => a - b);
  // One literal, every field in one order (see rawRecord): contexts narrowed to a page's table share its shape.
  return {
    tables,
    columnCounts,
    // Without a schema, SQLite's own default column limit (SQLITE_MAX_COLUMN) bounds a header.
    maxColumns: columnCounts.length ? columnCounts[columnCounts.length - 1]! : 2000,
    shapeIndex: shapeIndex(tables),
    encoding,
    usableSize,
    maxPayload,
    ownerOf,
    narrowed,
  };
}
