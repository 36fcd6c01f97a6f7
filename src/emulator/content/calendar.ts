import type Database from 'better-sqlite3';
import { toAppleSeconds } from './apple-time.js';
import type { SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthCalendar, TruthEvent } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/**
 * Calendar.sqlitedb (iOS 10–17) as far as event readers use it (iLEAPP's calendar parser, MVT): `Calendar`
 * (title), `CalendarItem` (entity_type 2 = event, 3 = reminder; start/end as REAL seconds since 2001, start_tz an
 * Olson name or `_float` for all-day events, UUID, unique_identifier), `Location` (title, address) and `Store`.
 */
export const CALENDAR_SCHEMA = `
CREATE TABLE Store (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, default_alarm_offset INTEGER, type INTEGER,
  constraint_path TEXT, disabled INTEGER, external_id TEXT, persistent_id TEXT, flags INTEGER);
CREATE TABLE Calendar (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, store_id INTEGER, title TEXT, flags INTEGER, color TEXT,
  symbolic_color_name TEXT, color_display_only INTEGER, type TEXT, supported_entity_types INTEGER, external_id TEXT,
  display_order INTEGER, UUID TEXT, shared_owner_name TEXT, self_identity_email TEXT);
CREATE TABLE Location (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, title TEXT, address TEXT, latitude REAL, longitude REAL,
  radius REAL, item_owner_id INTEGER);
CREATE TABLE CalendarItem (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, location_id INTEGER, description TEXT,
  start_date REAL, start_tz TEXT, end_date REAL, all_day INTEGER, calendar_id INTEGER, orig_item_id INTEGER, orig_date REAL,
  organizer_id INTEGER, status INTEGER, invitation_status INTEGER, availability INTEGER, privacy_level INTEGER, url TEXT,
  last_modified REAL, sequence_num INTEGER, birthday_id INTEGER, modified_properties INTEGER, external_id TEXT,
  unique_identifier TEXT, hidden INTEGER, has_recurrences INTEGER, has_attendees INTEGER, UUID TEXT, entity_type INTEGER,
  priority INTEGER, due_date REAL, due_tz TEXT, due_all_day INTEGER, completion_date REAL, creation_date REAL);
CREATE INDEX CalendarItem_calendar_id ON CalendarItem (calendar_id);
CREATE INDEX CalendarItem_start_date ON CalendarItem (start_date);
`;

const TITLES = [
  'Dentist',
  'Team sync',
  'Dinner with Ana',
  'Flight to Lisbon',
  'Yoga',
  'Parent–teacher meeting',
  'Car service',
  'Birthday party 🎂',
  'Quarterly review; budget, plans',
  'Call plumber\nbring keys',
];
const PLACES: Array<{ title: string; address: string | null } | null> = [
  { title: "Dr. Okafor's office", address: '12 High St, Springfield' },
  { title: 'Café Lumen', address: '4 Rua Augusta, Lisboa' },
  null,
  { title: 'Gym', address: null },
  null,
];
const ZONES = ['America/New_York', 'Europe/Lisbon', 'Asia/Tokyo'];

