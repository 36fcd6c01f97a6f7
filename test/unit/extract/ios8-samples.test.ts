import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { generateDeviceContent } from '../../../src/emulator/content/index.js';
import type { BookmarkRecord, EventRecord, NoteRecord, VisitRecord } from '../../../src/extract/index.js';
import { externalSample, extractSamples } from '../../helpers/old-sample-backup.js';

/**
 * Real databases of an iOS 8 phone (the public backup dump OTAPKI/iphone, not redistributed: see
 * test/fixtures/PROVENANCE.md), each put at its place in an mbdb backup. Expected figures were read from the files with
 * the sqlite3 shell and Python's plistlib, not from this code.
 */
const calendar = externalSample('otapki-ios8/Calendar.sqlitedb');
const history = externalSample('otapki-ios8/History.plist');
const voicemail = externalSample('otapki-ios8/voicemail.db');
const notes = externalSample('otapki-ios8/notes.sqlite');
const recordings = externalSample('otapki-ios8/Recordings.db');
const bookmarks = externalSample('otapki-ios8/Bookmarks.db');

it.skipIf(calendar === undefined)(
  'a real iOS 8 Calendar.sqlitedb gives its 130 events (US Holidays, all-day, 2004-12-31 … 2025-11-27), none with a date flagged',
  async () => {
    const run = await extractSamples(
      [{ domain: 'HomeDomain', relativePath: 'Library/Calendar/Calendar.sqlitedb', path: calendar! }],
      ['calendar', 'reminders'],
    );
    try {
      expect(run.report.types.find((t) => t.type === 'calendar')).toMatchObject({ status: 'ok' });
      const events = (await run.json<EventRecord[]>('calendar/events.json')).filter((e) => e.origin === 'live');
      expect(events.length).toBe(130);
      expect(events.slice(0, 3).map((e) => [e.id, e.summary, e.start, e.allDay, e.calendar])).toEqual([
        [69, 'New Year’s Day (observed)', '2004-12-31T00:00:00.000Z', true, 'US Holidays'],
        [88, 'New Year’s Day', '2005-01-01T00:00:00.000Z', true, 'US Holidays'],
        [113, 'Martin Luther King, Jr. Day', '2005-01-17T00:00:00.000Z', true, 'US Holidays'],
      ]);
      expect(events.at(-1)!.start).toBe('2025-11-27T00:00:00.000Z');
      expect(events.filter((e) => e.dateSuspect)).toEqual([]);
      // No entity_type 3 rows: no reminders, and the type says so rather than failing.
      expect(run.report.types.find((t) => t.type === 'reminders')?.records ?? 0).toBe(0);
    } finally {
      await run.cleanup();
    }
  },
);

