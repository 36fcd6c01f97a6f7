/** The extraction pipeline: one extractor per data type reading through the backup layer, exporting open formats. */
export { ExtractError } from './errors.js';
export { DATA_TYPES, inRange, type DataType, type DateRange, type Extractor, type ExtractContext, type ScanContext, type TypeResult, type TypeScan } from './extractor.js';
export { EXTRACTORS, parseDataTypes, runExtraction, scanBackupContent, type ExtractOptions, type ExtractionReport, type ScanOptions } from './pipeline.js';
export type * from './records.js';
export { OutputFolder, sanitizeFileName } from './output-folder.js';
export { WorkDir, type OpenedDatabase } from './work-dir.js';
export { fromAppleSeconds, fromAppleMessageDate, APPLE_EPOCH_MS } from './apple-time.js';
export { contactToVCard, escapeText as escapeVCardText, foldLine as foldVCardLine } from './exporters/vcard.js';
export { csvRow } from './exporters/csv.js';
export { readContacts, readContactImages, readableLabel, ADDRESS_BOOK, ADDRESS_BOOK_IMAGES } from './extractors/contacts.js';
export { readMessages, readChats, readAttachments } from './extractors/messages-db.js';
export { attachmentBackupPath, SMS_DB } from './extractors/messages.js';
export { readCalls, CALL_HISTORY } from './extractors/calls.js';
export { readPhotos, PHOTOS_DB } from './extractors/photos.js';
export { attributedBodyText } from './typedstream.js';
