import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ICAL from 'ical.js';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup, type SyntheticItem } from '../../../src/backup/index.js';
import {
  runExtraction,
  scanBackupContent,
  type ContactRecord,
  type MessageRecord,
} from '../../../src/extract/index.js';
import { corpusPath } from '../../helpers/backup-corpus.js';
import { FAST_KDF, PASSWORD } from '../../helpers/extract-backups.js';

const hickman = corpusPath('ileapp-real-device/hickman-ios15.3.1-iphone8/AddressBook');
const belka = corpusPath('ileapp-real-device/belkactf6-ios16.3/AddressBook');
const mvt = corpusPath('mvt-ios14-backup');
const root = await mkdtemp(join(tmpdir(), 'iosrescue-corpus-extract-'));
afterAll(() => rm(root, { recursive: true, force: true }));

/** Real AddressBook files (read, never written) placed in a backup where iOS keeps them, -wal and -shm included. */
function addressBookItems(folder: string): SyntheticItem[] {
  return [
    'AddressBook.sqlitedb',
    'AddressBook.sqlitedb-wal',
    'AddressBook.sqlitedb-shm',
    'AddressBookImages.sqlitedb',
    'AddressBookImages.sqlitedb-wal',
    'AddressBookImages.sqlitedb-shm',
  ].map((name) => ({
    domain: 'HomeDomain',
    relativePath: `Library/AddressBook/${name}`,
    data: readFileSync(join(folder, name)),
  }));
}

async function extractContacts(
  folder: string,
  encrypted: boolean,
  name: string,
): Promise<{ contacts: ContactRecord[]; out: string }> {
  const dir = join(root, `${name}-${encrypted}`);
  await writeSyntheticBackup(dir, {
    items: addressBookItems(folder),
    ...(encrypted ? { password: PASSWORD, keybag: FAST_KDF } : {}),
  });
  const reader = await BackupReader.open(dir, encrypted ? { password: PASSWORD } : {});
  const out = join(dir, 'out');
  try {
    const report = await runExtraction(reader, { out, types: ['contacts'], tempDir: root });
    expect(report.types[0]).toMatchObject({ type: 'contacts', status: 'ok' });
    return {
      contacts: JSON.parse(await readFile(join(out, 'contacts/contacts.json'), 'utf8')) as ContactRecord[],
      out,
    };
  } finally {
    await reader.close();
  }
}

describe.skipIf(hickman === undefined)('real AddressBook (Hickman iOS 15.3.1, WAL with 598 frames)', () => {
  it.each([false, true])(
    'extracts its 9 contacts with labels, the company address and both pictures (encrypted: %s)',
    async (encrypted) => {
      const { contacts, out } = await extractContacts(hickman!, encrypted, 'hickman');
      expect(contacts).toHaveLength(9);
      expect(contacts[0]).toMatchObject({
        first: 'This Is',
        last: 'DFIR Two',
        phones: [{ label: 'Mobile', value: '(919) 888-7386' }],
        emails: [{ label: 'Home', value: 'thisisdfirtwo@gmail.com' }],
      });
      expect(contacts[1]).toMatchObject({
        first: null,
        organization: 'Apple Inc.',
        urls: [{ label: 'HomePage', value: 'http://www.apple.com' }],
      });
      expect(contacts[1]!.addresses).toEqual([
        {
          label: 'Work',
          street: 'One Apple Park Way',
          city: 'Cupertino',
          state: 'CA',
          zip: '95014',
          country: 'United States',
          countryCode: 'us',
        },
      ]);
      expect(contacts[6]).toMatchObject({
        first: 'Josh',
        last: 'Hickman',
        phones: [
          { label: 'Mobile', value: '(919) 579-0479' },
          { label: 'TextNow', value: '(919) 391-2507' },
        ],
      });
      expect(contacts[0]!.created).toBe(new Date(Date.UTC(2001, 0, 1) + 703260029_000).toISOString());
      expect((await readFile(join(out, contacts[2]!.imageFile!))).subarray(0, 4)).toEqual(
        Buffer.from([0x89, 0x50, 0x4e, 0x47]),
      );
      expect((await readFile(join(out, contacts[3]!.imageFile!))).subarray(0, 3)).toEqual(
        Buffer.from([0xff, 0xd8, 0xff]),
      );
      const parsed = ICAL.parse(await readFile(join(out, 'contacts/contacts.vcf'), 'utf8')) as unknown[];
      expect(parsed).toHaveLength(9);
      expect(new ICAL.Component(parsed[1] as unknown[]).getFirstPropertyValue('org')).toEqual('Apple Inc.');
    },
  );
});

describe.skipIf(belka === undefined)('real AddressBook that exists only in its WAL (BelkaCTF 6, iOS 16.3)', () => {
  it('extracts the one contact the WAL holds, as iLEAPP reports it', async () => {
    const { contacts } = await extractContacts(belka!, false, 'belka');
    expect(contacts.map((c) => [c.first, c.last, c.emails, c.created])).toEqual([
      [
        'William',
        'Phorger',
        [{ label: 'Home', value: 'billthemegakill@icloud.com' }],
        new Date(1712354864_000).toISOString(),
      ],
    ]);
  });
});

describe.skipIf(mvt === undefined)('real iOS 14 backup (MVT test artifacts)', () => {
  it('extracts its reduced sms.db (no chat tables) and reports the databases whose data is absent as missing', async () => {
    const reader = await BackupReader.open(mvt!);
    const out = join(root, 'mvt-out');
    try {
      const report = await runExtraction(reader, { out, tempDir: root });
      expect(Object.fromEntries(report.types.map((t) => [t.type, [t.status, t.records]]))).toEqual({
        photos: ['missing', 0],
        contacts: ['missing', 0],
        messages: ['ok', 1],
        calls: ['missing', 0],
        calendar: ['ok', 1],
        safari: ['missing', 0],
        reminders: ['missing', 0],
        voicemail: ['missing', 0],
        whatsapp: ['ok', 3],
        audio: ['missing', 0],
        notes: ['missing', 0],
      });
      // Its Calendar.sqlitedb (one event, entity_type left NULL by the rebuild) comes out in events.json and the .ics.
      const events = JSON.parse(await readFile(join(out, 'calendar/events.json'), 'utf8')) as Array<{
        summary: string;
        start: string;
      }>;
      expect(events.map((e) => [e.summary, e.start])).toEqual([
        ['Super interesting meeting', '2023-04-18T09:15:00.000Z'],
      ]);
      expect(await readFile(join(out, 'calendar/calendar.ics'), 'utf8')).toContain('SUMMARY:Super interesting meeting');
      const conversation = JSON.parse(await readFile(join(out, 'messages/apple/conversation.json'), 'utf8')) as {
        messages: MessageRecord[];
      };
      expect(conversation.messages.map((m) => [m.text, m.date, m.handle, m.service, m.isFromMe])).toEqual([
        ['Please click here https://badbadbad.example.org/', '2019-08-29T23:13:30.539Z', 'apple', null, false],
      ]);
      const scan = await scanBackupContent(reader, { tempDir: root });
      expect(scan.find((s) => s.type === 'messages')).toMatchObject({
        present: true,
        count: 1,
        firstDate: '2019-08-29T23:13:30.539Z',
        recentlyDeleted: null,
      });
    } finally {
      await reader.close();
    }
  });
});
