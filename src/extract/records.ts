/**
 * The typed records the extractors produce (and write as JSON). `origin` says where a record came from:
 * 'live' rows of the database, 'recently-deleted' ones the phone still keeps in its trash (Photos' and Messages'
 * Recently Deleted, and the trash of Notes, Reminders, Voicemail, Voice Memos and Safari bookmarks), and 'recovered'
 * for rows rebuilt from a database's free space, -wal or journal by the carver (calls, messages, contacts, calendar
 * events, Safari visits and bookmarks, notes, reminders, voicemail, WhatsApp messages; the scan counts how many rows
 * were deleted
 * for every type).
 */
export type RecordOrigin = 'live' | 'recently-deleted' | 'recovered';

export interface LabeledValue {
  label: string | null;
  value: string;
}

export interface PostalAddress {
  label: string | null;
  street: string | null;
  city: string | null;
  state: string | null;
  zip: string | null;
  country: string | null;
  countryCode: string | null;
}

export interface ContactRecord {
  origin: RecordOrigin;
  id: number;
  guid: string | null;
  prefix: string | null;
  first: string | null;
  middle: string | null;
  last: string | null;
  suffix: string | null;
  nickname: string | null;
  organization: string | null;
  department: string | null;
  jobTitle: string | null;
  note: string | null;
  /** YYYY-MM-DD. */
  birthday: string | null;
  phones: LabeledValue[];
  emails: LabeledValue[];
  urls: LabeledValue[];
  addresses: PostalAddress[];
  created: string | null;
  modified: string | null;
  /** Exported picture, relative to the output folder. */
  imageFile: string | null;
  /** The vCard written for this contact, relative to the output folder. */
  vcardFile?: string;
  /** created or modified is outside 2000-01-01 … now+1y (date-check.ts). */
  dateSuspect?: true;
}

export interface MessageAttachmentRecord {
  id: number;
  guid: string | null;
  /** attachment.filename as stored (`~/Library/SMS/Attachments/...`). */
  storedPath: string | null;
  transferName: string | null;
  mimeType: string | null;
  uti: string | null;
  bytes: number | null;
  created: string | null;
  /** Copied file, relative to the output folder; null when the backup does not hold it. */
  file: string | null;
}

export interface MessageRecord {
  origin: RecordOrigin;
  id: number;
  guid: string | null;
  chatId: number | null;
  text: string | null;
  date: string | null;
  dateRead: string | null;
  /** Only for Recently Deleted messages (iOS 16+). */
  dateDeleted: string | null;
  isFromMe: boolean;
  service: string | null;
  /** The other party's handle (phone number or e-mail); null for the owner's own messages to a group. */
  handle: string | null;
  /** The handle's name in the address book, when the backup's AddressBook has it. */
  handleName: string | null;
  attachments: MessageAttachmentRecord[];
  /** iOS 16+: when the sender last edited it (date_edited); absent when never edited. */
  dateEdited?: string;
  /** iOS 16+: when the sender unsent it (date_retracted; its text is gone); absent when not unsent. */
  dateRetracted?: string;
  /** date or dateRead is outside 2000-01-01 … now+1y (date-check.ts): shown as "date unclear", not as fact. */
  dateSuspect?: true;
}

export interface ChatRecord {
  id: number;
  guid: string | null;
  identifier: string | null;
  displayName: string | null;
  isGroup: boolean;
  service: string | null;
  participants: Array<{ handle: string; name: string | null }>;
  /** Folder holding this conversation's files, relative to the output folder. */
  folder: string;
  messageCount: number;
}

export interface CallRecord {
  origin: RecordOrigin;
  id: number;
  uniqueId: string | null;
  address: string | null;
  name: string | null;
  date: string | null;
  durationSeconds: number;
  direction: 'outgoing' | 'incoming';
  answered: boolean;
  /** phone, facetime-video, facetime-audio, or the raw ZCALLTYPE when unknown. */
  kind: string;
  serviceProvider: string | null;
  countryCode: string | null;
  /** The date is outside 2000-01-01 … now+1y (date-check.ts). */
  dateSuspect?: true;
}

