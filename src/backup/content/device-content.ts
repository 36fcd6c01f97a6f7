import type { SyntheticItem } from '../synthetic-backup.js';
import { buildAddressBookDb, buildAddressBookImagesDb } from './address-book.js';
import { buildCallHistoryDb } from './call-history.js';
import { buildCalendarDb, generateEvents } from './calendar-db.js';
import { buildSafariHistoryDb, generateVisits } from './safari-history.js';
import { generateContacts } from './generate-contacts.js';
import { generateCalls, generatePhotos } from './generate-media.js';
import { generateMessages } from './generate-messages.js';
import { buildPhotosDb } from './photos-db.js';
import { SeededRandom } from './seeded-random.js';
import { buildSmsDb } from './sms-db.js';
import type { SqliteImage } from './sqlite-image.js';
import type { DeviceContentTruth } from './truth.js';

/** Where iOS keeps each database inside a backup (domain + relative path). */
export const CONTENT_PATHS = {
  smsDb: { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' },
  addressBook: { domain: 'HomeDomain', relativePath: 'Library/AddressBook/AddressBook.sqlitedb' },
  addressBookImages: { domain: 'HomeDomain', relativePath: 'Library/AddressBook/AddressBookImages.sqlitedb' },
  callHistory: { domain: 'HomeDomain', relativePath: 'Library/CallHistoryDB/CallHistory.storedata' },
  photosDb: { domain: 'CameraRollDomain', relativePath: 'Media/PhotoData/Photos.sqlite' },
  calendar: { domain: 'HomeDomain', relativePath: 'Library/Calendar/Calendar.sqlitedb' },
  safariHistory: { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/History.db' },
} as const;

export interface DeviceContentSpec {
  /** Same seed, same bytes. */
  seed?: string;
  contacts?: number;
  messages?: number;
  conversations?: number;
  photos?: number;
  calls?: number;
  /** Calendar events (default 20). */
  events?: number;
  /** Safari history visits (default 30). */
  visits?: number;
  /** Share of each type written and then deleted (default 0.1): absent from the live tables, left in free space. */
  deletedFraction?: number;
  /** Newest messages left only in sms.db-wal (default 3; 0 for a fully checkpointed sms.db). */
  walTailMessages?: number;
  /** Which databases to leave out, to test extraction with missing data. */
  omit?: Array<'messages' | 'contacts' | 'photos' | 'calls' | 'calendar' | 'safari'>;
  window?: [Date, Date];
}

export interface DeviceContent {
  items: SyntheticItem[];
  truth: DeviceContentTruth;
}

function databaseItems(path: { domain: string; relativePath: string }, image: SqliteImage): SyntheticItem[] {
  const items: SyntheticItem[] = [{ ...path, data: image.main }];
  if (image.wal) items.push({ domain: path.domain, relativePath: `${path.relativePath}-wal`, data: image.wal });
  return items;
}

function directories(domain: string, paths: string[]): SyntheticItem[] {
  return paths.map((relativePath) => ({ domain, relativePath, kind: 'directory' as const }));
}

/**
 * A phone's worth of content in real iOS 16 schemas, as backup items for `writeSyntheticBackup`, plus the ground
 * truth of what went in and what was deleted. Sizes are parameters (the benchmark uses 100,000 messages, 20,000
 * photos and 5,000 contacts); everything is derived from the seed.
 */
export function generateDeviceContent(spec: DeviceContentSpec = {}): DeviceContent {
  const seed = spec.seed ?? 'iosrescue';
  const random = new SeededRandom(seed);
  const window = spec.window ?? [new Date('2023-01-01T00:00:00Z'), new Date('2024-12-31T00:00:00Z')];
  const fraction = spec.deletedFraction ?? 0.1;
  const deletedOf = (n: number): number => Math.round(n * fraction);
  const omit = new Set(spec.omit ?? []);
  const nContacts = spec.contacts ?? 12;
  const nMessages = spec.messages ?? 60;
  const nPhotos = spec.photos ?? 10;
  const nCalls = spec.calls ?? 15;

  const people = generateContacts(random, nContacts, deletedOf(nContacts), window, seed);
  const conversation = generateMessages(random, people.contacts, {
    messages: nMessages, deleted: deletedOf(nMessages), conversations: spec.conversations ?? 5, window, seed,
    walTail: Math.min(spec.walTailMessages ?? 3, nMessages),
  });
  const media = generatePhotos(random, nPhotos, deletedOf(nPhotos), window, seed);
  const phone = generateCalls(random, nCalls, deletedOf(nCalls), window, conversation.handles, people.contacts);
  // Generated last, so adding the calendar left every earlier seed's other content as it was.
  const nEvents = spec.events ?? 20;
  const agenda = generateEvents(random, nEvents, deletedOf(nEvents), window);
  const nVisits = spec.visits ?? 30;
  const browsing = generateVisits(random, nVisits, deletedOf(nVisits), window);

  const items: SyntheticItem[] = [...directories('HomeDomain', ['Library', 'Library/SMS', 'Library/AddressBook', 'Library/CallHistoryDB', 'Library/Calendar'])];
  if (!omit.has('messages')) {
    items.push(...databaseItems(CONTENT_PATHS.smsDb, buildSmsDb({ handles: conversation.handles, chats: conversation.chats, messages: conversation.messages, deletedMessages: conversation.deleted })));
    for (const m of conversation.messages) for (const a of m.attachments) items.push({ domain: a.domain, relativePath: a.relativePath, data: a.data });
  }
  if (!omit.has('contacts')) {
    items.push(...databaseItems(CONTENT_PATHS.addressBook, buildAddressBookDb(people.contacts, people.deleted)));
    items.push(...databaseItems(CONTENT_PATHS.addressBookImages, buildAddressBookImagesDb(people.contacts, people.thumbnails)));
  }
  if (!omit.has('calls')) items.push(...databaseItems(CONTENT_PATHS.callHistory, buildCallHistoryDb(phone.calls, phone.deleted)));
  if (!omit.has('calendar')) items.push(...databaseItems(CONTENT_PATHS.calendar, buildCalendarDb(agenda.calendars, agenda.events, agenda.deleted)));
  if (!omit.has('safari')) {
    items.push(...directories('AppDomain-com.apple.mobilesafari', ['Library', 'Library/Safari']));
    items.push(...databaseItems(CONTENT_PATHS.safariHistory, buildSafariHistoryDb(browsing.visits, browsing.deleted)));
  }
  if (!omit.has('photos')) {
    items.push(...directories('CameraRollDomain', ['Media', 'Media/PhotoData', 'Media/DCIM', ...new Set(media.photos.map((p) => `Media/${p.directory}`))]));
    items.push(...databaseItems(CONTENT_PATHS.photosDb, buildPhotosDb(media.photos, media.deleted)));
    for (const p of media.photos) items.push({ domain: 'CameraRollDomain', relativePath: `Media/${p.directory}/${p.filename}`, data: p.data });
  }
  return {
    items,
    truth: {
      contacts: omit.has('contacts') ? [] : people.contacts,
      deletedContacts: omit.has('contacts') ? [] : people.deleted,
      handles: omit.has('messages') ? [] : conversation.handles,
      chats: omit.has('messages') ? [] : conversation.chats,
      messages: omit.has('messages') ? [] : conversation.messages,
      deletedMessages: omit.has('messages') ? [] : conversation.deleted,
      calls: omit.has('calls') ? [] : phone.calls,
      deletedCalls: omit.has('calls') ? [] : phone.deleted,
      photos: omit.has('photos') ? [] : media.photos,
      deletedPhotos: omit.has('photos') ? [] : media.deleted,
      calendars: omit.has('calendar') ? [] : agenda.calendars,
      events: omit.has('calendar') ? [] : agenda.events,
      deletedEvents: omit.has('calendar') ? [] : agenda.deleted,
      visits: omit.has('safari') ? [] : browsing.visits,
      deletedVisits: omit.has('safari') ? [] : browsing.deleted,
    },
  };
}
