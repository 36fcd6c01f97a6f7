/** The extraction pipeline: one extractor per data type reading through the backup layer, exporting open formats. */
export { ExtractError } from './errors.js';
export {
  defineExtractor,
  inRange,
  source,
  type DateRange,
  type Extractor,
  type ExtractorDescriptor,
  type ExtractorSource,
  type ExtractContext,
  type ScanContext,
  type TypeResult,
  type TypeScan,
} from './extractor.js';
export { DATA_TYPES, EXTRACTOR_LIST, descriptorOf, type DataType } from './registry.js';
export {
  EXTRACTORS,
  parseDataTypes,
  runExtraction,
  scanBackupContent,
  type ExtractOptions,
  type ExtractionReport,
  type ScanOptions,
} from './pipeline.js';
export type * from './records.js';
export { OutputFolder, sanitizeFileName, writeAll, type DeferredCopy } from './output-folder.js';
export { copyEntry } from './copy-entry.js';
export {
  OUTPUT_MODES,
  outputPermissions,
  makeOutputFolder,
  settleFileMode,
  type OutputMode,
  type OutputPermissions,
} from './output-mode.js';
export {
  writeReport,
  REPORT_FILE,
  type ReportOptions,
  type ReportSummary,
  type ReportTypeSummary,
} from './report/index.js';
export { SkippedFiles, type SkippedFile } from './skipped-files.js';
export { WorkDir, type OpenedDatabase } from './work-dir.js';
export { fromAppleSeconds, fromAppleMessageDate, APPLE_EPOCH_MS } from './apple-time.js';
export { contactToVCard, escapeText as escapeVCardText, foldLine as foldVCardLine } from './exporters/vcard.js';
export { csvRow } from './exporters/csv.js';
export {
  readContacts,
  readContactImages,
  readableLabel,
  ADDRESS_BOOK,
  ADDRESS_BOOK_IMAGES,
} from './extractors/contacts.js';
export { readMessages, readChats, readAttachments } from './extractors/messages-db.js';
export { attachmentBackupPath, SMS_DB } from './extractors/messages.js';
export { readCalls, CALL_HISTORY } from './extractors/calls.js';
export { readPhotos, PHOTOS_DB } from './extractors/photos.js';
export { readStoreReminders, readCalendarReminders } from './extractors/reminders-db.js';
export { REMINDERS_STORES } from './extractors/reminders.js';
export { readVoicemails, VOICEMAIL_DB } from './extractors/voicemail.js';
export {
  readBookmarkTree,
  flattenBookmarks,
  SAFARI_BOOKMARKS,
  type BookmarkNode,
} from './extractors/safari-bookmarks.js';
export { findAlbumJoinTable, readAlbumIndex, type AlbumIndex, type AlbumJoinTable } from './extractors/photo-albums.js';
export { readVoiceMemos, VOICE_MEMO_DATABASES } from './extractors/voice-memos.js';
export { readRingtones, TONE_DOMAINS, RINGTONES_PLIST } from './extractors/ringtones.js';
export { readTracks, MEDIA_LIBRARY } from './extractors/music-library.js';
export {
  readWhatsAppChats,
  readWhatsAppMessages,
  whatsAppKind,
  WhatsAppNames,
  CHAT_STORAGE,
} from './extractors/whatsapp-db.js';
export { attributedBodyText } from './typedstream.js';
export { readStoreNotes, NOTE_STORE } from './notes/note-store-db.js';
export { readLegacyNotes, LEGACY_NOTES } from './notes/legacy-notes.js';
export { decodeNoteBody, noteParagraphs, type NoteBody, type NoteRun } from './notes/note-body.js';
export { decodeNoteTable, type NoteTable } from './notes/note-table.js';