export interface PhotoRecord {
  origin: RecordOrigin;
  id: number;
  uuid: string | null;
  kind: 'photo' | 'video' | 'other';
  /** Where the phone keeps the file: CameraRollDomain `Media/<directory>/<filename>`. */
  directory: string | null;
  filename: string | null;
  originalFilename: string | null;
  uti: string | null;
  created: string | null;
  modified: string | null;
  latitude: number | null;
  longitude: number | null;
  width: number | null;
  height: number | null;
  favorite: boolean;
  hidden: boolean;
  /** In the Recently Deleted album (ZTRASHEDSTATE = 1). */
  recentlyDeleted: boolean;
  trashedDate: string | null;
  /** Exported file, relative to the output folder; null when the backup lacks it. */
  file: string | null;
  /** ZKINDSUBTYPE 2: a Live Photo, whose video is `<same name>.MOV` in the same DCIM folder. */
  livePhoto: boolean;
  /** The Live Photo's video, exported next to the photo (same mtime); null when not a Live Photo or not in the backup.
   * */
  livePhotoVideo: string | null;
  /** ZKINDSUBTYPE 10, or ZISDETECTEDSCREENSHOT 1 where the column exists (iOS 15+). */
  screenshot: boolean;
  /** Titles of the user albums (ZGENERICALBUM.ZKIND 2, not deleted) holding the asset, by album id. */
  albums: string[];
}

/** One Photos album in photos/albums.json: which exported files it holds (files are not copied once per album). */
export interface AlbumRecord {
  /** 'recently-deleted' for an album the person deleted (ZTRASHEDSTATE 1), still in the database. */
  origin: RecordOrigin;
  id: number;
  uuid: string | null;
  title: string | null;
  created: string | null;
  /** The album's assets in album order, among the photos this extraction wrote (a --since/--until range leaves some
   * out). */
  assets: Array<{ uuid: string | null; file: string | null }>;
}

export interface EventRecord {
  origin: RecordOrigin;
  id: number;
  /** The event's UUID (what calendar apps match on). */
  uid: string | null;
  /** The calendar's title ("Home", "Work"…). */
  calendar: string | null;
  summary: string | null;
  /** ISO instants; for all-day events midnight UTC of the first and the day after the last day. */
  start: string | null;
  end: string | null;
  allDay: boolean;
  /** The time zone the event was made in (Olson name); null for all-day and floating events. */
  timeZone: string | null;
  location: string | null;
  address: string | null;
  notes: string | null;
  url: string | null;
  created: string | null;
  /** A date outside 2000-01-01 … now + 1 year (date-check.ts): kept as decoded, shown as "date unclear". */
  dateSuspect?: true;
}

/** One Safari history visit. */
export interface VisitRecord {
  origin: RecordOrigin;
  /** history_visits.id; −1 when a recovered visit lost its rowid. */
  id: number;
  /** Null for a recovered visit whose history item is gone too. */
  url: string | null;
  title: string | null;
  /** The URL's last visit when read from History.plist (iOS ≤ 7), which dates only the last one. */
  time: string | null;
  /** History.plist's visitCount for the URL (iOS ≤ 7); absent for History.db visits, one row each. */
  visitCount?: number;
  /** A date outside 2000-01-01 … now + 1 year (date-check.ts): kept as decoded, shown as "date unclear". */
  dateSuspect?: true;
}

/** One reminder (Reminders app, iOS 13+ stores; or a Calendar.sqlitedb reminder before iOS 13). */
export interface ReminderRecord {
  /** 'recently-deleted': ZMARKEDFORDELETION = 1 (deleted on the phone, kept until synced); 'recovered': carved. */
  origin: RecordOrigin;
  /** ZREMCDREMINDER.Z_PK (CalendarItem.ROWID before iOS 13); −1 when a recovered row lost it. */
  id: number;
  /** ZCKIDENTIFIER (CalendarItem.UUID before iOS 13): what the .ics UID carries. */
  uid: string | null;
  /** The store the reminder came from: `Data-<UUID>.sqlite` (one per account) or `Calendar.sqlitedb`. */
  store: string;
  /** The list's name ("Reminders", "Groceries"…). */
  list: string | null;
  title: string | null;
  notes: string | null;
  /** ISO instant; an all-day reminder's day is stored as midnight UTC. */
  due: string | null;
  allDay: boolean;
  /** ZTIMEZONE (Olson name) of a timed due date; null when none was stored. */
  timeZone: string | null;
  completed: boolean;
  completionDate: string | null;
  /** 0 none, 1 high, 5 medium, 9 low (the iCalendar PRIORITY scale, which iOS uses). */
  priority: number;
  flagged: boolean;
  /** The parent reminder's uid, for a subtask. */
  parent: string | null;
  created: string | null;
  modified: string | null;
  /** A date outside 2000-01-01 … now + 1 year (date-check.ts): kept as decoded, shown as "date unclear". */
  dateSuspect?: true;
}

