import type Database from 'better-sqlite3';
import type { SyntheticItem } from '../../backup/index.js';
import { buildCallHistoryDb, generateCalls } from './calls.js';
import { buildLegacyCallHistoryDb, CALL_HISTORY_LEGACY_PATH, callsForLegacy } from './calls-legacy.js';
import { buildCalendarDb, eventsForVersion, generateEvents } from './calendar.js';
import { generateVisits } from './safari.js';
import { generateAudio } from './audio.js';
import { MEDIA_LIBRARY } from './music-library.js';
import { buildAddressBookDb, buildAddressBookImagesDb, generateContacts } from './contacts.js';
import { generateMessages, messagesForVersion } from './messages.js';
import { generateWhatsApp } from './whatsapp.js';
import { addPhotoExtras, buildPhotosDb, generatePhotos, photosForVersion } from './photos.js';
import { buildRemindersStore, fillCalendarReminders, generateReminders, legacyReminders } from './reminders.js';
import { buildSafariBookmarksDb, generateBookmarks, safariBookmarksLocation } from './safari-bookmarks.js';
import { SeededRandom } from './seeded-random.js';
import { buildSmsDb } from './messages-db.js';
import { buildVoicemailDb, generateVoicemails, voicemailsForVersion } from './voicemail.js';
import { generateNotes, NOTES_DOMAIN } from './notes.js';
import type { SqliteImage } from './sqlite-image.js';
import type { DeviceContentTruth, VoiceMemoLayout } from './truth.js';
import { VOICE_MEMO_LOCATIONS, voiceMemoLayoutFor } from './voice-memos.js';
import { notesForVersion } from './notes-version.js';
import { safariHistoryForVersion } from './safari-history-plist.js';
import { WHATSAPP_DOMAIN } from './whatsapp-db.js';
import { whatsappForVersion } from './whatsapp-version.js';
import { iosVersionProfile, NEWEST_IOS, type IosVersionProfile } from './ios-versions.js';

