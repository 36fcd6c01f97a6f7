import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CarvedRecord } from '../../src/carve/index.js';
import { SMS_SCHEMA } from '../../src/emulator/content/messages-db.js';
import { xorshift32 } from '../../src/emulator/content/seeded-random.js';

/**
 * An sms.db-shaped database written by real SQLite (better-sqlite3) in rollback-journal mode, with the history
 * known: messages inserted (rowids in bands chosen by the caller, so every rowid varint width can be present with a
 * few thousand rows), deleted scattered and in runs, then churn (new messages, read flags updated). The truth says
 * which deleted messages still have their text somewhere in the file: only those can be recovered.
 */
export interface SmsLikeOptions {
  /** Rowid bands: `count` messages from rowid `from` upwards (explicit rowids, as a phone years old has). */
  bands: Array<{ from: number; count: number }>;
  /** Fraction of messages deleted one by one, scattered over the table. */
  scattered: number;
  /** Runs of consecutive messages deleted (each `clusterLength` long). */
  clusters: number;
  clusterLength: number;
  /** New messages inserted after the deletes (they reuse freed space). */
  churn: number;
  seed: number;
  pageSize?: number;
}

export interface SmsTruthRow {
  rowid: number;
  guid: string;
  text: string;
  handleId: number;
  /** Nanoseconds since 2001 (beyond 2^53: a bigint, as the carver returns it). */
  date: bigint;
}

export interface SmsLikeDb {
  dir: string;
  path: string;
  deleted: Map<number, SmsTruthRow>;
  live: Map<number, SmsTruthRow>;
  /** Deleted rowids whose text is still in the file. */
  recoverable: Set<number>;
  remove(): void;
}

const WORDS =
  'hey ok see you at the station tomorrow call me when you land sure thing love it lunch meeting late'.split(' ');

/** Message text: its rowid, then words; ends with '.', so a regex finds every whole copy in the file. */
function textFor(rowid: number, random: () => number): string {
  const words: string[] = [];
  const count = 2 + Math.floor(random() * 14);
  for (let i = 0; i < count; i += 1) words.push(WORDS[Math.floor(random() * WORDS.length)]!);
  return `msg${rowid} ${words.join(' ')}.`;
}

function guidFor(rowid: number, random: () => number): string {
  const hex = (n: number): string =>
    Array.from({ length: n }, () => Math.floor(random() * 16).toString(16))
      .join('')
      .toUpperCase();
  return `${hex(8)}-${hex(4)}-${hex(4)}-${hex(4)}-${rowid.toString(16).padStart(12, '0').toUpperCase()}`;
}

