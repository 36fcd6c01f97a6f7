import type Database from 'better-sqlite3';
import { APPLE_EPOCH_MS } from '../apple-time.js';
import { dateFlag } from '../date-check.js';
import type { MessageAttachmentRecord, MessageRecord } from '../records.js';
import { column, hasTable, quote, tableColumns, textValue } from '../schema.js';
import { attributedBodyText } from '../typedstream.js';
import type { ChatRow, MessageRow } from './messages-db.js';

/**
 * sms.db of iOS 4–5 (native-notes/ios-schemas/messages.md): no handle or chat table. One `message` table holds SMS
 * rows (party in `address`, conversation in `msg_group` via `group_id`, `flags` bit 0 set when sent, `date` in Unix
 * seconds) and, from iOS 5, iMessage rows (`is_madrid` = 1: party in `madrid_handle`, group in `madrid_roomname` /
 * `madrid_chat`, guid in `madrid_guid`, 0x8000 of `madrid_flags` set when sent, `date` and `madrid_date_read` in
 * seconds since 2001). Each row's epoch follows its own is_madrid, never the file as a whole.
 */

/** The message table is the pre-iOS 6 one: it has group_id and address but no handle_id. */
export function isMadridSchema(messageColumns: Set<string>): boolean {
  return messageColumns.has('group_id') && messageColumns.has('address') && !messageColumns.has('handle_id');
}

const MADRID_SENT = 0x8000;

/** A madrid-era date: seconds since 2001 for iMessage rows, Unix seconds for SMS rows; null for 0/null/garbage. */
export function madridDateIso(value: unknown, isMadrid: boolean): string | null {
  const seconds = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds === 0) return null;
  const date = new Date((isMadrid ? APPLE_EPOCH_MS : 0) + seconds * 1000);
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}

function isMadridRow(r: Record<string, unknown>): boolean {
  return Number(r.is_madrid ?? 0) === 1;
}

function fromMe(r: Record<string, unknown>): boolean {
  return isMadridRow(r) ? (Number(r.madrid_flags ?? 0) & MADRID_SENT) !== 0 : (Number(r.flags ?? 0) & 1) === 1;
}

/**
 * The conversations: `group:<ROWID>` for each msg_group (SMS; members from group_member) and `madrid:<ROWID>` for
 * each madrid_chat (iMessage; the one-to-one party is its chat_identifier, a group's members are the handles that
 * wrote in its room).
 */
export function readMadridChats(db: Database.Database): Map<string, ChatRow> {
  const chats = new Map<string, ChatRow>();
  if (hasTable(db, 'msg_group')) {
    const groupCols = tableColumns(db, 'msg_group');
    for (const r of db.prepare(`SELECT ROWID AS id, ${column(groupCols, 'g', 'type')} FROM msg_group g`).all() as Array<
      Record<string, unknown>
    >)
      chats.set(`group:${Number(r.id)}`, {
        id: Number(r.id),
        guid: null,
        identifier: null,
        displayName: null,
        style: Number(r.type) === 1 ? 43 : 45,
        service: 'SMS',
        handles: [],
      });
    if (hasTable(db, 'group_member'))
      for (const r of db
        .prepare('SELECT group_id AS chat, address FROM group_member ORDER BY group_id, ROWID')
        .all() as Array<{ chat: number; address: unknown }>) {
        const chat = chats.get(`group:${Number(r.chat)}`);
        const address = textValue(r.address);
        if (chat && address !== null) {
          chat.handles.push(address);
          chat.identifier ??= address;
        }
      }
  }
  if (hasTable(db, 'madrid_chat')) {
    const cols = tableColumns(db, 'madrid_chat');
    const members = cols.has('room_name')
      ? db.prepare(
          'SELECT DISTINCT madrid_handle AS h FROM message WHERE madrid_roomname = ? AND madrid_handle IS NOT NULL ORDER BY ROWID',
        )
      : undefined;
    for (const r of db
      .prepare(
        `SELECT c.ROWID AS id, ${['guid', 'chat_identifier', 'style', 'service_name', 'room_name'].map((n) => column(cols, 'c', n)).join(', ')} FROM madrid_chat c`,
      )
      .all() as Array<Record<string, unknown>>) {
      const room = textValue(r.room_name);
      const identifier = textValue(r.chat_identifier);
      const handles =
        room !== null && members
          ? (members.all(room) as Array<{ h: unknown }>).map((m) => textValue(m.h)).filter((h) => h !== null)
          : identifier !== null
            ? [identifier]
            : [];
      chats.set(`madrid:${Number(r.id)}`, {
        id: Number(r.id),
        guid: textValue(r.guid),
        identifier,
        displayName: null,
        style: r.style === null ? null : Number(r.style),
        service: textValue(r.service_name) ?? 'iMessage',
        handles,
      });
    }
  }
  return chats;
}

