import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import ICAL from 'ical.js';
import { afterAll, describe, expect, it } from 'vitest';
import type { TruthReminder } from '../../../src/emulator/content/index.js';
import { BackupReader } from '../../../src/backup/index.js';
import { runExtraction, type EventRecord, type ReminderRecord } from '../../../src/extract/index.js';
import { corpusPath } from '../../helpers/backup-corpus.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { extractItems, scanGenerated } from '../../helpers/scan-generated.js';

const root = await mkdtemp(join(tmpdir(), 'iosrescue-reminders-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));

function expected(t: TruthReminder, origin: ReminderRecord['origin']): ReminderRecord {
  return {
    origin,
    id: t.pk,
    uid: t.uuid,
    store: t.store,
    list: t.listName,
    title: t.title,
    notes: t.notes,
    due: t.due?.toISOString() ?? null,
    allDay: t.allDay,
    timeZone: t.timeZone,
    completed: t.completed,
    completionDate: t.completionDate?.toISOString() ?? null,
    priority: t.priority,
    flagged: t.flagged,
    parent: t.parentUuid,
    created: t.created.toISOString(),
    modified: t.modified.toISOString(),
  };
}

/** Stores in file-name order, each by creation date then Z_PK: the order the extractor lists live reminders in. */
function liveOrder(reminders: TruthReminder[]): TruthReminder[] {
  return [...reminders].sort(
    (a, b) => a.store.localeCompare(b.store) || a.created.getTime() - b.created.getTime() || a.pk - b.pk,
  );
}

interface ParsedTodo {
  uid: string;
  summary: string | null;
  description: string | null;
  due: { isDate: boolean; text: string } | null;
  status: string;
  completed: string | null;
  priority: number | null;
  categories: string | null;
  origin: string | null;
}

/** ical.js, an independent RFC 5545 parser, reads the .ics back. */
function parseTodos(text: string): ParsedTodo[] {
  const calendar = new ICAL.Component(ICAL.parse(text) as unknown[]);
  return calendar.getAllSubcomponents('vtodo').map((c) => {
    const due = c.getFirstPropertyValue('due') as ICAL.Time | null;
    const completed = c.getFirstPropertyValue('completed') as ICAL.Time | null;
    return {
      uid: String(c.getFirstPropertyValue('uid')),
      summary: (c.getFirstPropertyValue('summary') as string | null) ?? null,
      description: (c.getFirstPropertyValue('description') as string | null) ?? null,
      due:
        due === null ? null : { isDate: due.isDate, text: due.isDate ? due.toString() : due.toJSDate().toISOString() },
      status: String(c.getFirstPropertyValue('status')),
      completed: completed === null ? null : completed.toJSDate().toISOString(),
      priority: (c.getFirstPropertyValue('priority') as number | null) ?? null,
      categories: (c.getFirstPropertyValue('categories') as string | null) ?? null,
      origin: (c.getFirstPropertyValue('x-iosrescue-origin') as string | null) ?? null,
    };
  });
}

function todoOf(r: ReminderRecord): ParsedTodo {
  return {
    uid: r.uid!,
    summary: r.title,
    description: r.notes,
    due: r.due === null ? null : { isDate: r.allDay, text: r.allDay ? r.due.slice(0, 10) : r.due },
    status: r.completed ? 'COMPLETED' : 'NEEDS-ACTION',
    completed: r.completionDate,
    priority: r.priority === 0 ? null : r.priority,
    categories: r.list,
    origin: r.origin === 'live' ? null : r.origin === 'recovered' ? 'recovered (deleted)' : 'recently deleted',
  };
}

describe.each([{ encrypted: false }, { encrypted: true }])('reminders (encrypted: $encrypted)', ({ encrypted }) => {
  it('exports every reminder of every account store to JSON, CSV and a VTODO .ics equal to what went in; deleted ones marked', async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `reminders-${encrypted}`, contacts: 1, messages: 2, photos: 0, calls: 0, reminders: 40 },
      extract: { types: ['reminders'] },
    });
    try {
      const records = JSON.parse(await readFile(join(run.out, 'reminders/reminders.json'), 'utf8')) as ReminderRecord[];
      expect(run.report.types).toEqual([
        { type: 'reminders', status: 'ok', records: records.length, files: 3, warnings: [] },
      ]);
      const truth = liveOrder(run.truth.reminders);
      expect(new Set(truth.map((t) => t.store)).size).toBe(2);
      expect(records.slice(0, truth.length)).toEqual(
        truth.map((t) => expected(t, t.markedForDeletion ? 'recently-deleted' : 'live')),
      );
      // The content covers every case the exporters treat apart.
      for (const has of [
        (t: TruthReminder) => t.allDay,
        (t: TruthReminder) => t.due !== null && !t.allDay,
        (t: TruthReminder) => t.due === null,
        (t: TruthReminder) => t.completed,
        (t: TruthReminder) => t.flagged,
        (t: TruthReminder) => t.parentUuid !== null,
        (t: TruthReminder) => t.markedForDeletion,
        (t: TruthReminder) => t.priority > 0,
      ]) {
        expect(truth.some(has)).toBe(true);
      }
      // Deleted for good: each one the carver finds is one of them, once, field for field.
      const recovered = records.slice(truth.length);
      expect(run.truth.deletedReminders.length).toBeGreaterThan(0);
      expect(recovered.length).toBeGreaterThan(0);
      for (const r of recovered) {
        const t = run.truth.deletedReminders.find((d) => d.uuid === r.uid);
        expect(t, `recovered reminder ${r.uid}`).toBeDefined();
        // A freeblock header written over the cell takes the rowid (Z_PK) with it: −1 then.
        expect(r).toEqual({ ...expected(t!, 'recovered'), id: r.id === -1 ? -1 : t!.pk });
      }
      expect(new Set(recovered.map((r) => r.uid)).size).toBe(recovered.length);

      const todos = parseTodos(await readFile(join(run.out, 'reminders/reminders.ics'), 'utf8'));
      expect(todos).toEqual(records.map(todoOf));
      const rows = parseCsv(await readFile(join(run.out, 'reminders/reminders.csv'), 'utf8'));
      expect(rows[0]).toEqual([
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
      ]);
      expect(rows.slice(1).map((r) => [r[3], r[4], r[5], r[8], r[15], r[16]])).toEqual(
        records.map((r) => [r.title, r.notes ?? '', r.due ?? '', String(r.completed), r.uid, r.origin]),
      );
    } finally {
      await run.cleanup();
    }
  });

  it('scan counts reminders, those marked for deletion and those deleted since (Z_PRIMARYKEY.Z_MAX), with SQL only', async () => {
    const { scan, truth } = await scanGenerated({
      encrypted,
      spec: { seed: `reminders-scan-${encrypted}`, contacts: 1, messages: 2, photos: 0, calls: 0, reminders: 20 },
      types: ['reminders'],
    });
    const created = truth.reminders.map((r) => r.created.getTime());
    expect(scan).toEqual([
      {
        type: 'reminders',
        present: true,
        count: truth.reminders.length,
        recentlyDeleted: truth.reminders.filter((r) => r.markedForDeletion).length,
        purged: truth.deletedReminders.length,
        firstDate: new Date(Math.min(...created)).toISOString(),
        lastDate: new Date(Math.max(...created)).toISOString(),
        bytes: scan[0]!.bytes,
        warnings: [],
      },
    ]);
  });
});

