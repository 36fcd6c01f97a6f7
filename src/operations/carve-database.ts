import type { Writable } from 'node:stream';
import { once } from 'node:events';
import {
  carveDatabase,
  carveDatabaseJsonLines,
  isUnknown,
  type CarvedRecord,
  type CarveOptions,
  type CarvedValue,
  type CarvePhase,
  type CarveSource,
  type CarveSummary,
} from '../carve/index.js';

export type { CarvedRecord, CarvedValue, CarveSummary };

export interface CarveDatabaseOptions {
  table?: string;
  /** Default: `<db>-wal` next to the database when present; null to ignore. */
  walPath?: string | null;
  /** Default: `<db>-journal` next to the database when present; null to ignore. */
  journalPath?: string | null;
  /** Threads carving the database's pages (default: see carve/parallel.ts workerCount); output is the same. */
  workers?: number;
  signal?: AbortSignal;
  /** Told as each phase of the carve ends, with its wall time in ms. */
  onPhase?: (phase: CarvePhase, ms: number) => void;
  /** Told as the main file's pages are carved: how many of all are done (see carve's CarveOptions.onProgress). */
  onProgress?: (done: number, total: number) => void;
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
  /** The rowid when the cell kept it or its remains allowed one value only (a string beyond 2^53). */
  rowid?: number | string;
  /** Fields rebuilt rather than read: 'rowid', or the name of a first column whose type was worked out. */
  inferred?: string[];
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
    ...(record.rowid !== undefined
      ? { rowid: typeof record.rowid === 'bigint' ? String(record.rowid) : record.rowid }
      : {}),
    ...(record.inferred ? { inferred: record.inferred } : {}),
  };
}

/** What the carver itself takes of a carve's options (the abort signal is checked here, between records). */
function carverOptions(options: CarveDatabaseOptions): CarveOptions {
  const { signal: _signal, ...carver } = options;
  return carver;
}

/** Recovered records of one database (its -wal and -journal read too), as the carver yields them. */
export async function* carveDatabaseRecords(
  path: string,
  options: CarveDatabaseOptions = {},
  onSummary?: (summary: CarveSummary) => void,
): AsyncGenerator<CarvedRecord> {
  for await (const record of carveDatabase(path, carverOptions(options), onSummary)) {
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
  // Lines go out in batches of about 64 KB: stdout to a file writes synchronously, and a write per record cost
  // more than carving it. The carver hands over each line's bytes (written by its workers, record-json.ts).
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const take = (): Buffer => {
    const bytes = Buffer.concat(batch, batchBytes);
    batch = [];
    batchBytes = 0;
    return bytes;
  };
  const flush = async (): Promise<void> => {
    if (batchBytes > 0 && !out.write(take())) await once(out, 'drain');
  };
  try {
    for await (const line of carveDatabaseJsonLines(path, carverOptions(options))) {
      options.signal?.throwIfAborted();
      batch.push(line);
      batchBytes += line.length;
      if (batchBytes >= 65536) await flush();
      count += 1;
    }
  } catch (error) {
    // The records recovered before a bad page or Ctrl-C still go out; the error follows them.
    if (batchBytes > 0) out.write(take());
    throw error;
  }
  await flush();
  return count;
}