/** One voicemail of Library/Voicemail/voicemail.db. */
export interface VoicemailRecord {
  /**
   * 'recently-deleted': in the phone's Deleted Messages (trashed_date set, or flags 75) or a row of the
   * `deleted` table; 'recovered': a voicemail row the carver found in free space (its audio is gone).
   */
  origin: RecordOrigin;
  /** ROWID; the audio file is `Library/Voicemail/<ROWID>.amr`. −1 when a recovered row lost it. */
  id: number;
  /** The table the row is in: `voicemail`, or `deleted` (same columns). */
  table: 'voicemail' | 'deleted';
  remoteUid: number | null;
  /** When the message was left (the column holds Unix seconds). */
  date: string | null;
  /** The caller's number as the carrier sent it. */
  sender: string | null;
  /** The caller's name from the backup's AddressBook, matched on the last ten digits. */
  name: string | null;
  callbackNumber: string | null;
  /** The receiving line (dual-SIM phones, iOS 12+). */
  receiver: string | null;
  durationSeconds: number | null;
  /** trashed_date (seconds since 2001); null when not in Deleted Messages. */
  trashedDate: string | null;
  /** Raw flags column (iOS sets 75 on trashed messages). */
  flags: number | null;
  /** Exported audio, relative to the output folder; null when the backup does not hold it. */
  file: string | null;
  /** A date outside 2000-01-01 … now + 1 year (date-check.ts): kept as decoded, shown as "date unclear". */
  dateSuspect?: true;
}

/** One Safari bookmark or bookmark folder (Bookmarks.db `bookmarks`). */
export interface BookmarkRecord {
  /** 'recently-deleted': deleted = 1 (removed on the phone, kept until iCloud syncs); 'recovered': carved. */
  origin: RecordOrigin;
  id: number;
  kind: 'bookmark' | 'folder';
  title: string | null;
  url: string | null;
  /** Folders from the top, joined with "/": "" at the top level, "Favorites", "Favorites/News", "Reading List". */
  folder: string | null;
  /** An item of the Reading List (special folder special_id 3). */
  readingList: boolean;
  /** order_index within its folder. */
  position: number | null;
  /** last_modified (seconds since 2001). */
  modified: string | null;
  /** external_uuid. */
  uuid: string | null;
  /** A date outside 2000-01-01 … now + 1 year (date-check.ts): kept as decoded, shown as "date unclear". */
  dateSuspect?: true;
}

/**
 * What a WhatsApp message is, from ZWAMESSAGE.ZMESSAGETYPE: 0 text, 1 image (38 view-once), 2 video (39
 * view-once), 3 audio or voice note, 4 contact card, 5 location, 6 group event, 7 link, 8 document, 10 system
 * notice, 11 GIF, 14 deleted for everyone, 15 sticker, 59/66 call; anything else 'other' (the raw number is kept).
 */
export type WhatsAppMessageKind =
  | 'text'
  | 'image'
  | 'video'
  | 'audio'
  | 'contact'
  | 'location'
  | 'group-event'
  | 'link'
  | 'document'
  | 'system'
  | 'gif'
  | 'deleted'
  | 'sticker'
  | 'call'
  | 'other';

/** A WhatsApp message's ZWAMEDIAITEM row (media file, location or contact card). */
export interface WhatsAppMediaRecord {
  id: number;
  /** ZMEDIALOCALPATH as stored: relative to the app group's `Message/` folder (`Media/<jid>/x/y/<uuid>.jpg`). */
  localPath: string | null;
  /** ZTITLE: a photo's or video's caption, a document's file name. */
  title: string | null;
  /** WhatsApp keeps a media file's MIME type in ZVCARDSTRING. */
  mimeType: string | null;
  bytes: number | null;
  durationSeconds: number | null;
  /** Locations (ZLATITUDE/ZLONGITUDE); null elsewhere (WhatsApp stores 0.0 there). */
  latitude: number | null;
  longitude: number | null;
  /** Contact cards: the contact's name (ZVCARDNAME) and the vCard text (ZVCARDSTRING). */
  vcardName: string | null;
  vcard: string | null;
  /** Exported file (media copied from the backup, or the contact card as .vcf), relative to the output folder; null
   * when the backup lacks it. */
  file: string | null;
}