export function buildSmsLikeDb(options: SmsLikeOptions): SmsLikeDb {
  const random = xorshift32(options.seed);
  const dir = mkdtempSync(join(tmpdir(), 'sms-like-'));
  const path = join(dir, 'sms.db');
  const db = new Database(path);
  db.pragma(`page_size = ${options.pageSize ?? 4096}`);
  db.pragma('journal_mode = DELETE');
  db.pragma('secure_delete = OFF');
  db.exec(SMS_SCHEMA);
  const handles = 40;
  db.transaction(() => {
    const insertHandle = db.prepare('INSERT INTO handle (id, country, service) VALUES (?, ?, ?)');
    for (let h = 1; h <= handles; h += 1) insertHandle.run(`+4477009${String(h).padStart(5, '0')}`, 'gb', 'iMessage');
    const insertChat = db.prepare('INSERT INTO chat (guid, style, chat_identifier, service_name) VALUES (?, 45, ?, ?)');
    for (let h = 1; h <= handles; h += 1) insertChat.run(`iMessage;-;chat${h}`, `chat${h}`, 'iMessage');
  })();

  const insertMessage = db.prepare(
    `INSERT INTO message (ROWID, guid, text, handle_id, service, account, date, date_read, date_delivered, is_from_me,
       is_read, is_sent, is_delivered, attributedBody, part_count)
     VALUES (?, ?, ?, ?, 'iMessage', 'e:owner@example.com', ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const join_ = db.prepare('INSERT INTO chat_message_join (chat_id, message_id, message_date) VALUES (?, ?, ?)');
  const live = new Map<number, SmsTruthRow>();
  const add = (rowid: number): void => {
    const row: SmsTruthRow = {
      rowid,
      guid: guidFor(rowid, random),
      text: textFor(rowid, random),
      handleId: 1 + Math.floor(random() * handles),
      // Nanoseconds since 2001, as iOS ≥ 11 writes them: 8-byte integers.
      date: 600_000_000_000_000_000n + BigInt(rowid) * 1_000_000_000n,
    };
    const fromMe = random() < 0.5 ? 1 : 0;
    const body = random() < 0.3 ? Buffer.from(`streamtyped\u0081\u00e8\u0003NSString${row.text}`, 'latin1') : null;
    insertMessage.run(
      rowid,
      row.guid,
      row.text,
      row.handleId,
      row.date,
      fromMe ? 0 : row.date + 5n,
      row.date + 1n,
      fromMe,
      1 - fromMe,
      fromMe,
      1,
      body,
      1,
    );
    join_.run(row.handleId, rowid, row.date);
    live.set(rowid, row);
  };
  db.transaction(() => {
    for (const band of options.bands) for (let i = 0; i < band.count; i += 1) add(band.from + i);
  })();

  const deleted = new Map<number, SmsTruthRow>();
  const deleteMessage = db.prepare('DELETE FROM message WHERE ROWID = ?');
  const deleteJoin = db.prepare('DELETE FROM chat_message_join WHERE message_id = ?');
  // As Messages does on a permanent delete: the guid is remembered, in pages freed message pages are reused for.
  const rememberDeleted = db.prepare('INSERT INTO deleted_messages (guid) VALUES (?)');
  const remove = (rowid: number): void => {
    const row = live.get(rowid);
    if (!row) return;
    deleteMessage.run(rowid);
    deleteJoin.run(rowid);
    rememberDeleted.run(`p:0/${row.guid}`);
    live.delete(rowid);
    deleted.set(rowid, row);
  };
  const rowids = [...live.keys()];
  // One transaction per few deletes, as Messages deletes a conversation's messages or one message at a time.
  for (let start = 0; start < rowids.length; start += 200) {
    db.transaction(() => {
      for (const rowid of rowids.slice(start, start + 200)) if (random() < options.scattered) remove(rowid);
    })();
  }
  db.transaction(() => {
    for (let c = 0; c < options.clusters; c += 1) {
      const first = Math.floor(random() * rowids.length);
      for (let i = 0; i < options.clusterLength && first + i < rowids.length; i += 1) remove(rowids[first + i]!);
    }
  })();
  const markRead = db.prepare('UPDATE message SET is_read = 1, date_read = ? WHERE ROWID = ?');
  db.transaction(() => {
    // Not Math.max(...rowids): 330,000 arguments overflow the stack.
    const top = rowids.reduce((a, b) => Math.max(a, b), 0) + 1;
    for (let i = 0; i < options.churn; i += 1) add(top + i);
    for (const [rowid, row] of live) if (random() < 0.05) markRead.run(row.date + 7n, rowid);
  })();
  db.close();

  // A message text is recoverable when a whole copy of it is still in the file.
  const file = readFileSync(path).toString('latin1');
  const present = new Set<string>();
  for (const match of file.matchAll(/msg\d+ [a-z ]+\./g)) present.add(match[0]);
  const recoverable = new Set<number>();
  for (const [rowid, row] of deleted) if (present.has(row.text)) recoverable.add(rowid);
  return { dir, path, deleted, live, recoverable, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Bytes a rowid's varint takes (SQLite varint: 7 bits a byte, 9 bytes at most). */
export function rowidWidth(rowid: number): number {
  let width = 1;
  for (let v = Math.floor(rowid / 128); v > 0 && width < 9; v = Math.floor(v / 128)) width += 1;
  return width;
}

export interface SmsScore {
  /** Per rowid varint width: deleted messages still in the file, and how many of those were reported. */
  byWidth: Map<number, { recoverable: number; recovered: number }>;
  /** Message records reported, and how many of them are a deleted message with every known column right. */
  reported: number;
  correct: number;
  /** Every record reported, and how many are a deleted message or chat_message_join row with every known column right. */
  all: number;
  allCorrect: number;
  /** Records that are live messages. */
  liveReported: number;
  /** Records holding a message's text but attributed to another table (or to none). */
  wrongTable: number;
  /** Records attributed to a table the generator never deleted a row from (only message and chat_message_join). */
  foreignTable: number;
  /** Records attributed to no table. */
  noTable: number;
  /** Message records whose rowid was given and is wrong. */
  wrongRowid: number;
  /** Message records with their rowid (the ROWID column) known. */
  withRowid: number;
}

const MESSAGE_TEXT = /^msg(\d+) [a-z ]+\.$/;

/** Scores carved records against the generator's truth: recall by rowid width, precision, attribution. */
export function scoreSmsCarve(records: readonly CarvedRecord[], db: SmsLikeDb): SmsScore {
  const score: SmsScore = {
    byWidth: new Map(),
    reported: 0,
    correct: 0,
    all: records.length,
    allCorrect: 0,
    liveReported: 0,
    wrongTable: 0,
    foreignTable: 0,
    noTable: 0,
    wrongRowid: 0,
    withRowid: 0,
  };
  const found = new Set<number>();
  for (const record of records) {
    const texts = record.values.filter((v): v is string => typeof v === 'string' && MESSAGE_TEXT.test(v));
    if (record.table === 'chat_message_join') {
      // chat_id, message_id, message_date: deleted with its message.
      const [chat, message, date] = record.values;
      const truth = typeof message === 'number' ? db.deleted.get(message) : undefined;
      const unknown = (v: unknown): boolean => typeof v === 'object' && v !== null && 'unknown' in v;
      if (
        truth &&
        (unknown(chat) || chat === truth.handleId) &&
        (unknown(date) || (typeof date === 'bigint' ? date : BigInt(date as number)) === truth.date)
      )
        score.allCorrect += 1;
    }
    if (record.table !== 'message') {
      if (texts.length > 0) score.wrongTable += 1;
      if (record.table === null) score.noTable += 1;
      else if (record.table !== 'chat_message_join' && record.table !== 'sqlite_master') score.foreignTable += 1;
      continue;
    }
    score.reported += 1;
    const columns = record.columns!;
    const at = (name: string): unknown => record.values[columns.indexOf(name)];
    const text = at('text');
    const textRowid = typeof text === 'string' ? Number(MESSAGE_TEXT.exec(text)?.[1]) : Number.NaN;
    if (live(db, textRowid, text)) {
      score.liveReported += 1;
      continue;
    }
    const truth = db.deleted.get(textRowid);
    if (!truth || truth.text !== text) continue;
    const known = (value: unknown, expected: unknown): boolean =>
      value === expected || (typeof value === 'object' && value !== null && 'unknown' in value);
    const rowid = at('ROWID');
    if (typeof rowid === 'number') {
      score.withRowid += 1;
      if (rowid !== truth.rowid) score.wrongRowid += 1;
    }
    if (
      known(at('guid'), truth.guid) &&
      known(at('handle_id'), truth.handleId) &&
      known(typeof at('date') === 'number' ? BigInt(at('date') as number) : at('date'), truth.date) &&
      known(rowid, truth.rowid)
    ) {
      score.correct += 1;
      score.allCorrect += 1;
      found.add(truth.rowid);
    }
  }
  for (const rowid of db.recoverable) {
    const width = rowidWidth(rowid);
    const entry = score.byWidth.get(width) ?? { recoverable: 0, recovered: 0 };
    entry.recoverable += 1;
    if (found.has(rowid)) entry.recovered += 1;
    score.byWidth.set(width, entry);
  }
  return score;
}

function live(db: SmsLikeDb, rowid: number, text: unknown): boolean {
  return db.live.get(rowid)?.text === text;
}

/** One line per width and the totals, for a test's failure message or a measurement run. */
export function describeScore(score: SmsScore): string {
  const widths = [...score.byWidth.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([w, e]) => `width ${w}: ${e.recovered}/${e.recoverable} (${(e.recovered / e.recoverable).toFixed(3)})`);
  const precision = score.reported === 0 ? 1 : score.correct / score.reported;
  const overall = score.all === 0 ? 1 : score.allCorrect / score.all;
  return [
    ...widths,
    `precision: messages ${score.correct}/${score.reported} (${precision.toFixed(4)}), ` +
      `all records ${score.allCorrect}/${score.all} (${overall.toFixed(4)}), live ${score.liveReported}, ` +
      `wrong table ${score.wrongTable}, other tables ${score.foreignTable}, no table ${score.noTable}, ` +
      `rowid given ${score.withRowid} (wrong ${score.wrongRowid})`,
  ].join('\n');
}
