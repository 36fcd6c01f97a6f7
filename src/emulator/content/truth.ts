/**
 * What the generator put into each database, in the terms an extractor reports (readable labels, JS Dates, raw
 * bytes), so tests compare extracted records field by field. "Deleted" rows were inserted and then deleted: they
 * are absent from the live tables and their bytes are left in the database's free space for the carver.
 */

import type { TruthRingtone, TruthTrack, TruthVoiceMemo } from './audio-truth.js';

export type * from './audio-truth.js';

export interface TruthLabeledValue {
  /** Readable label: "Mobile" for `_$!<Mobile>!$_`, custom labels as typed. */
  label: string | null;
  value: string;
}

export interface TruthAddress {
  label: string | null;
  street: string;
  city: string;
  state: string;
  zip: string;
  country: string;
  countryCode: string;
}

export interface TruthContact {
  rowid: number;
  guid: string;
  first: string | null;
  last: string | null;
  organization: string | null;
  jobTitle: string | null;
  nickname: string | null;
  note: string | null;
  /** YYYY-MM-DD. */
  birthday: string | null;
  phones: TruthLabeledValue[];
  emails: TruthLabeledValue[];
  urls: TruthLabeledValue[];
  addresses: TruthAddress[];
  created: Date;
  modified: Date;
  /** JPEG thumbnail stored in AddressBookImages.sqlitedb (ABThumbnailImage, format 0). */
  image: Buffer | null;
}

export interface TruthHandle {
  rowid: number;
  /** Phone number in E.164 or an e-mail address. */
  id: string;
  /** RCS from iOS 18. */
  service: 'iMessage' | 'SMS' | 'RCS';
}

export interface TruthChat {
  rowid: number;
  guid: string;
  chatIdentifier: string;
  /** 43 group, 45 one-to-one (chat.style). */
  style: 43 | 45;
  displayName: string | null;
  /** RCS from iOS 18. */
  service: 'iMessage' | 'SMS' | 'RCS';
  handleRowids: number[];
}

export interface TruthAttachment {
  rowid: number;
  guid: string;
  /** As stored in attachment.filename: `~/Library/SMS/Attachments/xx/yy/GUID/name`. */
  filename: string;
  transferName: string;
  mimeType: string;
  uti: string;
  created: Date;
  data: Buffer;
  /** Where the file sits in the backup. */
  domain: string;
  relativePath: string;
}

export interface TruthMessage {
  rowid: number;
  guid: string;
  text: string | null;
  date: Date;
  dateRead: Date | null;
  isFromMe: boolean;
  /** RCS from iOS 18. */
  service: 'iMessage' | 'SMS' | 'RCS';
  /** handle.ROWID of the other party (0 for messages the owner sent to a group). */
  handleRowid: number;
  chatRowid: number;
  attachments: TruthAttachment[];
  /** iOS 16 "Recently Deleted" in Messages: the row stays, joined to its chat through chat_recoverable_message_join. */
  recentlyDeleted: Date | null;
  /** Written after the last checkpoint, so it exists only in sms.db-wal. */
  inWal: boolean;
  /** message.text is NULL and the text is only in attributedBody (typedstream), as iOS 16+ often leaves it. */
  textOnlyInAttributedBody: boolean;
}

export interface TruthCalendar {
  rowid: number;
  title: string;
  uuid: string;
}

export interface TruthEvent {
  rowid: number;
  uuid: string;
  calendarRowid: number;
  summary: string;
  start: Date;
  end: Date;
  /** All-day events are stored floating (start_tz "_float") at midnight UTC of their day. */
  allDay: boolean;
  /** Olson name; null for all-day events. */
  timeZone: string | null;
  location: string | null;
  address: string | null;
  notes: string | null;
  url: string | null;
  /** creation_date; null in the Event table of iOS ≤ 4, which has none. */
  created: Date | null;
}

export interface TruthVisit {
  /** history_visits.id (History.plist, iOS ≤ 7: the entry's position, 1 = newest) */
  id: number;
  url: string;
  title: string;
  time: Date;
  /** History.plist only: the URL's visit count (one entry per URL, dated by its last visit). */
  visitCount?: number;
}

export interface TruthCall {
  pk: number;
  uniqueId: string;
  address: string;
  name: string | null;
  date: Date;
  durationSeconds: number;
  outgoing: boolean;
  answered: boolean;
  /** ZCALLTYPE: 1 phone, 8 FaceTime video, 16 FaceTime audio. */
  callType: 1 | 8 | 16;
  serviceProvider: string;
  countryCode: string;
}

