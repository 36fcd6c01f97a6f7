import type Database from 'better-sqlite3';
import { toAppleSeconds } from './apple-time.js';
import type { SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthReminder, TruthReminderList } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/**
 * A Reminders store of iOS 13–18 (HomeDomain `Library/Reminders/Container_v1/Stores/Data-<UUID>.sqlite`, one per
 * account), as far as readers use it: Core Data tables ZREMCDREMINDER and ZREMCDBASELIST with the columns iOS
 * writes (dates REAL seconds since 2001, ZIDENTIFIER the UUID as 16 bytes, ZCKIDENTIFIER as text), ZREMCDOBJECT
 * (accounts, attachments), Z_PRIMARYKEY (entity numbers and Z_MAX) and Z_METADATA.
 */
export const REMINDERS_STORE_SCHEMA = `
CREATE TABLE ZREMCDREMINDER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZALLDAY INTEGER, ZCKDIRTYFLAGS INTEGER,
  ZCOMPLETED INTEGER, ZCOMPLETIONDATE TIMESTAMP, ZDISPLAYDATEISALLDAY INTEGER, ZFLAGGED INTEGER, ZICSDISPLAYORDER INTEGER,
  ZMARKEDFORDELETION INTEGER, ZPRIORITY INTEGER, ZACCOUNT INTEGER, ZCKCLOUDSTATE INTEGER, ZLIST INTEGER, Z_FOK_LIST INTEGER,
  ZPARENTREMINDER INTEGER, ZCREATIONDATE TIMESTAMP, ZDISPLAYDATEDATE TIMESTAMP, ZDUEDATE TIMESTAMP, ZLASTMODIFIEDDATE TIMESTAMP,
  ZSTARTDATE TIMESTAMP, ZCKIDENTIFIER VARCHAR, ZDACALENDARITEMUNIQUEIDENTIFIER VARCHAR, ZDISPLAYDATETIMEZONE VARCHAR,
  ZNOTES VARCHAR, ZTIMEZONE VARCHAR, ZTITLE VARCHAR, ZIDENTIFIER BLOB, ZNOTESDOCUMENT BLOB, ZTITLEDOCUMENT BLOB);
CREATE TABLE ZREMCDBASELIST (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCKDIRTYFLAGS INTEGER, ZISGROUP INTEGER,
  ZMARKEDFORDELETION INTEGER, ZACCOUNT INTEGER, ZCKCLOUDSTATE INTEGER, ZPARENTLIST INTEGER, ZPARENTACCOUNT INTEGER,
  ZBADGEEMBLEM VARCHAR, ZCKIDENTIFIER VARCHAR, ZCOLOR VARCHAR, ZNAME VARCHAR, ZIDENTIFIER BLOB);
CREATE TABLE ZREMCDOBJECT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCKDIRTYFLAGS INTEGER, ZMARKEDFORDELETION INTEGER,
  ZACCOUNT INTEGER, ZREMINDER2 INTEGER, ZNAME VARCHAR, ZCKIDENTIFIER VARCHAR, ZIDENTIFIER BLOB);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE INDEX ZREMCDREMINDER_ZLIST_INDEX ON ZREMCDREMINDER (ZLIST);
CREATE INDEX ZREMCDREMINDER_ZPARENTREMINDER_INDEX ON ZREMCDREMINDER (ZPARENTREMINDER);
CREATE INDEX ZREMCDBASELIST_ZACCOUNT_INDEX ON ZREMCDBASELIST (ZACCOUNT);
`;

/** Core Data entity numbers of the model (what Z_ENT and Z_PRIMARYKEY hold). */
const ENTITY = { account: 2, baseList: 5, list: 6, reminder: 29 } as const;

/** An empty binary plist dictionary (Z_METADATA.Z_PLIST holds the store's metadata as one). */
const EMPTY_BPLIST = Buffer.from(
  '62706c6973743030d0080000000000000101000000000000000100000000000000000000000000000009',
  'hex',
);

const TITLES = [
  'Buy milk, eggs; bread',
  'Call mum\nabout Sunday',
  'Renew passport',
  'Pay electricity bill',
  'Book dentist 🦷',
  'Water the plants',
  'Return library books',
  'Send invoice #42',
  'Pick up dry cleaning',
  'Plan trip to Porto',
];
const ZONES = ['Europe/Lisbon', 'America/New_York', 'Asia/Tokyo'];
const PRIORITIES = [0, 0, 0, 1, 5, 9] as const;

export interface RemindersContent {
  /** Store file name → its lists. */
  lists: TruthReminderList[];
  reminders: TruthReminder[];
  deleted: TruthReminder[];
}

/**
 * Reminders in two account stores ("Reminders" and a grocery list in one, "Work" in the other), `count` kept and
 * `deletedCount` deleted again; some completed, flagged, prioritised, due (timed or all-day), one a subtask, one
 * marked for deletion. `storeName(uuid)` names each store file.
 */
