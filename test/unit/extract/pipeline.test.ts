import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import Database from 'better-sqlite3';
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup, type SyntheticItem } from '../../../src/backup/index.js';
import { generateDeviceContent, tinyJpeg } from '../../../src/emulator/content/index.js';
import {
  DATA_TYPES,
  OutputFolder,
  parseDataTypes,
  runExtraction,
  sanitizeFileName,
  scanBackupContent,
  WorkDir,
  type PhotoRecord,
} from '../../../src/extract/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

const root = await mkdtemp(join(tmpdir(), 'iosrescue-pipeline-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let counter = 0;

async function backupOf(items: SyntheticItem[]): Promise<BackupReader> {
  const dir = join(root, `backup-${++counter}`);
  await writeSyntheticBackup(dir, { items });
  return BackupReader.open(dir);
}

/** Builds a database file with the given SQL and returns its bytes (rollback journal, as older tools leave them). */
function sqliteBytes(sql: string): Buffer {
  const file = join(root, `db-${++counter}.sqlite`);
  const db = new Database(file);
  db.exec(sql);
  db.close();
  return readFileSync(file);
}

describe('extraction pipeline', () => {
  it('reports a type whose database is missing as "missing" and still extracts the others', async () => {
    const run = await extractGenerated({ encrypted: false, spec: { seed: 'missing', omit: ['photos', 'calls'] } });
    try {
      expect(Object.fromEntries(run.report.types.map((t) => [t.type, t.status]))).toEqual({
        photos: 'missing',
        contacts: 'ok',
        messages: 'ok',
        calls: 'missing',
        calendar: 'ok',
        safari: 'ok',
        reminders: 'ok',
        voicemail: 'ok',
        whatsapp: 'ok',
        audio: 'ok',
        notes: 'ok',
      });
      const written = JSON.parse(await readFile(join(run.out, 'extraction.json'), 'utf8'));
      expect(written.types).toEqual(run.report.types);
    } finally {
      await run.cleanup();
    }
  });

  it('a corrupt database fails its own type with a typed code; the other types are extracted', async () => {
    const content = generateDeviceContent({ seed: 'corrupt' });
    const items = content.items
      .map((i) => (i.relativePath === 'Library/SMS/sms.db' ? { ...i, data: Buffer.alloc(8192, 0x41) } : i))
      .filter((i) => i.relativePath !== 'Library/SMS/sms.db-wal');
    const reader = await backupOf(items);
    const out = join(root, 'out-corrupt');
    try {
      const report = await runExtraction(reader, { out, tempDir: root });
      const messages = report.types.find((t) => t.type === 'messages')!;
      expect(messages.status).toBe('failed');
      expect(messages.error?.code).toBe('EXTRACT_DATABASE_UNREADABLE');
      expect(report.types.filter((t) => t.type !== 'messages').map((t) => t.status)).toEqual(
        DATA_TYPES.filter((t) => t !== 'messages').map(() => 'ok'),
      );
      const scan = await scanBackupContent(reader, { tempDir: root });
      expect(scan.find((t) => t.type === 'messages')!.warnings.join()).toMatch(/EXTRACT_DATABASE_UNREADABLE/);
    } finally {
      await reader.close();
    }
  });

  it('reads older schemas: sms.db without chat tables (messages grouped by handle), ZGENERICASSET without ZADDITIONALASSETATTRIBUTES', async () => {
    const sms = sqliteBytes(`
      CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL, service TEXT NOT NULL);
      CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT, text TEXT, handle_id INTEGER, date INTEGER, is_from_me INTEGER);
      INSERT INTO handle VALUES (1, '+15555550111', 'SMS'), (2, '+15555550122', 'SMS');
      INSERT INTO message VALUES (1, 'G1', 'seconds-era date', 1, 400000000, 0), (2, 'G2', 'reply', 1, 400000060, 1), (3, 'G3', 'other person', 2, 400000100, 0);`);
    const photos = sqliteBytes(`
      CREATE TABLE ZGENERICASSET (Z_PK INTEGER PRIMARY KEY, ZKIND INTEGER, ZDIRECTORY VARCHAR, ZFILENAME VARCHAR, ZDATECREATED TIMESTAMP, ZLATITUDE FLOAT, ZLONGITUDE FLOAT);
      INSERT INTO ZGENERICASSET VALUES (1, 0, 'DCIM/100APPLE', 'IMG_0001.JPG', 500000000.5, -180.0, -180.0);`);
    const reader = await backupOf([
      { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db', data: sms },
      { domain: 'CameraRollDomain', relativePath: 'Media/PhotoData/Photos.sqlite', data: photos },
      {
        domain: 'CameraRollDomain',
        relativePath: 'Media/DCIM/100APPLE/IMG_0001.JPG',
        data: tinyJpeg({ rgb: [1, 2, 3] }),
      },
    ]);
    const out = join(root, 'out-old');
    try {
      const report = await runExtraction(reader, { out, tempDir: root });
      expect(report.types.map((t) => [t.type, t.status, t.records])).toEqual([
        ['photos', 'ok', 1],
        ['contacts', 'missing', 0],
        ['messages', 'ok', 3],
        ['calls', 'missing', 0],
        ['calendar', 'missing', 0],
        ['safari', 'missing', 0],
        ['reminders', 'missing', 0],
        ['voicemail', 'missing', 0],
        ['whatsapp', 'missing', 0],
        ['audio', 'missing', 0],
        ['notes', 'missing', 0],
      ]);
      const folders = (await readdir(join(out, 'messages'))).filter((f) => !f.includes('.')).sort();
      expect(folders).toEqual(['+15555550111', '+15555550122']);
      const first = JSON.parse(await readFile(join(out, 'messages', '+15555550111', 'conversation.json'), 'utf8'));
      expect(first.messages.map((m: { text: string; date: string }) => [m.text, m.date])).toEqual([
        ['seconds-era date', '2013-09-04T15:06:40.000Z'],
        ['reply', '2013-09-04T15:07:40.000Z'],
      ]);
      const [photo] = JSON.parse(await readFile(join(out, 'photos/photos.json'), 'utf8')) as PhotoRecord[];
      expect(photo).toMatchObject({
        originalFilename: null,
        file: 'photos/Camera Roll/IMG_0001.JPG',
        latitude: null,
        longitude: null,
        created: '2016-11-05T00:53:20.500Z',
      });
    } finally {
      await reader.close();
    }
  });

  it('keeps every written file inside --out: names from the backup are sanitised, a planted symlink is refused', async () => {
    const content = generateDeviceContent({ seed: 'escape', contacts: 5, messages: 10, photos: 3, calls: 2 });
    const evil = content.truth.contacts[0]!;
    const ab = content.items.find((i) => i.relativePath === 'Library/AddressBook/AddressBook.sqlitedb')!;
    const file = join(root, 'ab-evil.sqlitedb');
    await writeFile(file, ab.data as Buffer);
    const db = new Database(file);
    db.prepare("UPDATE ABPerson SET First = '../../../escaped', Last = NULL, Organization = NULL WHERE ROWID = ?").run(
      evil.rowid,
    );
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const reader = await backupOf(content.items.map((i) => (i === ab ? { ...i, data: readFileSync(file) } : i)));
    const outside = join(root, 'outside');
    await mkdir(outside);
    const out = join(root, 'out-escape');
    await mkdir(out);
    await symlink(outside, join(out, 'photos'));
    try {
      const report = await runExtraction(reader, { out, tempDir: root });
      expect(report.types.find((t) => t.type === 'photos')).toMatchObject({
        status: 'failed',
        error: { code: 'BACKUP_PATH_ESCAPE' },
      });
      expect(await readdir(outside)).toEqual([]);
      expect(existsSync(join(root, 'escaped.vcf'))).toBe(false);
      const vcards = await readdir(join(out, 'contacts/vcards'));
      expect(vcards).toContain('_.._.._escaped.vcf');
    } finally {
      await reader.close();
    }
  });

  it('writes and copies through no symlink planted at a file name once its folder has been checked', async () => {
    const out = new OutputFolder(join(root, 'out-leaf'));
    await out.writeFile('photos/Camera Roll/first.jpg', 'first');
    const outside = join(root, 'outside-leaf.txt');
    await writeFile(outside, 'keep me');
    // The folder is now known to be safe; the next name is not lstat'ed, so the open itself must refuse the link.
    await symlink(outside, join(root, 'out-leaf/photos/Camera Roll/second.jpg'));
    await expect(out.writeFile('photos/Camera Roll/second.jpg', 'overwrite')).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(
      out.writeStream('photos/Camera Roll/second.jpg', Readable.from([Buffer.from('overwrite')])),
    ).rejects.toMatchObject({ code: 'ELOOP' });
    const source = join(root, 'leaf-source.jpg');
    await writeFile(source, 'copied bytes');
    await expect(out.copyFile('photos/Camera Roll/second.jpg', source)).rejects.toMatchObject({ code: 'ELOOP' });
    await expect(out.writeSmallFile('photos/Camera Roll/second.jpg', Buffer.from('overwrite'))).rejects.toMatchObject({
      code: 'ELOOP',
    });
    expect(await readFile(outside, 'utf8')).toBe('keep me');
    expect(await readFile(join(root, 'out-leaf/photos/Camera Roll/first.jpg'), 'utf8')).toBe('first');
    // A regular file left by an interrupted run is replaced by the copy, which gets the item's date.
    const when = new Date('2021-06-01T10:00:00Z');
    await out.copyFile('photos/Camera Roll/first.jpg', source, when);
    expect(await readFile(join(root, 'out-leaf/photos/Camera Roll/first.jpg'), 'utf8')).toBe('copied bytes');
    expect((await stat(join(root, 'out-leaf/photos/Camera Roll/first.jpg'))).mtime).toEqual(when);
  });

  it('refuses an output folder that already holds an extraction, and an unknown type name', async () => {
    const reader = await backupOf([]);
    const out = join(root, 'out-twice');
    try {
      await runExtraction(reader, { out, tempDir: root });
      await expect(runExtraction(reader, { out, tempDir: root })).rejects.toMatchObject({
        code: 'EXTRACT_OUTPUT_NOT_EMPTY',
      });
    } finally {
      await reader.close();
    }
    expect(() => parseDataTypes('photos,selfies')).toThrow(expect.objectContaining({ code: 'EXTRACT_UNKNOWN_TYPE' }));
    expect(parseDataTypes('calls, photos')).toEqual(['photos', 'calls']);
    expect(parseDataTypes(undefined)).toEqual([
      'photos',
      'contacts',
      'messages',
      'calls',
      'calendar',
      'safari',
      'reminders',
      'voicemail',
      'whatsapp',
      'audio',
      'notes',
    ]);
  });

  it('works in an owner-only scratch folder and removes it afterwards', async () => {
    const parent = join(root, 'scratch');
    await mkdir(parent);
    const work = await WorkDir.create(parent);
    expect((await stat(work.path)).mode & 0o777).toBe(0o700);
    await work.close();
    expect(await readdir(parent)).toEqual([]);
  });
});

describe('scan', () => {
  it('counts each type, its dates, Recently Deleted and purged rows with SQL only, equal to the generated truth', async () => {
    const content = generateDeviceContent({ seed: 'scan', contacts: 40, messages: 120, photos: 30, calls: 50 });
    const reader = await backupOf(content.items);
    try {
      const scan = Object.fromEntries((await scanBackupContent(reader, { tempDir: root })).map((s) => [s.type, s]));
      const t = content.truth;
      const span = (dates: Date[]): [string, string] => [
        new Date(Math.min(...dates.map(Number))).toISOString(),
        new Date(Math.max(...dates.map(Number))).toISOString(),
      ];
      expect(scan.contacts).toMatchObject({
        present: true,
        count: t.contacts.length,
        purged: t.deletedContacts.length,
      });
      expect(scan.messages).toMatchObject({
        present: true,
        count: t.messages.length,
        recentlyDeleted: t.messages.filter((m) => m.recentlyDeleted).length,
        purged: t.deletedMessages.length,
      });
      expect([scan.messages!.firstDate, scan.messages!.lastDate]).toEqual(span(t.messages.map((m) => m.date)));
      expect(scan.photos).toMatchObject({
        present: true,
        count: t.photos.length,
        recentlyDeleted: t.photos.filter((p) => p.trashed).length,
        purged: t.deletedPhotos.length,
      });
      expect([scan.photos!.firstDate, scan.photos!.lastDate]).toEqual(span(t.photos.map((p) => p.created)));
      expect(scan.calls).toMatchObject({ present: true, count: t.calls.length, purged: t.deletedCalls.length });
      expect(scan.photos!.bytes).toBeGreaterThan(t.photos.reduce((n, p) => n + p.data.length, 0));
    } finally {
      await reader.close();
    }
  });
});

describe('sanitizeFileName', () => {
  it('removes separators, control characters, leading dots and reserved names, and never returns an empty name', () => {
    expect(sanitizeFileName('../../etc/passwd')).toBe('_.._etc_passwd');
    expect(sanitizeFileName('a\\b:c*?"<>|\u0000d')).toBe('a_b_c_______d');
    expect(sanitizeFileName('...')).toBe('unnamed');
    expect(sanitizeFileName('CON.txt')).toBe('_CON.txt');
    expect(sanitizeFileName('trailing. ')).toBe('trailing');
    expect(Buffer.byteLength(sanitizeFileName('é'.repeat(200)))).toBeLessThanOrEqual(180);
    // A long name loses the end of its stem, never its extension, and no character is cut in half.
    const long = sanitizeFileName(`${'日本'.repeat(60)}.jpeg`);
    expect(long.endsWith('.jpeg')).toBe(true);
    expect(Buffer.byteLength(long)).toBeLessThanOrEqual(180);
    expect(Buffer.byteLength(long)).toBeGreaterThan(170);
    expect(long.startsWith('日本日本')).toBe(true);
    expect(long).not.toContain('\ufffd');
  });
});