export interface TruthPhoto {
  pk: number;
  uuid: string;
  /** ZDIRECTORY, e.g. DCIM/100APPLE; the file is CameraRollDomain `Media/<directory>/<filename>`. */
  directory: string;
  filename: string;
  originalFilename: string;
  kind: 'photo' | 'video';
  uti: string;
  created: Date;
  modified: Date;
  latitude: number | null;
  longitude: number | null;
  width: number;
  height: number;
  favorite: boolean;
  hidden: boolean;
  /** ZTRASHEDSTATE = 1: in the Recently Deleted album (the file is still in DCIM until purged). */
  trashed: boolean;
  trashedDate: Date | null;
  /** The file's bytes; absent from the backup for deleted (purged) assets. */
  data: Buffer;
  /** ZKINDSUBTYPE 2: a Live Photo whose paired video is `<same name>.MOV` in the same DCIM folder; its bytes. */
  livePhotoVideo: Buffer | null;
  /** ZKINDSUBTYPE 10 and ZISDETECTEDSCREENSHOT 1. */
  screenshot: boolean;
  /** Titles of the user albums (ZGENERICALBUM.ZKIND 2, not trashed) that hold the asset. */
  albums: string[];
}

/** A ZGENERICALBUM row and the assets the album join table (Z_28ASSETS in iOS 16) links to it, in album order. */
export interface TruthAlbum {
  pk: number;
  uuid: string;
  /** 2 user album; other kinds (1506 import session, …) are not user albums. */
  kind: number;
  title: string;
  /** ZTRASHEDSTATE 1: the album itself was deleted and sits in Recently Deleted. */
  trashed: boolean;
  created: Date;
  assetPks: number[];
}

/** One person in a generated WhatsApp group (ZWAGROUPMEMBER) and what the phone shows for them. */
export interface TruthWhatsAppMember {
  pk: number;
  /** `<digits>@s.whatsapp.net`. */
  jid: string;
  /** ZCONTACTNAME: the member's name in the owner's address book, when saved there. */
  contactName: string | null;
  /** ZWAPROFILEPUSHNAME: the name the member chose for themselves. */
  pushName: string | null;
  isAdmin: boolean;
}

export interface TruthWhatsAppChat {
  /** ZWACHATSESSION.Z_PK */
  pk: number;
  /** `<digits>@s.whatsapp.net` for one-to-one chats, `<id>@g.us` for groups. */
  jid: string;
  /** ZPARTNERNAME: the contact's name, a group's subject, or the number for someone not in the address book. */
  name: string;
  isGroup: boolean;
  archived: boolean;
  /** ZWAGROUPINFO.ZCREATIONDATE (groups only). */
  created: Date | null;
  /** Groups only; the owner is a member too, as on a phone. */
  members: TruthWhatsAppMember[];
}

export interface TruthWhatsAppMedia {
  /** ZWAMEDIAITEM.Z_PK */
  pk: number;
  /** ZMEDIALOCALPATH, relative to the app group's `Message/` folder; null for locations and contact cards. */
  localPath: string | null;
  /** ZTITLE: a photo's or video's caption, a document's file name. */
  title: string | null;
  /** Kept in ZVCARDSTRING for media files. */
  mimeType: string | null;
  fileSize: number | null;
  durationSeconds: number | null;
  latitude: number | null;
  longitude: number | null;
  /** Contact cards: ZVCARDNAME and the vCard text in ZVCARDSTRING. */
  vcardName: string | null;
  vcard: string | null;
  /** The file's bytes; null when the phone had not downloaded it (the row names a file the backup lacks). */
  data: Buffer | null;
}

export interface TruthWhatsAppMessage {
  /** ZWAMESSAGE.Z_PK */
  pk: number;
  stanzaId: string;
  chatPk: number;
  kind:
    | 'text'
    | 'image'
    | 'video'
    | 'audio'
    | 'document'
    | 'location'
    | 'contact'
    | 'sticker'
    | 'group-event'
    | 'system'
    | 'deleted';
  /** ZMESSAGETYPE as written (0 text, 1 image, 2 video, 3 audio, 4 contact, 5 location, 6 group event, 8 document, 10
   * system, 14 deleted for everyone, 15 sticker). */
  messageType: number;
  groupEventType: number | null;
  text: string | null;
  /** ZMESSAGEDATE; whole seconds for incoming messages, as the server stamps them. */
  date: Date;
  sentDate: Date | null;
  isFromMe: boolean;
  fromJid: string | null;
  toJid: string | null;
  /** Who wrote it (null for the owner's own): the partner in a one-to-one chat, the member in a group. */
  senderJid: string | null;
  /** The name the phone shows for the sender: address-book name, else push name, else the number. */
  senderName: string | null;
  starred: boolean;
  /** The stanza id of the message this one replies to (kept in its media item's ZMETADATA). */
  replyToStanzaId: string | null;
  media: TruthWhatsAppMedia | null;
  /** Written after the last checkpoint, so only in ChatStorage.sqlite-wal. */
  inWal: boolean;
}