interface MadridParts {
  /** text/plain parts of an MMS, in part order. */
  texts: string[];
  attachments: MessageAttachmentRecord[];
}

/**
 * What an iOS ≤ 5 message carries besides `text`: an MMS's parts in `msg_pieces` (text/plain parts hold their text
 * in `data`; others name their file in `content_loc`, kept under Library/SMS/Parts — where exactly is not recorded,
 * so their path is unknown) and an iMessage's files in `madrid_attachment` (`filename` like later versions' paths).
 */
function readMadridParts(db: Database.Database): Map<number, MadridParts> {
  const parts = new Map<number, MadridParts>();
  const of = (id: number): MadridParts => {
    let p = parts.get(id);
    if (p === undefined) parts.set(id, (p = { texts: [], attachments: [] }));
    return p;
  };
  const pieceCols = tableColumns(db, 'msg_pieces');
  if (pieceCols.has('message_id') && pieceCols.has('content_type')) {
    const rows = db
      .prepare(
        `SELECT p.ROWID AS id, p.message_id AS messageId, ${['data', 'content_type', 'content_loc', 'part_id'].map((n) => column(pieceCols, 'p', n)).join(', ')}
         FROM msg_pieces p ORDER BY p.message_id, p.part_id, p.ROWID`,
      )
      .all() as Array<Record<string, unknown>>;
    for (const r of rows) {
      // A part without a type (iOS writes an empty first one) carries nothing.
      const type = textValue(r.content_type);
      if (!type) continue;
      if (type.startsWith('text/plain')) {
        const text = Buffer.isBuffer(r.data) ? r.data.toString('utf8') : textValue(r.data);
        if (text) of(Number(r.messageId)).texts.push(text);
        continue;
      }
      of(Number(r.messageId)).attachments.push({
        id: Number(r.id),
        guid: null,
        storedPath: null,
        transferName: textValue(r.content_loc),
        mimeType: type,
        uti: null,
        bytes: Buffer.isBuffer(r.data) ? r.data.length : null,
        created: null,
        file: null,
      });
    }
  }
  const fileCols = tableColumns(db, 'madrid_attachment');
  if (fileCols.has('message_id') && fileCols.has('filename')) {
    const rows = db
      .prepare(
        `SELECT a.ROWID AS id, a.message_id AS messageId, ${['attachment_guid', 'filename', 'mime_type', 'uti_type', 'created_date'].map((n) => column(fileCols, 'a', n)).join(', ')}
         FROM madrid_attachment a ORDER BY a.message_id, a.ROWID`,
      )
      .all() as Array<Record<string, unknown>>;
    for (const r of rows) {
      const stored = textValue(r.filename);
      of(Number(r.messageId)).attachments.push({
        id: Number(r.id),
        guid: textValue(r.attachment_guid),
        storedPath: stored,
        transferName: stored === null ? null : stored.slice(stored.lastIndexOf('/') + 1),
        mimeType: textValue(r.mime_type),
        uti: textValue(r.uti_type),
        bytes: null,
        created: madridDateIso(r.created_date, true),
        file: null,
      });
    }
  }
  return parts;
}

