import type { LiveState } from './live-rows.js';
import { assemblePayload, type PageLookup } from './payload.js';
import type { RawRecord } from './raw-record.js';
import { decodeValue, serialTypeSize, UNKNOWN, type CarvedValue, type TextEncoding } from './record.js';
import { contentHash, lastFullHash, lastTailHash, leadHash, recordHashes } from './record-hash.js';
import { liveRowPayload, sameSurvivingContent } from './live-row.js';
import type { TableInfo } from './schema.js';

export type CarveSource = 'freelist' | 'freeblock' | 'unallocated' | 'wal' | 'journal';

/** One recovered row: not live in the current database state, values in table column order. */
export interface CarvedRecord {
  /** The table it belongs to, null when no table (or more than one) fits. */
  table: string | null;
  /** Present when `table` no longer exists: a dropped table, known from its deleted sqlite_master row. */
  tableDropped?: true;
  /** Column names when the table is known. */
  columns?: string[];
  source: CarveSource;
  /** Database page number the bytes belong to (for WAL and journal sources, the page that frame or record holds). */
  page: number;
  /** Byte offset of the cell (or its remains) within that page. */
  offset: number;
  values: CarvedValue[];
  /** The rowid when the cell kept it, or when what is left of it allowed one value only (then `inferred` says so). */
  rowid?: number | bigint;
  /**
   * Fields rebuilt rather than read: 'rowid' (from the surviving low bytes of its varint and the rowids of the
   * cells around it, see rowid-inference.ts; the rowid alias column too), and the name of a first column whose
   * serial type was worked out from the size the freed area leaves for it.
   */
  inferred?: string[];
}

/** A record's fingerprints and table, checked before anything is decoded (most copies found are live or seen). */
export interface Resolved {
  table: TableInfo | null;
  tableIndex: number;
  /** Fingerprint over all columns, null when the first column is unknown or the payload incomplete. */
  full: number | null;
  /** Fingerprint over all columns but the first, null when the payload is incomplete. */
  tail: number | null;
  /** Fingerprint of the text and blob columns, null when too short or incomplete. */
  content: number | null;
  /**
   * Decodes the values: only for records that will be reported. With `blobViews`, BLOBs are views of the page
   * (or payload) instead of copies: for a caller that writes the record out before the next page is read.
   */
  materialize(blobViews?: boolean): CarvedRecord;
  /** Fingerprint of the first two text or blob columns (record-hash.ts leadHash), null when it has none. */
  lead: number | null;
  /**
   * Never reported: a record whose texts a newer cell cut (RawRecord.contentCut) that is a stale copy of the live
   * row of its rowid, or that cannot be checked against one (no rowid, no table).
   */
  staleCopy: boolean;
  /** The record's `carve --json` line when a carving worker wrote it already (record-json.ts). */
  line?: Buffer;
}

export async function resolveRecord(
  raw: RawRecord,
  at: { source: CarveSource; page: number },
  lookup: PageLookup,
  live: LiveState,
  encoding: TextEncoding,
  usableSize: number,
  current: PageLookup = lookup,
): Promise<Resolved> {
  const { payload, complete } = await assemblePayload(raw, lookup, usableSize);
  const table = chooseTable(raw, at.page, live);
  const hashable = complete && payload.length >= raw.headerLength;
  if (hashable) recordHashes(payload, raw.headerLength, raw.types, raw.column0Size);
  // Taken before any await: the hash results are module state.
  const full = hashable && raw.types[0]! >= 0 ? lastFullHash : null;
  const tail = hashable ? lastTailHash : null;
  const lead =
    payload.length >= raw.headerLength ? leadHash(payload, raw.headerLength, raw.types, raw.column0Size) : null;
  const staleCopy = raw.contentCut && (await cutCopyOfLiveRow(raw, payload, table, lead, current, usableSize));
  return {
    table,
    tableIndex: table ? live.tables.indexOf(table) : -1,
    full,
    tail,
    // Texts and blobs can all survive when the record's end does not: a stale copy of a live row is still known.
    content:
      payload.length >= raw.headerLength ? contentHash(payload, raw.headerLength, raw.types, raw.column0Size) : null,
    lead,
    staleCopy,
    materialize(blobViews = false) {
      const values: CarvedValue[] = [];
      let pos = raw.headerLength;
      for (const type of raw.types) {
        const size = type < 0 ? raw.column0Size : serialTypeSize(type);
        values.push(
          type < 0 || pos + size > payload.length ? UNKNOWN : decodeValue(payload, pos, type, encoding, blobViews),
        );
        pos += size;
      }
      if (table && table.rowidAlias >= 0 && values[table.rowidAlias] === null)
        values[table.rowidAlias] = raw.rowid ?? UNKNOWN;
      const inferred: string[] = [];
      if (raw.rowidInferred) inferred.push('rowid');
      if (raw.column0Inferred) inferred.push(table?.columns[0] ?? 'column 0');
      return {
        table: table?.name ?? null,
        ...(table?.dropped ? { tableDropped: true as const } : {}),
        ...(table ? { columns: table.columns } : {}),
        source: at.source,
        page: at.page,
        offset: raw.cellOffset,
        values,
        ...(raw.rowid !== null ? { rowid: raw.rowid } : {}),
        ...(inferred.length > 0 ? { inferred } : {}),
      };
    },
  };
}

/**
 * Whether a record whose texts were cut must not be reported: it is, unless it has a rowid, a table that still
 * exists and its first two texts whole (`lead`), and the live row of that rowid (the database as it stands now)
 * is absent or differs in a surviving text — a deleted row or an older version, not a stale copy.
 */
async function cutCopyOfLiveRow(
  raw: RawRecord,
  payload: Buffer,
  table: TableInfo | null,
  lead: number | null,
  current: PageLookup,
  usableSize: number,
): Promise<boolean> {
  if (lead === null || table === null || typeof raw.rowid !== 'number') return true;
  if (table.dropped) return false;
  // The columns compared lie within what survives of the carved copy; the live row's may sit a few bytes further
  // on (numbers stored wider before them), never more than 9 bytes a column.
  const wanted = payload.length + 9 * raw.types.length;
  const live = await liveRowPayload(table.rootPage, raw.rowid, current, usableSize, Number.MAX_SAFE_INTEGER, wanted);
  return live !== null && sameSurvivingContent(payload, raw.headerLength, raw.types, raw.column0Size, live);
}

/**
 * The table that owns the page now, if the record fits it; else the only live table it fits; else, when it fits
 * no live table, the only dropped table it fits, or the one whose root the page was (a dropped table's root page
 * keeps its cells when freed). A dropped table never takes a record from a live one.
 */
function chooseTable(raw: RawRecord, page: number, live: LiveState): TableInfo | null {
  if (raw.tables.length === 0) return null;
  const ownerIndex = live.owner.get(page);
  const owner = ownerIndex === undefined ? undefined : live.tables[ownerIndex];
  if (owner && raw.tables.includes(owner)) return owner;
  if (raw.tables.length === 1) return raw.tables[0]!;
  const standing = raw.tables.filter((t) => !t.dropped);
  if (standing.length > 0) return standing.length === 1 ? standing[0]! : null;
  const rooted = raw.tables.filter((t) => t.rootPage === page);
  return rooted.length === 1 ? rooted[0]! : null;
}
