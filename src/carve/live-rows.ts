import { PageSet, walkTableTree } from './btree-walk.js';
import type { TableLeafCell } from './cell.js';
import { cellPayload, type PageLookup } from './payload.js';
import { decodeValue, parseRecordHeader, serialTypeSize, type TextEncoding } from './record.js';
import { lastContentHash, lastFullHash, lastTailHash } from './record-hash.js';
import { fingerprintCell, MAX_HEADER_COLUMNS, type FingerprintBatch } from './leaf-fingerprints.js';
import { LiveFingerprints } from './live-fingerprints.js';
import { PageOwners } from './page-owners.js';
import { tableInfoFrom, type TableInfo } from './schema.js';

/**
 * The database as SQLite would see it now (WAL applied), read from the b-trees: the schema, which page belongs to
 * which table, and a fingerprint of every live row. A carved copy whose fingerprint is live is a stale copy of a
 * row that still exists, never a deleted one.
 */
export interface LiveState {
  tables: TableInfo[];
  /** Page number → index in `tables` of the table whose b-tree holds it now. */
  owner: PageOwners;
  /** Fingerprints of live rows over all columns, and over all but the first. */
  liveFull: LiveFingerprints;
  liveTail: LiveFingerprints;
  /** Fingerprints of live rows' text and blob columns (see `contentHash`). */
  liveContent: LiveFingerprints;
  liveRows: number;
}

export const SQLITE_MASTER: TableInfo = {
  name: 'sqlite_master',
  rootPage: 1,
  columns: ['type', 'name', 'tbl_name', 'rootpage', 'sql'],
  affinities: ['TEXT', 'TEXT', 'TEXT', 'INTEGER', 'TEXT'],
  notNull: [false, false, false, false, false],
  rowidAlias: -1,
};

interface Context {
  /** Bytes the database holds, to size the fingerprint sets (a row takes at least ~40 bytes). */
  bytes: number;
  lookup: PageLookup;
  /**
   * Pages of the b-trees as the walk reads them, each valid only until the next call (transient-pages.ts): the
   * walk holds one page at a time. Overflow pages still come from `lookup`. Default: `lookup`.
   */
  treePages?: PageLookup;
  usableSize: number;
  maxPayload: number;
  encoding: TextEncoding;
  /**
   * Takes the leaf pages to fingerprint their rows elsewhere (carving workers, parallel.ts); absent, the walk does
   * it as it goes. sqlite_master's own rows are always read here: the walk needs the schema.
   */
  leafSink?: (onBatch: (batch: FingerprintBatch) => void) => {
    push(pageNumber: number): void;
    finish(): Promise<void>;
  };
}

type StoredRecord = { payload: Buffer; base: number; headerLength: number; types: number[] };

/** The record of a live cell; read in place when it fits on its page (almost always), else assembled. */
function recordOf(page: Buffer, cell: TableLeafCell, ctx: Context): StoredRecord | null | Promise<StoredRecord | null> {
  if (cell.localSize >= cell.payloadSize) {
    const header = parseRecordHeader(page, cell.payloadStart, cell.payloadStart + cell.payloadSize, MAX_HEADER_COLUMNS);
    if (!header || header.headerLength + header.bodyLength > cell.payloadSize) return null;
    return { payload: page, base: cell.payloadStart, headerLength: header.headerLength, types: header.types };
  }
  return assembled(page, cell, ctx);
}

async function assembled(page: Buffer, cell: TableLeafCell, ctx: Context): Promise<StoredRecord | null> {
  const payload = await cellPayload(page, cell, ctx.lookup, ctx.usableSize);
  const header = parseRecordHeader(payload, 0, payload.length, MAX_HEADER_COLUMNS);
  if (!header || header.headerLength + header.bodyLength > payload.length) return null;
  return { payload, base: 0, headerLength: header.headerLength, types: header.types };
}

export async function readLiveState(ctx: Context): Promise<LiveState> {
  const seen = new PageSet();
  const state: LiveState = {
    tables: [SQLITE_MASTER],
    owner: new PageOwners(),
    liveFull: new LiveFingerprints(),
    liveTail: new LiveFingerprints(),
    liveContent: new LiveFingerprints(),
    liveRows: 0,
  };
  const definitions: Array<{ name: string; rootPage: number; sql: string }> = [];

  const add = (): void => {
    state.liveFull.add(lastFullHash);
    state.liveTail.add(lastTailHash);
    if (lastContentHash >= 0) state.liveContent.add(lastContentHash);
    state.liveRows += 1;
  };
  const remember = (page: Buffer, cell: TableLeafCell): void | Promise<void> => {
    const hashed = fingerprintCell(page, cell, ctx.lookup, ctx.usableSize);
    if (hashed === true) add();
    else if (hashed !== false) return hashed.then((ok) => (ok ? add() : undefined));
  };
  const addBatch = (batch: FingerprintBatch): void => {
    for (let i = 0; i < batch.full.length; i += 1) {
      state.liveFull.add(batch.full[i]!);
      state.liveTail.add(batch.tail[i]!);
    }
    for (let i = 0; i < batch.content.length; i += 1) state.liveContent.add(batch.content[i]!);
    state.liveRows += batch.full.length;
  };
  const leaves = ctx.leafSink?.(addBatch) ?? null;

  await walkTableTree(
    1,
    ctx.treePages ?? ctx.lookup,
    ctx.usableSize,
    ctx.maxPayload,
    seen,
    async (page, _pageNumber, cell) => {
      await remember(page, cell);
      const record = await recordOf(page, cell, ctx);
      if (!record || record.types.length < 5) return;
      const values: unknown[] = [];
      let pos = record.base + record.headerLength;
      for (const type of record.types.slice(0, 5)) {
        values.push(decodeValue(record.payload, pos, type, ctx.encoding));
        pos += serialTypeSize(type);
      }
      const [type, name, , rootPage, sql] = values;
      if (type === 'table' && typeof name === 'string' && typeof rootPage === 'number' && typeof sql === 'string') {
        definitions.push({ name, rootPage, sql });
      }
    },
    (pageNumber) => state.owner.set(pageNumber, 0),
  );

  for (const definition of definitions) {
    const table = tableInfoFrom(definition.name, definition.rootPage, definition.sql);
    if (!table) continue;
    const index = state.tables.push(table) - 1;
    if (table.rootPage < 1) continue;
    await walkTableTree(
      table.rootPage,
      ctx.treePages ?? ctx.lookup,
      ctx.usableSize,
      ctx.maxPayload,
      seen,
      leaves ? null : (page, _pageNumber, cell) => remember(page, cell),
      (pageNumber, leaf) => {
        state.owner.set(pageNumber, index);
        if (leaf) leaves?.push(pageNumber);
      },
    );
  }
  await leaves?.finish();
  // Sorted once here, before any carving asks: 5 bytes a row per set (live-fingerprints.ts).
  state.liveFull.seal();
  state.liveTail.seal();
  state.liveContent.seal();
  return state;
}
