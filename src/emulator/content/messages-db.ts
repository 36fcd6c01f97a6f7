import type Database from 'better-sqlite3';
import { toAppleNanoseconds } from './apple-time.js';
import { attributedBody } from './attributed-body.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import { SMS_SCHEMA } from './sms-schema.js';
import type { TruthChat, TruthHandle, TruthMessage } from './truth.js';

export interface SmsDbContent {
  handles: TruthHandle[];
  chats: TruthChat[];
  /** Live messages (recently deleted and WAL-only ones included). */
  messages: TruthMessage[];
  /** Permanently deleted messages: written, then deleted. */
  deletedMessages: TruthMessage[];
}

type Statements = ReturnType<typeof prepareStatements>;

/** Prepared once per database: preparing per row made 100,000 messages take minutes. */
function prepareStatements(db: Database.Database) {
  return {
    message: db.prepare(
      `INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, service, account, account_guid, date, date_read, date_delivered,
         is_delivered, is_finished, is_from_me, is_read, is_sent, cache_has_attachments, part_count)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, 1, ?, ?, ?, ?, 1)`,
    ),
    chatJoin: db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)'),
    recoverableJoin: db.prepare('INSERT INTO chat_recoverable_message_join (chat_id, message_id, delete_date) VALUES (?, ?, ?)'),
    attachment: db.prepare(
      `INSERT INTO attachment (ROWID, guid, created_date, start_date, filename, uti, mime_type, transfer_state, is_outgoing,
         transfer_name, total_bytes, original_guid) VALUES (?, ?, ?, 0, ?, ?, ?, 5, ?, ?, ?, ?)`,
    ),
    attachmentJoin: db.prepare('INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)'),
  };
}

function insertMessage(s: Statements, m: TruthMessage, account: string): void {
  const ns = (d: Date | null): bigint | number => (d === null ? 0 : toAppleNanoseconds(d));
  s.message.run(
    m.rowid, m.guid, m.textOnlyInAttributedBody ? null : m.text, m.text === null ? null : attributedBody(m.text), m.handleRowid, m.service, account, 'A1B2C3D4-0000-4000-8000-000000000001', ns(m.date), ns(m.dateRead),
    m.isFromMe ? 0 : ns(m.date), m.isFromMe ? 1 : 0, m.dateRead !== null || m.isFromMe ? 1 : 0, m.isFromMe ? 1 : 0,
    m.attachments.length > 0 ? 1 : 0,
  );
  if (m.recentlyDeleted === null) s.chatJoin.run(m.chatRowid, m.rowid, ns(m.date));
  else s.recoverableJoin.run(m.chatRowid, m.rowid, ns(m.recentlyDeleted));
  for (const a of m.attachments) {
    s.attachment.run(a.rowid, a.guid, Math.round((a.created.getTime() - Date.UTC(2001, 0, 1)) / 1000), a.filename, a.uti, a.mimeType,
      m.isFromMe ? 1 : 0, a.transferName, a.data.length, a.guid);
    s.attachmentJoin.run(m.rowid, a.rowid);
  }
}

/** sms.db with every handle, chat, message and attachment row of `content`; deleted messages leave only free space. */
export function buildSmsDb(content: SmsDbContent): SqliteImage {
  const byRowid = [...content.messages.filter((m) => !m.inWal), ...content.deletedMessages].sort((a, b) => a.rowid - b.rowid);
  const account = (m: TruthMessage): string => (m.service === 'SMS' ? 'P:+15555550100' : 'E:owner@icloud.com');
  return buildSqliteImage({
    schema: SMS_SCHEMA,
    fill(db) {
      db.prepare("INSERT INTO _SqliteDatabaseProperties (key, value) VALUES ('_ClientVersion', '17017')").run();
      const handle = db.prepare('INSERT INTO handle (ROWID, id, country, service, uncanonicalized_id) VALUES (?, ?, ?, ?, ?)');
      for (const h of content.handles) handle.run(h.rowid, h.id, 'us', h.service, h.id.startsWith('+') ? h.id.slice(2) : null);
      const chat = db.prepare(
        `INSERT INTO chat (ROWID, guid, style, state, account_id, chat_identifier, service_name, room_name, account_login,
           display_name, group_id) VALUES (?, ?, ?, 3, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const member = db.prepare('INSERT INTO chat_handle_join (chat_id, handle_id) VALUES (?, ?)');
      for (const c of content.chats) {
        chat.run(c.rowid, c.guid, c.style, 'A1B2C3D4-0000-4000-8000-000000000001', c.chatIdentifier, c.service,
          c.style === 43 ? c.chatIdentifier : null, c.service === 'SMS' ? 'P:+15555550100' : 'E:owner@icloud.com',
          c.displayName ?? '', c.guid.slice(-36));
        for (const h of c.handleRowids) member.run(c.rowid, h);
      }
      const statements = prepareStatements(db);
      for (const m of byRowid) insertMessage(statements, m, account(m));
    },
    remove(db) {
      const gone = db.prepare('DELETE FROM message WHERE ROWID = ?');
      const unjoin = db.prepare('DELETE FROM chat_message_join WHERE message_id = ?');
      const unattach = db.prepare('DELETE FROM message_attachment_join WHERE message_id = ?');
      const record = db.prepare('INSERT INTO deleted_messages (guid) VALUES (?)');
      const unattachment = db.prepare('DELETE FROM attachment WHERE ROWID = ?');
      for (const m of content.deletedMessages) {
        unjoin.run(m.rowid);
        unattach.run(m.rowid);
        for (const a of m.attachments) unattachment.run(a.rowid);
        gone.run(m.rowid);
        record.run(m.guid);
      }
    },
    tail: content.messages.some((m) => m.inWal)
      ? (db) => {
          const statements = prepareStatements(db);
          for (const m of content.messages.filter((x) => x.inWal)) insertMessage(statements, m, account(m));
        }
      : undefined,
  });
}
