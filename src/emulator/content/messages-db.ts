import type Database from 'better-sqlite3';
import { toAppleNanoseconds, toAppleSeconds } from './apple-time.js';
import { attributedBody } from './attributed-body.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthChat, TruthHandle, TruthMessage } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';
import { buildMadridSmsDb, SMS_SCHEMA_IOS6 } from './messages-db-legacy.js';

/**
 * sms.db as iOS 16 creates it (the tables an extractor reads; the FTS/sync tables are left out). The message
 * columns are those of a real iOS 14 file (mvt-ios14-backup) plus the iOS 15–16 additions (date_edited and
 * date_retracted for edit/unsend, part_count, syndication ranges). Dates are INTEGER nanoseconds since 2001 (iOS ≥ 11;
 * seconds before). iOS 16 keeps "Recently Deleted" messages in `message` and moves their chat link from
 * chat_message_join to chat_recoverable_message_join; a permanent delete removes the row and records the guid in
 * deleted_messages.
 */
export const SMS_SCHEMA = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE handle (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, id TEXT NOT NULL, country TEXT, service TEXT NOT NULL,
  uncanonicalized_id TEXT, person_centric_id TEXT, UNIQUE (id, service));
CREATE TABLE chat (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, style INTEGER, state INTEGER,
  account_id TEXT, properties BLOB, chat_identifier TEXT, service_name TEXT, room_name TEXT, account_login TEXT,
  is_archived INTEGER DEFAULT 0, last_addressed_handle TEXT, display_name TEXT, group_id TEXT, is_filtered INTEGER DEFAULT 0,
  successful_query INTEGER, engram_id TEXT, server_change_token TEXT, ck_sync_state INTEGER DEFAULT 0,
  original_group_id TEXT, last_read_message_timestamp INTEGER DEFAULT 0, cloudkit_record_id TEXT,
  last_addressed_sim_id TEXT, is_blackholed INTEGER DEFAULT 0, syndication_date INTEGER DEFAULT 0,
  syndication_type INTEGER DEFAULT 0, is_recovered INTEGER DEFAULT 0, is_deleting_incoming_messages INTEGER DEFAULT 0);
CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, text TEXT, replace INTEGER DEFAULT 0,
  service_center TEXT, handle_id INTEGER DEFAULT 0, subject TEXT, country TEXT, attributedBody BLOB, version INTEGER DEFAULT 0,
  type INTEGER DEFAULT 0, service TEXT, account TEXT, account_guid TEXT, error INTEGER DEFAULT 0, date INTEGER, date_read INTEGER,
  date_delivered INTEGER, is_delivered INTEGER DEFAULT 0, is_finished INTEGER DEFAULT 0, is_emote INTEGER DEFAULT 0,
  is_from_me INTEGER DEFAULT 0, is_empty INTEGER DEFAULT 0, is_delayed INTEGER DEFAULT 0, is_auto_reply INTEGER DEFAULT 0,
  is_prepared INTEGER DEFAULT 0, is_read INTEGER DEFAULT 0, is_system_message INTEGER DEFAULT 0, is_sent INTEGER DEFAULT 0,
  has_dd_results INTEGER DEFAULT 0, is_service_message INTEGER DEFAULT 0, is_forward INTEGER DEFAULT 0,
  was_downgraded INTEGER DEFAULT 0, is_archive INTEGER DEFAULT 0, cache_has_attachments INTEGER DEFAULT 0,
  cache_roomnames TEXT, was_data_detected INTEGER DEFAULT 0, was_deduplicated INTEGER DEFAULT 0,
  is_audio_message INTEGER DEFAULT 0, is_played INTEGER DEFAULT 0, date_played INTEGER, item_type INTEGER DEFAULT 0,
  other_handle INTEGER DEFAULT 0, group_title TEXT, group_action_type INTEGER DEFAULT 0, share_status INTEGER DEFAULT 0,
  share_direction INTEGER DEFAULT 0, is_expirable INTEGER DEFAULT 0, expire_state INTEGER DEFAULT 0,
  message_action_type INTEGER DEFAULT 0, message_source INTEGER DEFAULT 0, associated_message_guid TEXT,
  associated_message_type INTEGER DEFAULT 0, balloon_bundle_id TEXT, payload_data BLOB, expressive_send_style_id TEXT,
  associated_message_range_location INTEGER DEFAULT 0, associated_message_range_length INTEGER DEFAULT 0,
  time_expressive_send_played INTEGER, message_summary_info BLOB, ck_sync_state INTEGER DEFAULT 0, ck_record_id TEXT,
  ck_record_change_tag TEXT, destination_caller_id TEXT, sr_ck_sync_state INTEGER DEFAULT 0, sr_ck_record_id TEXT,
  sr_ck_record_change_tag TEXT, is_corrupt INTEGER DEFAULT 0, reply_to_guid TEXT DEFAULT NULL, sort_id INTEGER DEFAULT 0,
  is_spam INTEGER DEFAULT 0, has_unseen_mention INTEGER DEFAULT 0, thread_originator_guid TEXT DEFAULT NULL,
  thread_originator_part TEXT DEFAULT NULL, syndication_ranges TEXT DEFAULT NULL, synced_syndication_ranges TEXT DEFAULT NULL,
  was_delivered_quietly INTEGER DEFAULT 0, did_notify_recipient INTEGER DEFAULT 0, date_retracted INTEGER DEFAULT 0,
  date_edited INTEGER DEFAULT 0, was_detonated INTEGER DEFAULT 0, part_count INTEGER, is_stewie INTEGER DEFAULT 0,
  is_kt_verified INTEGER DEFAULT 0);
