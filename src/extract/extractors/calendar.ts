import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { RecordFiles } from '../exporters/record-files.js';
import { ICS_CALENDAR_TAIL, icsCalendarHead, icsEvent } from '../exporters/icalendar.js';
import { TextSink } from '../exporters/text-sink.js';
import { defineExtractor, inRange, source } from '../extractor.js';
import type { EventRecord } from '../records.js';
import { carvedRows } from '../carved-rows.js';
import { column, deletedBySequence, firstTable, hasTable, tableColumns, textValue } from '../schema.js';
import { dateFlag } from '../date-check.js';
import { unsupportedSchema } from '../unsupported-schema.js';
import { calendarSection } from '../report/sections/calendar.js';

export const CALENDAR_DB = { domain: 'HomeDomain', relativePath: 'Library/Calendar/Calendar.sqlitedb' } as const;

/** CalendarItem.entity_type of events (3 is a reminder); a NULL type (seen in a rebuilt MVT artifact) counts as an
 * event. */
const EVENT = 2;

/**
 * The table holding events: CalendarItem (iOS 5+, events and reminders told apart by entity_type) or, before
 * reminders existed, Event (iOS ≤ 4: no entity_type, no UUID, no creation_date, the place as text in `location`).
 * Undefined when the database has neither.
 */
export function eventTable(db: Database.Database): 'CalendarItem' | 'Event' | undefined {
  return firstTable(db, ['CalendarItem', 'Event']) as 'CalendarItem' | 'Event' | undefined;
}

/** Every event of a Calendar.sqlitedb with its calendar's title and its location, by start date. */
export function* readEvents(db: Database.Database): Generator<EventRecord> {
  const table = eventTable(db);
  if (table === undefined) throw unsupportedSchema(db, 'Calendar.sqlitedb', 'CalendarItem or Event table');
  const cols = tableColumns(db, table);
  const calendars = hasTable(db, 'Calendar');
  // The place: a Location row (iOS 5+), else the text the old Event table kept in its own column.
  const locations = hasTable(db, 'Location') && cols.has('location_id');
  const inlineLocation = !locations && cols.has('location');
  const wanted = [
    'summary',
    'description',
    'start_date',
    'start_tz',
    'end_date',
    'all_day',
    'calendar_id',
    'url',
    'UUID',
    'unique_identifier',
    'creation_date',
    'last_modified',
  ];
  const sql = `SELECT i.ROWID AS id, ${wanted.map((w) => column(cols, 'i', w)).join(', ')},
      ${calendars ? 'c.title' : 'NULL'} AS calendar, ${locations ? 'l.title' : inlineLocation ? 'i.location' : 'NULL'} AS location, ${locations ? 'l.address' : 'NULL'} AS address
    FROM ${table} i
    ${calendars ? 'LEFT JOIN Calendar c ON c.ROWID = i.calendar_id' : ''}
    ${locations ? 'LEFT JOIN Location l ON l.ROWID = i.location_id' : ''}
    ${cols.has('entity_type') ? `WHERE coalesce(i.entity_type, ${EVENT}) = ${EVENT}` : ''}
    ORDER BY i.start_date, i.ROWID`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const allDay = Number(r.all_day) === 1;
    const start = fromAppleSeconds(r.start_date)?.toISOString() ?? null;
    const end = fromAppleSeconds(r.end_date)?.toISOString() ?? null;
    const created = fromAppleSeconds(r.creation_date)?.toISOString() ?? null;
    yield {
      origin: 'live',
      id: Number(r.id),
      uid: textValue(r.UUID) ?? textValue(r.unique_identifier),
      calendar: textValue(r.calendar),
      summary: textValue(r.summary),
      start,
      end,
      allDay,
      timeZone: allDay || r.start_tz === '_float' ? null : textValue(r.start_tz),
      location: textValue(r.location),
      address: textValue(r.address),
      notes: textValue(r.description),
      url: textValue(r.url),
      created,
      ...dateFlag(start, end, created),
    };
  }
}

/**
 * Events deleted from the calendar whose CalendarItem rows the carver finds, not live by UUID, once each; the
 * calendar's title and the location come from their live rows when those survive. Reminders (entity_type 3) are
 * left to the reminders type.
 */
