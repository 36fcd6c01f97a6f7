import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { csvRow } from '../exporters/csv.js';
import { TextSink } from '../exporters/text-sink.js';
import { inRange, type Extractor } from '../extractor.js';
import { ExtractError } from '../errors.js';
import type { VisitRecord } from '../records.js';
import { carvedRows } from '../carved-rows.js';
import { hasTable } from '../schema.js';

/** iOS 13+ keeps Safari's data in its app domain; older backups in HomeDomain. */
export const SAFARI_HISTORY = [
  { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/History.db' },
  { domain: 'HomeDomain', relativePath: 'Library/Safari/History.db' },
] as const;

export function* readVisits(db: Database.Database): Generator<VisitRecord> {
  if (!hasTable(db, 'history_visits') || !hasTable(db, 'history_items')) throw new ExtractError('EXTRACT_SCHEMA_UNSUPPORTED', 'History.db has no history_visits/history_items tables');
  const rows = db.prepare('SELECT v.id AS id, i.url AS url, v.title AS title, v.visit_time AS time FROM history_visits v JOIN history_items i ON i.id = v.history_item ORDER BY v.visit_time, v.id').iterate() as IterableIterator<Record<string, unknown>>;
  for (const r of rows) {
    yield { origin: 'live', id: Number(r.id), url: String(r.url), title: (r.title as string | null) ?? null, time: fromAppleSeconds(r.time)?.toISOString() ?? null };
  }
}

/**
 * Visits cleared from the history whose history_visits rows the carver finds; the URL comes from the live
 * history_items row, or from a carved one (clearing history usually deletes both). A visit whose id is live, or
 * already found, is skipped; a visit whose URL cannot be found is still listed, with url null.
 */
export async function readRecoveredVisits(path: string, db: Database.Database): Promise<VisitRecord[]> {
  const liveVisit = db.prepare('SELECT 1 FROM history_visits WHERE id = ?');
  const liveItem = db.prepare('SELECT url FROM history_items WHERE id = ?');
  const carvedUrls = new Map<number, string>();
  for await (const { row: r, rowid } of carvedRows(path, 'history_items')) {
    if (rowid !== undefined && typeof r.url === 'string') carvedUrls.set(rowid, r.url);
  }
  const found: VisitRecord[] = [];
  const seen = new Set<string>();
  for await (const { row: r, rowid } of carvedRows(path, 'history_visits')) {
    const id = rowid ?? -1;
    const time = fromAppleSeconds(r.visit_time)?.toISOString() ?? null;
    const key = id >= 0 ? `id:${id}` : `${time}|${String(r.title)}`;
    if (time === null || seen.has(key) || (id >= 0 && liveVisit.get(id) !== undefined)) continue;
    seen.add(key);
    const item = r.history_item === null ? undefined : Number(r.history_item);
    const url = item === undefined ? null : ((liveItem.get(item) as { url: string } | undefined)?.url ?? carvedUrls.get(item) ?? null);
    found.push({ origin: 'recovered', id, url, title: typeof r.title === 'string' ? r.title : null, time });
  }
  return found.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
}

const CSV_HEADER = ['id', 'time', 'url', 'title', 'origin'];

export const safariExtractor: Extractor = {
  type: 'safari',

  async scan({ reader, work }) {
    for (const location of SAFARI_HISTORY) {
      const opened = await work.openDatabase(reader, location.domain, location.relativePath);
      if (opened === undefined) continue;
      if (!hasTable(opened.db, 'history_visits')) return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes: opened.bytes };
      const row = opened.db.prepare('SELECT count(*) AS n, min(visit_time) AS first, max(visit_time) AS last FROM history_visits').get() as { n: number; first: number | null; last: number | null };
      const seq = hasTable(opened.db, 'sqlite_sequence') ? (opened.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'history_visits'").get() as { seq: number } | undefined) : undefined;
      return {
        count: row.n, recentlyDeleted: null, purged: seq === undefined ? null : Math.max(0, seq.seq - row.n),
        firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null, lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null, bytes: opened.bytes,
      };
    }
    return null;
  },

  /** safari/history.json and history.csv: every visit with its URL, title and time; then cleared visits the carver finds. */
  async extract({ reader, work, out, range }) {
    for (const location of SAFARI_HISTORY) {
      const opened = await work.openDatabase(reader, location.domain, location.relativePath);
      if (opened === undefined) continue;
      const json = new TextSink(await out.absolute('safari/history.json'));
      const csv = new TextSink(await out.absolute('safari/history.csv'));
      await json.write('[');
      await csv.write(csvRow(CSV_HEADER));
      let records = 0;
      const write = async (visit: VisitRecord): Promise<void> => {
        await json.write(`${records === 0 ? '' : ','}\n  ${JSON.stringify(visit)}`);
        await csv.write(csvRow([visit.id, visit.time, visit.url, visit.title, visit.origin]));
        records++;
      };
      for (const visit of readVisits(opened.db)) if (inRange(range, visit.time)) await write(visit);
      for (const visit of await readRecoveredVisits(opened.path, opened.db)) if (inRange(range, visit.time)) await write(visit);
      await json.write(records === 0 ? ']\n' : '\n]\n');
      await json.close();
      await csv.close();
      return { records, files: 2 };
    }
    return null;
  },
};