CREATE TABLE attachment (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, guid TEXT UNIQUE NOT NULL, created_date INTEGER DEFAULT 0,
  start_date INTEGER DEFAULT 0, filename TEXT, uti TEXT, mime_type TEXT, transfer_state INTEGER DEFAULT 0,
  is_outgoing INTEGER DEFAULT 0, user_info BLOB, transfer_name TEXT, total_bytes INTEGER DEFAULT 0, is_sticker INTEGER DEFAULT 0,
  sticker_user_info BLOB, attribution_info BLOB, hide_attachment INTEGER DEFAULT 0, ck_sync_state INTEGER DEFAULT 0,
  ck_server_change_token_blob BLOB, ck_record_id TEXT, original_guid TEXT UNIQUE NOT NULL, sr_ck_sync_state INTEGER DEFAULT 0,
  sr_ck_server_change_token_blob BLOB, sr_ck_record_id TEXT, is_commsafety_sensitive INTEGER DEFAULT 0);
CREATE TABLE chat_handle_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  handle_id INTEGER REFERENCES handle (ROWID) ON DELETE CASCADE, UNIQUE(chat_id, handle_id));
CREATE TABLE chat_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, message_date INTEGER DEFAULT 0,
  PRIMARY KEY (chat_id, message_id));
CREATE TABLE message_attachment_join (message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE,
  attachment_id INTEGER REFERENCES attachment (ROWID) ON DELETE CASCADE, UNIQUE(message_id, attachment_id));
CREATE TABLE chat_recoverable_message_join (chat_id INTEGER REFERENCES chat (ROWID) ON DELETE CASCADE,
  message_id INTEGER REFERENCES message (ROWID) ON DELETE CASCADE, delete_date INTEGER, ck_sync_state INTEGER DEFAULT 0,
  PRIMARY KEY (chat_id, message_id), CHECK (delete_date != 0));
