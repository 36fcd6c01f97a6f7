import type { ReportSection } from '../section.js';
import { calendarSection } from './calendar.js';
import { callsSection } from './calls.js';
import { contactsSection } from './contacts.js';
import { genericSection } from './generic.js';
import { messagesSection } from './messages.js';
import { notesSection } from './notes.js';
import { photosSection } from './photos.js';
import { remindersSection } from './reminders.js';
import { safariSection } from './safari.js';
import { voicemailSection } from './voicemail.js';
import { whatsappSection } from './whatsapp.js';

/**
 * The section of each data type, keyed by the type's name in extraction.json. A type missing here is drawn by
 * `genericSection` (a table of its JSON records); giving it a look of its own is one file in this folder plus
 * one line here.
 */
export const SECTIONS: Readonly<Record<string, ReportSection>> = {
  photos: photosSection,
  contacts: contactsSection,
  messages: messagesSection,
  calls: callsSection,
  calendar: calendarSection,
  safari: safariSection,
  reminders: remindersSection,
  voicemail: voicemailSection,
  whatsapp: whatsappSection,
  notes: notesSection,
};

export function sectionFor(type: string): ReportSection {
  return Object.hasOwn(SECTIONS, type) ? SECTIONS[type]! : genericSection;
}

export { genericSection };
