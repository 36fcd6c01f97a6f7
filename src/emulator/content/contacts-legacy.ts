/**
 * AddressBook.sqlitedb before the guid columns (native-notes/ios-schemas/contacts.md): the ABPerson, ABMultiValue
 * and ABStore columns of a real iOS 5 file (the Digital Corpora "Tracy" phone, test/fixtures/ios-old), triggers
 * left out. No table has a guid, ABPerson has no ImageType and ends at IsPreferredName. A real iOS 9 file has the
 * guids; the generator writes this layout up to iOS 8 (LEGACY_ADDRESS_BOOK_MAX_IOS), which no sample pins down.
 */
export const ADDRESS_BOOK_SCHEMA_IOS5 = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE ABStore (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, Name TEXT, ExternalIdentifier TEXT, Type INTEGER,
  ConstraintsPath TEXT, ExternalModificationTag TEXT, StoreInternalIdentifier TEXT, AccountIdentifier TEXT,
  Enabled INTEGER DEFAULT 1, UNIQUE(StoreInternalIdentifier));
CREATE TABLE ABPerson (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, First TEXT, Last TEXT, Middle TEXT, FirstPhonetic TEXT,
  MiddlePhonetic TEXT, LastPhonetic TEXT, Organization TEXT, Department TEXT, Note TEXT, Kind INTEGER, Birthday TEXT,
  JobTitle TEXT, Nickname TEXT, Prefix TEXT, Suffix TEXT, FirstSort TEXT, LastSort TEXT, CreationDate INTEGER,
  ModificationDate INTEGER, CompositeNameFallback TEXT, ExternalIdentifier TEXT, ExternalModificationTag TEXT,
  ExternalUUID TEXT, StoreID INTEGER, DisplayName TEXT, ExternalRepresentation BLOB, FirstSortSection TEXT,
  LastSortSection TEXT, FirstSortLanguageIndex INTEGER DEFAULT 2147483647, LastSortLanguageIndex INTEGER DEFAULT 2147483647,
  PersonLink INTEGER DEFAULT -1, ImageURI TEXT, IsPreferredName INTEGER DEFAULT 1);
CREATE TABLE ABMultiValue (UID INTEGER PRIMARY KEY, record_id INTEGER, property INTEGER, identifier INTEGER, label INTEGER,
  value TEXT);
CREATE TABLE ABMultiValueLabel (value TEXT, UNIQUE(value));
CREATE TABLE ABMultiValueEntry (parent_id INTEGER, key INTEGER, value TEXT, UNIQUE(parent_id, key));
CREATE TABLE ABMultiValueEntryKey (value TEXT, UNIQUE(value));
CREATE INDEX ABMultiValueRecordIDIndex on ABMultiValue(record_id);
`;

/** The newest version the generator writes without guids. */
export const LEGACY_ADDRESS_BOOK_MAX_IOS = 8;
