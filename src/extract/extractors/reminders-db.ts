import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { carvedRows } from '../carved-rows.js';
import type { ReminderRecord } from '../records.js';
import { column, hasTable, tableColumns } from '../schema.js';

/**
 * The Reminders stores of iOS 13+ (HomeDomain `Library/Reminders/Container_v1/Stores/Data-<UUID>.sqlite`, one per
 * account) are Core Data: reminders in ZREMCDREMINDER (ZTITLE, ZNOTES, ZDUEDATE, ZALLDAY, ZTIMEZONE, ZCOMPLETED,
 * ZCOMPLETIONDATE, ZPRIORITY, ZFLAGGED, ZMARKEDFORDELETION, ZLIST, ZPARENTREMINDER, ZCKIDENTIFIER; dates in seconds
 * since 2001), lists in ZREMCDBASELIST (ZNAME). The first iOS 13 releases kept everything in one ZREMCDOBJECT table
 * (reminder titles in ZTITLE1, as iLEAPP reads them). Before iOS 13 reminders were CalendarItem rows of
 * Calendar.sqlitedb with entity_type 3, their list a Calendar row.
 */

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const iso = (v: unknown): string | null => fromAppleSeconds(v)?.toISOString() ?? null;
const flag = (v: unknown): boolean => v !== null && v !== undefined && Number(v) === 1;

/** A 16-byte ZIDENTIFIER as an upper-case UUID. */
function uuidOf(value: unknown): string | null {
  if (!Buffer.isBuffer(value) || value.length !== 16) return null;
  const hex = value.toString('hex').toUpperCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

function reminderRecord(
  r: Record<string, unknown>,
  origin: ReminderRecord['origin'],
  id: number,
  store: string,
  list: string | null,
  parent: string | null,
): ReminderRecord {
  const allDay = flag(r.ZALLDAY);
  return {
    origin,
    id,
    uid: str(r.ZCKIDENTIFIER) ?? str(r.ZDACALENDARITEMUNIQUEIDENTIFIER) ?? uuidOf(r.ZIDENTIFIER),
    store,
    list,
    title: str(r.ZTITLE1) ?? str(r.ZTITLE),
    notes: str(r.ZNOTES),
    due: iso(r.ZDUEDATE),
    allDay,
    timeZone: allDay ? null : str(r.ZTIMEZONE),
    completed: flag(r.ZCOMPLETED),
    completionDate: iso(r.ZCOMPLETIONDATE),
    priority: typeof r.ZPRIORITY === 'number' ? r.ZPRIORITY : 0,
    flagged: flag(r.ZFLAGGED),
    parent,
    created: iso(r.ZCREATIONDATE),
    modified: iso(r.ZLASTMODIFIEDDATE),
  };
}

const REMINDER_COLUMNS = [
  'ZCKIDENTIFIER',
  'ZDACALENDARITEMUNIQUEIDENTIFIER',
  'ZIDENTIFIER',
  'ZTITLE',
  'ZNOTES',
  'ZDUEDATE',
  'ZALLDAY',
  'ZTIMEZONE',
  'ZCOMPLETED',
  'ZCOMPLETIONDATE',
  'ZPRIORITY',
  'ZFLAGGED',
  'ZMARKEDFORDELETION',
  'ZCREATIONDATE',
  'ZLASTMODIFIEDDATE',
];

/** The store holds reminders in a table this reader knows. */
export function isRemindersStore(db: Database.Database): boolean {
  return hasTable(db, 'ZREMCDREMINDER') || tableColumns(db, 'ZREMCDOBJECT').has('ZTITLE1');
}

/** Core Data's entity number for a name (Z_PRIMARYKEY), for tables that hold several entities. */
function entity(db: Database.Database, name: string): number | undefined {
  if (!hasTable(db, 'Z_PRIMARYKEY')) return undefined;
  return (db.prepare('SELECT Z_ENT AS ent FROM Z_PRIMARYKEY WHERE Z_NAME = ?').get(name) as { ent: number } | undefined)
    ?.ent;
}

/** Live reminders of one store (marked-for-deletion ones included, as recently-deleted), by creation date. */
export function* readStoreReminders(db: Database.Database, store: string): Generator<ReminderRecord> {
  const modern = hasTable(db, 'ZREMCDREMINDER');
  const table = modern ? 'ZREMCDREMINDER' : 'ZREMCDOBJECT';
  const cols = tableColumns(db, table);
  const wanted = [...REMINDER_COLUMNS, 'ZTITLE1'].map((w) => column(cols, 'r', w)).join(', ');
  const listTable = modern ? (hasTable(db, 'ZREMCDBASELIST') ? 'ZREMCDBASELIST' : undefined) : 'ZREMCDOBJECT';
  const listCols = listTable === undefined ? new Set<string>() : tableColumns(db, listTable);
  const listJoin = listTable !== undefined && cols.has('ZLIST') && listCols.has('ZNAME');
  const parentJoin = cols.has('ZPARENTREMINDER') && cols.has('ZCKIDENTIFIER');
  let where = '';
  if (!modern) {
    const ent = entity(db, 'REMCDReminder');
    where =
      ent !== undefined && cols.has('Z_ENT')
        ? `WHERE r.Z_ENT = ${ent}`
        : "WHERE r.ZTITLE1 IS NOT NULL AND r.ZTITLE1 <> ''";
  }
  const sql = `SELECT r.Z_PK AS id, ${wanted}, ${listJoin ? 'l.ZNAME' : 'NULL'} AS list, ${parentJoin ? 'p.ZCKIDENTIFIER' : 'NULL'} AS parent
    FROM ${table} r
    ${listJoin ? `LEFT JOIN ${listTable} l ON l.Z_PK = r.ZLIST` : ''}
    ${parentJoin ? `LEFT JOIN ${table} p ON p.Z_PK = r.ZPARENTREMINDER` : ''}
    ${where}
    ORDER BY ${cols.has('ZCREATIONDATE') ? 'r.ZCREATIONDATE, ' : ''}r.Z_PK`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    yield reminderRecord(
      r,
      flag(r.ZMARKEDFORDELETION) ? 'recently-deleted' : 'live',
      Number(r.id),
      store,
      str(r.list),
      str(r.parent),
    );
  }
}