export function generateReminders(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
  storeName: (uuid: string) => string,
): RemindersContent {
  const stores = [storeName(random.uuid()), storeName(random.uuid())];
  const lists: TruthReminderList[] = [
    { pk: 1, name: 'Reminders', uuid: random.uuid(), store: stores[0]! },
    { pk: 2, name: 'Groceries 🛒', uuid: random.uuid(), store: stores[0]! },
    { pk: 1, name: 'Work', uuid: random.uuid(), store: stores[1]! },
  ];
  const start = window[0].getTime();
  const span = window[1].getTime() - start;
  const minute = 60_000;
  const all: TruthReminder[] = [];
  const nextPk = new Map<string, number>();
  for (let i = 0; i < count + deletedCount; i++) {
    const list = random.pick(lists);
    const pk = (nextPk.get(list.store) ?? 0) + 1;
    nextPk.set(list.store, pk);
    const created = new Date(Math.floor((start + random.next() * span) / 1000) * 1000);
    const hasDue = random.chance(0.6);
    const allDay = hasDue && random.chance(0.35);
    let due: Date | null = null;
    if (hasDue) {
      const at = created.getTime() + random.int(1, 20) * 86_400_000;
      due = allDay
        ? new Date(Date.UTC(new Date(at).getUTCFullYear(), new Date(at).getUTCMonth(), new Date(at).getUTCDate()))
        : new Date(Math.floor(at / (15 * minute)) * 15 * minute);
    }
    const completed = random.chance(0.3);
    const modified = new Date(created.getTime() + random.int(0, 5 * 86_400) * 1000);
    all.push({
      pk,
      uuid: random.uuid(),
      store: list.store,
      listPk: list.pk,
      listName: list.name,
      title: random.pick(TITLES),
      notes: random.chance(0.4) ? `Note ${i + 1}: bring the receipt, and the card; ask for Ana` : null,
      due,
      allDay,
      timeZone: hasDue && !allDay ? random.pick(ZONES) : null,
      completed,
      completionDate: completed ? new Date(modified.getTime() + 3_600_000) : null,
      priority: random.pick(PRIORITIES),
      flagged: random.chance(0.25),
      parentUuid: null,
      created,
      modified,
      markedForDeletion: false,
    });
  }
  const doomed = new Set<number>();
  while (doomed.size < Math.min(deletedCount, all.length)) doomed.add(random.int(0, all.length - 1));
  const kept = all.filter((_, i) => !doomed.has(i));
  // One subtask (its parent in the same list) and one reminder deleted on the phone but not yet synced.
  const child = kept.find(
    (r, i) => i > 0 && kept.slice(0, i).some((p) => p.store === r.store && p.listPk === r.listPk),
  );
  if (child) child.parentUuid = kept.find((p) => p.store === child.store && p.listPk === child.listPk)!.uuid;
  if (kept.length > 2) kept[kept.length - 1]!.markedForDeletion = true;
  return { lists, reminders: kept, deleted: all.filter((_, i) => doomed.has(i)) };
}