it.skipIf(history === undefined)(
  "a real History.plist in Safari's iOS 8 container gives its 7 URLs and 8 visits, dated 2015-11-01",
  async () => {
    const run = await extractSamples(
      [{ domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/History.plist', path: history! }],
      ['safari'],
    );
    try {
      expect(run.report.types.find((t) => t.type === 'safari')).toMatchObject({ status: 'ok', records: 7 });
      const visits = await run.json<VisitRecord[]>('safari/history.json');
      expect(visits.reduce((n, v) => n + (v.visitCount ?? 0), 0)).toBe(8);
      expect(visits.at(-1)).toMatchObject({
        url: 'https://www.google.com/search?q=telecitygroup+international+limited&ie=UTF-8&oe=UTF-8&hl=en&client=safari',
        title: 'telecitygroup international limited - Google Search',
        time: '2015-11-01T22:08:57.890Z',
        visitCount: 1,
      });
      expect(visits.every((v) => v.time?.startsWith('2015-11-01T22:0') && v.dateSuspect === undefined)).toBe(true);
    } finally {
      await run.cleanup();
    }
  },
);

it.skipIf(bookmarks === undefined)(
  'the same phone’s Bookmarks.db (HomeDomain) gives its 9 bookmarks: 5 at the top, 4 in Favorites',
  async () => {
    const run = await extractSamples(
      [{ domain: 'HomeDomain', relativePath: 'Library/Safari/Bookmarks.db', path: bookmarks! }],
      ['safari'],
    );
    try {
      expect(run.report.types.find((t) => t.type === 'safari')).toMatchObject({ status: 'ok' });
      const rows = await run.json<BookmarkRecord[]>('safari/bookmarks.json');
      const marks = rows.filter((b) => b.kind === 'bookmark');
      // Depth first, each folder by order_index (read with sqlite3): Favorites (id 1) first, then the top level.
      expect(marks.map((b) => [b.id, b.folder, b.title, b.url])).toEqual([
        [8, 'Favorites', 'Apple', 'http://www.apple.com/'],
        [9, 'Favorites', 'Disney', 'http://www.disney.com/'],
        [10, 'Favorites', 'ESPN', 'http://espn.go.com/'],
        [11, 'Favorites', 'Yahoo', 'http://www.yahoo.com/'],
        [3, '', 'Google', 'http://www.google.com/'],
        [4, '', 'Bing', 'http://www.bing.com/?pc=APPM'],
        [7, '', 'iPhone User Guide', 'http://help.apple.com/iphone/guide/'],
        [6, '', 'iPhone Quick Start', 'http://help.apple.com/iosquickstart/iphone/'],
        [5, '', 'AT&T MyAccount', 'https://www.wireless.att.com/my-account'],
      ]);
      expect(marks.every((b) => b.origin === 'live' && b.modified === null)).toBe(true);
    } finally {
      await run.cleanup();
    }
  },
);

it.skipIf(voicemail === undefined || notes === undefined || recordings === undefined)(
  'the same phone’s empty voicemail.db (no receiver/label/deleted), notes.sqlite and Recordings.db extract as empty, not as errors',
  async () => {
    const run = await extractSamples(
      [
        { domain: 'HomeDomain', relativePath: 'Library/Voicemail/voicemail.db', path: voicemail! },
        { domain: 'HomeDomain', relativePath: 'Library/Notes/notes.sqlite', path: notes! },
        { domain: 'MediaDomain', relativePath: 'Media/Recordings/Recordings.db', path: recordings! },
      ],
      ['voicemail', 'notes', 'audio'],
    );
    try {
      expect(run.report.types.map((t) => [t.type, t.status, t.records])).toEqual([
        ['voicemail', 'ok', 0],
        ['notes', 'ok', 0],
        ['audio', 'ok', 0],
      ]);
      expect(await run.json<NoteRecord[]>('notes/notes.json')).toEqual([]);
    } finally {
      await run.cleanup();
    }
  },
);

it.skipIf(voicemail === undefined || notes === undefined)(
  'the generator’s iOS ≤ 8 notes.sqlite and voicemail.db have the real files’ ZNOTE/ZNOTEBODY/ZSTORE and voicemail columns',
  async () => {
    const columns = (file: string, table: string): string[] => {
      const db = new Database(file, { readonly: true });
      try {
        return (db.prepare('SELECT name FROM pragma_table_info(?)').all(table) as Array<{ name: string }>).map(
          (r) => r.name,
        );
      } finally {
        db.close();
      }
    };
    const dir = mkdtempSync(join(tmpdir(), 'iosrescue-ios8-columns-'));
    try {
      const content = generateDeviceContent({ seed: 'ios8-columns', iosVersion: 8, notes: 3, voicemails: 2 });
      const item = (relativePath: string) => {
        const found = content.items.find((i) => i.domain === 'HomeDomain' && i.relativePath === relativePath)!;
        const path = join(dir, relativePath.replace(/\//g, '_'));
        writeFileSync(path, found.data as Buffer);
        return path;
      };
      const generatedNotes = item('Library/Notes/notes.sqlite');
      for (const table of ['ZNOTE', 'ZNOTEBODY', 'ZSTORE'])
        expect(columns(generatedNotes, table), table).toEqual(columns(notes!, table));
      expect(columns(item('Library/Voicemail/voicemail.db'), 'voicemail')).toEqual(columns(voicemail!, 'voicemail'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
);
