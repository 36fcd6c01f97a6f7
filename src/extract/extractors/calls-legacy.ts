import type Database from 'better-sqlite3';
import { carvedRows } from '../carved-rows.js';
import { dateFlag } from '../date-check.js';
import type { CallRecord } from '../records.js';
import { column, tableColumns, textValue } from '../schema.js';
import { unsupportedSchema } from '../unsupported-schema.js';

/** Where iOS ≤ 7 keeps the call log (its backups name the file 2b2b0084a1bc3a5ac8c27afdf14afb42c61a19ca). */
export const CALL_HISTORY_LEGACY = {
  domain: 'WirelessDomain',
  relativePath: 'Library/CallHistory/call_history.db',
} as const;

/**
 * call_history.db (iOS ≤ 7; native-notes/ios-schemas/calls.md): one `call` table, `date` in Unix seconds,
 * `duration` in seconds (0: missed or not answered), `flags` bit 0 outgoing and bit 4 FaceTime, `country_code` the
 * network's mobile country code. It has no unique id, service provider or answered column.
 */
const FLAG_OUTGOING = 1;
const FLAG_FACETIME = 16;

function unixIso(value: unknown): string | null {
  const seconds = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds === 0) return null;
  const date = new Date(seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function legacyCallRecord(r: Record<string, unknown>, origin: CallRecord['origin'], id: number): CallRecord {
  const flags = Number(r.flags ?? 0);
  const duration = Number(r.duration ?? 0);
  const date = unixIso(r.date);
  return {
    origin,
    id,
    uniqueId: null,
    address: textValue(r.address),
    name: textValue(r.name) || null,
    date,
    durationSeconds: Number.isFinite(duration) ? duration : 0,
    direction: (flags & FLAG_OUTGOING) !== 0 ? 'outgoing' : 'incoming',
    answered: duration > 0,
    kind: (flags & FLAG_FACETIME) !== 0 ? 'facetime' : 'phone',
    serviceProvider: null,
    countryCode: textValue(r.country_code),
    ...dateFlag(date),
  };
}

export function* readLegacyCalls(db: Database.Database): Generator<CallRecord> {
  const cols = tableColumns(db, 'call');
  if (!cols.has('date') || !cols.has('address')) throw unsupportedSchema(db, 'call_history.db', 'call table');
  const wanted = ['address', 'date', 'duration', 'flags', 'name', 'country_code'];
  const rows = db
    .prepare(
      `SELECT c.ROWID AS id, ${wanted.map((w) => column(cols, 'c', w)).join(', ')} FROM call c ORDER BY c.date, c.ROWID`,
    )
    .iterate() as IterableIterator<Record<string, unknown>>;
  for (const r of rows) yield legacyCallRecord(r, 'live', Number(r.id));
}

/** Deleted calls whose rows the carver finds in call_history.db's free space or journal, each once. */
export async function* readRecoveredLegacyCalls(path: string): AsyncGenerator<CallRecord> {
  const seen = new Set<string>();
  for await (const { row: r, rowid } of carvedRows(path, 'call')) {
    if (typeof r.address !== 'string' && typeof r.date !== 'number' && typeof r.date !== 'bigint') continue;
    const key = `${String(rowid)}:${String(r.date)}:${String(r.address)}`;
    if (seen.has(key)) continue;
    seen.add(key);
    yield legacyCallRecord(r, 'recovered', Number(rowid ?? -1));
  }
}

/** First and last call dates (Unix seconds) and the row count. */
export function legacyCallSummary(db: Database.Database): { n: number; first: string | null; last: string | null } {
  if (!tableColumns(db, 'call').has('date')) return { n: 0, first: null, last: null };
  const row = db.prepare('SELECT count(*) AS n, min(date) AS first, max(date) AS last FROM call').get() as {
    n: number;
    first: number | null;
    last: number | null;
  };
  return { n: row.n, first: unixIso(row.first), last: unixIso(row.last) };
}
