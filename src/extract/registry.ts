import type { ExtractorDescriptor } from './extractor.js';
import { audioExtractor } from './extractors/audio.js';
import { calendarExtractor } from './extractors/calendar.js';
import { callsExtractor } from './extractors/calls.js';
import { contactsExtractor } from './extractors/contacts.js';
import { messagesExtractor } from './extractors/messages.js';
import { notesExtractor } from './extractors/notes.js';
import { photosExtractor } from './extractors/photos.js';
import { remindersExtractor } from './extractors/reminders.js';
import { safariExtractor } from './extractors/safari.js';
import { voicemailExtractor } from './extractors/voicemail.js';
import { whatsappExtractor } from './extractors/whatsapp.js';

/**
 * Every extractor, once, in pipeline order (the order of extraction.json, `scan`, the report and --types). Adding a
 * data type is adding its module here; each one declares its name, label, sources, iOS versions, outputs and record
 * type itself (see "Adding a data type" in README.md).
 */
export const EXTRACTOR_LIST = [
  photosExtractor,
  contactsExtractor,
  messagesExtractor,
  callsExtractor,
  calendarExtractor,
  safariExtractor,
  remindersExtractor,
  voicemailExtractor,
  whatsappExtractor,
  audioExtractor,
  notesExtractor,
] as const;

export type DataType = (typeof EXTRACTOR_LIST)[number]['type'];

export const DATA_TYPES: readonly DataType[] = EXTRACTOR_LIST.map((e) => e.type);

/** The descriptor of a type named in an extraction.json; undefined for a name this build does not know. */
export function descriptorOf(type: string): ExtractorDescriptor | undefined {
  return EXTRACTOR_LIST.find((e) => e.type === type);
}
