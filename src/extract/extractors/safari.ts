import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { RecordFiles } from '../exporters/record-files.js';
import {
  defineExtractor,
  inRange,
  source,
  type ExtractContext,
  type ScanContext,
  type ScanCounts,
} from '../extractor.js';
import type { VisitRecord } from '../records.js';
import { carvedRowsByTable } from '../carved-rows.js';
import { deletedBySequence, hasTable, textValue } from '../schema.js';
import type { OpenedDatabase } from '../work-dir.js';
import { IosRescueError } from '../../errors.js';
import { extractBookmarks } from './safari-bookmarks-export.js';
import { countBookmarks, SAFARI_BOOKMARKS } from './safari-bookmarks.js';
import { safariSection } from '../report/sections/safari.js';
import { dateFlag } from '../date-check.js';
import { unsupportedSchema } from '../unsupported-schema.js';
import { readHistoryPlist, SAFARI_HISTORY_PLISTS } from './safari-history-plist.js';

/** Safari's databases are looked for in its app domain first (newer iOS) and then in HomeDomain, where the real iOS
 * 14.3 backup of the corpus (MVT) lists them; which version moved them is not pinned down. */
export const SAFARI_HISTORY = [
  { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/History.db' },
  { domain: 'HomeDomain', relativePath: 'Library/Safari/History.db' },
] as const;

export function* readVisits(db: Database.Database): Generator<VisitRecord> {
  if (!hasTable(db, 'history_visits') || !hasTable(db, 'history_items'))
    throw unsupportedSchema(db, 'History.db', 'history_visits/history_items tables');
  const rows = db
    .prepare(
      'SELECT v.id AS id, i.url AS url, v.title AS title, v.visit_time AS time FROM history_visits v JOIN history_items i ON i.id = v.history_item ORDER BY v.visit_time, v.id',
    )
    .iterate() as IterableIterator<Record<string, unknown>>;
  for (const r of rows) {
    const time = fromAppleSeconds(r.time)?.toISOString() ?? null;
    yield {
      origin: 'live',
      id: Number(r.id),
      url: textValue(r.url) ?? '',
      title: textValue(r.title),
      time,
      ...dateFlag(time),
    };
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
  const carved = await carvedRowsByTable(path, ['history_items', 'history_visits']);
  for (const { row: r, rowid } of carved.get('history_items')!) {
    if (rowid !== undefined && typeof r.url === 'string') carvedUrls.set(rowid, r.url);
  }
  const found: VisitRecord[] = [];
  const seen = new Set<string>();
  for (const { row: r, rowid } of carved.get('history_visits')!) {
    const id = rowid ?? -1;
    const time = fromAppleSeconds(r.visit_time)?.toISOString() ?? null;
    const key = id >= 0 ? `id:${id}` : `${time}|${String(r.title)}`;
    if (time === null || seen.has(key) || (id >= 0 && liveVisit.get(id) !== undefined)) continue;
    seen.add(key);
    const item = r.history_item === null ? undefined : Number(r.history_item);
    const url =
      item === undefined
        ? null
        : ((liveItem.get(item) as { url: string } | undefined)?.url ?? carvedUrls.get(item) ?? null);
    found.push({
      origin: 'recovered',
      id,
      url,
      title: typeof r.title === 'string' ? r.title : null,
      time,
      ...dateFlag(time),
    });
  }
  return found.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
}

const CSV_HEADER = ['id', 'time', 'url', 'title', 'origin', 'visit_count', 'date_unclear'];

/**
 * The first location of a Safari database the backup lists, opened; undefined when none is listed. A database
 * listed without data ends only its half of the type (history or bookmarks) when the other half can go on.
 */
async function openFirst(
  context: ScanContext,
  locations: ReadonlyArray<{ domain: string; relativePath: string }>,
  missing: unknown[],
): Promise<OpenedDatabase | undefined> {
  for (const location of locations) {
    try {
      const opened = await context.work.openDatabase(context.reader, location.domain, location.relativePath);
      if (opened !== undefined) return opened;
    } catch (error) {
      if (!(error instanceof IosRescueError && error.code === 'BACKUP_MISSING_DATA')) throw error;
      missing.push(error);
      return undefined;
    }
  }
  return undefined;
}

/** Neither database could be read: the first "listed without data" error stands for the type (status missing). */
function noneFound(missing: unknown[]): null {
  if (missing.length > 0) throw missing[0];
  return null;
}

function scanHistory(opened: OpenedDatabase): ScanCounts {
  if (!hasTable(opened.db, 'history_visits'))
    return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes: opened.bytes };
  const row = opened.db
    .prepare('SELECT count(*) AS n, min(visit_time) AS first, max(visit_time) AS last FROM history_visits')
    .get() as { n: number; first: number | null; last: number | null };
  const seq = hasTable(opened.db, 'sqlite_sequence')
    ? (opened.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'history_visits'").get() as
        | { seq: number }
        | undefined)
    : undefined;
  return {
    count: row.n,
    recentlyDeleted: null,
    purged: seq === undefined ? null : Math.max(0, seq.seq - row.n),
    firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null,
    lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null,
    bytes: opened.bytes,
  };
}

function scanPlist({ visits, bytes }: { visits: VisitRecord[]; bytes: number }): ScanCounts {
  const times = visits.map((v) => v.time).filter((t): t is string => t !== null);
  return {
    count: visits.length,
    recentlyDeleted: null,
    purged: null,
    firstDate: times.length === 0 ? null : times.reduce((a, b) => (a < b ? a : b)),
    lastDate: times.length === 0 ? null : times.reduce((a, b) => (a > b ? a : b)),
    bytes,
  };
}

/**
 * safari/history.json and history.csv: every visit with its URL, title and time; then cleared visits the carver finds.
 * From History.db, or else (iOS ≤ 7) History.plist: one line per URL with its last visit and visit count.
 */
async function extractHistory(
  { out, range }: ExtractContext,
  history: OpenedDatabase | { visits: VisitRecord[] },
): Promise<{ records: number; files: number }> {
  const files = await RecordFiles.open(out, 'safari/history', CSV_HEADER);
  const write = (visit: VisitRecord): Promise<void> =>
    files.write(visit, [
      visit.id,
      visit.time,
      visit.url,
      visit.title,
      visit.origin,
      visit.visitCount ?? null,
      visit.dateSuspect ?? false,
    ]);
  if ('visits' in history) {
    for (const visit of history.visits) if (inRange(range, visit.time)) await write(visit);
  } else {
    for (const visit of readVisits(history.db)) if (inRange(range, visit.time)) await write(visit);
    for (const visit of await readRecoveredVisits(history.path, history.db))
      if (inRange(range, visit.time)) await write(visit);
  }
  return { records: await files.close(), files: 2 };
}

export const safariExtractor = defineExtractor({
  type: 'safari',
  label: 'Safari',
  saves: 'Safari history and bookmarks (bookmarks.html imports into any browser)',
  sources: [
    ...SAFARI_HISTORY.map((l) => source(l, '9+')),
    source(SAFARI_HISTORY_PLISTS[0], '8'),
    source(SAFARI_HISTORY_PLISTS[1], '≤ 7'),
    ...SAFARI_BOOKMARKS.map((l) => source(l, 'any')),
  ],
  outputs: ['history.json', 'history.csv', 'bookmarks.json', 'bookmarks.csv', 'bookmarks.html'],
  records: ['VisitRecord', 'BookmarkRecord'],
  section: safariSection,

  /** History visits plus live bookmarks (folders not counted). */
  async scan(context) {
    const missing: unknown[] = [];
    const history = await openFirst(context, SAFARI_HISTORY, missing);
    const plist = history === undefined ? await readHistoryPlist(context.reader) : undefined;
    const bookmarks = await openFirst(context, SAFARI_BOOKMARKS, missing);
    if (history === undefined && plist === undefined && bookmarks === undefined) return noneFound(missing);
    const counts =
      history !== undefined
        ? scanHistory(history)
        : plist !== undefined
          ? scanPlist(plist)
          : { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes: 0 };
    if (bookmarks !== undefined) {
      const n = countBookmarks(bookmarks.db);
      counts.count += n;
      counts.bytes += bookmarks.bytes;
      // The root row is id 0, written by Safari itself rather than handed out by AUTOINCREMENT.
      const rows = hasTable(bookmarks.db, 'bookmarks')
        ? (bookmarks.db.prepare('SELECT count(*) AS n FROM bookmarks WHERE id > 0').get() as { n: number }).n
        : 0;
      const gone = deletedBySequence(bookmarks.db, 'bookmarks', rows);
      if (gone !== null) counts.purged = (counts.purged ?? 0) + gone;
    }
    return counts;
  },

  /** History (history.json/.csv) and bookmarks (bookmarks.json/.csv/.html); either may be absent. */
  async extract(context) {
    const missing: unknown[] = [];
    const database = await openFirst(context, SAFARI_HISTORY, missing);
    const history = database ?? (await readHistoryPlist(context.reader));
    const bookmarks = await openFirst(context, SAFARI_BOOKMARKS, missing);
    if (history === undefined && bookmarks === undefined) return noneFound(missing);
    for (const error of missing) context.warn((error as Error).message);
    const done = { records: 0, files: 0 };
    for (const part of [
      history === undefined ? undefined : await extractHistory(context, history),
      bookmarks === undefined ? undefined : await extractBookmarks(context, bookmarks),
    ]) {
      if (part === undefined) continue;
      done.records += part.records;
      done.files += part.files;
    }
    return done;
  },
});