/** `count` events in two calendars over the window, `deletedCount` of them deleted again; every field from `random`. */
export function generateEvents(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
): { calendars: TruthCalendar[]; events: TruthEvent[]; deleted: TruthEvent[] } {
  const calendars: TruthCalendar[] = [
    { rowid: 1, title: 'Home', uuid: random.uuid() },
    { rowid: 2, title: 'Work', uuid: random.uuid() },
  ];
  const start = window[0].getTime();
  const span = window[1].getTime() - start;
  const all: TruthEvent[] = [];
  for (let rowid = 1; rowid <= count + deletedCount; rowid++) {
    const allDay = random.chance(0.2);
    const minute = 60_000;
    let begins = new Date(Math.floor((start + random.next() * span) / (15 * minute)) * 15 * minute);
    if (allDay) begins = new Date(Date.UTC(begins.getUTCFullYear(), begins.getUTCMonth(), begins.getUTCDate()));
    const ends = new Date(begins.getTime() + (allDay ? 86_400_000 * random.int(1, 3) : random.int(1, 8) * 15 * minute));
    const place = random.pick(PLACES);
    all.push({
      rowid,
      uuid: random.uuid(),
      calendarRowid: random.pick(calendars).rowid,
      summary: random.pick(TITLES),
      start: begins,
      end: ends,
      allDay,
      timeZone: allDay ? null : random.pick(ZONES),
      location: place?.title ?? null,
      address: place?.address ?? null,
      notes: random.chance(0.3) ? `Notes for event ${rowid}, with a comma; and a semicolon` : null,
      url: random.chance(0.1) ? `https://example.com/e/${rowid}` : null,
      created: new Date(begins.getTime() - random.int(1, 30) * 86_400_000),
    });
  }
  const doomed = new Set<number>();
  while (doomed.size < Math.min(deletedCount, all.length)) doomed.add(random.int(1, all.length));
  return {
    calendars,
    events: all.filter((e) => !doomed.has(e.rowid)),
    deleted: all.filter((e) => doomed.has(e.rowid)),
  };
}

/**
 * Calendar.sqlitedb of iOS 4 and earlier, before reminders joined events: an `Event` table (no entity_type, no UUID
 * column — unique_identifier —, no creation_date) with the place as text in its own `location` column, no Location
 * table. Dates are REAL seconds since 2001 as later. Column list as iOS 3–4 forensic write-ups give it.
 */
export const EVENT_TABLE_SCHEMA = `
CREATE TABLE Store (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT, default_alarm_offset INTEGER, type INTEGER,
  constraint_path TEXT, disabled INTEGER, external_id TEXT, persistent_id TEXT, flags INTEGER);
CREATE TABLE Calendar (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, store_id INTEGER, title TEXT, flags INTEGER, color TEXT,
  type TEXT, external_id TEXT, display_order INTEGER);
CREATE TABLE Event (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, summary TEXT, location TEXT, description TEXT,
  start_date REAL, start_tz TEXT, end_date REAL, all_day INTEGER, calendar_id INTEGER, orig_event_id INTEGER,
  orig_start_date REAL, organizer_id INTEGER, organizer_is_self INTEGER, organizer_external_id TEXT, status INTEGER,
  availability INTEGER, privacy_level INTEGER, url TEXT, last_modified REAL, sequence_num INTEGER, birthday_id INTEGER,
  modified_properties INTEGER, external_tracking_status INTEGER, external_id TEXT, external_mod_tag TEXT,
  unique_identifier TEXT, external_schedule_id TEXT, external_rep BLOB, response_comment TEXT, hidden INTEGER,
  has_recurrences INTEGER, has_attendees INTEGER);
CREATE INDEX EventCalendar ON Event (calendar_id);
CREATE INDEX EventStartDate ON Event (start_date);
`;

/** The events as a phone of `ios` holds them (the truth to compare with): iOS ≤ 4 stores no address and no
 * creation date. */
export function eventsForVersion(events: TruthEvent[], ios: number): TruthEvent[] {
  if (ios > 4) return events;
  return events.map((e) => ({ ...e, address: null, created: null }));
}