describe('reminders before iOS 13 (Calendar.sqlitedb, entity_type 3)', () => {
  it('are read from Calendar.sqlitedb with their lists, and the calendar lists none of them as events', async () => {
    const run = await extractGenerated({
      encrypted: false,
      spec: {
        seed: 'reminders-legacy',
        contacts: 1,
        messages: 2,
        photos: 0,
        calls: 0,
        events: 10,
        reminders: 15,
        legacyReminders: true,
      },
      extract: { types: ['calendar', 'reminders'] },
    });
    try {
      const calendarRecords = (
        JSON.parse(await readFile(join(run.out, 'calendar/events.json'), 'utf8')) as EventRecord[]
      ).length;
      expect(run.report.types.map((t) => [t.type, t.status, t.records])).toEqual([
        ['calendar', 'ok', calendarRecords],
        ['reminders', 'ok', run.truth.reminders.length],
      ]);
      const records = JSON.parse(await readFile(join(run.out, 'reminders/reminders.json'), 'utf8')) as ReminderRecord[];
      expect(run.truth.reminders.every((t) => t.store === 'Calendar.sqlitedb')).toBe(true);
      expect(records).toEqual(liveOrder(run.truth.reminders).map((t) => expected(t, 'live')));
      const events = JSON.parse(await readFile(join(run.out, 'calendar/events.json'), 'utf8')) as EventRecord[];
      expect(
        events
          .filter((e) => e.origin === 'live')
          .map((e) => e.uid)
          .sort(),
      ).toEqual(run.truth.events.map((e) => e.uuid).sort());
      // What the carver adds to the calendar are deleted events, never reminders (live or deleted).
      const deletedEvents = new Set(run.truth.deletedEvents.map((e) => e.uuid));
      expect(
        events
          .filter((e) => e.origin !== 'live')
          .every((e) => e.origin === 'recovered' && deletedEvents.has(e.uid ?? '')),
      ).toBe(true);
      expect(parseTodos(await readFile(join(run.out, 'reminders/reminders.ics'), 'utf8'))).toEqual(records.map(todoOf));
    } finally {
      await run.cleanup();
    }
  });
});

