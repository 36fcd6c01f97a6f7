import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import {
  CONTENT_PATHS,
  generateDeviceContent,
  tinyJpeg,
  type DeviceContent,
} from '../../../src/emulator/content/index.js';
import { carveDatabase } from '../../../src/carve/index.js';

const work = mkdtempSync(join(tmpdir(), 'iosrescue-content-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function itemData(content: DeviceContent, domain: string, relativePath: string): Buffer | undefined {
  const item = content.items.find((i) => i.domain === domain && i.relativePath === relativePath);
  return item && Buffer.isBuffer(item.data) ? item.data : undefined;
}

/** Writes a generated database (and its WAL) to a scratch folder and opens it there. */
function openGenerated(
  content: DeviceContent,
  path: { domain: string; relativePath: string },
  name: string,
): { db: Database.Database; file: string } {
  const file = join(work, name);
  writeFileSync(file, itemData(content, path.domain, path.relativePath)!);
  const wal = itemData(content, path.domain, `${path.relativePath}-wal`);
  if (wal) writeFileSync(`${file}-wal`, wal);
  return { db: new Database(file), file };
}

async function carvedTexts(file: string, table: string): Promise<string[]> {
  const found: string[] = [];
  for await (const record of carveDatabase(file, { table, walPath: null })) {
    for (const v of record.values) if (typeof v === 'string') found.push(v);
  }
  return found;
}

describe('generated device content', () => {
  const content = generateDeviceContent({ seed: 'unit', contacts: 20, messages: 80, photos: 20, calls: 25 });

  it('is the same byte for byte for the same seed, and differs for another seed', () => {
    const again = generateDeviceContent({ seed: 'unit', contacts: 20, messages: 80, photos: 20, calls: 25 });
    const other = generateDeviceContent({ seed: 'other', contacts: 20, messages: 80, photos: 20, calls: 25 });
    const bytes = (c: DeviceContent): string[] =>
      c.items.map((i) => `${i.domain}/${i.relativePath}:${Buffer.isBuffer(i.data) ? i.data.toString('base64') : ''}`);
    expect(bytes(again)).toEqual(bytes(content));
    expect(itemData(other, CONTENT_PATHS.smsDb.domain, CONTENT_PATHS.smsDb.relativePath)).not.toEqual(
      itemData(content, CONTENT_PATHS.smsDb.domain, CONTENT_PATHS.smsDb.relativePath),
    );
  });

  it('writes every database in WAL journal mode, as iOS does (header bytes 18 and 19 are 2); voicemail.db in rollback mode, as on real phones', () => {
    const { remindersStores, voicemail, ...databases } = CONTENT_PATHS;
    const stores = content.items.filter(
      (i) =>
        i.domain === remindersStores.domain &&
        i.relativePath.startsWith(`${remindersStores.relativePath}/`) &&
        i.relativePath.endsWith('.sqlite'),
    );
    expect(stores.length).toBeGreaterThan(0);
    const mains = [
      ...Object.values(databases).map((path) => itemData(content, path.domain, path.relativePath)!),
      ...stores.map((s) => s.data as Buffer),
    ];
    for (const main of mains) {
      expect(main.subarray(0, 16).toString('latin1')).toBe('SQLite format 3\0');
      expect([main[18], main[19]]).toEqual([2, 2]);
    }
    const rollback = itemData(content, voicemail.domain, voicemail.relativePath)!;
    expect([rollback[18], rollback[19]]).toEqual([1, 1]);
  });

  it('sms.db holds the live messages (the newest only in its -wal), none of the deleted ones, and their guids in deleted_messages', () => {
    const { db } = openGenerated(content, CONTENT_PATHS.smsDb, 'sms.db');
    try {
      expect(itemData(content, 'HomeDomain', 'Library/SMS/sms.db-wal')).toBeDefined();
      const rows = db.prepare('SELECT ROWID AS rowid, guid, text FROM message ORDER BY ROWID').all() as Array<{
        rowid: number;
        guid: string;
        text: string;
      }>;
      expect(rows.map((r) => r.guid)).toEqual(content.truth.messages.map((m) => m.guid));
      expect(rows.map((r) => r.text)).toEqual(
        content.truth.messages.map((m) => (m.textOnlyInAttributedBody ? null : m.text)),
      );
      expect(content.truth.messages.some((m) => m.textOnlyInAttributedBody)).toBe(true);
      const deletedGuids = (db.prepare('SELECT guid FROM deleted_messages').all() as Array<{ guid: string }>).map(
        (r) => r.guid,
      );
      expect(deletedGuids.sort()).toEqual(content.truth.deletedMessages.map((m) => m.guid).sort());
      expect(content.truth.deletedMessages.length).toBe(8);
      const recoverable = (
        db.prepare('SELECT message_id FROM chat_recoverable_message_join').all() as Array<{ message_id: number }>
      ).map((r) => r.message_id);
      expect(recoverable.sort((a, b) => a - b)).toEqual(
        content.truth.messages.filter((m) => m.recentlyDeleted).map((m) => m.rowid),
      );
      expect(content.truth.messages.filter((m) => m.inWal)).toHaveLength(3);
    } finally {
      db.close();
    }
    // Without the WAL the newest messages are not there: they really live only in sms.db-wal.
    const file = join(work, 'sms-main-only.db');
    writeFileSync(file, itemData(content, CONTENT_PATHS.smsDb.domain, CONTENT_PATHS.smsDb.relativePath)!);
    const mainOnly = new Database(file);
    const count = (mainOnly.prepare('SELECT count(*) AS n FROM message').get() as { n: number }).n;
    mainOnly.close();
    expect(count).toBe(content.truth.messages.length - 3);
  });

  it('leaves deleted contacts, calls and photos in free space where the carver finds them', async () => {
    const ab = openGenerated(content, CONTENT_PATHS.addressBook, 'AddressBook.sqlitedb');
    const liveGuids = (ab.db.prepare('SELECT guid FROM ABPerson').all() as Array<{ guid: string }>).map((r) => r.guid);
    ab.db.close();
    expect(liveGuids.sort()).toEqual(content.truth.contacts.map((c) => c.guid).sort());
    const carvedPeople = await carvedTexts(ab.file, 'ABPerson');
    for (const c of content.truth.deletedContacts) expect(carvedPeople).toContain(c.guid);

    const calls = openGenerated(content, CONTENT_PATHS.callHistory, 'CallHistory.storedata');
    calls.db.close();
    const carvedCalls = await carvedTexts(calls.file, 'ZCALLRECORD');
    for (const c of content.truth.deletedCalls) expect(carvedCalls).toContain(c.uniqueId);

    const photos = openGenerated(content, CONTENT_PATHS.photosDb, 'Photos.sqlite');
    photos.db.close();
    const carvedAssets = await carvedTexts(photos.file, 'ZASSET');
    for (const p of content.truth.deletedPhotos) expect(carvedAssets).toContain(p.uuid);
    expect(
      content.truth.deletedContacts.length + content.truth.deletedCalls.length + content.truth.deletedPhotos.length,
    ).toBeGreaterThan(0);
  });

  it('puts a file in the camera roll for every live asset (trashed ones included) and none for purged ones', () => {
    for (const p of content.truth.photos)
      expect(itemData(content, 'CameraRollDomain', `Media/${p.directory}/${p.filename}`)).toEqual(p.data);
    for (const p of content.truth.deletedPhotos)
      expect(itemData(content, 'CameraRollDomain', `Media/${p.directory}/${p.filename}`)).toBeUndefined();
    expect(content.truth.photos.some((p) => p.trashed)).toBe(true);
  });

  it('omits the databases it is asked to omit', () => {
    const partial = generateDeviceContent({ seed: 'unit', omit: ['photos', 'calls'] });
    expect(itemData(partial, CONTENT_PATHS.photosDb.domain, CONTENT_PATHS.photosDb.relativePath)).toBeUndefined();
    expect(itemData(partial, CONTENT_PATHS.callHistory.domain, CONTENT_PATHS.callHistory.relativePath)).toBeUndefined();
    expect(partial.truth.photos).toEqual([]);
    expect(itemData(partial, CONTENT_PATHS.smsDb.domain, CONTENT_PATHS.smsDb.relativePath)).toBeDefined();
  });
});

describe('tinyJpeg', () => {
  it('writes a baseline JPEG whose frame header gives the requested size and whose scan ends with EOI', () => {
    const jpeg = tinyJpeg({ rgb: [10, 200, 30], blocksWide: 3, blocksHigh: 2, comment: 'x' });
    expect(jpeg.subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    expect(jpeg.subarray(-2)).toEqual(Buffer.from([0xff, 0xd9]));
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    expect(sof).toBeGreaterThan(0);
    expect([jpeg.readUInt16BE(sof + 5), jpeg.readUInt16BE(sof + 7)]).toEqual([16, 24]);
    expect(tinyJpeg({ rgb: [10, 200, 30], comment: 'a' })).not.toEqual(tinyJpeg({ rgb: [10, 200, 30], comment: 'b' }));
  });
});
