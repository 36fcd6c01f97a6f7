/**
 * The typed records the extractors produce (and write as JSON). `origin` says where a record came from:
 * 'live' rows of the database, 'recently-deleted' ones the phone still keeps in its trash (Photos' and Messages'
 * Recently Deleted), and 'recovered' for rows rebuilt from the database's free space by the carver (calls, messages, contacts and Safari visits so far;
 * the scan counts how many rows were deleted for every type).
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
}

/** One Safari history visit. */
export interface VisitRecord {
  origin: RecordOrigin;
  /** history_visits.id; −1 when a recovered visit lost its rowid. */
  id: number;
  /** Null for a recovered visit whose history item is gone too. */
  url: string | null;
  title: string | null;
  time: string | null;
}
