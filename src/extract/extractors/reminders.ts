import type { BackupFileEntry } from '../../backup/index.js';
import { IosRescueError } from '../../errors.js';
import { fromAppleSeconds } from '../apple-time.js';
import { RecordFiles } from '../exporters/record-files.js';
import { dateFlag } from '../date-check.js';
import { ICS_CALENDAR_TAIL, icsCalendarHead, icsTodo } from '../exporters/icalendar.js';
import { TextSink } from '../exporters/text-sink.js';
import { defineExtractor, inRange, source, type ScanContext } from '../extractor.js';
import type { OpenedDatabase } from '../work-dir.js';
import type { ReminderRecord } from '../records.js';
import { deletedByCoreDataMax, hasTable, tableColumns } from '../schema.js';
import { CALENDAR_DB } from './calendar.js';
import { isRemindersStore, readCalendarReminders, readRecoveredReminders, readStoreReminders } from './reminders-db.js';
import { remindersSection } from '../report/sections/reminders.js';

/** iOS 13+: one Core Data store per account (iCloud, On My iPhone, CalDAV…), found through the manifest. */
export const REMINDERS_STORES = {
  domain: 'HomeDomain',
  match: 'Library/Reminders/Container_v1/Stores/*.sqlite',
} as const;

interface Store {
  name: string;
  opened: OpenedDatabase;
}

/** The file name a store is known by in the records ("Data-<UUID>.sqlite"). */
function storeName(entry: BackupFileEntry): string {
  return entry.relativePath.slice(entry.relativePath.lastIndexOf('/') + 1);
}

function errorText(error: unknown): string {
  return `${error instanceof Error ? error.message : String(error)}${error instanceof IosRescueError ? ` [${error.code}]` : ''}`;
}

/**
 * Every readable Reminders store of the backup. A store that is listed without data or does not open is reported
 * as a warning and skipped (the others still count); when every listed store fails, the first error is thrown.
 */
async function openStores({ reader, work, warn }: ScanContext): Promise<Store[]> {
  const entries: BackupFileEntry[] = [];
  for await (const entry of reader.files(REMINDERS_STORES)) if (entry.kind === 'file') entries.push(entry);
  entries.sort((a, b) => a.relativePath.localeCompare(b.relativePath));
  const stores: Store[] = [];
  let firstError: unknown;
  for (const entry of entries) {
    try {
      const opened = await work.openDatabase(reader, entry.domain, entry.relativePath);
      if (opened === undefined) continue;
      if (isRemindersStore(opened.db)) stores.push({ name: storeName(entry), opened });
      else if (storeName(entry).startsWith('Data-')) warn(`${storeName(entry)} has no ZREMCDREMINDER table; skipped`);
    } catch (error) {
      firstError ??= error;
      warn(`${storeName(entry)} skipped: ${errorText(error)}`);
    }
  }
  if (stores.length === 0 && firstError !== undefined) throw firstError;
  return stores;
}

/** Calendar.sqlitedb when it holds reminders (before iOS 13); undefined otherwise, or when it cannot be read. */
async function openLegacy({ reader, work, warn }: ScanContext): Promise<OpenedDatabase | undefined> {
  try {
    const opened = await work.openDatabase(reader, CALENDAR_DB.domain, CALENDAR_DB.relativePath);
    if (opened === undefined || !tableColumns(opened.db, 'CalendarItem').has('entity_type')) return undefined;
    const n = (opened.db.prepare('SELECT count(*) AS n FROM CalendarItem WHERE entity_type = 3').get() as { n: number })
      .n;
    return n > 0 ? opened : undefined;
  } catch (error) {
    warn(`reminders of Calendar.sqlitedb skipped: ${errorText(error)}`);
    return undefined;
  }
}

const CSV_HEADER = [
  'id',
  'store',
  'list',
  'title',
  'notes',
  'due',
  'all_day',
  'time_zone',
  'completed',
  'completion_date',
  'priority',
  'flagged',
  'parent',
  'created',
  'modified',
  'uid',
  'origin',
  'date_unclear',
];

const ORIGIN_NOTE: Record<ReminderRecord['origin'], string | null> = {
  live: null,
  'recently-deleted': 'recently deleted',
  recovered: 'recovered (deleted)',
};