export async function* readRecoveredEvents(path: string, db: Database.Database): AsyncGenerator<EventRecord> {
  const table = eventTable(db);
  if (table === undefined) return;
  const cols = tableColumns(db, table);
  const uuidColumn = cols.has('UUID') ? 'UUID' : cols.has('unique_identifier') ? 'unique_identifier' : undefined;
  const live = uuidColumn === undefined ? undefined : db.prepare(`SELECT 1 FROM ${table} WHERE ${uuidColumn} = ?`);
  const calendar = hasTable(db, 'Calendar') ? db.prepare('SELECT title FROM Calendar WHERE ROWID = ?') : undefined;
  const location = hasTable(db, 'Location')
    ? db.prepare('SELECT title, address FROM Location WHERE ROWID = ?')
    : undefined;
  const text = (v: unknown): string | null => (typeof v === 'string' ? v : null);
  const seen = new Set<string>();
  for await (const { row: r, rowid } of carvedRows(path, table)) {
    if (r.entity_type !== undefined && r.entity_type !== null && Number(r.entity_type) !== EVENT) continue;
    const uid = text(r.UUID) ?? text(r.unique_identifier);
    const start = fromAppleSeconds(r.start_date)?.toISOString() ?? null;
    if (start === null || (uid === null && text(r.summary) === null)) continue;
    const key = uid ?? `${String(rowid)}|${start}|${String(r.summary)}`;
    if (seen.has(key) || (uid !== null && live?.get(uid) !== undefined)) continue;
    seen.add(key);
    const allDay = Number(r.all_day) === 1;
    const place =
      r.location_id === null || r.location_id === undefined
        ? typeof r.location === 'string'
          ? { title: r.location, address: null }
          : undefined
        : (location?.get(Number(r.location_id)) as { title: unknown; address: unknown } | undefined);
    const end = fromAppleSeconds(r.end_date)?.toISOString() ?? null;
    const created = fromAppleSeconds(r.creation_date)?.toISOString() ?? null;
    const cal =
      r.calendar_id === null || r.calendar_id === undefined
        ? undefined
        : (calendar?.get(Number(r.calendar_id)) as { title: unknown } | undefined);
    yield {
      origin: 'recovered',
      id: rowid ?? -1,
      uid,
      calendar: textValue(cal?.title),
      summary: text(r.summary),
      start,
      end,
      allDay,
      timeZone: allDay || r.start_tz === '_float' ? null : text(r.start_tz),
      location: textValue(place?.title),
      address: textValue(place?.address),
      notes: text(r.description),
      url: text(r.url),
      created,
      ...dateFlag(start, end, created),
    };
  }
}

const CSV_HEADER = [
  'id',
  'calendar',
  'start',
  'end',
  'all_day',
  'time_zone',
  'summary',
  'location',
  'address',
  'notes',
  'url',
  'uid',
  'origin',
  'date_unclear',
];

export const calendarExtractor = defineExtractor({
  type: 'calendar',
  label: 'Calendar',
  saves: 'calendar events (.ics)',
  sources: [source(CALENDAR_DB, 'any')],
  outputs: ['calendar.ics', 'events.json', 'events.csv'],
  records: ['EventRecord'],
  section: calendarSection,

  async scan({ reader, work }) {
    const opened = await work.openDatabase(reader, CALENDAR_DB.domain, CALENDAR_DB.relativePath);
    if (opened === undefined) return null;
    const table = eventTable(opened.db);
    if (table === undefined)
      return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes: opened.bytes };
    const events = tableColumns(opened.db, table).has('entity_type')
      ? `WHERE coalesce(entity_type, ${EVENT}) = ${EVENT}`
      : '';
    const row = opened.db
      .prepare(`SELECT count(*) AS n, min(start_date) AS first, max(start_date) AS last FROM ${table} ${events}`)
      .get() as { n: number; first: number | null; last: number | null };
    const all = (opened.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
    return {
      count: row.n,
      recentlyDeleted: null,
      purged: deletedBySequence(opened.db, table, all),
      firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null,
      lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null,
      bytes: opened.bytes,
    };
  },

  /**
   * calendar/calendar.ics (every event, importable into any calendar app), events.json and events.csv. Times are
   * written as the instants the phone stored (UTC); all-day events as dates.
   */
  async extract({ reader, work, out, range }) {
    const opened = await work.openDatabase(reader, CALENDAR_DB.domain, CALENDAR_DB.relativePath);
    if (opened === undefined) return null;
    const ics = new TextSink(await out.absolute('calendar/calendar.ics'));
    const records = await RecordFiles.open(out, 'calendar/events', CSV_HEADER);
    await ics.write(icsCalendarHead('iPhone calendar'));
    const stamp = new Date();
    const write = async (event: EventRecord): Promise<void> => {
      if (!inRange(range, event.start) || event.start === null) return;
      const extra: Array<[string, string]> = event.calendar ? [['CATEGORIES', event.calendar]] : [];
      // A calendar app would import a recovered event as any other: the property says where it came from.
      if (event.origin === 'recovered') extra.push(['X-IOSRESCUE-ORIGIN', 'recovered (deleted)']);
      await ics.write(
        icsEvent(
          {
            uid: event.uid ?? `iosrescue-event-${event.id}`,
            summary: event.summary,
            start: new Date(event.start),
            end: event.end === null ? null : new Date(event.end),
            allDay: event.allDay,
            location: [event.location, event.address].filter(Boolean).join(', ') || null,
            description: event.notes,
            url: event.url,
            created: event.created === null ? null : new Date(event.created),
            extra,
          },
          stamp,
        ),
      );
      await records.write(event, [
        event.id,
        event.calendar,
        event.start,
        event.end,
        event.allDay,
        event.timeZone,
        event.summary,
        event.location,
        event.address,
        event.notes,
        event.url,
        event.uid,
        event.origin,
        event.dateSuspect ?? false,
      ]);
    };
    for (const event of readEvents(opened.db)) await write(event);
    // Then the deleted events the carver finds, after the live ones and marked.
    for await (const event of readRecoveredEvents(opened.path, opened.db)) await write(event);
    await ics.write(ICS_CALENDAR_TAIL);
    await ics.close();
    return { records: await records.close(), files: 3 };
  },
});
