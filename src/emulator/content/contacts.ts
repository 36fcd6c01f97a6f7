import type Database from 'better-sqlite3';
import { toAppleSeconds } from './apple-time.js';
import {
  CITIES,
  COMPANIES,
  EMAIL_LABELS,
  FIRST_NAMES,
  JOB_TITLES,
  LAST_NAMES,
  PHONE_LABELS,
  STREETS,
} from './names.js';
import type { SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import { tinyJpeg } from './tiny-jpeg.js';
import type { TruthContact } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';
import { ADDRESS_BOOK_SCHEMA_IOS5, LEGACY_ADDRESS_BOOK_MAX_IOS } from './contacts-legacy.js';

/**
 * AddressBook.sqlitedb and AddressBookImages.sqlitedb with the columns of a real iOS 15 file
 * (ileapp-real-device/hickman-ios15.3.1-iphone8; iOS 16 adds none an extractor reads). The many AFTER triggers
 * and the `ab_generate_guid()` defaults call functions that exist only inside Apple's AddressBook framework, so
 * they are left out and guids are written explicitly. Multi-values: property 3 phone, 4 e-mail, 5 postal address
 * (parts in ABMultiValueEntry keyed by ABMultiValueEntryKey), 22 URL; built-in labels are stored as `_$!<Name>!$_`.
 * CreationDate/ModificationDate are integer seconds since 2001; Birthday is the same count as TEXT.
 */
export const ADDRESS_BOOK_SCHEMA = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE ABStore (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT, ExternalIdentifier TEXT, Type INTEGER,
  ConstraintsPath TEXT, ExternalModificationTag TEXT, ExternalSyncTag TEXT, StoreInternalIdentifier TEXT,
  AccountID INTEGER DEFAULT -1, Enabled INTEGER DEFAULT 1, SyncData BLOB, MeIdentifier INTEGER DEFAULT -1,
  Capabilities INTEGER DEFAULT 0, guid TEXT NOT NULL, LastSyncDate TEXT, UNIQUE(StoreInternalIdentifier), UNIQUE(guid));
CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, FirstPhonetic TEXT,
  MiddlePhonetic TEXT, LastPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, Birthday TEXT,
  JobTitle TEXT, Nickname TEXT, Prefix TEXT, Suffix TEXT, FirstSort TEXT, LastSort TEXT, CreationDate INTEGER,
  ModificationDate INTEGER, CompositeNameFallback TEXT, ExternalIdentifier TEXT, ExternalModificationTag TEXT,
  ExternalUUID TEXT, StoreID INTEGER, DisplayName TEXT, ExternalRepresentation BLOB, FirstSortSection TEXT,
  LastSortSection TEXT, FirstSortLanguageIndex INTEGER DEFAULT 2147483647, LastSortLanguageIndex INTEGER DEFAULT 2147483647,
  PersonLink INTEGER DEFAULT -1, ImageURI TEXT, IsPreferredName INTEGER DEFAULT 1, guid TEXT NOT NULL, PhonemeData TEXT,
  AlternateBirthday TEXT, MapsData TEXT, FirstPronunciation TEXT, MiddlePronunciation TEXT, LastPronunciation TEXT,
  OrganizationPhonetic TEXT, OrganizationPronunciation TEXT, PreviousFamilyName TEXT, PreferredLikenessSource TEXT,
  PreferredPersonaIdentifier TEXT, PreferredChannel TEXT, DowntimeWhitelist TEXT, ImageType TEXT, ImageHash BLOB,
  MemojiMetadata BLOB, UNIQUE(guid));
CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER,
  value TEXT, guid TEXT NOT NULL, UNIQUE(guid));
CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value));
CREATE TABLE ABMultiValueEntry (parent_id INTEGER, key INTEGER, value TEXT, UNIQUE(parent_id, key));
CREATE TABLE ABMultiValueEntryKey (value TEXT, UNIQUE(value));
CREATE INDEX ABMultiValueRecordIDIndex on ABMultiValue(record_id);
`;

export const ADDRESS_BOOK_IMAGES_SCHEMA = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE ABThumbnailImage (ROWID INTEGER PRIMARY KEY, record_id INTEGER, format INTEGER, derived_from_format INTEGER, data BLOB);
CREATE TABLE ABFullSizeImage (ROWID INTEGER PRIMARY KEY, record_id INTEGER, crop_x INTEGER, crop_y INTEGER, crop_width INTEGER, data BLOB);
CREATE UNIQUE INDEX ABImageRecordIDFormatIndex ON ABThumbnailImage(record_id, format);
CREATE UNIQUE INDEX ABFullSizeImageRecordIDIndex ON ABFullSizeImage(record_id);
`;

const BUILT_IN_LABELS = new Set(['Mobile', 'Home', 'Work', 'Main', 'Pager', 'Other', 'HomePage', 'HomeFAX', 'WorkFAX']);
export const PROPERTY = { phone: 3, email: 4, address: 5, url: 22 } as const;
const ADDRESS_KEYS = ['Street', 'ZIP', 'City', 'CountryCode', 'State', 'Country'] as const;

export function storedLabel(label: string): string {
  return BUILT_IN_LABELS.has(label) ? `_$!<${label}>!$_` : label;
}

/** Noon UTC, so the calendar day survives a reader in any time zone. */
export function birthdaySeconds(day: string): number {
  return toAppleSeconds(new Date(`${day}T12:00:00Z`));
}

class Labels {
  private ids = new Map<string, number>();
  constructor(
    private db: Database.Database,
    private table: string,
  ) {}
  id(text: string): number {
    let id = this.ids.get(text);
    if (id === undefined) {
      id = Number(this.db.prepare(`INSERT INTO ${this.table} (value) VALUES (?)`).run(text).lastInsertRowid);
      this.ids.set(text, id);
    }
    return id;
  }
}

type Statements = ReturnType<typeof prepareStatements>;

