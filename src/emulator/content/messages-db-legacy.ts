import type Database from 'better-sqlite3';
import { toAppleSeconds } from './apple-time.js';
import type { SmsDbContent } from './messages-db.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthMessage } from './truth.js';

/**
 * sms.db of iOS 6–10 (native-notes/ios-schemas/messages.md): the handle/chat/message design of today with fewer
 * columns, no Recently Deleted, no deleted_messages, and dates in whole seconds since 2001. The columns are those of
 * a real iOS 8/9 file (public backup dump OTAPKI/iphone, read for its schema only).
 */
export const SMS_SCHEMA_IOS6 = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0,
  service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0,
  type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER,
  date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0,
  is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0,
  is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0,
  has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0,
  was_downgraded INTEGER DEFAULT 0, is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0,
  cache_roomnames TEXT, was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0);
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER, state INTEGER,
  account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT,
  is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT);
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, created_date INTEGER DEFAULT 0,
  start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT, transfer_state INTEGER DEFAULT 0,
  is_outgoing INTEGER DEFAULT 0, user_info BLOB, transfer_name TEXT, total_bytes INTEGER DEFAULT 0);
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL,
  uncanonicalized_id TEXT, UNIQUE (id, service));
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE,
  attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id));
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, PRIMARY KEY (chat_id, message_id));
CREATE INDEX message_idx_handle ON message(handle_id, date);
CREATE INDEX chat_message_join_idx_message_id ON chat_message_join(message_id, chat_id);
`;

/**
 * sms.db of iOS 4–5, before the handle table: one `message` table for SMS and iMessage ("madrid") rows. SMS rows
 * name the other party in `address`, belong to a `msg_group` (members in `group_member`), set `flags` (2 received,
 * 3 sent) and count `date` in Unix seconds; iMessage rows set is_madrid = 1, name the party in `madrid_handle` (a
 * group in `madrid_roomname`, described in `madrid_chat`), keep their guid in `madrid_guid`, flags in `madrid_flags`
 * (0x8000 set when sent) and count `date` and `madrid_date_read` in seconds since 2001. Taken from a real iOS 5 file
 * (eichbaumj/Presentations Logical/sms.db), triggers left out.
 */
export const SMS_SCHEMA_MADRID = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date INTEGER, text TEXT, flags INTEGER,
  replace INTEGER, svc_center TEXT, group_id INTEGER, association_id INTEGER, height INTEGER, UIFlags INTEGER, version INTEGER,
  subject TEXT, country TEXT, headers BLOB, recipients BLOB, read INTEGER, madrid_attributedBody BLOB, madrid_handle TEXT,
  madrid_version INTEGER, madrid_guid TEXT, madrid_type INTEGER, madrid_roomname TEXT, madrid_service TEXT,
  madrid_account TEXT, madrid_account_guid TEXT, madrid_flags INTEGER, madrid_attachmentInfo BLOB, madrid_url TEXT,
  madrid_error INTEGER, is_madrid INTEGER, madrid_date_read INTEGER, madrid_date_delivered INTEGER);
CREATE TABLE msg_group (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER, newest_message INTEGER, unread_count INTEGER,
  hash INTEGER);
CREATE TABLE group_member (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER, address TEXT, country TEXT);
CREATE TABLE msg_pieces (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER, data BLOB, part_id INTEGER,
  preview_part INTEGER, content_type TEXT, height INTEGER, version INTEGER, flags INTEGER, content_id TEXT, content_loc TEXT,
  headers BLOB);
CREATE TABLE madrid_attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, attachment_guid TEXT, created_date INTEGER,
  start_date INTEGER, filename TEXT, uti_type TEXT, mime_type TEXT, transfer_state INTEGER, is_incoming INTEGER,
  message_id INTEGER);
CREATE TABLE madrid_chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, style INTEGER, state INTEGER, account_id TEXT,
  properties BLOB, chat_identifier TEXT, service_name TEXT, guid TEXT, room_name TEXT, account_login TEXT, participants BLOB);
CREATE INDEX message_group_index ON message(group_id, ROWID);
CREATE INDEX madrid_guid_index ON message(madrid_guid);
CREATE INDEX madrid_roomname_service_index ON message(madrid_roomname, madrid_service);
CREATE INDEX madrid_handle_service_index ON message(madrid_handle, madrid_service);
`;

