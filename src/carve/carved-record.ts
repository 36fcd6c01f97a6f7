import type { LiveState } from './live-rows.js';
import { assemblePayload, type PageLookup } from './payload.js';
import type { RawRecord } from './raw-record.js';
import { decodeValue, serialTypeSize, UNKNOWN, type CarvedValue, type TextEncoding } from './record.js';
import { recordHash } from './record-hash.js';
import type { TableInfo } from './schema.js';

export type CarveSource = 'freelist' | 'freeblock' | 'unallocated' | 'wal' | 'journal';

/** One recovered row: not live in the current database state, values in table column order. */
export interface CarvedRecord {
  /** The table it belongs to, null when no table (or more than one) fits. */
  table: string | null;
  /** Column names when the table is known. */
  columns?: string[];
  source: CarveSource;
  /** Database page number the bytes belong to (for WAL and journal sources, the page that frame or record holds). */
  page: number;
  /** Byte offset of the cell (or its remains) within that page. */
  offset: number;
  values: CarvedValue[];
  /** The rowid when the cell kept it. */
  rowid?: number | bigint;
}

/** A decoded record with its fingerprints, before the live and duplicate checks. */
export interface Resolved {
  record: CarvedRecord;
  tableIndex: number;
  /** Fingerprint over all columns, null when the first column is unknown or the payload incomplete. */
  full: number | null;
  /** Fingerprint over all columns but the first, null when the payload is incomplete. */
  tail: number | null;
}

export async function resolveRecord(
  raw: RawRecord,
  at: { source: CarveSource; page: number },
  lookup: PageLookup,
  live: LiveState,
  encoding: TextEncoding,
  usableSize: number,
): Promise<Resolved> {
  const { payload, complete } = await assemblePayload(raw, lookup, usableSize);
  const values: CarvedValue[] = [];
  let pos = raw.headerLength;
  for (const type of raw.types) {
    const size = type < 0 ? raw.column0Size : serialTypeSize(type);
    values.push(type < 0 || pos + size > payload.length ? UNKNOWN : decodeValue(payload, pos, type, encoding));
    pos += size;
  }
  const table = chooseTable(raw, at.page, live);
  if (table && table.rowidAlias >= 0 && values[table.rowidAlias] === null) values[table.rowidAlias] = raw.rowid ?? UNKNOWN;
  const hashable = complete && payload.length >= raw.headerLength;
  return {
    record: {
      table: table?.name ?? null,
      ...(table ? { columns: table.columns } : {}),
      source: at.source,
      page: at.page,
      offset: raw.cellOffset,
      values,
      ...(raw.rowid !== null ? { rowid: raw.rowid } : {}),
    },
    tableIndex: table ? live.tables.indexOf(table) : -1,
    full: hashable && raw.types[0]! >= 0 ? recordHash(payload, raw.headerLength, raw.types, 0) : null,
    tail: hashable ? recordHash(payload, raw.headerLength, raw.types, 1, raw.column0Size) : null,
  };
}

/** The table that owns the page now, if the record fits it; else the only table it fits; else none. */
function chooseTable(raw: RawRecord, page: number, live: LiveState): TableInfo | null {
  if (raw.tables.length === 0) return null;
  const ownerIndex = live.owner.get(page);
  const owner = ownerIndex === undefined ? undefined : live.tables[ownerIndex];
  if (owner && raw.tables.includes(owner)) return owner;
  return raw.tables.length === 1 ? raw.tables[0]! : null;
}
