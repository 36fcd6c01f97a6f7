import type { Writable } from 'node:stream';
import { once } from 'node:events';
import {
  carveDatabase,
  isUnknown,
  type CarvedRecord,
  type CarvedValue,
  type CarveSource,
  type CarveSummary,
} from '../carve/index.js';

export interface CarveDatabaseOptions {
  table?: string;
  /** Default: `<db>-wal` next to the database when present; null to ignore. */
  walPath?: string | null;
  /** Default: `<db>-journal` next to the database when present; null to ignore. */
  journalPath?: string | null;
  signal?: AbortSignal;
}

/** The `--json` form of one record, exactly as `iosrescue carve --json` prints it. */
export interface CarvedRecordJson {
  table: string | null;
  /** Present (true) when `table` no longer exists: its definition was carved from sqlite_master's free space. */
  tableDropped?: true;
  source: CarveSource;
  page: number;
  offset: number;
  values: unknown[];
}

/** TEXT as string, INTEGER as number (string beyond 2^53), REAL as number, BLOB as {base64}, NULL as null, lost as
 * {unknown: true}. */
export function carvedValueToJson(value: CarvedValue): unknown {
  if (value === null || typeof value === 'string') return value;
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') return Number.isFinite(value) ? value : String(value);
  if (Buffer.isBuffer(value)) return { base64: value.toString('base64') };
  if (isUnknown(value)) return { unknown: true };
  return null;
}

export function carvedRecordToJson(record: CarvedRecord): CarvedRecordJson {
  return {
    table: record.table,
    ...(record.tableDropped ? { tableDropped: true as const } : {}),
    source: record.source,
    page: record.page,
    offset: record.offset,
    values: record.values.map(carvedValueToJson),
  };
}

/** Recovered records of one database (its -wal and -journal read too), as the carver yields them. */
export async function* carveDatabaseRecords(
  path: string,
  options: CarveDatabaseOptions = {},
  onSummary?: (summary: CarveSummary) => void,
): AsyncGenerator<CarvedRecord> {
  for await (const record of carveDatabase(
    path,
    { table: options.table, walPath: options.walPath, journalPath: options.journalPath },
    onSummary,
  )) {
    options.signal?.throwIfAborted();
    yield record;
  }
}

/** Writes one JSON object per line per recovered record, waiting for the stream to drain. Returns the count. */
export async function writeCarvedJsonLines(
  path: string,
  options: CarveDatabaseOptions,
  out: Writable,
): Promise<number> {
  let count = 0;
  for await (const record of carveDatabaseRecords(path, options)) {
    if (!out.write(`${JSON.stringify(carvedRecordToJson(record))}\n`)) await once(out, 'drain');
    count += 1;
  }
  return count;
}