export const remindersExtractor = defineExtractor({
  type: 'reminders',
  label: 'Reminders',
  saves: 'reminders (.ics to-dos)',
  sources: [{ domain: REMINDERS_STORES.domain, path: REMINDERS_STORES.match, ios: '13+' }, source(CALENDAR_DB, '≤ 12')],
  outputs: ['reminders.ics', 'reminders.json', 'reminders.csv'],
  records: ['ReminderRecord'],
  section: remindersSection,

  async scan(context) {
    const stores = await openStores(context);
    const legacy = await openLegacy(context);
    if (stores.length === 0 && legacy === undefined) return null;
    let count = 0;
    let recentlyDeleted = 0;
    let purged: number | null = null;
    let first: number | null = null;
    let last: number | null = null;
    let bytes = 0;
    const span = (lo: number | null, hi: number | null): void => {
      if (lo !== null && (first === null || lo < first)) first = lo;
      if (hi !== null && (last === null || hi > last)) last = hi;
    };
    for (const { opened } of stores) {
      bytes += opened.bytes;
      const table = hasTable(opened.db, 'ZREMCDREMINDER') ? 'ZREMCDREMINDER' : undefined;
      if (table === undefined) {
        // The first iOS 13 layout: reminders are the ZREMCDOBJECT rows with a title in ZTITLE1.
        count += (
          opened.db
            .prepare("SELECT count(*) AS n FROM ZREMCDOBJECT WHERE ZTITLE1 IS NOT NULL AND ZTITLE1 <> ''")
            .get() as { n: number }
        ).n;
        continue;
      }
      const cols = tableColumns(opened.db, table);
      const marked = cols.has('ZMARKEDFORDELETION') ? 'sum(ZMARKEDFORDELETION = 1)' : '0';
      const dates = cols.has('ZCREATIONDATE')
        ? 'min(ZCREATIONDATE) AS lo, max(ZCREATIONDATE) AS hi'
        : 'NULL AS lo, NULL AS hi';
      const row = opened.db.prepare(`SELECT count(*) AS n, ${marked} AS marked, ${dates} FROM ${table}`).get() as {
        n: number;
        marked: number | null;
        lo: number | null;
        hi: number | null;
      };
      count += row.n;
      recentlyDeleted += row.marked ?? 0;
      span(row.lo, row.hi);
      const gone = deletedByCoreDataMax(opened.db, 'REMCDReminder', row.n);
      if (gone !== null) purged = (purged ?? 0) + gone;
    }
    if (legacy !== undefined) {
      bytes += legacy.bytes;
      const row = legacy.db
        .prepare(
          'SELECT count(*) AS n, min(creation_date) AS lo, max(creation_date) AS hi FROM CalendarItem WHERE entity_type = 3',
        )
        .get() as { n: number; lo: number | null; hi: number | null };
      count += row.n;
      span(row.lo, row.hi);
    }
    return {
      count,
      recentlyDeleted,
      purged,
      bytes,
      firstDate: fromAppleSeconds(first)?.toISOString() ?? null,
      lastDate: fromAppleSeconds(last)?.toISOString() ?? null,
    };
  },

  /**
   * reminders/reminders.ics (VTODO, importable into any calendar or to-do app), reminders.json and reminders.csv:
   * every store's reminders (marked-for-deletion ones as recently-deleted), the pre-iOS 13 ones of
   * Calendar.sqlitedb, then the deleted ones the carver finds. Filtered by due date, or creation date without one.
   */
  async extract(context) {
    const stores = await openStores(context);
    const legacy = await openLegacy(context);
    if (stores.length === 0 && legacy === undefined) return null;
    const { out, range } = context;
    const ics = new TextSink(await out.absolute('reminders/reminders.ics'));
    const records = await RecordFiles.open(out, 'reminders/reminders', CSV_HEADER);
    await ics.write(icsCalendarHead('iPhone reminders'));
    const stamp = new Date();
    const write = async (r: ReminderRecord): Promise<void> => {
      if (!inRange(range, r.due ?? r.created)) return;
      Object.assign(r, dateFlag(r.due, r.completionDate, r.created, r.modified));
      const extra: Array<[string, string]> = r.list ? [['CATEGORIES', r.list]] : [];
      if (ORIGIN_NOTE[r.origin] !== null) extra.push(['X-IOSRESCUE-ORIGIN', ORIGIN_NOTE[r.origin]!]);
      const date = (v: string | null): Date | null => (v === null ? null : new Date(v));
      await ics.write(
        icsTodo(
          {
            uid: r.uid ?? `iosrescue-reminder-${r.store}-${r.id}`,
            summary: r.title,
            description: r.notes,
            due: date(r.due),
            allDay: r.allDay,
            completed: date(r.completionDate),
            done: r.completed,
            priority: r.priority,
            created: date(r.created),
            modified: date(r.modified),
            extra,
          },
          stamp,
        ),
      );
      await records.write(r, [
        r.id,
        r.store,
        r.list,
        r.title,
        r.notes,
        r.due,
        r.allDay,
        r.timeZone,
        r.completed,
        r.completionDate,
        r.priority,
        r.flagged,
        r.parent,
        r.created,
        r.modified,
        r.uid,
        r.origin,
        r.dateSuspect ?? false,
      ]);
    };
    for (const store of stores) for (const r of readStoreReminders(store.opened.db, store.name)) await write(r);
    if (legacy !== undefined) for (const r of readCalendarReminders(legacy.db)) await write(r);
    for (const store of stores)
      for (const r of await readRecoveredReminders(store.opened.path, store.opened.db, store.name)) await write(r);
    await ics.write(ICS_CALENDAR_TAIL);
    await ics.close();
    return { records: await records.close(), files: 3 };
  },
});