/** One store's file: its lists, its reminders (live and doomed, interleaved by Z_PK), then the doomed deleted. */
export function buildRemindersStore(
  store: string,
  content: RemindersContent,
  _iosVersion: number = NEWEST_IOS,
): SqliteImage {
  const lists = content.lists.filter((l) => l.store === store);
  const live = content.reminders.filter((r) => r.store === store);
  const deleted = content.deleted.filter((r) => r.store === store);
  const all = [...live, ...deleted].sort((a, b) => a.pk - b.pk);
  const uuidBlob = (uuid: string): Buffer => Buffer.from(uuid.replace(/-/g, ''), 'hex');
  return buildSqliteImage({
    schema: REMINDERS_STORE_SCHEMA,
    fill(db) {
      const storeUuid = store.replace(/^Data-|\.sqlite$/g, '');
      db.prepare('INSERT INTO Z_METADATA VALUES (1, ?, ?)').run(storeUuid, EMPTY_BPLIST);
      db.prepare(
        'INSERT INTO ZREMCDOBJECT (Z_PK, Z_ENT, Z_OPT, ZCKDIRTYFLAGS, ZMARKEDFORDELETION, ZNAME, ZCKIDENTIFIER) VALUES (1, ?, 1, 0, 0, ?, ?)',
      ).run(ENTITY.account, 'iCloud', storeUuid);
      const list = db.prepare(
        'INSERT INTO ZREMCDBASELIST (Z_PK, Z_ENT, Z_OPT, ZCKDIRTYFLAGS, ZISGROUP, ZMARKEDFORDELETION, ZACCOUNT, ZCKIDENTIFIER, ZCOLOR, ZNAME, ZIDENTIFIER) VALUES (?, ?, 1, 0, 0, 0, 1, ?, ?, ?, ?)',
      );
      for (const l of lists) list.run(l.pk, ENTITY.list, l.uuid, '#FF9500', l.name, uuidBlob(l.uuid));
      const pkOf = new Map(all.map((r) => [r.uuid, r.pk]));
      const reminder =
        db.prepare(`INSERT INTO ZREMCDREMINDER (Z_PK, Z_ENT, Z_OPT, ZALLDAY, ZCKDIRTYFLAGS, ZCOMPLETED, ZCOMPLETIONDATE, ZDISPLAYDATEISALLDAY,
          ZFLAGGED, ZICSDISPLAYORDER, ZMARKEDFORDELETION, ZPRIORITY, ZACCOUNT, ZLIST, Z_FOK_LIST, ZPARENTREMINDER, ZCREATIONDATE, ZDISPLAYDATEDATE,
          ZDUEDATE, ZLASTMODIFIEDDATE, ZCKIDENTIFIER, ZDACALENDARITEMUNIQUEIDENTIFIER, ZNOTES, ZTIMEZONE, ZTITLE, ZIDENTIFIER)
        VALUES (?, ?, 1, ?, 0, ?, ?, ?, ?, 0, ?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
      for (const r of all) {
        const due = r.due === null ? null : toAppleSeconds(r.due);
        reminder.run(
          r.pk,
          ENTITY.reminder,
          r.allDay ? 1 : 0,
          r.completed ? 1 : 0,
          r.completionDate === null ? null : toAppleSeconds(r.completionDate),
          r.allDay ? 1 : 0,
          r.flagged ? 1 : 0,
          r.markedForDeletion ? 1 : 0,
          r.priority,
          r.listPk,
          r.pk * 1024,
          r.parentUuid === null ? null : (pkOf.get(r.parentUuid) ?? null),
          toAppleSeconds(r.created),
          due,
          due,
          toAppleSeconds(r.modified),
          r.uuid,
          r.uuid,
          r.notes,
          r.timeZone,
          r.title,
          uuidBlob(r.uuid),
        );
      }
      const max = db.prepare('INSERT INTO Z_PRIMARYKEY VALUES (?, ?, ?, ?)');
      max.run(ENTITY.account, 'REMCDAccount', 0, 1);
      max.run(ENTITY.baseList, 'REMCDBaseList', 0, lists.length);
      max.run(ENTITY.list, 'REMCDList', ENTITY.baseList, 0);
      max.run(ENTITY.reminder, 'REMCDReminder', 0, all.length === 0 ? 0 : all[all.length - 1]!.pk);
    },
    remove(db) {
      const drop = db.prepare('DELETE FROM ZREMCDREMINDER WHERE Z_PK = ?');
      for (const r of deleted) drop.run(r.pk);
    },
  });
}

/**
 * Before iOS 13: the same reminders as Calendar.sqlitedb rows, appended after the events (called from
 * buildCalendarDb's fill): each list a Calendar row for reminders, each reminder a CalendarItem of entity_type 3
 * with due_date, due_tz (`_float` when all-day), due_all_day, completion_date and priority.
 */
export function fillCalendarReminders(
  db: Database.Database,
  lists: TruthReminderList[],
  reminders: TruthReminder[],
): void {
  const calendar = db.prepare(
    "INSERT INTO Calendar (ROWID, store_id, title, flags, color, supported_entity_types, display_order, UUID) VALUES (?, 1, ?, 0, '#FF9500', 8, ?, ?)",
  );
  for (const l of lists) calendar.run(l.pk, l.name, l.pk, l.uuid);
  const item =
    db.prepare(`INSERT INTO CalendarItem (ROWID, summary, description, calendar_id, status, last_modified, unique_identifier, hidden, UUID,
      entity_type, priority, due_date, due_tz, due_all_day, completion_date, creation_date, start_tz, all_day, has_recurrences, has_attendees)
    VALUES (?, ?, ?, ?, 0, ?, ?, 0, ?, 3, ?, ?, ?, ?, ?, ?, '_float', 0, 0, 0)`);
  for (const r of reminders) {
    item.run(
      r.pk,
      r.title,
      r.notes,
      r.listPk,
      toAppleSeconds(r.modified),
      r.uuid,
      r.uuid,
      r.priority,
      r.due === null ? null : toAppleSeconds(r.due),
      r.due === null ? null : r.allDay ? '_float' : r.timeZone,
      r.allDay ? 1 : 0,
      r.completionDate === null ? null : toAppleSeconds(r.completionDate),
      toAppleSeconds(r.created),
    );
  }
}

/** The pre-iOS 13 shape of generated reminders: one list set in Calendar.sqlitedb, CalendarItem ROWIDs from
 * `firstRowid`. */
export function legacyReminders(
  content: RemindersContent,
  firstCalendarRowid: number,
  firstRowid: number,
): { lists: TruthReminderList[]; reminders: TruthReminder[] } {
  const lists = content.lists.map((l, i) => ({ ...l, pk: firstCalendarRowid + i, store: 'Calendar.sqlitedb' }));
  const listOf = (r: TruthReminder): TruthReminderList =>
    lists[content.lists.findIndex((l) => l.store === r.store && l.pk === r.listPk)]!;
  const reminders = content.reminders
    .filter((r) => !r.markedForDeletion)
    .map((r, i) => ({
      ...r,
      pk: firstRowid + i,
      store: 'Calendar.sqlitedb',
      listPk: listOf(r).pk,
      flagged: false,
      parentUuid: null,
    }));
  return { lists, reminders };
}