/**
 * Reminders deleted for good whose ZREMCDREMINDER rows the carver finds in the store's free space, -wal or
 * journal. A row whose uid or Z_PK is live (an older version of a live reminder), or that was already found, is
 * skipped; the list is named when its row is live.
 */
export async function readRecoveredReminders(
  path: string,
  db: Database.Database,
  store: string,
): Promise<ReminderRecord[]> {
  if (!hasTable(db, 'ZREMCDREMINDER')) return [];
  const liveRow = db.prepare('SELECT ZCKIDENTIFIER AS uid FROM ZREMCDREMINDER WHERE Z_PK = ?');
  const cols = tableColumns(db, 'ZREMCDREMINDER');
  const liveUids = new Set(
    cols.has('ZCKIDENTIFIER')
      ? (
          db.prepare('SELECT ZCKIDENTIFIER AS uid FROM ZREMCDREMINDER WHERE ZCKIDENTIFIER IS NOT NULL').all() as Array<{
            uid: string;
          }>
        ).map((r) => r.uid)
      : [],
  );
  const listName =
    hasTable(db, 'ZREMCDBASELIST') && tableColumns(db, 'ZREMCDBASELIST').has('ZNAME')
      ? db.prepare('SELECT ZNAME AS name FROM ZREMCDBASELIST WHERE Z_PK = ?')
      : undefined;
  const found: ReminderRecord[] = [];
  const seen = new Set<string>();
  for await (const { row, rowid } of carvedRows(path, 'ZREMCDREMINDER')) {
    const uid = str(row.ZCKIDENTIFIER);
    const id = rowid ?? (typeof row.Z_PK === 'number' ? row.Z_PK : -1);
    const key = uid ?? `pk:${id}:${String(row.ZCREATIONDATE)}`;
    if (seen.has(key) || (uid !== null && liveUids.has(uid)) || (id >= 0 && liveRow.get(id) !== undefined)) continue;
    if (str(row.ZTITLE) === null && uid === null) continue;
    seen.add(key);
    const listId = typeof row.ZLIST === 'number' ? row.ZLIST : undefined;
    const list =
      listId === undefined || listName === undefined
        ? null
        : ((listName.get(listId) as { name: string | null } | undefined)?.name ?? null);
    found.push(reminderRecord(row, 'recovered', id, store, list, null));
  }
  return found.sort((a, b) => (a.created ?? '').localeCompare(b.created ?? ''));
}

/** Calendar.sqlitedb (before iOS 13): CalendarItem rows with entity_type 3, their list the Calendar row. */
export function* readCalendarReminders(db: Database.Database): Generator<ReminderRecord> {
  const cols = tableColumns(db, 'CalendarItem');
  if (!cols.has('entity_type')) return;
  const wanted = [
    'UUID',
    'unique_identifier',
    'summary',
    'description',
    'due_date',
    'due_tz',
    'due_all_day',
    'completion_date',
    'priority',
    'creation_date',
    'last_modified',
  ]
    .map((w) => column(cols, 'i', w))
    .join(', ');
  const calendars = hasTable(db, 'Calendar');
  const sql = `SELECT i.ROWID AS id, ${wanted}, ${calendars ? 'c.title' : 'NULL'} AS list FROM CalendarItem i
    ${calendars ? 'LEFT JOIN Calendar c ON c.ROWID = i.calendar_id' : ''} WHERE i.entity_type = 3
    ORDER BY ${cols.has('creation_date') ? 'i.creation_date, ' : ''}i.ROWID`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const allDay = flag(r.due_all_day);
    const completion = iso(r.completion_date);
    yield {
      origin: 'live',
      id: Number(r.id),
      uid: str(r.UUID) ?? str(r.unique_identifier),
      store: 'Calendar.sqlitedb',
      list: str(r.list),
      title: str(r.summary),
      notes: str(r.description),
      due: iso(r.due_date),
      allDay,
      timeZone: allDay || r.due_tz === '_float' ? null : str(r.due_tz),
      completed: completion !== null,
      completionDate: completion,
      priority: typeof r.priority === 'number' ? r.priority : 0,
      flagged: false,
      parent: null,
      created: iso(r.creation_date),
      modified: iso(r.last_modified),
    };
  }
}
