import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import type { EventRecord } from '../../../src/extract/index.js';
import { escapeIcsText, icsLine } from '../../../src/extract/exporters/icalendar.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

describe('iCalendar lines', () => {
  it('escapes TEXT and folds at 75 octets without cutting a UTF-8 character', () => {
    expect(escapeIcsText('a;b,c\\d\ne')).toBe('a\\;b\\,c\\\\d\\ne');
    const line = icsLine('SUMMARY', 'é'.repeat(100));
    const physical = line.split('\r\n').filter(Boolean);
    expect(physical.length).toBeGreaterThan(1);
    for (const l of physical) expect(Buffer.byteLength(l, 'utf8')).toBeLessThanOrEqual(75);
    expect(physical.map((l, i) => (i === 0 ? l : l.slice(1))).join('')).toBe(`SUMMARY:${'é'.repeat(100)}`);
  });
});

describe.each([{ encrypted: false }, { encrypted: true }])('calendar (encrypted: $encrypted)', ({ encrypted }) => {
  it('exports every event to .ics, JSON and CSV equal to what went in, then the deleted ones the carver finds; an independent parser reads the .ics back', async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `calendar-${encrypted}`, contacts: 3, messages: 5, photos: 0, calls: 0, events: 30 },
    });
    try {
      const expected = [...run.truth.events].sort((a, b) => a.start.getTime() - b.start.getTime() || a.rowid - b.rowid);
      const calendars = new Map(run.truth.calendars.map((c) => [c.rowid, c.title]));
      const all = JSON.parse(await readFile(join(run.out, 'calendar/events.json'), 'utf8')) as EventRecord[];
      expect(run.report.types.find((t) => t.type === 'calendar')).toMatchObject({ status: 'ok', records: all.length });
      const events = all.filter((e) => e.origin === 'live');
      const recovered = all.filter((e) => e.origin === 'recovered');
      expect(all.slice(0, events.length)).toEqual(events);
      expect(events.length + recovered.length).toBe(all.length);
      expect(
        events.map((e) => ({
          id: e.id,
          uid: e.uid,
          calendar: e.calendar,
          summary: e.summary,
          start: e.start,
          end: e.end,
          allDay: e.allDay,
          timeZone: e.timeZone,
          location: e.location,
          address: e.address,
          notes: e.notes,
          url: e.url,
        })),
      ).toEqual(
        expected.map((t) => ({
          id: t.rowid,
          uid: t.uuid,
          calendar: calendars.get(t.calendarRowid),
          summary: t.summary,
          start: t.start.toISOString(),
          end: t.end.toISOString(),
          allDay: t.allDay,
          timeZone: t.timeZone,
          location: t.location,
          address: t.address,
          notes: t.notes,
          url: t.url,
        })),
      );
      expect(run.truth.deletedEvents.length).toBeGreaterThan(0);
      const deleted = new Set(run.truth.deletedEvents.map((e) => e.uuid));
      expect(events.filter((e) => deleted.has(e.uid ?? ''))).toEqual([]);
      // Deleted events the carver finds: each one of the deleted, once, field by field (the calendar's title and
      // the location come from rows that may be gone too: when given, they are right).
      expect(recovered.length).toBeGreaterThan(0);
      const deletedByUid = new Map(run.truth.deletedEvents.map((t) => [t.uuid, t]));
      for (const e of recovered) {
        const truth = deletedByUid.get(e.uid ?? '');
        expect(truth, `recovered event ${e.uid} is one of the deleted ones`).toBeDefined();
        expect({
          summary: e.summary,
          start: e.start,
          end: e.end,
          allDay: e.allDay,
          timeZone: e.timeZone,
          notes: e.notes,
          url: e.url,
        }).toEqual({
          summary: truth!.summary,
          start: truth!.start.toISOString(),
          end: truth!.end.toISOString(),
          allDay: truth!.allDay,
          timeZone: truth!.timeZone,
          notes: truth!.notes,
          url: truth!.url,
        });
        if (e.calendar !== null) expect(e.calendar).toBe(calendars.get(truth!.calendarRowid));
      }
      expect(new Set(recovered.map((e) => e.uid)).size).toBe(recovered.length);
      expect(
        expected.some((e) => e.allDay) &&
          expected.some((e) => !e.allDay) &&
          expected.some((e) => e.summary.includes('\n')),
      ).toBe(true);

      // ical.js, an independent RFC 5545 parser, reads the file back to the same events.
      const parsed = new ICAL.Component(
        ICAL.parse(await readFile(join(run.out, 'calendar/calendar.ics'), 'utf8')) as unknown[],
      );
      const vevents = parsed.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
      expect(vevents).toHaveLength(expected.length + recovered.length);
      expect(
        parsed
          .getAllSubcomponents('vevent')
          .filter((c) => c.getFirstPropertyValue('x-iosrescue-origin') === 'recovered (deleted)')
          .map((c) => c.getFirstPropertyValue('uid')),
      ).toEqual(recovered.map((e) => e.uid));
      for (const [i, truth] of expected.entries()) {
        const v = vevents[i]!;
        expect(v.uid).toBe(truth.uuid);
        expect(v.summary).toBe(truth.summary);
        expect(v.startDate.isDate).toBe(truth.allDay);
        if (truth.allDay) expect(v.startDate.toString()).toBe(truth.start.toISOString().slice(0, 10));
        else expect(v.startDate.toJSDate().toISOString()).toBe(truth.start.toISOString());
        expect(v.location).toBe([truth.location, truth.address].filter(Boolean).join(', ') || null);
        expect(v.description).toBe(truth.notes);
      }
      const rows = parseCsv(await readFile(join(run.out, 'calendar/events.csv'), 'utf8'));
      expect(rows[0]).toEqual([
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
      ]);
      expect(rows.slice(1).map((r) => [r[6], r[11], r[12]])).toEqual([
        ...expected.map((t) => [t.summary, t.uuid, 'live']),
        ...recovered.map((e) => [e.summary, e.uid, 'recovered']),
      ]);
    } finally {
      await run.cleanup();
    }
  });
});
