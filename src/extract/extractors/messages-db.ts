import type Database from 'better-sqlite3';
import { fromAppleMessageDate } from '../apple-time.js';
import { ExtractError } from '../errors.js';
import type { MessageAttachmentRecord, MessageRecord } from '../records.js';
import { column, hasTable, tableColumns, textValue } from '../schema.js';
import { attributedBodyText } from '../typedstream.js';
import { carvedRows } from '../carved-rows.js';
import { dateFlag } from '../date-check.js';
import { isMadridSchema, recoveredMadridMessage } from './messages-madrid.js';

/**
 * Reading sms.db across iOS versions: `chat`, its join tables and `attachment` may be absent (very old or reduced
 * files: then messages are grouped by handle), Recently Deleted (chat_recoverable_message_join) exists from iOS 16,
 * and dates are nanoseconds or seconds since 2001 (see fromAppleMessageDate).
 */

/**
 * An sms.db date as ISO text, or null. A crafted nanosecond count can lie beyond what a Date holds
 * (fromAppleMessageDate then gives an invalid Date, whose toISOString throws): such a date is unknown.
 */
export function messageDateIso(value: unknown): string | null {
  const date = fromAppleMessageDate(value);
  return date === null || Number.isNaN(date.getTime()) ? null : date.toISOString();
}

export interface ChatRow {
  id: number;
  guid: string | null;
  identifier: string | null;
  displayName: string | null;
  style: number | null;
  service: string | null;
  handles: string[];
}

export function readChats(db: Database.Database): Map<number, ChatRow> {
  const chats = new Map<number, ChatRow>();
  const cols = tableColumns(db, 'chat');
  if (cols.size === 0) return chats;
  const rows = db
    .prepare(
      `SELECT c.ROWID AS id, ${['guid', 'chat_identifier', 'display_name', 'style', 'service_name'].map((n) => column(cols, 'c', n)).join(', ')} FROM chat c`,
    )
    .all() as Array<Record<string, unknown>>;
  for (const r of rows) {
    chats.set(Number(r.id), {
      id: Number(r.id),
      guid: textValue(r.guid),
      identifier: textValue(r.chat_identifier),
      displayName: textValue(r.display_name) || null,
      style: r.style === null ? null : Number(r.style),
      service: textValue(r.service_name),
      handles: [],
    });
  }
  if (hasTable(db, 'chat_handle_join') && hasTable(db, 'handle')) {
    for (const r of db
      .prepare(
        'SELECT j.chat_id AS chat, h.id AS handle FROM chat_handle_join j JOIN handle h ON h.ROWID = j.handle_id ORDER BY j.chat_id, h.ROWID',
      )
      .all() as Array<{ chat: number; handle: unknown }>) {
      const handle = textValue(r.handle);
      if (handle !== null) chats.get(r.chat)?.handles.push(handle);
    }
  }
  return chats;
}

/** Attachments per message id; `file` is filled in by the extractor once copied. */
export function readAttachments(db: Database.Database): Map<number, MessageAttachmentRecord[]> {
  const byMessage = new Map<number, MessageAttachmentRecord[]>();
  const cols = tableColumns(db, 'attachment');
  if (cols.size === 0 || !hasTable(db, 'message_attachment_join')) return byMessage;
  const rows = db
    .prepare(
      `SELECT j.message_id AS messageId, a.ROWID AS id, ${['guid', 'filename', 'transfer_name', 'mime_type', 'uti', 'total_bytes', 'created_date'].map((n) => column(cols, 'a', n)).join(', ')}
     FROM message_attachment_join j JOIN attachment a ON a.ROWID = j.attachment_id ORDER BY j.message_id, a.ROWID`,
    )
    .all() as Array<Record<string, unknown>>;
  for (const r of rows) {
    const list = byMessage.get(Number(r.messageId)) ?? [];
    list.push({
      id: Number(r.id),
      guid: textValue(r.guid),
      storedPath: textValue(r.filename),
      transferName: textValue(r.transfer_name),
      mimeType: textValue(r.mime_type),
      uti: textValue(r.uti),
      bytes: r.total_bytes === null ? null : Number(r.total_bytes),
      created: messageDateIso(r.created_date),
      file: null,
    });
    byMessage.set(Number(r.messageId), list);
  }
  return byMessage;
}

/**
 * iOS 16's edit and unsend: `date_edited` / `date_retracted` (nanoseconds since 2001, 0 when never) — as record
 * fields only when set, so messages of older files and untouched ones carry none.
 */
function editDates(r: Record<string, unknown>): { dateEdited?: string; dateRetracted?: string } {
  const edited = messageDateIso(r.date_edited);
  const retracted = messageDateIso(r.date_retracted);
  return {
    ...(edited === null ? {} : { dateEdited: edited }),
    ...(retracted === null ? {} : { dateRetracted: retracted }),
  };
}

/** A message plus the key of the conversation it belongs to (`chat:<id>`, or `handle:<id>` without chat tables). */
export interface MessageRow {
  conversation: string;
  message: MessageRecord;
}