function buildEventTableDb(calendars: TruthCalendar[], events: TruthEvent[], deleted: TruthEvent[]): SqliteImage {
  const all = [...events, ...deleted].sort((a, b) => a.rowid - b.rowid);
  return buildSqliteImage({
    schema: EVENT_TABLE_SCHEMA,
    fill(db) {
      db.prepare("INSERT INTO Store (ROWID, name, type, disabled, flags) VALUES (1, 'Default', 0, 0, 0)").run();
      const calendar = db.prepare(
        "INSERT INTO Calendar (ROWID, store_id, title, flags, color, display_order) VALUES (?, 1, ?, 0, '#1BADF8', ?)",
      );
      for (const c of calendars) calendar.run(c.rowid, c.title, c.rowid);
      const item = db.prepare(
        `INSERT INTO Event (ROWID, summary, location, description, start_date, start_tz, end_date, all_day, calendar_id,
           orig_event_id, status, availability, privacy_level, url, last_modified, sequence_num, unique_identifier, hidden,
           has_recurrences, has_attendees)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, 0, ?, 0, 0, 0)`,
      );
      for (const e of all)
        item.run(
          e.rowid,
          e.summary,
          e.location,
          e.notes,
          toAppleSeconds(e.start),
          e.allDay ? '_float' : e.timeZone,
          toAppleSeconds(e.end),
          e.allDay ? 1 : 0,
          e.calendarRowid,
          e.url,
          toAppleSeconds(e.start),
          e.uuid,
        );
    },
    remove(db) {
      const item = db.prepare('DELETE FROM Event WHERE ROWID = ?');
      for (const e of deleted) item.run(e.rowid);
    },
  });
}

/**
 * `extraFill` adds rows of other entity types after the events (reminders before iOS 13: `fillCalendarReminders`).
 * iOS ≤ 4 gets the Event table (and no reminders: the app came with iOS 5).
 */
export function buildCalendarDb(
  calendars: TruthCalendar[],
  events: TruthEvent[],
  deleted: TruthEvent[],
  extraFill?: (db: Database.Database) => void,
  iosVersion: number = NEWEST_IOS,
): SqliteImage {
  if (iosVersion <= 4) return buildEventTableDb(calendars, events, deleted);
  const all = [...events, ...deleted].sort((a, b) => a.rowid - b.rowid);
  return buildSqliteImage({
    schema: CALENDAR_SCHEMA,
    fill(db) {
      db.prepare("INSERT INTO Store (ROWID, name, type, disabled, flags) VALUES (1, 'Default', 0, 0, 0)").run();
      const calendar = db.prepare(
        "INSERT INTO Calendar (ROWID, store_id, title, flags, color, supported_entity_types, display_order, UUID) VALUES (?, 1, ?, 0, '#1BADF8', 4, ?, ?)",
      );
      for (const c of calendars) calendar.run(c.rowid, c.title, c.rowid, c.uuid);
      const location = db.prepare('INSERT INTO Location (ROWID, title, address, item_owner_id) VALUES (?, ?, ?, ?)');
      const item = db.prepare(
        `INSERT INTO CalendarItem (ROWID, summary, location_id, description, start_date, start_tz, end_date, all_day, calendar_id,
           orig_item_id, status, availability, privacy_level, url, last_modified, sequence_num, unique_identifier, hidden,
           has_recurrences, has_attendees, UUID, entity_type, creation_date)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, 0, 0, ?, ?, 0, ?, 0, 0, 0, ?, 2, ?)`,
      );
      for (const e of all) {
        if (e.location !== null) location.run(e.rowid, e.location, e.address, e.rowid);
        item.run(
          e.rowid,
          e.summary,
          e.location === null ? null : e.rowid,
          e.notes,
          toAppleSeconds(e.start),
          e.allDay ? '_float' : e.timeZone,
          toAppleSeconds(e.end),
          e.allDay ? 1 : 0,
          e.calendarRowid,
          e.url,
          e.created === null ? null : toAppleSeconds(e.created),
          e.uuid,
          e.uuid,
          e.created === null ? null : toAppleSeconds(e.created),
        );
      }
      extraFill?.(db);
    },
    remove(db) {
      const item = db.prepare('DELETE FROM CalendarItem WHERE ROWID = ?');
      const location = db.prepare('DELETE FROM Location WHERE item_owner_id = ?');
      for (const e of deleted) {
        item.run(e.rowid);
        location.run(e.rowid);
      }
    },
  });
}
