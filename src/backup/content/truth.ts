/**
 * What the generator put into each database, in the terms an extractor reports (readable labels, JS Dates, raw
 * bytes), so tests compare extracted records field by field. "Deleted" rows were inserted and then deleted: they
 * are absent from the live tables and their bytes are left in the database's free space for the carver.
 */

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
  service: 'iMessage' | 'SMS';
}

export interface TruthChat {
  rowid: number;
  guid: string;
  chatIdentifier: string;
  /** 43 group, 45 one-to-one (chat.style). */
  style: 43 | 45;
  displayName: string | null;
  service: 'iMessage' | 'SMS';
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
  service: 'iMessage' | 'SMS';
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
  created: Date;
}

export interface TruthVisit {
  /** history_visits.id */
  id: number;
  url: string;
  title: string;
  time: Date;
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
  photos: TruthPhoto[];
  /** Purged from Recently Deleted: the ZASSET row was deleted and the file is gone. */
  deletedPhotos: TruthPhoto[];
}