export interface WhatsAppMessageRecord {
  /** 'recovered': a ZWAMESSAGE row deleted from the phone that the carver found in ChatStorage.sqlite's free space. */
  origin: RecordOrigin;
  /** ZWAMESSAGE.Z_PK (−1 when a recovered row lost it). */
  id: number;
  /** ZSTANZAID: the message's id on WhatsApp's network, the same on both phones. */
  stanzaId: string | null;
  /** ZWACHATSESSION.Z_PK. */
  chatId: number | null;
  kind: WhatsAppMessageKind;
  messageType: number | null;
  /** ZGROUPEVENTTYPE of group events and notices (1: the subject changed to `text`). */
  groupEventType: number | null;
  text: string | null;
  /** ZMESSAGEDATE. */
  date: string | null;
  /** ZSENTDATE as stored. */
  sentDate: string | null;
  isFromMe: boolean;
  fromJid: string | null;
  toJid: string | null;
  /** Who wrote it: the partner in a one-to-one chat, the member (ZWAGROUPMEMBER) in a group; null for the owner's own.
   * */
  senderJid: string | null;
  /** The sender's name: the chat's name in one-to-one chats; in groups the member's address-book name, else the name
   * they chose (push name), else their number. */
  senderName: string | null;
  starred: boolean;
  /** ZMESSAGETYPE 14: the sender deleted it for everyone; the row stays, its text and media do not. */
  deletedForEveryone: boolean;
  /** Stanza id of the message this one quotes (protobuf field 5 of its media item's ZMETADATA). */
  replyToStanzaId: string | null;
  media: WhatsAppMediaRecord | null;
  /** A date outside 2000-01-01 … now + 1 year (date-check.ts): kept as decoded, shown as "date unclear". */
  dateSuspect?: true;
}

export interface WhatsAppChatRecord {
  /** ZWACHATSESSION.Z_PK (0 for the conversation of recovered messages whose chat is gone). */
  id: number;
  /** ZCONTACTJID: `<number>@s.whatsapp.net`, `<id>@g.us` for groups, `status@broadcast` for Status updates. */
  jid: string | null;
  /** ZPARTNERNAME: the contact's name, the group's subject, or a number. */
  name: string | null;
  isGroup: boolean;
  archived: boolean;
  lastMessageDate: string | null;
  /** Groups: ZWAGROUPINFO.ZCREATIONDATE and ZCREATORJID. */
  groupCreated: string | null;
  groupCreator: string | null;
  /** Groups: every ZWAGROUPMEMBER row, the owner included. */
  members: Array<{ jid: string; name: string | null; isAdmin: boolean; isActive: boolean }>;
  /** Folder holding conversation.json, conversation.html and media/, relative to the output folder. */
  folder: string;
  messageCount: number;
}

/** One voice memo (audio/voice-memos.json). */
export interface VoiceMemoRecord {
  /** 'recently-deleted' when ZEVICTIONDATE is set: the memo is in the app's Recently Deleted, its audio still there. */
  origin: RecordOrigin;
  /** ZCLOUDRECORDING.Z_PK (ZRECORDING.Z_PK in the Recordings.db of iOS 11 and earlier). */
  id: number;
  /** ZUNIQUEID; null in the old Recordings.db. */
  uuid: string | null;
  /** ZENCRYPTEDTITLE (plain text despite the name), else ZCUSTOMLABELFORSORTING, ZCUSTOMLABEL, else the file's stem. */
  title: string;
  date: string | null;
  durationSeconds: number | null;
  /** The Voice Memos folder (ZFOLDER.ZENCRYPTEDNAME). */
  folder: string | null;
  /** ZEVICTIONDATE: when it was deleted (Recently Deleted keeps it 30 days). */
  deletedDate: string | null;
  /** ZPATH as stored: the audio's file name, or its full device path on old versions. */
  storedPath: string | null;
  /** `<domain>/<relative path>` of the audio in the backup; null when the backup lacks it (kept in iCloud only). */
  backupPath: string | null;
  /** Exported audio, relative to the output folder: audio/Voice Memos[/Recently Deleted]/<title>.m4a, mtime = date. */
  file: string | null;
  /** A date outside 2000-01-01 … now + 1 year (date-check.ts): kept as decoded, shown as "date unclear". */
  dateSuspect?: true;
}

/** One custom ringtone or alert tone found in the backup (audio/ringtones.json). */
export interface RingtoneRecord {
  origin: RecordOrigin;
  /** Ringtones.plist "Name"; the file's stem when the plist has no entry for it. */
  name: string;
  /** The file's name on the phone (iTunes gives synced tones four-letter names, "QWER.m4r"). */
  fileName: string;
  /** Ringtones.plist "Media Kind": ringtone, or tone for text and alert tones; null when unknown. */
  kind: string | null;
  /** Ringtones.plist "Total Time" (milliseconds) in seconds. */
  durationSeconds: number | null;
  guid: string | null;
  /** Ringtones.plist "Protected Content" (a DRM-protected purchase plays only on its account's devices). */
  protectedContent: boolean | null;
  /** Bought in the iTunes Store (Media/Purchases), rather than synced from a computer. */
  purchased: boolean;
  /** The backup's mtime of the file: tones carry no date of their own. */
  modified: string | null;
  backupPath: string;
  /** audio/Ringtones/<name>.m4r, relative to the output folder. */
  file: string | null;
}