/**
 * sms.db of iOS 4: the same SMS tables without iMessage (no madrid columns, no madrid_chat or madrid_attachment),
 * as forensic write-ups of iOS 4 devices describe it; no public iOS 4 sms.db was found to check it against.
 */
export const SMS_SCHEMA_IOS4 = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date INTEGER, text TEXT, flags INTEGER,
  replace INTEGER, svc_center TEXT, group_id INTEGER, association_id INTEGER, height INTEGER, UIFlags INTEGER, version INTEGER,
  subject TEXT, country TEXT, headers BLOB, recipients BLOB, read INTEGER);
CREATE TABLE msg_group (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, type INTEGER, newest_message INTEGER, unread_count INTEGER,
  hash INTEGER);
CREATE TABLE group_member (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, group_id INTEGER, address TEXT, country TEXT);
CREATE TABLE msg_pieces (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, message_id INTEGER, data BLOB, part_id INTEGER,
  preview_part INTEGER, content_type TEXT, height INTEGER, version INTEGER, flags INTEGER, content_id TEXT, content_loc TEXT,
  headers BLOB);
CREATE INDEX message_group_index ON message(group_id, ROWID);
`;

/** madrid_flags as iOS 5 writes them: 0x3001 received, 0x9005 sent (0x8000 = from me). */
export const MADRID_FLAGS = { received: 0x3001, sent: 0x9005 } as const;

const unixSeconds = (d: Date): number => Math.round(d.getTime() / 1000);
const appleSeconds = (d: Date): number => Math.round(toAppleSeconds(d));

/**
 * The madrid sms.db of iOS 4–5 for `content`. SMS chats become msg_group rows and iMessage chats madrid_chat rows,
 * each with the chat's ROWID, so an extractor's conversation ids match the truth's. An iMessage's attachments are
 * madrid_attachment rows; MMS parts (msg_pieces) are not written: generateDeviceContent gives iOS ≤ 5 SMS none, and
 * SMS rows have no read date.
 */
export function buildMadridSmsDb(content: SmsDbContent): SqliteImage {
  const handleId = new Map(content.handles.map((h) => [h.rowid, h.id]));
  const chats = new Map(content.chats.map((c) => [c.rowid, c]));
  const ios4 = (content.iosVersion ?? 5) <= 4;
  const insertAll = (db: Database.Database, messages: TruthMessage[]): void => {
    const sms = db.prepare(
      ios4
        ? `INSERT INTO message (ROWID, address, date, text, flags, replace, group_id, association_id, height, UIFlags, version,
             country, read) VALUES (?, ?, ?, ?, ?, 0, ?, 0, 0, 0, 0, 'us', ?)`
        : `INSERT INTO message (ROWID, address, date, text, flags, replace, group_id, association_id, height, UIFlags, version,
             country, read, is_madrid, madrid_date_read, madrid_date_delivered) VALUES (?, ?, ?, ?, ?, 0, ?, 0, 0, 0, 0, 'us', ?, 0, 0, 0)`,
    );
    if (ios4) {
      for (const m of messages)
        sms.run(
          m.rowid,
          handleId.get(m.handleRowid) ?? null,
          unixSeconds(m.date),
          m.text,
          m.isFromMe ? 3 : 2,
          m.chatRowid,
          m.isFromMe ? 1 : 0,
        );
      return;
    }
    const madrid = db.prepare(
      `INSERT INTO message (ROWID, date, text, flags, replace, group_id, association_id, height, UIFlags, version, read,
         madrid_handle, madrid_version, madrid_guid, madrid_type, madrid_roomname, madrid_service, madrid_account,
         madrid_account_guid, madrid_flags, madrid_error, is_madrid, madrid_date_read, madrid_date_delivered)
       VALUES (?, ?, ?, 0, 0, 0, 0, 0, 0, 0, 0, ?, 10, ?, ?, ?, 'iMessage', 'e:owner@me.com', 'A1B2C3D4-0000-4000-8000-000000000001',
         ?, 0, 1, ?, ?)`,
    );
    const file = db.prepare(
      `INSERT INTO madrid_attachment (attachment_guid, created_date, start_date, filename, uti_type, mime_type, transfer_state,
         is_incoming, message_id) VALUES (?, ?, 0, ?, ?, ?, 5, ?, ?)`,
    );
    for (const m of messages) {
      for (const a of m.attachments)
        file.run(a.guid, appleSeconds(a.created), a.filename, a.uti, a.mimeType, m.isFromMe ? 0 : 1, m.rowid);
      const chat = chats.get(m.chatRowid);
      const party = handleId.get(m.handleRowid) ?? null;
      if (m.service === 'SMS')
        sms.run(m.rowid, party, unixSeconds(m.date), m.text, m.isFromMe ? 3 : 2, m.chatRowid, m.isFromMe ? 1 : 0);
      else
        madrid.run(
          m.rowid,
          appleSeconds(m.date),
          m.text,
          party,
          m.guid,
          chat?.style === 43 ? 1 : 0,
          chat?.style === 43 ? chat.chatIdentifier : null,
          m.isFromMe ? MADRID_FLAGS.sent : MADRID_FLAGS.received,
          m.dateRead === null ? 0 : appleSeconds(m.dateRead),
          m.isFromMe ? 0 : appleSeconds(m.date),
        );
    }
  };
  const written = [...content.messages.filter((m) => !m.inWal), ...content.deletedMessages].sort(
    (a, b) => a.rowid - b.rowid,
  );
  return buildSqliteImage({
    schema: ios4 ? SMS_SCHEMA_IOS4 : SMS_SCHEMA_MADRID,
    fill(db) {
      db.prepare("INSERT INTO _SqliteDatabaseProperties (key, value) VALUES ('_ClientVersion', '21')").run();
      const group = db.prepare(
        'INSERT INTO msg_group (ROWID, type, newest_message, unread_count, hash) VALUES (?, ?, 0, 0, 0)',
      );
      const member = db.prepare("INSERT INTO group_member (group_id, address, country) VALUES (?, ?, 'us')");
      const room = ios4
        ? undefined
        : db.prepare(
            `INSERT INTO madrid_chat (ROWID, style, state, account_id, chat_identifier, service_name, guid, room_name, account_login)
         VALUES (?, ?, 3, 'A1B2C3D4-0000-4000-8000-000000000001', ?, 'iMessage', ?, ?, 'e:owner@me.com')`,
          );
      for (const c of content.chats) {
        if (c.service === 'SMS') {
          group.run(c.rowid, c.style === 43 ? 1 : 0);
          for (const h of c.handleRowids) member.run(c.rowid, handleId.get(h) ?? null);
        } else room?.run(c.rowid, c.style, c.chatIdentifier, c.guid, c.style === 43 ? c.chatIdentifier : null);
      }
      insertAll(db, written);
    },
    remove(db) {
      const gone = db.prepare('DELETE FROM message WHERE ROWID = ?');
      const files = ios4 ? undefined : db.prepare('DELETE FROM madrid_attachment WHERE message_id = ?');
      for (const m of content.deletedMessages) {
        files?.run(m.rowid);
        gone.run(m.rowid);
      }
    },
    tail: content.messages.some((m) => m.inWal)
      ? (db) =>
          insertAll(
            db,
            content.messages.filter((m) => m.inWal),
          )
      : undefined,
  });
}