/** A store in the first iOS 13 layout: lists and reminders in one ZREMCDOBJECT table, reminder titles in ZTITLE1. */
function earlyStore(file: string): Buffer {
  const db = new Database(file);
  db.exec(`
    CREATE TABLE ZREMCDOBJECT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCOMPLETED INTEGER, ZLIST INTEGER, ZCREATIONDATE TIMESTAMP,
      ZLASTMODIFIEDDATE TIMESTAMP, ZDUEDATE TIMESTAMP, ZNAME VARCHAR, ZNOTES VARCHAR, ZTITLE1 VARCHAR, ZCKIDENTIFIER VARCHAR);
    CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
    INSERT INTO Z_PRIMARYKEY VALUES (21, 'REMCDList', 0, 1), (24, 'REMCDReminder', 0, 3);
    INSERT INTO ZREMCDOBJECT (Z_PK, Z_ENT, ZNAME, ZCKIDENTIFIER) VALUES (1, 21, 'Shopping', 'L1');
    INSERT INTO ZREMCDOBJECT (Z_PK, Z_ENT, ZCOMPLETED, ZLIST, ZCREATIONDATE, ZLASTMODIFIEDDATE, ZDUEDATE, ZNOTES, ZTITLE1, ZCKIDENTIFIER)
      VALUES (2, 24, 0, 1, 600000000, 600000100, 600086400, 'two of them', 'Batteries', 'R1'), (3, 24, 1, 1, 600000500, 600000600, NULL, NULL, 'Bulbs', 'R2');`);
  db.close();
  return readFileSync(file);
}

describe('reminders stores of other shapes', () => {
  it('reads the early iOS 13 ZREMCDOBJECT layout, skips a store listed without data with a warning, and warns of a store without reminder tables', async () => {
    const dir = join(root, 'shapes');
    await mkdir(dir);
    const stores = 'Library/Reminders/Container_v1/Stores';
    const empty = new Database(join(dir, 'empty.sqlite'));
    empty.exec('CREATE TABLE ZOTHER (Z_PK INTEGER PRIMARY KEY)');
    empty.close();
    const { report, scan, out } = await extractItems(
      dir,
      [
        { domain: 'HomeDomain', relativePath: `${stores}/Data-A.sqlite`, data: earlyStore(join(dir, 'early.sqlite')) },
        {
          domain: 'HomeDomain',
          relativePath: `${stores}/Data-B.sqlite`,
          data: readFileSync(join(dir, 'empty.sqlite')),
        },
        {
          domain: 'HomeDomain',
          relativePath: `${stores}/Data-C.sqlite`,
          data: readFileSync(join(dir, 'empty.sqlite')),
        },
      ],
      ['reminders'],
      async (backup) => {
        // Data-C stays in the manifest, its data file goes (a cut-down or partial backup).
        const fileId = createHash('sha1').update(`HomeDomain-${stores}/Data-C.sqlite`).digest('hex');
        await rm(join(backup, fileId.slice(0, 2), fileId));
      },
    );
    expect(report.types[0]).toMatchObject({ type: 'reminders', status: 'ok', records: 2 });
    expect(report.types[0]!.warnings).toEqual([
      expect.stringMatching(/^Data-B\.sqlite has no ZREMCDREMINDER table/),
      expect.stringMatching(/^Data-C\.sqlite skipped: .*BACKUP_MISSING_DATA/),
    ]);
    const records = JSON.parse(await readFile(join(out, 'reminders/reminders.json'), 'utf8')) as ReminderRecord[];
    expect(records.map((r) => [r.id, r.uid, r.list, r.title, r.notes, r.completed, r.due, r.store])).toEqual([
      [
        2,
        'R1',
        'Shopping',
        'Batteries',
        'two of them',
        false,
        new Date(Date.UTC(2001, 0, 1) + 600086400_000).toISOString(),
        'Data-A.sqlite',
      ],
      [3, 'R2', 'Shopping', 'Bulbs', null, true, null, 'Data-A.sqlite'],
    ]);
    expect(scan[0]).toMatchObject({ present: true, count: 2 });
  });
});

const mvt = corpusPath('mvt-ios14-backup');

describe.skipIf(mvt === undefined)('real iOS 14.3 manifest (MVT test artifacts)', () => {
  it('finds its three Reminders stores through the manifest; listed without data, the type is missing, each store named', async () => {
    const reader = await BackupReader.open(mvt!);
    try {
      const report = await runExtraction(reader, { out: join(root, 'mvt-out'), types: ['reminders'], tempDir: root });
      expect(report.types[0]).toMatchObject({ type: 'reminders', status: 'missing', records: 0 });
      const skipped = report.types[0]!.warnings.filter((w) => / skipped: .*\[BACKUP_MISSING_DATA\]$/.test(w)).map((w) =>
        w.slice(0, w.indexOf(' ')),
      );
      expect(skipped).toEqual([
        'Data-09A21391-B907-4915-92E7-E320392C0DA5.sqlite',
        'Data-9C3FDBA9-DDC2-420C-B37F-3283F5D18C94.sqlite',
        'Data-local.sqlite',
      ]);
    } finally {
      await reader.close();
    }
  });
});