/** One item of the Music app's library (audio/music.json): the list is there even when the audio is not. */
export interface TrackRecord {
  origin: RecordOrigin;
  /** item.item_pid, a 64-bit id, as a decimal string. */
  id: string;
  title: string | null;
  artist: string | null;
  album: string | null;
  albumArtist: string | null;
  genre: string | null;
  trackNumber: number | null;
  discNumber: number | null;
  year: number | null;
  durationSeconds: number | null;
  /** music, movie, podcast, audiobook, music-video, tv-show from item_extra.media_kind; null for other values. */
  mediaKind: string | null;
  mediaKindCode: number | null;
  fileSize: number | null;
  playCount: number | null;
  dateAdded: string | null;
  /** Where the phone keeps the file, under /var/mobile/Media (base_location.path + item_extra.location). */
  devicePath: string | null;
  /** audio/Music/<artist> - <title>.<ext> when the backup holds the file (rare: music is downloaded again, not backed
   * up). */
  file: string | null;
}

/** An attachment of a note (notes/notes.json `attachments`). */
export interface NoteAttachmentRecord {
  /** ZICCLOUDSYNCINGOBJECT.ZIDENTIFIER of the attachment: what the body's U+FFFC placeholder names. */
  identifier: string | null;
  /** public.jpeg, com.adobe.pdf, com.apple.notes.table, public.url, com.apple.notes.inlinetextattachment.hashtag… */
  uti: string | null;
  /** The media's file name (ZFILENAME), else the attachment's title, a hashtag's text or the URL; null when none is
   * known. */
  name: string | null;
  /** Where the phone keeps the file in the notes app group: `Accounts/<account>/Media/<media>/[<generation>/]<name>`;
   * null for attachments without one (tables, links, hashtags) or whose media row is gone. */
  storedPath: string | null;
  /** The copied file, relative to the output folder (notes/<folder>/attachments/…); null when the backup lacks it. */
  file: string | null;
}

/**
 * One note (notes/notes.json, notes.csv). Live notes come first ('recently-deleted' for those in an account's
 * Recently Deleted folder or marked for deletion), then notes deleted for good whose ZICNOTEDATA rows the carver
 * rebuilt ('recovered').
 */
export interface NoteRecord {
  origin: RecordOrigin;
  /** ZICCLOUDSYNCINGOBJECT.Z_PK (notes.sqlite: ZNOTE.Z_PK); −1 when a recovered note's key is lost. */
  id: number;
  /** The note's UUID, ZIDENTIFIER (notes.sqlite: ZGUID). */
  identifier: string | null;
  /** Which database it came from: NoteStore.sqlite (iOS 9+) or the legacy notes.sqlite. */
  store: 'NoteStore.sqlite' | 'notes.sqlite';
  /** The account's name ("iCloud", "On My iPhone", an IMAP account). */
  account: string | null;
  /** The folder's name; for nested folders the names from the top joined by "/". */
  folder: string | null;
  /** ZTITLE1 (what the note list shows: its first line); for a recovered note without its row, the body's first line.
   * */
  title: string | null;
  /** ZSNIPPET: the second line as the note list shows it. */
  snippet: string | null;
  /** The body as plain text: attachments as "[name]", hashtags as their text, tables as tab-separated rows; null for
   * locked notes and unreadable bodies. */
  text: string | null;
  created: string | null;
  modified: string | null;
  pinned: boolean;
  /** Password-protected (ZISPASSWORDPROTECTED): the body is encrypted with the note's own password and is not exported.
   * */
  locked: boolean;
  attachments: NoteAttachmentRecord[];
  /** The note's page (self-contained HTML, no scripts), relative to the output folder: notes/<folder>/<title>.html. */
  file: string | null;
  /** The same note as Markdown: notes/<folder>/<title>.md. */
  markdownFile: string | null;
  /**
   * Deleted on the phone but in no Recently Deleted folder: ZMARKEDFORDELETION = 1 on a note outside the trash
   * (NoteStore.sqlite), or ZDELETEDFLAG = 1 (notes.sqlite of iOS ≤ 8, before Recently Deleted existed). The phone
   * keeps such a note until its account syncs; origin is 'recently-deleted' (it is still in the database), and the
   * report labels it "Marked for deletion", not "Recently deleted".
   */
  markedForDeletion?: true;
  /** A date outside 2000-01-01 … now + 1 year (date-check.ts): kept as decoded, shown as "date unclear". */
  dateSuspect?: true;
}
