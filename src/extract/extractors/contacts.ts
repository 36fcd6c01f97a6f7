import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { csvRow } from '../exporters/csv.js';
import { TextSink } from '../exporters/text-sink.js';
import { contactToVCard, displayName } from '../exporters/vcard.js';
import { defineExtractor, source } from '../extractor.js';
import type { ContactRecord, LabeledValue, PostalAddress } from '../records.js';
import { carvedRowsByTable } from '../carved-rows.js';
import { column, deletedBySequence, hasTable, tableColumns, textValue } from '../schema.js';
import { WriteQueue } from '../write-queue.js';
import { contactsSection } from '../report/sections/contacts.js';
import { dateFlag } from '../date-check.js';
import { unsupportedSchema } from '../unsupported-schema.js';

export const ADDRESS_BOOK = { domain: 'HomeDomain', relativePath: 'Library/AddressBook/AddressBook.sqlitedb' } as const;
export const ADDRESS_BOOK_IMAGES = {
  domain: 'HomeDomain',
  relativePath: 'Library/AddressBook/AddressBookImages.sqlitedb',
} as const;

/** ABMultiValue.property values (AddressBook framework kABPerson*Property constants). */
const PROPERTY = { phone: 3, email: 4, address: 5, url: 22 } as const;

/** `_$!<Mobile>!$_` → `Mobile`: built-in labels are stored wrapped, custom ones as typed. */
export function readableLabel(stored: string | null): string | null {
  if (stored === null) return null;
  const match = /^_\$!<(.*)>!\$_$/.exec(stored);
  return match ? match[1]! : stored;
}

/** Birthday is TEXT holding seconds since 2001 (iOS stores the day at noon GMT); the UTC calendar day is the birthday.
 * */
