/**
 * One record of the extraction as the console lists it. `files` are the record's files relative to the extraction's
 * folder (what `iosrescue extract` writes for it); `media` the one a viewer shows (a photo, a voicemail's audio).
 */
export interface BrowseItem {
  id: string;
  type: string;
  /** The JSON file (without .json) the record came from: photos, history, bookmarks, voice-memos… */
  source: string;
  title: string;
  subtitle: string | null;
  date: string | null;
  dateSuspect?: boolean;
  deleted: boolean;
  origin: 'live' | 'recently-deleted' | 'recovered';
  files: string[];
  media: string | null;
  conversationId?: string;
  record: Record<string, unknown>;
}

export interface ConversationSummary {
  id: string;
  folder: string;
  title: string;
  participants: string[];
  lastDate: string | null;
  messageCount: number;
  deletedCount: number;
  record: Record<string, unknown>;
}

/** Record keys that name a file the extraction wrote for the record (relative to its folder). */
const FILE_KEYS = ['file', 'livePhotoVideo', 'vcardFile', 'imageFile', 'markdownFile'];
const TITLE_KEYS = ['title', 'name', 'displayName', 'text', 'url', 'address', 'handleName', 'handle', 'filename'];
const SUBTITLE_KEYS = ['url', 'snippet', 'organization', 'list', 'folder', 'artist', 'sender', 'address', 'kind'];
const DATE_KEYS = ['created', 'date', 'start', 'due', 'modified', 'time', 'dateAdded', 'lastMessageDate'];
const MEDIA = /\.(jpe?g|png|heic|gif|mov|mp4|m4v|m4a|amr|caf|mp3|wav|aac|m4r)$/i;

function firstString(record: Record<string, unknown>, keys: string[]): string | null {
  for (const key of keys) {
    const value = record[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  return null;
}

function contactName(record: Record<string, unknown>): string | null {
  const parts = ['first', 'middle', 'last'].map((k) => record[k]).filter((v) => typeof v === 'string' && v !== '');
  return parts.length > 0 ? parts.join(' ') : null;
}

/** The record's own files, and those of its attachments and media (messages, notes, WhatsApp). */
export function filesOf(record: Record<string, unknown>): string[] {
  const files: string[] = [];
  const add = (value: Record<string, unknown>): void => {
    for (const key of FILE_KEYS) {
      const file = value[key];
      if (typeof file === 'string' && file !== '') files.push(file);
    }
  };
  add(record);
  for (const key of ['attachments', 'media']) {
    const nested = record[key];
    if (Array.isArray(nested))
      for (const a of nested) if (a && typeof a === 'object') add(a as Record<string, unknown>);
    if (nested && typeof nested === 'object' && !Array.isArray(nested)) add(nested as Record<string, unknown>);
  }
  return files;
}

/**
 * The items of one JSON file of the extraction, with ids `<type>.<source>.<position>` (`messages.<conversation>.<position>` for
 * messages): the extraction writes records in a fixed order, so the ids stay the same for the same backup.
 */
export function itemsOfJson(
  type: string,
  source: string,
  records: Record<string, unknown>[],
  conversationId?: string,
): BrowseItem[] {
  return records.map((record, position) => {
    const origin = (record.origin as BrowseItem['origin'] | undefined) ?? 'live';
    const files = filesOf(record);
    const title =
      (type === 'contacts' ? contactName(record) : null) ??
      firstString(record, TITLE_KEYS) ??
      (files[0] ? files[0].slice(files[0].lastIndexOf('/') + 1) : `${source} ${position + 1}`);
    const subtitle = firstString(record, SUBTITLE_KEYS);
    const item: BrowseItem = {
      id: `${type}.${source}.${position}`,
      type,
      source,
      title,
      subtitle: subtitle === title ? null : subtitle,
      date: firstString(record, DATE_KEYS),
      deleted: origin !== 'live' || record.markedForDeletion === true,
      origin,
      files,
      media: files.find((f) => MEDIA.test(f)) ?? null,
      record,
    };
    if (record.dateSuspect === true) item.dateSuspect = true;
    if (conversationId !== undefined) item.conversationId = conversationId;
    return item;
  });
}

export interface ItemQuery {
  offset?: number;
  limit?: number;
  /** Case-insensitive text search over the title, subtitle and the record's strings. */
  q?: string;
  deleted?: boolean;
  since?: string;
  until?: string;
}

/** One page of `items` after the filters, with the total that matched. */
export function pageOf<T extends { date?: string | null }>(
  items: T[],
  query: ItemQuery,
  text: (item: T) => string,
  isDeleted: (item: T) => boolean,
): { total: number; items: T[] } {
  const needle = query.q?.trim().toLowerCase();
  const since = query.since ? Date.parse(query.since) : undefined;
  const until = query.until ? Date.parse(query.until) : undefined;
  const matched = items.filter((item) => {
    if (query.deleted && !isDeleted(item)) return false;
    if (since !== undefined || until !== undefined) {
      const at = item.date ? Date.parse(item.date) : Number.NaN;
      if (Number.isNaN(at)) return false;
      if (since !== undefined && at < since) return false;
      if (until !== undefined && at > until) return false;
    }
    if (!needle) return true;
    // searchText is lower-cased already (and kept): a search over 100,000 messages does not lower-case them again.
    const haystack = (text as unknown) === searchText ? text(item) : text(item).toLowerCase();
    return haystack.includes(needle);
  });
  const offset = query.offset ?? 0;
  return { total: matched.length, items: matched.slice(offset, offset + (query.limit ?? 100)) };
}

const searchTexts = new WeakMap<BrowseItem, string>();

/** What a search looks in: the item's words and every string of its record, lower-cased (made once per item). */
export function searchText(item: BrowseItem): string {
  let text = searchTexts.get(item);
  if (text === undefined) {
    const strings: string[] = [item.title, item.subtitle ?? ''];
    for (const value of Object.values(item.record)) if (typeof value === 'string') strings.push(value);
    text = strings.join('\n').toLowerCase();
    searchTexts.set(item, text);
  }
  return text;
}