CREATE TABLE deleted_messages (ROWID INTEGER PRIMARY KEY AUTOINCREMENT UNIQUE, guid TEXT NOT NULL);
CREATE INDEX message_idx_handle ON message(handle_id, date);
CREATE INDEX chat_message_join_idx_message_date_id_chat_id ON chat_message_join(chat_id, message_date, message_id);
CREATE INDEX chat_message_join_idx_message_id_only ON chat_message_join(message_id);
CREATE INDEX message_attachment_join_idx_message_id ON message_attachment_join(message_id);
CREATE INDEX chat_handle_join_idx_handle_id ON chat_handle_join(handle_id);
`;

export interface SmsDbContent {
  handles: TruthHandle[];
  chats: TruthChat[];
  /** Live messages (recently deleted and WAL-only ones included). */
  messages: TruthMessage[];
  /** Permanently deleted messages: written, then deleted. */
  deletedMessages: TruthMessage[];
  /** The iOS major version whose sms.db schema to write (default NEWEST_IOS). */
  iosVersion?: number;
}

type Statements = ReturnType<typeof prepareStatements>;

/** How one iOS generation writes sms.db rows: iOS 6–10 have fewer columns and count dates in whole seconds. */
interface SmsDialect {
  /** Dates as the `date` columns hold them: nanoseconds since 2001 from iOS 11, seconds before. */
  date(d: Date): bigint | number;
  /** iOS 11+: part_count, chat_message_join.message_date, attachment.original_guid. */
  modern: boolean;
}

function dialectFor(iosVersion: number): SmsDialect {
  return iosVersion >= 11
    ? { date: toAppleNanoseconds, modern: true }
    : { date: (d) => Math.round(toAppleSeconds(d)), modern: false };
}

/** Prepared once per database: preparing per row made 100,000 messages take minutes. */
function prepareStatements(db: Database.Database, dialect: SmsDialect) {
  const modern = dialect.modern;
  return {
    dialect,
    message: db.prepare(
      `INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, service, account, account_guid, date, date_read, date_delivered,
         is_delivered, is_finished, is_from_me, is_read, is_sent, cache_has_attachments${modern ? ', part_count' : ''})
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?${modern ? ', 1' : ''})`,
    ),
    chatJoin: modern
      ? db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)')
      : db.prepare('INSERT INTO chat_message_join (chat_id, message_id) VALUES (?, ?)'),
    recoverableJoin: modern
      ? db.prepare('INSERT INTO chat_recoverable_message_join (chat_id, message_id, delete_date) VALUES (?, ?, ?)')
      : undefined,
    attachment: db.prepare(
      `INSERT INTO attachment (ROWID, guid, created_date, start_date, filename, uti, mime_type, transfer_state, is_outgoing,
         transfer_name, total_bytes${modern ? ', original_guid' : ''}) VALUES (?, ?, ?, 0, ?, ?, ?, 5, ?, ?, ?${modern ? ', ?' : ''})`,
    ),
    attachmentJoin: db.prepare('INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)'),
  };
}

function insertMessage(s: Statements, m: TruthMessage, account: string): void {
  const when = (d: Date | null): bigint | number => (d === null ? 0 : s.dialect.date(d));
  s.message.run(
    m.rowid,
    m.guid,
    m.textOnlyInAttributedBody ? null : m.text,
    m.text === null ? null : attributedBody(m.text),
    m.handleRowid,
    m.service,
    account,
    'A1B2C3D4-0000-4000-8000-000000000001',
    when(m.date),
    when(m.dateRead),
    m.isFromMe ? 0 : when(m.date),
    m.isFromMe ? 1 : 0,
    m.dateRead !== null || m.isFromMe ? 1 : 0,
    m.isFromMe ? 1 : 0,
    m.attachments.length > 0 ? 1 : 0,
  );
  if (m.recentlyDeleted === null || s.recoverableJoin === undefined) {
    if (s.dialect.modern) s.chatJoin.run(m.chatRowid, m.rowid, when(m.date));
    else s.chatJoin.run(m.chatRowid, m.rowid);
  } else s.recoverableJoin.run(m.chatRowid, m.rowid, when(m.recentlyDeleted));
  for (const a of m.attachments) {
    const values = [
      a.rowid,
      a.guid,
      Math.round((a.created.getTime() - Date.UTC(2001, 0, 1)) / 1000),
      a.filename,
      a.uti,
      a.mimeType,
      m.isFromMe ? 1 : 0,
      a.transferName,
      a.data.length,
    ];
    s.attachment.run(...(s.dialect.modern ? [...values, a.guid] : values));
    s.attachmentJoin.run(m.rowid, a.rowid);
  }
}

/**
 * sms.db with every handle, chat, message and attachment row of `content`; deleted messages leave only free space.
 * The schema is `content.iosVersion`'s: the "madrid" tables of iOS 4–5 (messages-db-legacy.ts), handle/chat with
 * second dates for iOS 6–10, nanoseconds from iOS 11, Recently Deleted from iOS 16. Content meant for an older
 * version must not hold what it cannot (generateDeviceContent strips Recently Deleted before iOS 16).
 */
export function buildSmsDb(content: SmsDbContent): SqliteImage {
  const ios = content.iosVersion ?? NEWEST_IOS;
  if (ios <= 5) return buildMadridSmsDb(content);
  const dialect = dialectFor(ios);
  const byRowid = [...content.messages.filter((m) => !m.inWal), ...content.deletedMessages].sort(
    (a, b) => a.rowid - b.rowid,
  );
  const account = (m: TruthMessage): string => (m.service === 'iMessage' ? 'E:owner@icloud.com' : 'P:+15555550100');
  return buildSqliteImage({
    schema: dialect.modern ? SMS_SCHEMA : SMS_SCHEMA_IOS6,
    fill(db) {
      const clientVersion = dialect.modern ? '17017' : '9006';
      db.prepare("INSERT INTO _SqliteDatabaseProperties (key, value) VALUES ('_ClientVersion', ?)").run(clientVersion);
      const handle = db.prepare(
        'INSERT INTO handle (ROWID, id, country, service, uncanonicalized_id) VALUES (?, ?, ?, ?, ?)',
      );
      for (const h of content.handles)
        handle.run(h.rowid, h.id, 'us', h.service, h.id.startsWith('+') ? h.id.slice(2) : null);
      const chat = db.prepare(
        `INSERT INTO chat (ROWID, guid, style, state, account_id, chat_identifier, service_name, room_name, account_login,
           display_name${dialect.modern ? ', group_id' : ''}) VALUES (?, ?, ?, 3, ?, ?, ?, ?, ?, ?${dialect.modern ? ', ?' : ''})`,
      );
      const member = db.prepare('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)');
      for (const c of content.chats) {
        const values = [
          c.rowid,
          c.guid,
          c.style,
          'A1B2C3D4-0000-4000-8000-000000000001',
          c.chatIdentifier,
          c.service,
          c.style === 43 ? c.chatIdentifier : null,
          c.service === 'iMessage' ? 'E:owner@icloud.com' : 'P:+15555550100',
          c.displayName ?? '',
        ];
        chat.run(...(dialect.modern ? [...values, c.guid.slice(-36)] : values));
        for (const h of c.handleRowids) member.run(c.rowid, h);
      }
      const statements = prepareStatements(db, dialect);
      for (const m of byRowid) insertMessage(statements, m, account(m));
    },
    remove(db) {
      const gone = db.prepare('DELETE FROM message WHERE ROWID = ?');
      const unjoin = db.prepare('DELETE FROM chat_message_join WHERE message_id = ?');
      const unattach = db.prepare('DELETE FROM message_attachment_join WHERE message_id = ?');
      const record = dialect.modern ? db.prepare('INSERT INTO deleted_messages (guid) VALUES (?)') : undefined;
      const unattachment = db.prepare('DELETE FROM attachment WHERE ROWID = ?');
      for (const m of content.deletedMessages) {
        unjoin.run(m.rowid);
        unattach.run(m.rowid);
        for (const a of m.attachments) unattachment.run(a.rowid);
        gone.run(m.rowid);
        record?.run(m.guid);
      }
    },
    tail: content.messages.some((m) => m.inWal)
      ? (db) => {
          const statements = prepareStatements(db, dialect);
          for (const m of content.messages.filter((x) => x.inWal)) insertMessage(statements, m, account(m));
        }
      : undefined,
  });
}
