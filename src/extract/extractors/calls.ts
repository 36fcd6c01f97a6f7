import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { csvRow } from '../exporters/csv.js';
import { TextSink } from '../exporters/text-sink.js';
import { inRange, type Extractor } from '../extractor.js';
import { ExtractError } from '../errors.js';
import type { CallRecord } from '../records.js';
import { column, deletedByCoreDataMax, hasTable, tableColumns } from '../schema.js';

export const CALL_HISTORY = { domain: 'HomeDomain', relativePath: 'Library/CallHistoryDB/CallHistory.storedata' } as const;

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
  if (cols.size === 0) throw new ExtractError('EXTRACT_SCHEMA_UNSUPPORTED', 'CallHistory.storedata has no ZCALLRECORD table');
  const wanted = ['ZUNIQUE_ID', 'ZADDRESS', 'ZNAME', 'ZDATE', 'ZDURATION', 'ZORIGINATED', 'ZANSWERED', 'ZCALLTYPE', 'ZSERVICE_PROVIDER', 'ZISO_COUNTRY_CODE'];
  const rows = db.prepare(`SELECT c.Z_PK AS id, ${wanted.map((w) => column(cols, 'c', w)).join(', ')} FROM ZCALLRECORD c ORDER BY c.ZDATE, c.Z_PK`).iterate() as IterableIterator<Record<string, unknown>>;
  for (const r of rows) {
    const type = Number(r.ZCALLTYPE ?? 1);
    yield {
      origin: 'live',
      id: Number(r.id),
      uniqueId: (r.ZUNIQUE_ID as string | null) ?? null,
      address: addressText(r.ZADDRESS),
      name: (r.ZNAME as string | null) || null,
      date: fromAppleSeconds(r.ZDATE)?.toISOString() ?? null,
      durationSeconds: Number(r.ZDURATION ?? 0),
      direction: Number(r.ZORIGINATED) === 1 ? 'outgoing' : 'incoming',
      answered: Number(r.ZANSWERED) === 1,
      kind: CALL_KINDS[type] ?? `type-${type}`,
      serviceProvider: (r.ZSERVICE_PROVIDER as string | null) ?? null,
      countryCode: (r.ZISO_COUNTRY_CODE as string | null) ?? null,
    };
  }
}

const CSV_HEADER = ['id', 'date', 'direction', 'answered', 'kind', 'address', 'name', 'duration_seconds', 'service_provider', 'country_code', 'unique_id'];

export const callsExtractor: Extractor = {
  type: 'calls',

  async scan({ reader, work }) {
    const opened = await work.openDatabase(reader, CALL_HISTORY.domain, CALL_HISTORY.relativePath);
    if (opened === undefined) return null;
    if (!hasTable(opened.db, 'ZCALLRECORD')) return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes: opened.bytes };
    const row = opened.db.prepare('SELECT count(*) AS n, min(ZDATE) AS first, max(ZDATE) AS last FROM ZCALLRECORD').get() as { n: number; first: number | null; last: number | null };
    return {
      count: row.n, recentlyDeleted: null, purged: deletedByCoreDataMax(opened.db, 'CallRecord', row.n),
      firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null, lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null, bytes: opened.bytes,
    };
  },

  async extract({ reader, work, out, range }) {
    const opened = await work.openDatabase(reader, CALL_HISTORY.domain, CALL_HISTORY.relativePath);
    if (opened === undefined) return null;
    const csv = new TextSink(await out.absolute('calls/calls.csv'));
    const json = new TextSink(await out.absolute('calls/calls.json'));
    await csv.write(csvRow(CSV_HEADER));
    await json.write('[');
    let records = 0;
    for (const call of readCalls(opened.db)) {
      if (!inRange(range, call.date)) continue;
      await csv.write(csvRow([call.id, call.date, call.direction, call.answered, call.kind, call.address, call.name, call.durationSeconds, call.serviceProvider, call.countryCode, call.uniqueId]));
      await json.write(`${records === 0 ? '' : ','}\n  ${JSON.stringify(call)}`);
      records++;
    }
    await json.write(records === 0 ? ']\n' : '\n]\n');
    await csv.close();
    await json.close();
    return { records, files: 2 };
  },
};