/** Messages ordered by conversation, then date (each row's date on one clock), as readMessages does for iOS 6+. */
export function* readMadridMessages(db: Database.Database): Generator<MessageRow> {
  const parts = readMadridParts(db);
  const cols = tableColumns(db, 'message');
  const madridChat = hasTable(db, 'madrid_chat') && cols.has('madrid_handle');
  const roomCols = tableColumns(db, 'madrid_chat');
  const has = (name: string): string => (cols.has(name) ? `m.${quote(name)}` : 'NULL');
  // The madrid_chat a row belongs to: its room, or for a one-to-one row the chat whose identifier is the handle.
  const chatOf = madridChat
    ? `CASE WHEN coalesce(m.is_madrid, 0) = 1 THEN coalesce(
        (SELECT c.ROWID FROM madrid_chat c WHERE m.madrid_roomname IS NOT NULL AND c.room_name = m.madrid_roomname LIMIT 1),
        (SELECT c.ROWID FROM madrid_chat c WHERE m.madrid_roomname IS NULL AND c.chat_identifier = m.madrid_handle
           ${roomCols.has('style') ? 'ORDER BY c.style = 45 DESC' : ''} LIMIT 1)) END`
    : 'NULL';
  // An expression, never a bare number: ORDER BY 0 would name a result column.
  const isMadrid = cols.has('is_madrid') ? 'coalesce(m.is_madrid, 0) = 1' : '(1 = 0)';
  const sql = `SELECT m.ROWID AS id, ${[
    'address',
    'date',
    'text',
    'flags',
    'group_id',
    'is_madrid',
    'madrid_handle',
    'madrid_guid',
    'madrid_roomname',
    'madrid_service',
    'madrid_flags',
    'madrid_date_read',
    'madrid_attributedBody',
  ]
    .map((n) => column(cols, 'm', n))
    .join(', ')}, ${chatOf} AS madridChat,
      CASE WHEN ${isMadrid} THEN ${has('date')} + 978307200 ELSE ${has('date')} END AS unixDate
    FROM message m
    ORDER BY ${isMadrid}, madridChat IS NULL, madridChat, ${has('madrid_handle')}, ${has('group_id')},
      CASE WHEN coalesce(m.group_id, 0) = 0 THEN m.address END, unixDate, m.ROWID`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const madrid = isMadridRow(r);
    const chatId = madrid ? (r.madridChat === null ? null : Number(r.madridChat)) : Number(r.group_id ?? 0) || null;
    const handle = madrid ? textValue(r.madrid_handle) : textValue(r.address);
    const conversation = madrid
      ? chatId === null
        ? `madrid-handle:${handle ?? ''}`
        : `madrid:${chatId}`
      : chatId === null
        ? `address:${handle ?? ''}`
        : `group:${chatId}`;
    const date = madridDateIso(r.date, madrid);
    const dateRead = madrid ? madridDateIso(r.madrid_date_read, true) : null;
    const message: MessageRecord = {
      origin: 'live',
      id: Number(r.id),
      guid: textValue(r.madrid_guid),
      chatId,
      // An MMS keeps its text in msg_pieces and an empty `text`.
      text:
        textValue(r.text) ||
        attributedBodyText(r.madrid_attributedBody) ||
        parts.get(Number(r.id))?.texts.join('\n') ||
        null,
      date,
      dateRead,
      dateDeleted: null,
      isFromMe: fromMe(r),
      service: madrid ? (textValue(r.madrid_service) ?? 'iMessage') : 'SMS',
      handle,
      handleName: null,
      attachments: (parts.get(Number(r.id))?.attachments ?? []).map((a) => ({ ...a })),
      ...dateFlag(date, dateRead),
    };
    yield { conversation, message };
  }
}

/** A carved madrid-era message row as a record (the conversation is gone with the row). */
export function recoveredMadridMessage(r: Record<string, unknown>, rowid: number | null): MessageRecord | null {
  const madrid = isMadridRow(r);
  const text =
    (typeof r.text === 'string' ? r.text : null) ??
    (Buffer.isBuffer(r.madrid_attributedBody) ? attributedBodyText(r.madrid_attributedBody) : null);
  if (text === null) return null;
  const date = madridDateIso(r.date, madrid);
  const dateRead = madrid ? madridDateIso(r.madrid_date_read, true) : null;
  return {
    origin: 'recovered',
    id: rowid ?? -1,
    guid: typeof r.madrid_guid === 'string' ? r.madrid_guid : null,
    chatId: null,
    text,
    date,
    dateRead,
    dateDeleted: null,
    isFromMe: fromMe(r),
    service: madrid ? (typeof r.madrid_service === 'string' ? r.madrid_service : 'iMessage') : 'SMS',
    handle: madrid ? textValue(r.madrid_handle) : textValue(r.address),
    handleName: null,
    attachments: [],
    ...dateFlag(date, dateRead),
  };
}

/** First and last message dates of a madrid sms.db, each row on its own clock. */
export function madridDateRange(db: Database.Database): { first: string | null; last: string | null } {
  const cols = tableColumns(db, 'message');
  if (!cols.has('date')) return { first: null, last: null };
  const unix = cols.has('is_madrid')
    ? 'CASE WHEN coalesce(is_madrid, 0) = 1 THEN date + 978307200 ELSE date END'
    : 'date';
  const row = db.prepare(`SELECT min(${unix}) AS first, max(${unix}) AS last FROM message WHERE date > 0`).get() as {
    first: number | null;
    last: number | null;
  };
  return { first: madridDateIso(row.first, false), last: madridDateIso(row.last, false) };
}
