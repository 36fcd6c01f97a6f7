import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { RecordFiles } from '../exporters/record-files.js';
import { defineExtractor, inRange, source } from '../extractor.js';
import type { CallRecord } from '../records.js';
import { carvedRows } from '../carved-rows.js';
import { column, deletedByCoreDataMax, deletedBySequence, hasTable, tableColumns } from '../schema.js';
import { callsSection } from '../report/sections/calls.js';
import { dateFlag } from '../date-check.js';
import { unsupportedSchema } from '../unsupported-schema.js';
import { CALL_HISTORY_LEGACY, legacyCallSummary, readLegacyCalls, readRecoveredLegacyCalls } from './calls-legacy.js';
import type { ExtractContext, ScanContext } from '../extractor.js';

export const CALL_HISTORY = {
  domain: 'HomeDomain',
  relativePath: 'Library/CallHistoryDB/CallHistory.storedata',
} as const;

/** ZCALLTYPE values seen in CallHistory.storedata (iOS 8+). */
const CALL_KINDS: Record<number, string> = { 1: 'phone', 8: 'facetime-video', 16: 'facetime-audio' };

/** ZADDRESS has BLOB affinity: iOS stores text in it, some versions bytes; both decode as UTF-8. */
function addressText(value: unknown): string | null {
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return value === null || value === undefined ? null : String(value);
}

export function* readCalls(db: Database.Database): Generator<CallRecord> {
  const cols = tableColumns(db, 'ZCALLRECORD');
  if (cols.size === 0) throw unsupportedSchema(db, 'CallHistory.storedata', 'ZCALLRECORD table');
  const wanted = [
    'ZUNIQUE_ID',
    'ZADDRESS',
    'ZNAME',
    'ZDATE',
    'ZDURATION',
    'ZORIGINATED',
    'ZANSWERED',
    'ZCALLTYPE',
    'ZSERVICE_PROVIDER',
    'ZISO_COUNTRY_CODE',
  ];
  const rows = db
    .prepare(
      `SELECT c.Z_PK AS id, ${wanted.map((w) => column(cols, 'c', w)).join(', ')} FROM ZCALLRECORD c ORDER BY c.ZDATE, c.Z_PK`,
    )
    .iterate() as IterableIterator<Record<string, unknown>>;
  for (const r of rows) yield callRecord(r, 'live', Number(r.id), (r.ZUNIQUE_ID as string | null) ?? null);
}

/** A ZCALLRECORD row (live, or rebuilt by the carver) as a CallRecord. */
function callRecord(
  r: Record<string, unknown>,
  origin: CallRecord['origin'],
  id: number,
  uniqueId: string | null,
): CallRecord {
  const type = Number(r.ZCALLTYPE ?? 1);
  const date = fromAppleSeconds(r.ZDATE)?.toISOString() ?? null;
  return {
    origin,
    id,
    uniqueId,
    address: addressText(r.ZADDRESS),
    name: (r.ZNAME as string | null) || null,
    date,
    durationSeconds: Number(r.ZDURATION ?? 0),
    direction: Number(r.ZORIGINATED) === 1 ? 'outgoing' : 'incoming',
    answered: Number(r.ZANSWERED) === 1,
    kind: CALL_KINDS[type] ?? `type-${type}`,
    serviceProvider: (r.ZSERVICE_PROVIDER as string | null) ?? null,
    countryCode: (r.ZISO_COUNTRY_CODE as string | null) ?? null,
    ...dateFlag(date),
  };
}

/** The call log the backup holds: CallHistory.storedata (iOS 8+), else call_history.db (iOS ≤ 7). */
async function openCallLog(context: ScanContext) {
  const { reader, work } = context;
  const current = await work.openDatabase(reader, CALL_HISTORY.domain, CALL_HISTORY.relativePath);
  if (current !== undefined) return { ...current, legacy: false };
  const legacy = await work.openDatabase(reader, CALL_HISTORY_LEGACY.domain, CALL_HISTORY_LEGACY.relativePath);
  return legacy === undefined ? undefined : { ...legacy, legacy: true };
}

/**
 * Calls deleted from the history whose rows still lie in CallHistory.storedata's free space, its -wal or journal
 * (the carver reads the files, not SQLite). A row whose ZUNIQUE_ID is live, or was already found, is skipped: a
 * call is never reported twice or as both live and deleted.
 */
