import Database from 'better-sqlite3';
import { copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { attributedBody } from '../../../src/emulator/content/attributed-body.js';
import { SMS_SCHEMA } from '../../../src/emulator/content/messages-db.js';
import { xorshift32 } from '../../../src/emulator/content/seeded-random.js';

export type JournalMode = 'DELETE' | 'WAL';

export interface ScaleSpec {
  messages: number;
  mode: JournalMode;
  seed: number;
  pageSize: number;
}

/** A message row version that is no longer live: deleted, or the text an edit replaced. */
export interface DeadMessage {
  rowid: number;
  guid: string;
  text: string;
  how: 'scattered' | 'clustered' | 'edited';
}

export interface GeneratedDb {
  /** The evidence copy (with -wal in WAL mode), taken while the writer was open so nothing was checkpointed. */
  path: string;
  bytes: number;
  /** Keyed by text, which is unique per version. */
  dead: Map<string, DeadMessage>;
  /** Texts of the live messages: one reported as deleted is a live row reported. */
  live: Set<string>;
}

/** Every message text starts with this marker and its serial, so a scan of the bytes finds them all at once. */
export const TEXT_MARKER = 'm\u00a7';

const WORDS = (
  'hey ok see you at the station tomorrow call me when you land sure thing love it lunch meeting running late ' +
  'dinner tonight? pick up milk on the way home happy birthday! 🎉 the kids are asleep can you send the photo'
).split(' ');

/** A rowid per varint width that SQLite needs 4+ bytes for (≥ 2^21): the tail of the history lives up there. */
const HIGH_ROWID_BASE = 2 ** 21 + 1000;

/**
 * An sms.db with the schema iOS uses (src/emulator/content/messages-db.ts), filled like a phone's: handles, chats,
 * messages with their attributedBody, chat_message_join rows, an attachment every 25 messages. Then deletes as a
 * person makes them — single messages scattered over every page, one run of consecutive messages (a conversation
 * cleared: whole pages freed) — each in its own small transaction, then churn: new messages and edits that reuse
 * the freed space. The last 2% of the initial messages get rowids ≥ 2^21 so every varint width is represented.
 */
export function generateSmsDb(dir: string, spec: ScaleSpec): GeneratedDb {
  const random = xorshift32(spec.seed);
  const name = `sms-${spec.messages}-${spec.mode.toLowerCase()}`;
  const path = join(dir, `${name}.work.db`);
  const db = new Database(path);
  db.pragma(`page_size = ${spec.pageSize}`);
  db.pragma(`journal_mode = ${spec.mode}`);
  db.pragma('wal_autocheckpoint = 0');
  db.exec(SMS_SCHEMA);
  const handles = Math.max(5, Math.round(spec.messages / 150));
  const insertHandle = db.prepare('INSERT INTO handle (ROWID, id, country, service) VALUES (?, ?, ?, ?)');
  const insertChat = db.prepare(
    'INSERT INTO chat (ROWID, guid, style, state, chat_identifier, service_name) VALUES (?, ?, 45, 3, ?, ?)',
  );
  const insertMessage = db.prepare(
    `INSERT INTO message (ROWID, guid, text, attributedBody, handle_id, service, account, date, date_read,
       date_delivered, is_delivered, is_finished, is_from_me, is_read, is_sent, cache_has_attachments, part_count)
     VALUES (?, ?, ?, ?, ?, 'iMessage', 'E:owner@icloud.com', ?, ?, ?, 1, 1, ?, 1, ?, ?, 1)`,
  );
  const insertJoin = db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)');
  const insertAttachment = db.prepare(
    `INSERT INTO attachment (guid, created_date, filename, uti, mime_type, transfer_state, total_bytes, original_guid)
     VALUES (?, ?, ?, 'public.jpeg', 'image/jpeg', 5, ?, ?) RETURNING ROWID`,
  );
  const insertAttachmentJoin = db.prepare(
    'INSERT INTO message_attachment_join (message_id, attachment_id) VALUES (?, ?)',
  );
  const deleteMessage = db.prepare('DELETE FROM message WHERE ROWID = ?');
  const deleteJoin = db.prepare('DELETE FROM chat_message_join WHERE message_id = ?');
  const deleteAttachments = db.prepare(
    'DELETE FROM attachment WHERE ROWID IN (SELECT attachment_id FROM message_attachment_join WHERE message_id = ?)',
  );
  const deleteAttachmentJoin = db.prepare('DELETE FROM message_attachment_join WHERE message_id = ?');
  const recordDeleted = db.prepare('INSERT INTO deleted_messages (guid) VALUES (?)');
  const editMessage = db.prepare('UPDATE message SET text = ?, attributedBody = ?, date_edited = ? WHERE ROWID = ?');

  let serial = 0;
  const textFor = (): string => {
    serial += 1;
    const n = 3 + Math.floor(random() * 14);
    const words = Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
    return `${TEXT_MARKER}${serial}§ ${words}`;
  };
  const guidFor = (rowid: number): string =>
    `${(rowid * 2654435761).toString(16).padStart(8, '0').slice(-8).toUpperCase()}-5A1E-4C0D-9E1F-${rowid.toString(16).padStart(12, '0').toUpperCase()}`;
  const live = new Map<number, { guid: string; text: string }>();
  const chatOf = (rowid: number): number => 1 + (rowid % handles);
  const add = (rowid: number): void => {
    const text = textFor();
    const guid = guidFor(rowid);
    const date = 600_000_000_000_000_000n + BigInt(rowid) * 37_000_000_000n;
    const fromMe = random() < 0.5 ? 1 : 0;
    const attach = rowid % 25 === 0 ? 1 : 0;
    insertMessage.run(
      rowid,
      guid,
      text,
      attributedBody(text),
      chatOf(rowid),
      date,
      date + 5n,
      date + 1n,
      fromMe,
      fromMe,
      attach,
    );
    insertJoin.run(chatOf(rowid), rowid, date);
    if (attach) {
      const ag = `AT-${guid}`;
      const { ROWID } = insertAttachment.get(
        ag,
        rowid,
        `~/Library/SMS/Attachments/${rowid % 100}/IMG_${rowid}.jpeg`,
        100_000 + rowid,
        ag,
      ) as {
        ROWID: number;
      };
      insertAttachmentJoin.run(rowid, ROWID);
    }
    live.set(rowid, { guid, text });
  };

  db.transaction(() => {
    for (let h = 1; h <= handles; h += 1) {
      insertHandle.run(h, `+1555${String(1_000_000 + h).slice(1)}`, 'us', 'iMessage');
      insertChat.run(
        h,
        `iMessage;-;+1555${String(1_000_000 + h).slice(1)}`,
        `+1555${String(1_000_000 + h).slice(1)}`,
        'iMessage',
      );
    }
    const high = Math.floor(spec.messages * 0.02);
    for (let i = 1; i <= spec.messages - high; i += 1) add(i);
    for (let i = 0; i < high; i += 1) add(HIGH_ROWID_BASE + i);
  })();
  if (spec.mode === 'WAL') db.pragma('wal_checkpoint(TRUNCATE)');

  const dead = new Map<string, DeadMessage>();
  const remove = (rowid: number, how: DeadMessage['how']): void => {
    const row = live.get(rowid);
    if (!row) return;
    deleteJoin.run(rowid);
    deleteAttachments.run(rowid);
    deleteAttachmentJoin.run(rowid);
    deleteMessage.run(rowid);
    recordDeleted.run(row.guid);
    live.delete(rowid);
    dead.set(row.text, { rowid, guid: row.guid, text: row.text, how });
  };
  const rowids = [...live.keys()];
  // Scattered: 8% of messages, one by one over the whole table, a transaction per 20 (as an app deletes).
  const scattered = rowids.filter(() => random() < 0.08);
  for (let i = 0; i < scattered.length; i += 20)
    db.transaction(() => scattered.slice(i, i + 20).forEach((r) => remove(r, 'scattered')))();
  // Clustered: 3% consecutive messages from the middle of the history (a conversation cleared).
  const runStart = Math.floor(rowids.length * 0.4);
  db.transaction(() => {
    for (const r of rowids.slice(runStart, runStart + Math.floor(rowids.length * 0.03))) remove(r, 'clustered');
  })();
  // Churn: 2% new messages (continuing after the highest rowid) and 1% edits of live ones.
  let next = rowids.reduce((a, b) => Math.max(a, b), 0) + 1;
  const survivors = [...live.keys()];
  db.transaction(() => {
    for (let i = 0; i < Math.floor(spec.messages * 0.02); i += 1) add(next++);
    for (let i = 0; i < Math.floor(spec.messages * 0.01); i += 1) {
      const rowid = survivors[Math.floor(random() * survivors.length)]!;
      const row = live.get(rowid);
      if (!row) continue;
      const text = textFor();
      editMessage.run(text, attributedBody(text), 700_000_000_000_000_000n + BigInt(i), rowid);
      dead.set(row.text, { rowid, guid: row.guid, text: row.text, how: 'edited' });
      live.set(rowid, { guid: row.guid, text });
    }
  })();

  const copy = join(dir, `${name}.db`);
  copyFileSync(path, copy);
  let bytes = statSync(copy).size;
  for (const suffix of ['-wal', '-journal']) {
    if (!existsSync(path + suffix)) continue;
    copyFileSync(path + suffix, copy + suffix);
    bytes += statSync(copy + suffix).size;
  }
  db.close();
  for (const suffix of ['', '-wal', '-journal', '-shm']) rmSync(path + suffix, { force: true });
  return { path: copy, bytes, dead, live: new Set([...live.values()].map((r) => r.text)) };
}