/** A list of a Reminders store (ZREMCDBASELIST), or a reminders Calendar row before iOS 13. */
export interface TruthReminderList {
  pk: number;
  name: string;
  uuid: string;
  /** The store file: `Data-<UUID>.sqlite`, or `Calendar.sqlitedb` for the pre-iOS 13 layout. */
  store: string;
}

export interface TruthReminder {
  /** ZREMCDREMINDER.Z_PK (CalendarItem.ROWID in Calendar.sqlitedb). */
  pk: number;
  /** ZCKIDENTIFIER (CalendarItem.UUID). */
  uuid: string;
  store: string;
  listPk: number;
  listName: string;
  title: string;
  notes: string | null;
  /** All-day due dates are midnight UTC of the day. */
  due: Date | null;
  allDay: boolean;
  /** ZTIMEZONE of a timed due date. */
  timeZone: string | null;
  completed: boolean;
  completionDate: Date | null;
  /** 0 none, 1 high, 5 medium, 9 low. */
  priority: 0 | 1 | 5 | 9;
  flagged: boolean;
  /** The parent reminder's uuid (a subtask). */
  parentUuid: string | null;
  created: Date;
  modified: Date;
  /** ZMARKEDFORDELETION = 1: deleted on the phone, the row kept until the account syncs. */
  markedForDeletion: boolean;
}

export interface TruthVoicemail {
  /** ROWID of its table. */
  rowid: number;
  /** `voicemail`, or `deleted` (the table of the same columns). */
  table: 'voicemail' | 'deleted';
  /** For a row of `deleted`: the ROWID it had in `voicemail` before it moved. */
  voicemailRowid?: number;
  remoteUid: number;
  /** Whole seconds (the column holds Unix seconds). */
  date: Date;
  /** Null for a withheld number. */
  sender: string | null;
  callbackNumber: string | null;
  receiver: string | null;
  durationSeconds: number;
  /** In Deleted Messages: trashed_date (whole seconds since 2001) and flags 75. */
  trashedDate: Date | null;
  flags: number;
  /** ABPerson ROWID of the live contact whose phone number the sender is. */
  senderContactRowid: number | null;
  /** `Library/Voicemail/<ROWID>.amr` bytes; null when the backup holds no audio for it. */
  audio: Buffer | null;
}

/** A row of Safari's Bookmarks.db `bookmarks` table (the root row excluded). */
export interface TruthBookmark {
  id: number;
  parent: number;
  kind: 'bookmark' | 'folder';
  /** special_id: 1 BookmarksBar (Favorites), 3 Reading List, 4 web-filter allow list, 0 the user's own. */
  special: number;
  /** As stored (`BookmarksBar`, `com.apple.ReadingList` for the special folders). */
  title: string;
  url: string | null;
  /** What an extractor should report as the folder path: "", "Favorites", "Recipes & Food/Italian"… */
  folder: string;
  readingList: boolean;
  position: number;
  modified: Date;
  uuid: string;
  /** deleted = 1: removed on the phone, kept until iCloud syncs. */
  deleted: boolean;
  /** The web-filter allow list (special_id 4) or inside it: not the user's bookmarks. */
  webFilter: boolean;
}