function birthday(value: unknown): string | null {
  const date = fromAppleSeconds(value);
  return date === null ? null : date.toISOString().slice(0, 10);
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

/** An ABPerson row (live, or rebuilt by the carver) as a ContactRecord without its multi-values. */
function personRecord(p: Record<string, unknown>, origin: ContactRecord['origin'], id: number): ContactRecord {
  const created = fromAppleSeconds(p.CreationDate)?.toISOString() ?? null;
  const modified = fromAppleSeconds(p.ModificationDate)?.toISOString() ?? null;
  return {
    origin,
    id,
    guid: text(p.guid),
    prefix: text(p.Prefix),
    first: text(p.First),
    middle: text(p.Middle),
    last: text(p.Last),
    suffix: text(p.Suffix),
    nickname: text(p.Nickname),
    organization: text(p.Organization),
    department: text(p.Department),
    jobTitle: text(p.JobTitle),
    note: text(p.Note),
    birthday: birthday(p.Birthday),
    phones: [],
    emails: [],
    urls: [],
    addresses: [],
    created,
    modified,
    imageFile: null,
    ...dateFlag(created, modified),
  };
}

/** Every contact of an AddressBook.sqlitedb, with its multi-values, in ROWID order. */
export function readContacts(db: Database.Database): ContactRecord[] {
  const cols = tableColumns(db, 'ABPerson');
  if (cols.size === 0) throw unsupportedSchema(db, 'AddressBook.sqlitedb', 'ABPerson table');
  const pick = [
    'guid',
    'Prefix',
    'First',
    'Middle',
    'Last',
    'Suffix',
    'Nickname',
    'Organization',
    'Department',
    'JobTitle',
    'Note',
    'Birthday',
    'CreationDate',
    'ModificationDate',
  ];
  const people = db
    .prepare(
      `SELECT p.ROWID AS id, ${pick.map((c) => column(cols, 'p', c)).join(', ')} FROM ABPerson p ORDER BY p.ROWID`,
    )
    .all() as Array<Record<string, unknown>>;
  const byId = new Map<number, ContactRecord>();
  const contacts = people.map((p) => {
    const record = personRecord(p, 'live', Number(p.id));
    byId.set(record.id, record);
    return record;
  });
  if (!hasTable(db, 'ABMultiValue')) return contacts;
  const labelJoin = hasTable(db, 'ABMultiValueLabel') ? 'LEFT JOIN ABMultiValueLabel l ON l.ROWID = mv.label' : '';
  const values = db
    .prepare(
      `SELECT mv.UID AS uid, mv.record_id AS recordId, mv.property AS property, mv.value AS value, ${labelJoin ? 'l.value' : 'NULL'} AS label
     FROM ABMultiValue mv ${labelJoin} ORDER BY mv.record_id, mv.property, mv.identifier, mv.UID`,
    )
    .all() as Array<{ uid: number; recordId: number; property: number; value: unknown; label: unknown }>;
  const entries = new Map<number, Record<string, string>>();
  if (hasTable(db, 'ABMultiValueEntry') && hasTable(db, 'ABMultiValueEntryKey')) {
    const rows = db
      .prepare(
        'SELECT e.parent_id AS parent, k.value AS key, e.value AS value FROM ABMultiValueEntry e JOIN ABMultiValueEntryKey k ON k.ROWID = e.key',
      )
      .all() as Array<{ parent: number; key: unknown; value: unknown }>;
    for (const r of rows) {
      const [key, value] = [textValue(r.key), textValue(r.value)];
      if (key !== null && value !== null) entries.set(r.parent, { ...entries.get(r.parent), [key]: value });
    }
  }
  for (const v of values) {
    const contact = byId.get(v.recordId);
    if (contact === undefined) continue;
    const value = textValue(v.value);
    const labeled: LabeledValue = { label: readableLabel(textValue(v.label)), value: value ?? '' };
    if (v.property === PROPERTY.phone && value) contact.phones.push(labeled);
    else if (v.property === PROPERTY.email && value) contact.emails.push(labeled);
    else if (v.property === PROPERTY.url && value) contact.urls.push(labeled);
    else if (v.property === PROPERTY.address) {
      const parts = entries.get(v.uid) ?? {};
      const address: PostalAddress = {
        label: labeled.label,
        street: parts.Street ?? null,
        city: parts.City ?? null,
        state: parts.State ?? null,
        zip: parts.ZIP ?? null,
        country: parts.Country ?? null,
        countryCode: parts.CountryCode ?? null,
      };
      contact.addresses.push(address);
    }
  }
  return contacts;
}

/** Strips what some iOS versions put before the image bytes (a format byte), keeping JPEG or PNG from its magic. */
function imageBytes(data: unknown): Buffer | null {
  if (!Buffer.isBuffer(data)) return null;
  for (const magic of [Buffer.from([0xff, 0xd8, 0xff]), Buffer.from([0x89, 0x50, 0x4e, 0x47])]) {
    const at = data.indexOf(magic);
    if (at >= 0 && at < 16) return data.subarray(at);
  }
  return null;
}

/** Best picture per contact: the full-size image when present, else the largest thumbnail. */
export function readContactImages(db: Database.Database): Map<number, Buffer> {
  const images = new Map<number, Buffer>();
  if (hasTable(db, 'ABThumbnailImage')) {
    for (const row of db
      .prepare('SELECT record_id AS id, data FROM ABThumbnailImage ORDER BY length(data)')
      .all() as Array<{ id: number; data: unknown }>) {
      const bytes = imageBytes(row.data);
      if (bytes) images.set(row.id, bytes);
    }
  }
  if (hasTable(db, 'ABFullSizeImage')) {
    for (const row of db.prepare('SELECT record_id AS id, data FROM ABFullSizeImage').all() as Array<{
      id: number;
      data: unknown;
    }>) {
      const bytes = imageBytes(row.data);
      if (bytes) images.set(row.id, bytes);
    }
  }
  return images;
}

/**
 * Contacts deleted from the address book whose ABPerson rows still lie in the file's free space, -wal or journal,
 * with the phone numbers and e-mail addresses whose ABMultiValue rows survive too (matched by record_id, which a
 * live contact does not own). A guid that is live, or already found, is skipped.
 */
export async function readRecoveredContacts(path: string, db: Database.Database): Promise<ContactRecord[]> {
  // AddressBook files before iOS 9 have no guid column (native-notes/ios-schemas/contacts.md).
  const live = tableColumns(db, 'ABPerson').has('guid')
    ? db.prepare('SELECT 1 FROM ABPerson WHERE guid = ?')
    : undefined;
  const liveRowid = hasTable(db, 'ABPerson') ? db.prepare('SELECT 1 FROM ABPerson WHERE ROWID = ?') : undefined;
  const found: ContactRecord[] = [];
  const byRowid = new Map<number, ContactRecord>();
  const seen = new Set<string>();
  const carved = await carvedRowsByTable(path, ['ABPerson', 'ABMultiValue']);
  for (const { row: p, rowid } of carved.get('ABPerson')!) {
    const guid = text(p.guid);
    if (guid === null && text(p.First) === null && text(p.Last) === null && text(p.Organization) === null) continue;
    const key = guid ?? `${text(p.First)}|${text(p.Last)}|${text(p.Organization)}`;
    if (seen.has(key) || (guid !== null && live?.get(guid) !== undefined)) continue;
    seen.add(key);
    const id = rowid ?? -1;
    const record = personRecord(p, 'recovered', id);
    found.push(record);
    if (id >= 0 && liveRowid?.get(id) === undefined) byRowid.set(id, record);
  }
  if (byRowid.size > 0 && hasTable(db, 'ABMultiValue')) {
    const values = new Set<string>();
    for (const { row: v } of carved.get('ABMultiValue')!) {
      const contact = byRowid.get(Number(v.record_id));
      const value = text(v.value);
      if (contact === undefined || value === null || values.has(`${contact.id}|${String(v.property)}|${value}`))
        continue;
      values.add(`${contact.id}|${String(v.property)}|${value}`);
      if (Number(v.property) === PROPERTY.phone) contact.phones.push({ label: null, value });
      else if (Number(v.property) === PROPERTY.email) contact.emails.push({ label: null, value });
      else if (Number(v.property) === PROPERTY.url) contact.urls.push({ label: null, value });
    }
  }
  return found;
}

export const contactsExtractor = defineExtractor({
  type: 'contacts',
  label: 'Contacts',
  saves: 'contacts (vCard)',
  sources: [source(ADDRESS_BOOK, 'any (guid columns from 9)'), source(ADDRESS_BOOK_IMAGES, 'any')],
  outputs: [
    'contacts.vcf',
    'vcards/<name>.vcf',
    'pictures/<name>.jpg',
    'pictures/<name>.png',
    'contacts.json',
    'contacts.csv',
  ],
  records: ['ContactRecord'],
  section: contactsSection,

  async scan({ reader, work }) {
    const opened = await work.openDatabase(reader, ADDRESS_BOOK.domain, ADDRESS_BOOK.relativePath);
    if (opened === undefined) return null;
    const count = hasTable(opened.db, 'ABPerson')
      ? (opened.db.prepare('SELECT count(*) AS n FROM ABPerson').get() as { n: number }).n
      : 0;
    const images = await work
      .openDatabase(reader, ADDRESS_BOOK_IMAGES.domain, ADDRESS_BOOK_IMAGES.relativePath)
      .catch(() => undefined);
    return {
      count,
      recentlyDeleted: null,
      purged: deletedBySequence(opened.db, 'ABPerson', count),
      firstDate: null,
      lastDate: null,
      bytes: opened.bytes + (images?.bytes ?? 0),
    };
  },

  async extract({ reader, work, out, warn }) {
    const opened = await work.openDatabase(reader, ADDRESS_BOOK.domain, ADDRESS_BOOK.relativePath);
    if (opened === undefined) return null;
    // Live contacts, then the deleted ones the carver finds (origin "recovered"; their vCards say so).
    const contacts = [...readContacts(opened.db), ...(await readRecoveredContacts(opened.path, opened.db))];
    let images = new Map<number, Buffer>();
    try {
      const imagesDb = await work.openDatabase(reader, ADDRESS_BOOK_IMAGES.domain, ADDRESS_BOOK_IMAGES.relativePath);
      if (imagesDb) images = readContactImages(imagesDb.db);
    } catch (error) {
      warn(`contact pictures skipped: ${(error as Error).message}`);
    }
    let files = 0;
    const combined = new TextSink(await out.absolute('contacts/contacts.vcf'));
    const csv = new TextSink(await out.absolute('contacts/contacts.csv'));
    await csv.write(
      csvRow(['id', 'name', 'organization', 'phones', 'emails', 'birthday', 'created', 'modified', 'vcard', 'origin']),
    );
    // Pictures and per-contact vCards are small files: written a few at a time, the disk never waits on us.
    const writes = new WriteQueue();
    try {
      for (const contact of contacts) {
        const name = displayName(contact) || `contact ${contact.id}`;
        const image = contact.origin === 'live' ? (images.get(contact.id) ?? null) : null;
        if (image) {
          const imageFile = out.uniquePath('contacts/pictures', `${name}.${image[0] === 0x89 ? 'png' : 'jpg'}`);
          contact.imageFile = imageFile;
          await writes.add(async () => void (await out.writeFile(imageFile, image)));
          files++;
        }
        const card = contactToVCard(contact, image);
        const vcardFile = out.uniquePath('contacts/vcards', `${name}.vcf`);
        contact.vcardFile = vcardFile;
        await writes.add(async () => void (await out.writeFile(vcardFile, card)));
        await combined.write(card);
        await csv.write(
          csvRow([
            contact.id,
            name,
            contact.organization,
            contact.phones.map((p) => p.value).join('; '),
            contact.emails.map((e) => e.value).join('; '),
            contact.birthday,
            contact.created,
            contact.modified,
            contact.vcardFile,
            contact.origin,
          ]),
        );
        files++;
      }
      await writes.drain();
    } finally {
      await writes.drain().catch(() => undefined);
    }
    await combined.close();
    await csv.close();
    await out.writeFile('contacts/contacts.json', `${JSON.stringify(contacts, null, 2)}\n`);
    return { records: contacts.length, files: files + 3 };
  },
});