/** Messages ordered by conversation, then date: one pass writes each conversation in full before the next. */
export function* readMessages(
  db: Database.Database,
  attachments: Map<number, MessageAttachmentRecord[]>,
): Generator<MessageRow> {
  const cols = tableColumns(db, 'message');
  if (cols.size === 0) throw new ExtractError('EXTRACT_SCHEMA_UNSUPPORTED', 'sms.db has no message table');
  const joined = hasTable(db, 'chat_message_join');
  const recoverable = hasTable(db, 'chat_recoverable_message_join');
  const handles = hasTable(db, 'handle');
  const sql = `SELECT m.ROWID AS id, ${['guid', 'text', 'attributedBody', 'date', 'date_read', 'is_from_me', 'service', 'handle_id', 'date_edited', 'date_retracted'].map((n) => column(cols, 'm', n)).join(', ')},
      ${handles ? 'h.id' : 'NULL'} AS handle,
      ${joined ? 'cmj.chat_id' : 'NULL'} AS chatId,
      ${recoverable ? 'crj.chat_id' : 'NULL'} AS deletedChatId, ${recoverable ? 'crj.delete_date' : 'NULL'} AS deleteDate
    FROM message m
    ${handles ? 'LEFT JOIN handle h ON h.ROWID = m.handle_id' : ''}
    ${joined ? 'LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID' : ''}
    ${recoverable ? 'LEFT JOIN chat_recoverable_message_join crj ON crj.message_id = m.ROWID' : ''}
    ORDER BY coalesce(chatId, deletedChatId) IS NULL, coalesce(chatId, deletedChatId), CASE WHEN coalesce(chatId, deletedChatId) IS NULL THEN m.handle_id END, m.date, m.ROWID`;
  // Nanosecond dates exceed 2^53: read integers as BigInt so no date loses its last milliseconds.
  for (const r of db.prepare(sql).safeIntegers(true).iterate() as IterableIterator<Record<string, unknown>>) {
    const chatId = r.chatId ?? r.deletedChatId;
    const id = Number(r.id);
    yield {
      conversation:
        chatId === null || chatId === undefined ? `handle:${Number(r.handle_id ?? 0)}` : `chat:${Number(chatId)}`,
      message: {
        origin:
          r.deletedChatId !== null && r.deletedChatId !== undefined && (r.chatId === null || r.chatId === undefined)
            ? 'recently-deleted'
            : 'live',
        id,
        guid: textValue(r.guid),
        chatId: chatId === null || chatId === undefined ? null : Number(chatId),
        text: textValue(r.text) ?? attributedBodyText(r.attributedBody),
        date: messageDateIso(r.date),
        dateRead: messageDateIso(r.date_read),
        dateDeleted: messageDateIso(r.deleteDate),
        isFromMe: Number(r.is_from_me) === 1,
        service: textValue(r.service),
        handle: textValue(r.handle),
        handleName: null,
        attachments: (attachments.get(id) ?? []).map((a) => ({ ...a })),
        ...editDates(r),
        ...dateFlag(messageDateIso(r.date), messageDateIso(r.date_read), ...Object.values(editDates(r))),
      },
    };
  }
}

/**
 * Messages deleted for good whose rows still lie in sms.db's free space, -wal or journal (the carver reads the
 * files, not SQLite). A row whose guid is live is skipped (the carver already avoids live rows; this also catches a
 * guid re-used), and each guid comes once. The conversation is gone with the chat join row; the handle is looked
 * up while the handle table still has it.
 */
export async function* readRecoveredMessages(path: string, db: Database.Database): AsyncGenerator<MessageRecord> {
  const live =
    hasTable(db, 'message') && tableColumns(db, 'message').has('guid')
      ? db.prepare('SELECT 1 FROM message WHERE guid = ?')
      : undefined;
  const handleOf = hasTable(db, 'handle') ? db.prepare('SELECT id FROM handle WHERE ROWID = ?') : undefined;
  const seen = new Set<string>();
  const madrid = isMadridSchema(tableColumns(db, 'message'));
  const liveMadrid = madrid && tableColumns(db, 'message').has('madrid_guid');
  const liveGuid = liveMadrid ? db.prepare('SELECT 1 FROM message WHERE madrid_guid = ?') : live;
  for await (const { row: r, rowid } of carvedRows(path, 'message')) {
    if (madrid) {
      const message = recoveredMadridMessage(r, rowid ?? null);
      if (message === null) continue;
      const key = message.guid ?? `${String(r.date)}:${message.text}`;
      if (seen.has(key) || (message.guid !== null && liveGuid?.get(message.guid) !== undefined)) continue;
      seen.add(key);
      yield message;
      continue;
    }
    const guid = typeof r.guid === 'string' ? r.guid : null;
    const text =
      (typeof r.text === 'string' ? r.text : null) ??
      (Buffer.isBuffer(r.attributedBody) ? attributedBodyText(r.attributedBody) : null);
    if (guid === null && text === null) continue;
    const key = guid ?? `${String(r.date)}:${text}`;
    if (seen.has(key) || (guid !== null && live?.get(guid) !== undefined)) continue;
    seen.add(key);
    const handleRow =
      r.handle_id === null || r.handle_id === undefined
        ? undefined
        : (handleOf?.get(Number(r.handle_id)) as { id: string } | undefined);
    yield {
      origin: 'recovered',
      id: rowid ?? -1,
      guid,
      chatId: null,
      text,
      date: messageDateIso(r.date),
      dateRead: messageDateIso(r.date_read),
      dateDeleted: null,
      isFromMe: Number(r.is_from_me) === 1,
      service: typeof r.service === 'string' ? r.service : null,
      handle: handleRow?.id ?? null,
      handleName: null,
      attachments: [],
      ...dateFlag(messageDateIso(r.date), messageDateIso(r.date_read)),
    };
  }
}