export async function* readRecoveredCalls(path: string, liveIds: Set<string>): AsyncGenerator<CallRecord> {
  const seen = new Set<string>();
  for await (const { row: r, rowid } of carvedRows(path, 'ZCALLRECORD')) {
    const uniqueId = typeof r.ZUNIQUE_ID === 'string' ? r.ZUNIQUE_ID : null;
    const key = uniqueId ?? `rowid:${String(rowid ?? r.Z_PK)}:${String(r.ZDATE)}`;
    if ((uniqueId !== null && liveIds.has(uniqueId)) || seen.has(key)) continue;
    seen.add(key);
    // A carved text column may hold bytes of another type: such a value counts as absent.
    const strings = {
      ZSERVICE_PROVIDER: typeof r.ZSERVICE_PROVIDER === 'string' ? r.ZSERVICE_PROVIDER : null,
      ZISO_COUNTRY_CODE: typeof r.ZISO_COUNTRY_CODE === 'string' ? r.ZISO_COUNTRY_CODE : null,
    };
    yield callRecord({ ...r, ...strings }, 'recovered', Number(rowid ?? r.Z_PK ?? -1), uniqueId);
  }
}

const CSV_HEADER = [
  'id',
  'date',
  'direction',
  'answered',
  'kind',
  'address',
  'name',
  'duration_seconds',
  'service_provider',
  'country_code',
  'unique_id',
  'origin',
  'date_unclear',
];

export const callsExtractor = defineExtractor({
  type: 'calls',
  label: 'Calls',
  saves: 'calls (CSV/JSON)',
  sources: [source(CALL_HISTORY, '8+'), source(CALL_HISTORY_LEGACY, '≤ 7')],
  outputs: ['calls.json', 'calls.csv'],
  records: ['CallRecord'],
  section: callsSection,

  async scan(context) {
    const opened = await openCallLog(context);
    if (opened === undefined) return null;
    if (opened.legacy) {
      const summary = legacyCallSummary(opened.db);
      return {
        count: summary.n,
        recentlyDeleted: null,
        purged: deletedBySequence(opened.db, 'call', summary.n),
        firstDate: summary.first,
        lastDate: summary.last,
        bytes: opened.bytes,
      };
    }
    if (!hasTable(opened.db, 'ZCALLRECORD'))
      return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes: opened.bytes };
    const row = opened.db
      .prepare('SELECT count(*) AS n, min(ZDATE) AS first, max(ZDATE) AS last FROM ZCALLRECORD')
      .get() as { n: number; first: number | null; last: number | null };
    return {
      count: row.n,
      recentlyDeleted: null,
      purged: deletedByCoreDataMax(opened.db, 'CallRecord', row.n),
      firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null,
      lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null,
      bytes: opened.bytes,
    };
  },

  async extract(context: ExtractContext) {
    const { out, range } = context;
    const opened = await openCallLog(context);
    if (opened === undefined) return null;
    const files = await RecordFiles.open(out, 'calls/calls', CSV_HEADER);
    const write = (call: CallRecord): Promise<void> =>
      files.write(call, [
        call.id,
        call.date,
        call.direction,
        call.answered,
        call.kind,
        call.address,
        call.name,
        call.durationSeconds,
        call.serviceProvider,
        call.countryCode,
        call.uniqueId,
        call.origin,
        call.dateSuspect ?? false,
      ]);
    if (opened.legacy) {
      for (const call of readLegacyCalls(opened.db)) if (inRange(range, call.date)) await write(call);
      for await (const call of readRecoveredLegacyCalls(opened.path)) if (inRange(range, call.date)) await write(call);
      return { records: await files.close(), files: 2 };
    }
    const liveIds = new Set<string>();
    for (const call of readCalls(opened.db)) {
      if (call.uniqueId !== null) liveIds.add(call.uniqueId);
      if (inRange(range, call.date)) await write(call);
    }
    // Then the deleted calls the carver finds, after the live ones and marked origin "recovered".
    for await (const call of readRecoveredCalls(opened.path, liveIds)) {
      if (inRange(range, call.date)) await write(call);
    }
    return { records: await files.close(), files: 2 };
  },
});