/** Where iOS keeps each database inside a backup (domain + relative path). */
export const CONTENT_PATHS = {
  smsDb: { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' },
  addressBook: { domain: 'HomeDomain', relativePath: 'Library/AddressBook/AddressBook.sqlitedb' },
  addressBookImages: { domain: 'HomeDomain', relativePath: 'Library/AddressBook/AddressBookImages.sqlitedb' },
  callHistory: { domain: 'HomeDomain', relativePath: 'Library/CallHistoryDB/CallHistory.storedata' },
  photosDb: { domain: 'CameraRollDomain', relativePath: 'Media/PhotoData/Photos.sqlite' },
  calendar: { domain: 'HomeDomain', relativePath: 'Library/Calendar/Calendar.sqlitedb' },
  safariHistory: { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/History.db' },
  safariBookmarks: { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/Bookmarks.db' },
  /** Folder of the Reminders stores, one `Data-<UUID>.sqlite` per account (iOS 13+). */
  remindersStores: { domain: 'HomeDomain', relativePath: 'Library/Reminders/Container_v1/Stores' },
  voicemail: { domain: 'HomeDomain', relativePath: 'Library/Voicemail/voicemail.db' },
  whatsapp: { domain: WHATSAPP_DOMAIN, relativePath: 'ChatStorage.sqlite' },
  voiceMemos: VOICE_MEMO_LOCATIONS['app-group'],
  mediaLibrary: MEDIA_LIBRARY,
  noteStore: { domain: NOTES_DOMAIN, relativePath: 'NoteStore.sqlite' },
} as const;

export interface DeviceContentSpec {
  /** Same seed, same bytes. */
  seed?: string;
  /** The iOS major version whose schemas every builder writes (default NEWEST_IOS; see ios-versions.ts). */
  iosVersion?: number;
  contacts?: number;
  messages?: number;
  conversations?: number;
  photos?: number;
  calls?: number;
  /** Calendar events (default 20). */
  events?: number;
  /** Safari history visits (default 30). */
  visits?: number;
  /** Reminders over two account stores (default 12). */
  reminders?: number;
  /** Write the reminders into Calendar.sqlitedb (entity_type 3) as before iOS 13, instead of Reminders stores. */
  legacyReminders?: boolean;
  /** Voicemails in voicemail.db, with their AMR audio (default 6). */
  voicemails?: number;
  /** Safari bookmarks in Bookmarks.db (default 12). */
  bookmarks?: number;
  /** Share of each type written and then deleted (default 0.1): absent from the live tables, left in free space. */
  deletedFraction?: number;
  /** WhatsApp messages in ChatStorage.sqlite (default 40; the first 14 show every kind: media, location, contact card,
   * deleted for everyone, group events, reply). */
  whatsappMessages?: number;
  /** Voice memos (default 6; one in Recently Deleted, a share purged), custom ringtones (default 3) and music-library
   * items (default 8, two with their file in the backup). */
  voiceMemos?: number;
  ringtones?: number;
  tracks?: number;
  /** Notes in NoteStore.sqlite over two accounts (default 8; the first six have fixed roles: image, locked, Recently
   * Deleted ×2, PDF, long). */
  notes?: number;
  /** Where the voice memos go (default app-group, current iOS; media-domain as iOS 12–14; legacy Recordings.db of iOS ≤
   * 11). */
  voiceMemoLayout?: VoiceMemoLayout;
  /** Newest messages left only in sms.db-wal (default 3; 0 for a fully checkpointed sms.db). */
  walTailMessages?: number;
  /** Which databases to leave out, to test extraction with missing data. */
  omit?: Array<
    | 'messages'
    | 'contacts'
    | 'photos'
    | 'calls'
    | 'calendar'
    | 'safari'
    | 'reminders'
    | 'voicemail'
    | 'bookmarks'
    | 'whatsapp'
    | 'audio'
    | 'notes'
  >;
  window?: [Date, Date];
}

export interface DeviceContent {
  items: SyntheticItem[];
  truth: DeviceContentTruth;
  /** The version the content imitates: what Info.plist, Manifest.plist and lockdown should report with it. */
  device: IosVersionProfile;
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
 * A phone's worth of content in the real schemas of `spec.iosVersion` (default the newest), as backup items for `writeSyntheticBackup`, plus the ground
 * truth of what went in and what was deleted. Sizes are parameters (the benchmark uses 100,000 messages, 20,000
 * photos and 5,000 contacts); everything is derived from the seed.
 */
export function generateDeviceContent(spec: DeviceContentSpec = {}): DeviceContent {
  const seed = spec.seed ?? 'iosrescue';
  const device = iosVersionProfile(spec.iosVersion ?? NEWEST_IOS);
  const ios = device.major;
  const random = new SeededRandom(seed);
  const window = spec.window ?? [new Date('2023-01-01T00:00:00Z'), new Date('2024-12-31T00:00:00Z')];
  const fraction = spec.deletedFraction ?? 0.1;
  const deletedOf = (n: number): number => Math.round(n * fraction);
  const omit = new Set(spec.omit ?? []);
  // Reminders came with iOS 5: an older phone has none.
  if (ios <= 4) omit.add('reminders');
  const nContacts = spec.contacts ?? 12;
  const nMessages = spec.messages ?? 60;
  const nPhotos = spec.photos ?? 10;
  const nCalls = spec.calls ?? 15;

  const people = generateContacts(random, nContacts, deletedOf(nContacts), window, seed);
  const conversation = messagesForVersion(
    generateMessages(random, people.contacts, {
      messages: nMessages,
      deleted: deletedOf(nMessages),
      conversations: spec.conversations ?? 5,
      window,
      seed,
      walTail: Math.min(spec.walTailMessages ?? 3, nMessages),
    }),
    ios,
  );
  const media = generatePhotos(random, nPhotos, deletedOf(nPhotos), window, seed);
  const photoAlbums = addPhotoExtras(new SeededRandom(`${seed}:photo-extras`), media.photos, window, seed);
  media.photos = photosForVersion(media.photos, ios);
  media.deleted = photosForVersion(media.deleted, ios);
  const generatedCalls = generateCalls(
    random,
    nCalls,
    deletedOf(nCalls),
    window,
    conversation.handles,
    people.contacts,
  );
  // iOS ≤ 7 keeps calls in call_history.db, which holds less (calls-legacy.ts).
  const legacyCalls = ios <= 7;
  const phone = legacyCalls
    ? { calls: callsForLegacy(generatedCalls.calls), deleted: callsForLegacy(generatedCalls.deleted) }
    : generatedCalls;
  // Generated last, so adding the calendar left every earlier seed's other content as it was.
  const nEvents = spec.events ?? 20;
  const generatedAgenda = generateEvents(random, nEvents, deletedOf(nEvents), window);
  const agenda = {
    calendars: generatedAgenda.calendars,
    events: eventsForVersion(generatedAgenda.events, ios),
    deleted: eventsForVersion(generatedAgenda.deleted, ios),
  };
  const nVisits = spec.visits ?? 30;
  const browsing = generateVisits(random, nVisits, deletedOf(nVisits), window);
  const history = safariHistoryForVersion(browsing.visits, browsing.deleted, ios);
  const nReminders = spec.reminders ?? 12;
  const todo = generateReminders(
    new SeededRandom(`${seed}:reminders`),
    nReminders,
    deletedOf(nReminders),
    window,
    (uuid) => `Data-${uuid}.sqlite`,
  );
  // Reminders lived in Calendar.sqlitedb until iOS 13 moved them to their own stores.
  const legacyTodo =
    (spec.legacyReminders ?? ios <= 12)
      ? legacyReminders(todo, agenda.calendars.length + 1, nEvents + deletedOf(nEvents) + 1)
      : undefined;
  const nVoicemails = spec.voicemails ?? 6;
  const voicemail = generateVoicemails(
    new SeededRandom(`${seed}:voicemail`),
    nVoicemails,
    deletedOf(nVoicemails),
    window,
    omit.has('contacts') ? [] : people.contacts,
  );
  const nBookmarks = spec.bookmarks ?? 12;
  const favorites = generateBookmarks(new SeededRandom(`${seed}:bookmarks`), nBookmarks, deletedOf(nBookmarks), window);
  const noBookmarks = omit.has('safari') || omit.has('bookmarks');
  const nWhatsApp = spec.whatsappMessages ?? 40;
  const nMemos = spec.voiceMemos ?? 6;
  const audio = generateAudio(new SeededRandom(`${seed}:audio`), {
    voiceMemos: nMemos,
    deletedVoiceMemos: deletedOf(nMemos),
    ringtones: spec.ringtones ?? 3,
    tracks: spec.tracks ?? 8,
    layout: spec.voiceMemoLayout ?? voiceMemoLayoutFor(ios),
    window,
    seed,
    iosVersion: ios,
  });
  const nNotes = spec.notes ?? 8;
  const notes = notesForVersion(
    generateNotes(new SeededRandom(`${seed}:notes`), nNotes, deletedOf(nNotes), window, seed),
    ios,
  );
  const notebook = notes.notebook;
  const chatHistory = generateWhatsApp(new SeededRandom(`${seed}:whatsapp`), {
    messages: nWhatsApp,
    deleted: deletedOf(nWhatsApp),
    window,
    seed,
    walTail: Math.min(2, nWhatsApp),
  });
  const whatsapp = whatsappForVersion(chatHistory, ios);

  const items: SyntheticItem[] = [
    ...directories('HomeDomain', [
      'Library',
      'Library/SMS',
      'Library/AddressBook',
      'Library/CallHistoryDB',
      'Library/Calendar',
    ]),
  ];
  if (!omit.has('messages')) {
    items.push(
      ...databaseItems(
        CONTENT_PATHS.smsDb,
        buildSmsDb({
          handles: conversation.handles,
          chats: conversation.chats,
          messages: conversation.messages,
          deletedMessages: conversation.deleted,
          iosVersion: ios,
        }),
      ),
    );
    for (const m of conversation.messages)
      for (const a of m.attachments) items.push({ domain: a.domain, relativePath: a.relativePath, data: a.data });
  }
  if (!omit.has('contacts')) {
    items.push(...databaseItems(CONTENT_PATHS.addressBook, buildAddressBookDb(people.contacts, people.deleted, ios)));
    items.push(
      ...databaseItems(
        CONTENT_PATHS.addressBookImages,
        buildAddressBookImagesDb(people.contacts, people.thumbnails, ios),
      ),
    );
  }
  if (!omit.has('calls') && legacyCalls) {
    items.push(...directories('WirelessDomain', ['Library', 'Library/CallHistory']));
    items.push(...databaseItems(CALL_HISTORY_LEGACY_PATH, buildLegacyCallHistoryDb(phone.calls, phone.deleted)));
  } else if (!omit.has('calls'))
    items.push(...databaseItems(CONTENT_PATHS.callHistory, buildCallHistoryDb(phone.calls, phone.deleted, ios)));
  const legacyFill =
    legacyTodo === undefined || omit.has('reminders')
      ? undefined
      : (db: Database.Database) => fillCalendarReminders(db, legacyTodo.lists, legacyTodo.reminders);
  if (!omit.has('calendar'))
    items.push(
      ...databaseItems(
        CONTENT_PATHS.calendar,
        buildCalendarDb(agenda.calendars, agenda.events, agenda.deleted, legacyFill, ios),
      ),
    );
  else if (legacyFill)
    items.push(...databaseItems(CONTENT_PATHS.calendar, buildCalendarDb([], [], [], legacyFill, ios)));
  if (!omit.has('reminders') && legacyTodo === undefined) {
    items.push(
      ...directories('HomeDomain', [
        'Library/Reminders',
        'Library/Reminders/Container_v1',
        CONTENT_PATHS.remindersStores.relativePath,
      ]),
    );
    for (const store of new Set(todo.lists.map((l) => l.store))) {
      items.push(
        ...databaseItems(
          { domain: 'HomeDomain', relativePath: `${CONTENT_PATHS.remindersStores.relativePath}/${store}` },
          buildRemindersStore(store, todo, ios),
        ),
      );
    }
  }
  if (!omit.has('voicemail')) {
    items.push(...directories('HomeDomain', ['Library/Voicemail']));
    items.push(
      ...databaseItems(CONTENT_PATHS.voicemail, buildVoicemailDb(voicemail.voicemails, voicemail.deleted, ios)),
    );
    for (const v of voicemail.voicemails)
      if (v.audio && v.table === 'voicemail')
        items.push({ domain: 'HomeDomain', relativePath: `Library/Voicemail/${v.rowid}.amr`, data: v.audio });
  }
  if (!omit.has('safari')) items.push(...history.items);
  if (!noBookmarks)
    items.push(
      ...databaseItems(
        safariBookmarksLocation(ios),
        buildSafariBookmarksDb(favorites.bookmarks, favorites.deleted, ios),
      ),
    );
  if (!omit.has('whatsapp')) items.push(...whatsapp.items);
  if (!omit.has('audio')) items.push(...audio.items);
  if (!omit.has('notes')) items.push(...notes.items);
  if (!omit.has('photos')) {
    items.push(
      ...directories('CameraRollDomain', [
        'Media',
        'Media/PhotoData',
        'Media/DCIM',
        ...new Set(media.photos.map((p) => `Media/${p.directory}`)),
      ]),
    );
    items.push(...databaseItems(CONTENT_PATHS.photosDb, buildPhotosDb(media.photos, media.deleted, photoAlbums, ios)));
    for (const p of media.photos)
      items.push({ domain: 'CameraRollDomain', relativePath: `Media/${p.directory}/${p.filename}`, data: p.data });
    // A Live Photo's video has the photo's name with .MOV, in the same folder, and no asset row of its own.
    for (const p of media.photos)
      if (p.livePhotoVideo)
        items.push({
          domain: 'CameraRollDomain',
          relativePath: `Media/${p.directory}/${p.filename.replace(/\.[^.]+$/, '')}.MOV`,
          data: p.livePhotoVideo,
        });
  }
  return {
    items,
    device,
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
      photoAlbums: omit.has('photos') ? [] : photoAlbums,
      voiceMemos: omit.has('audio') ? [] : audio.voiceMemos,
      deletedVoiceMemos: omit.has('audio') ? [] : audio.deletedVoiceMemos,
      ringtones: omit.has('audio') ? [] : audio.ringtones,
      tracks: omit.has('audio') ? [] : audio.tracks,
      noteFolders: omit.has('notes') ? [] : notebook.folders,
      notes: omit.has('notes') ? [] : notebook.notes,
      deletedNotes: omit.has('notes') ? [] : notebook.deleted,
      calendars: omit.has('calendar') ? [] : agenda.calendars,
      events: omit.has('calendar') ? [] : agenda.events,
      deletedEvents: omit.has('calendar') ? [] : agenda.deleted,
      visits: omit.has('safari') ? [] : history.visits,
      deletedVisits: omit.has('safari') ? [] : history.deleted,
      reminderLists: omit.has('reminders') ? [] : (legacyTodo?.lists ?? todo.lists),
      reminders: omit.has('reminders') ? [] : (legacyTodo?.reminders ?? todo.reminders),
      deletedReminders: omit.has('reminders') || legacyTodo !== undefined ? [] : todo.deleted,
      voicemails: omit.has('voicemail') ? [] : voicemailsForVersion(voicemail.voicemails, ios),
      deletedVoicemails: omit.has('voicemail') ? [] : voicemail.deleted,
      bookmarks: noBookmarks ? [] : favorites.bookmarks,
      deletedBookmarks: noBookmarks ? [] : favorites.deleted,
      whatsappChats: omit.has('whatsapp') ? [] : whatsapp.content.chats,
      whatsappMessages: omit.has('whatsapp') ? [] : whatsapp.content.messages,
      deletedWhatsappMessages: omit.has('whatsapp') ? [] : whatsapp.content.deleted,
    },
  };
}
