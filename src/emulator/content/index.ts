/**
 * Realistic device content for tests, the benchmark and the virtual iPhone's built-in sample: sms.db,
 * AddressBook, CallHistory and Photos.sqlite in real iOS schemas, camera-roll JPEGs, deleted rows left in free
 * space, and the ground truth of all of it.
 */
export { generateDeviceContent, CONTENT_PATHS, type DeviceContent, type DeviceContentSpec } from './device-content.js';
export type * from './truth.js';
export { SeededRandom, xorshift32 } from './seeded-random.js';
export { APPLE_EPOCH_MS, toAppleSeconds, toAppleNanoseconds } from './apple-time.js';
export { tinyJpeg, type TinyJpegOptions } from './tiny-jpeg.js';
export { tinyMovie } from './tiny-movie.js';
export { attributedBody } from './attributed-body.js';
export { buildSqliteImage, type SqliteImage, type SqliteImageSteps } from './sqlite-image.js';
export { buildSmsDb, type SmsDbContent } from './messages-db.js';
export { buildAddressBookDb, buildAddressBookImagesDb, storedLabel } from './contacts.js';
export { buildCallHistoryDb } from './calls.js';
export { buildPhotosDb } from './photos.js';
export { buildChatStorageDb, CHAT_STORAGE_SCHEMA, WHATSAPP_DOMAIN, type ChatStorageContent } from './whatsapp-db.js';
export { buildNoteStoreDb, generateNotes, NOTE_STORE_SCHEMA, NOTES_DOMAIN, type NoteStoreContent } from './notes.js';
export { noteStoreProto, noteStoreData } from './note-proto.js';
export { buildRemindersStore, generateReminders, REMINDERS_STORE_SCHEMA } from './reminders.js';
export { buildVoicemailDb, generateVoicemails, tinyAmr, VOICEMAIL_SCHEMA } from './voicemail.js';
export { buildSafariBookmarksDb, generateBookmarks, SAFARI_BOOKMARKS_SCHEMA } from './safari-bookmarks.js';