function prepareStatements(db: Database.Database, legacy: boolean) {
  return {
    legacy,
    person: legacy
      ? db.prepare(
          `INSERT INTO ABPerson (ROWID, First, Last, Organization, Note, Kind, Birthday, JobTitle, Nickname, FirstSort, LastSort,
             CreationDate, ModificationDate, StoreID) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
        )
      : db.prepare(
          `INSERT INTO ABPerson (ROWID, First, Last, Organization, Note, Kind, Birthday, JobTitle, Nickname, FirstSort, LastSort,
             CreationDate, ModificationDate, StoreID, guid, ImageType) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?)`,
        ),
    value: legacy
      ? db.prepare(
          'INSERT INTO ABMultiValue (UID, record_id, property, identifier, label, value) VALUES (?, ?, ?, ?, ?, ?)',
        )
      : db.prepare(
          'INSERT INTO ABMultiValue (UID, record_id, property, identifier, label, value, guid) VALUES (?, ?, ?, ?, ?, ?, ?)',
        ),
    entry: db.prepare('INSERT INTO ABMultiValueEntry (parent_id, key, value) VALUES (?, ?, ?)'),
  };
}

function insertContact(s: Statements, c: TruthContact, labels: Labels, keys: Labels, nextUid: () => number): void {
  const person = [
    c.rowid,
    c.first,
    c.last,
    c.organization,
    c.note,
    c.first === null && c.last === null ? 1 : 0,
    c.birthday === null ? null : String(birthdaySeconds(c.birthday)),
    c.jobTitle,
    c.nickname,
    c.first,
    c.last,
    Math.round(toAppleSeconds(c.created)),
    Math.round(toAppleSeconds(c.modified)),
  ];
  s.person.run(...(s.legacy ? person : [...person, c.guid, c.image ? 'PHOTO' : null]));
  const add = (property: number, index: number, label: string | null, text: string | null): number => {
    const uid = nextUid();
    const row = [uid, c.rowid, property, index, label === null ? null : labels.id(storedLabel(label)), text];
    s.value.run(...(s.legacy ? row : [...row, `${c.guid.slice(0, 24)}${String(uid).padStart(12, '0')}`]));
    return uid;
  };
  c.phones.forEach((p, i) => add(PROPERTY.phone, i, p.label, p.value));
  c.emails.forEach((e, i) => add(PROPERTY.email, i, e.label, e.value));
  c.urls.forEach((u, i) => add(PROPERTY.url, i, u.label, u.value));
  c.addresses.forEach((a, i) => {
    const uid = add(PROPERTY.address, i, a.label, null);
    const parts: Record<(typeof ADDRESS_KEYS)[number], string> = {
      Street: a.street,
      ZIP: a.zip,
      City: a.city,
      CountryCode: a.countryCode,
      State: a.state,
      Country: a.country,
    };
    for (const key of ADDRESS_KEYS) {
      if (parts[key] !== '') s.entry.run(uid, keys.id(key), parts[key]);
    }
  });
}

/** AddressBook.sqlitedb: live contacts plus deleted ones whose rows are left in free space. */
export function buildAddressBookDb(
  contacts: TruthContact[],
  deleted: TruthContact[],
  iosVersion: number = NEWEST_IOS,
): SqliteImage {
  const all = [...contacts, ...deleted].sort((a, b) => a.rowid - b.rowid);
  const legacy = iosVersion <= LEGACY_ADDRESS_BOOK_MAX_IOS;
  return buildSqliteImage({
    schema: legacy ? ADDRESS_BOOK_SCHEMA_IOS5 : ADDRESS_BOOK_SCHEMA,
    fill(db) {
      db.prepare(
        legacy
          ? "INSERT INTO ABStore (ROWID, Name, Type, StoreInternalIdentifier) VALUES (1, 'Local', 0, 'LocalSource')"
          : "INSERT INTO ABStore (ROWID, Name, Type, StoreInternalIdentifier, guid) VALUES (1, 'Local', 0, 'LocalSource', 'B7A0D1E2-5C3F-4A6B-9D8E-0F1A2B3C4D5E')",
      ).run();
      const labels = new Labels(db, 'ABMultiValueLabel');
      const keys = new Labels(db, 'ABMultiValueEntryKey');
      let uid = 0;
      const statements = prepareStatements(db, legacy);
      for (const c of all) insertContact(statements, c, labels, keys, () => ++uid);
    },
    remove(db) {
      const entries = db.prepare(
        'DELETE FROM ABMultiValueEntry WHERE parent_id IN (SELECT UID FROM ABMultiValue WHERE record_id = ?)',
      );
      const values = db.prepare('DELETE FROM ABMultiValue WHERE record_id = ?');
      const person = db.prepare('DELETE FROM ABPerson WHERE ROWID = ?');
      for (const c of deleted) {
        entries.run(c.rowid);
        values.run(c.rowid);
        person.run(c.rowid);
      }
    },
  });
}

/** AddressBookImages.sqlitedb: a thumbnail (format 0) and the full-size image for every contact with a picture. */
export function buildAddressBookImagesDb(
  contacts: TruthContact[],
  thumbnails: Map<number, Buffer>,
  _iosVersion: number = NEWEST_IOS,
): SqliteImage {
  return buildSqliteImage({
    schema: ADDRESS_BOOK_IMAGES_SCHEMA,
    fill(db) {
      const thumb = db.prepare(
        'INSERT INTO ABThumbnailImage (record_id, format, derived_from_format, data) VALUES (?, 0, 0, ?)',
      );
      const full = db.prepare(
        'INSERT INTO ABFullSizeImage (record_id, crop_x, crop_y, crop_width, data) VALUES (?, 0, 0, 0, ?)',
      );
      for (const c of contacts) {
        if (c.image === null) continue;
        thumb.run(c.rowid, thumbnails.get(c.rowid) ?? c.image);
        full.run(c.rowid, c.image);
      }
    },
  });
}

/** A North-American test number (555-01xx range is reserved for fiction) in E.164, unique per index. */
export function phoneNumber(index: number): string {
  const area = 200 + (index % 700);
  return `+1${area}555${String(100 + (index % 9000)).padStart(4, '0')}`;
}

/** How people type numbers into Contacts: "+1 (415) 555-0123". */
export function formatPhone(e164: string): string {
  return `+1 (${e164.slice(2, 5)}) ${e164.slice(5, 8)}-${e164.slice(8)}`;
}

function wholeSecond(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}

export interface GeneratedContacts {
  contacts: TruthContact[];
  deleted: TruthContact[];
  /** Thumbnail bytes per contact rowid (the full-size picture is `contact.image`). */
  thumbnails: Map<number, Buffer>;
}

export function generateContacts(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
  seed: string,
): GeneratedContacts {
  const total = count + deletedCount;
  const doomed = new Set<number>();
  while (doomed.size < deletedCount) doomed.add(random.int(1, total));
  const contacts: TruthContact[] = [];
  const deleted: TruthContact[] = [];
  const thumbnails = new Map<number, Buffer>();
  const span = window[1].getTime() - window[0].getTime();
  for (let rowid = 1; rowid <= total; rowid++) {
    const isCompany = random.chance(0.08);
    const first = isCompany ? null : random.pick(FIRST_NAMES);
    const last = isCompany ? null : random.pick(LAST_NAMES);
    const phones = Array.from({ length: random.int(isCompany ? 1 : 0, 3) }, (_, i) => ({
      label: i === 0 ? 'Mobile' : random.pick(PHONE_LABELS),
      value: random.chance(0.7) ? formatPhone(phoneNumber(rowid * 4 + i)) : phoneNumber(rowid * 4 + i),
    }));
    const slug = `${(first ?? 'info')
      .toLowerCase()
      .normalize('NFD')
      .replace(/[^a-z]/g, '')}${rowid}`;
    const emails = Array.from({ length: random.int(0, 2) }, (_, i) => ({
      label: random.pick(EMAIL_LABELS),
      value: `${slug}${i ? `.${i}` : ''}@example.com`,
    }));
    const urls = random.chance(0.15) ? [{ label: 'HomePage', value: `https://example.org/~${slug}` }] : [];
    const place = random.pick(CITIES);
    const addresses = random.chance(0.3)
      ? [{ label: random.pick(['Home', 'Work'] as const), street: random.pick(STREETS), ...place }]
      : [];
    const created = wholeSecond(window[0].getTime() + random.next() * span * 0.5);
    const contact: TruthContact = {
      rowid,
      guid: random.uuid(),
      first,
      last,
      organization: isCompany || random.chance(0.3) ? random.pick(COMPANIES) : null,
      jobTitle: !isCompany && random.chance(0.2) ? random.pick(JOB_TITLES) : null,
      nickname: !isCompany && random.chance(0.1) ? `${first!.slice(0, 3)}y` : null,
      note: random.chance(0.15) ? `Met at "the conference"; likes tea, not coffee\nSecond line, with a comma` : null,
      birthday:
        !isCompany && random.chance(0.3)
          ? `${random.int(1950, 2010)}-${String(random.int(1, 12)).padStart(2, '0')}-${String(random.int(1, 28)).padStart(2, '0')}`
          : null,
      phones,
      emails,
      urls,
      addresses,
      created,
      modified: wholeSecond(created.getTime() + random.next() * span * 0.5),
      image: null,
    };
    if (random.chance(0.3)) {
      const rgb: [number, number, number] = [random.int(0, 255), random.int(0, 255), random.int(0, 255)];
      contact.image = tinyJpeg({ rgb, blocksWide: 4, blocksHigh: 4, comment: `${seed}:contact:${rowid}` });
      thumbnails.set(rowid, tinyJpeg({ rgb, comment: `${seed}:thumb:${rowid}` }));
    }
    (doomed.has(rowid) ? deleted : contacts).push(contact);
  }
  return { contacts, deleted, thumbnails };
}
