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
  it('exports every event to .ics, JSON and CSV equal to what went in; an independent parser reads the .ics back', async () => {
    const run = await extractGenerated({ encrypted, spec: { seed: `calendar-${encrypted}`, contacts: 3, messages: 5, photos: 0, calls: 0, events: 30 } });
    try {
      const expected = [...run.truth.events].sort((a, b) => a.start.getTime() - b.start.getTime() || a.rowid - b.rowid);
      expect(run.report.types.find((t) => t.type === 'calendar')).toMatchObject({ status: 'ok', records: expected.length });
      const calendars = new Map(run.truth.calendars.map((c) => [c.rowid, c.title]));
      const events = JSON.parse(await readFile(join(run.out, 'calendar/events.json'), 'utf8')) as EventRecord[];
      expect(events.map((e) => ({ id: e.id, uid: e.uid, calendar: e.calendar, summary: e.summary, start: e.start, end: e.end, allDay: e.allDay, timeZone: e.timeZone, location: e.location, address: e.address, notes: e.notes, url: e.url })))
        .toEqual(expected.map((t) => ({ id: t.rowid, uid: t.uuid, calendar: calendars.get(t.calendarRowid), summary: t.summary, start: t.start.toISOString(), end: t.end.toISOString(), allDay: t.allDay, timeZone: t.timeZone, location: t.location, address: t.address, notes: t.notes, url: t.url })));
      expect(run.truth.deletedEvents.length).toBeGreaterThan(0);
      const deleted = new Set(run.truth.deletedEvents.map((e) => e.uuid));
      expect(events.filter((e) => deleted.has(e.uid ?? ''))).toEqual([]);
      expect(expected.some((e) => e.allDay) && expected.some((e) => !e.allDay) && expected.some((e) => e.summary.includes('\n'))).toBe(true);

      // ical.js, an independent RFC 5545 parser, reads the file back to the same events.
      const parsed = new ICAL.Component(ICAL.parse(await readFile(join(run.out, 'calendar/calendar.ics'), 'utf8')) as unknown[]);
      const vevents = parsed.getAllSubcomponents('vevent').map((c) => new ICAL.Event(c));
      expect(vevents).toHaveLength(expected.length);
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
      expect(rows[0]).toEqual(['id', 'calendar', 'start', 'end', 'all_day', 'time_zone', 'summary', 'location', 'address', 'notes', 'url', 'uid']);
      expect(rows.slice(1).map((r) => [r[6], r[11]])).toEqual(expected.map((t) => [t.summary, t.uuid]));
    } finally {
      await run.cleanup();
    }
  });
});