export interface DeviceContentTruth {
  contacts: TruthContact[];
  deletedContacts: TruthContact[];
  handles: TruthHandle[];
  chats: TruthChat[];
  messages: TruthMessage[];
  deletedMessages: TruthMessage[];
  calls: TruthCall[];
  deletedCalls: TruthCall[];
  calendars: TruthCalendar[];
  events: TruthEvent[];
  deletedEvents: TruthEvent[];
  visits: TruthVisit[];
  deletedVisits: TruthVisit[];
  /** Reminders stores' lists (or the Calendar rows holding reminders, with legacyReminders). */
  reminderLists: TruthReminderList[];
  /** Live rows, marked-for-deletion ones included. */
  reminders: TruthReminder[];
  /** Rows deleted from ZREMCDREMINDER, left in the store's free space. */
  deletedReminders: TruthReminder[];
  /** Rows of voicemail.db's `voicemail` (trashed ones included) and `deleted` tables. */
  voicemails: TruthVoicemail[];
  /** Rows deleted from the `voicemail` table, left in free space; their audio is gone. */
  deletedVoicemails: TruthVoicemail[];
  /** Every row of Bookmarks.db but the root (special folders, deleted = 1 rows and the web-filter list included). */
  bookmarks: TruthBookmark[];
  /** Rows deleted from Bookmarks.db, left in free space. */
  deletedBookmarks: TruthBookmark[];
  whatsappChats: TruthWhatsAppChat[];
  whatsappMessages: TruthWhatsAppMessage[];
  /** Rows deleted from ZWAMESSAGE ("delete for me"), left in ChatStorage.sqlite's free space. */
  deletedWhatsappMessages: TruthWhatsAppMessage[];
  photos: TruthPhoto[];
  /** Purged from Recently Deleted: the ZASSET row was deleted and the file is gone. */
  deletedPhotos: TruthPhoto[];
  /** Albums of Photos.sqlite, user albums and others. */
  photoAlbums: TruthAlbum[];
  /** Voice Memos rows (Recently Deleted ones included) with their audio. */
  voiceMemos: TruthVoiceMemo[];
  /** Rows deleted from ZCLOUDRECORDING, left in free space; their audio is gone. */
  deletedVoiceMemos: TruthVoiceMemo[];
  ringtones: TruthRingtone[];
  /** MediaLibrary.sqlitedb items; most have no file in the backup, as on a real phone. */
  tracks: TruthTrack[];
  /** Folders of NoteStore.sqlite (both accounts' "Notes", "Recently Deleted", user folders). */
  noteFolders: TruthNoteFolder[];
  /** Notes of NoteStore.sqlite, the locked one and those in Recently Deleted included. */
  notes: TruthNote[];
  /** Notes deleted for good: their ZICCLOUDSYNCINGOBJECT and ZICNOTEDATA rows left in free space. */
  deletedNotes: TruthNote[];
}

/** One line of a generated note, as the body's protobuf styles it. */
export interface TruthNoteParagraph {
  style: 'title' | 'heading' | 'body' | 'bullet' | 'numbered' | 'checklist';
  /** The line's text; U+FFFC where an attachment sits. */
  text: string;
  /** Checklist items: ticked. */
  checked?: boolean;
  /** A substring written bold (font_weight 1). */
  bold?: string;
  /** A substring that links to `url`. */
  link?: { text: string; url: string };
}

export interface TruthNoteFolder {
  pk: number;
  identifier: string;
  title: string;
  /** The owning account's name (ZOWNER → ZNAME). */
  account: string;
  /** ZFOLDERTYPE 1: the account's Recently Deleted. */
  trash: boolean;
  parentPk: number | null;
}

export interface TruthNoteAttachment {
  /** The ICAttachment row. */
  pk: number;
  identifier: string;
  uti: string;
  /** The ICMedia row holding the file. */
  mediaPk: number;
  mediaIdentifier: string;
  filename: string;
  /** ZGENERATION1 of the media row: a folder level between the media identifier and the file. */
  generation: string;
  /** Where the file sits in the backup: AppDomainGroup-group.com.apple.notes
   * `Accounts/<account>/Media/<media>/<generation>/<filename>`. */
  domain: string;
  relativePath: string;
  data: Buffer;
  created: Date;
  modified: Date;
}

export interface TruthNote {
  /** ZICCLOUDSYNCINGOBJECT.Z_PK */
  pk: number;
  identifier: string;
  /** ZICNOTEDATA.Z_PK */
  noteDataPk: number;
  account: string;
  folderPk: number;
  folder: string;
  /** ZTITLE1: the first line. */
  title: string;
  snippet: string | null;
  /** Empty for the locked note, whose ZDATA is ciphertext. */
  paragraphs: TruthNoteParagraph[];
  /** The paragraphs joined by "\n" (U+FFFC where attachments sit); null for the locked note. */
  text: string | null;
  created: Date;
  modified: Date;
  pinned: boolean;
  /** ZISPASSWORDPROTECTED: the body is encrypted with the note's password. */
  locked: boolean;
  /** In the account's Recently Deleted folder. */
  recentlyDeleted: boolean;
  /** ZMARKEDFORDELETION = 1. */
  markedForDeletion: boolean;
  attachments: TruthNoteAttachment[];
}
