import type Database from 'better-sqlite3';
import { toAppleSeconds } from './apple-time.js';
import type { SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthContact, TruthVoicemail } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/**
 * voicemail.db as iOS 15–16 leave it (HomeDomain `Library/Voicemail/voicemail.db`, rollback-journal mode, the
 * schema of the three real devices in the shared corpus): `voicemail` (date in Unix seconds, trashed_date in
 * seconds since 2001, label → map.label), `deleted` with the same columns, `map` (the SIM's ICCID per label) and
 * `_SqliteDatabaseProperties`. The audio of ROWID n is `Library/Voicemail/<n>.amr`.
 */
export const VOICEMAIL_SCHEMA = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE voicemail (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, remote_uid INTEGER, date INTEGER, token TEXT, sender TEXT, callback_num TEXT, duration INTEGER, expiration INTEGER, trashed_date INTEGER, flags INTEGER, receiver TEXT, label TEXT);
CREATE TABLE deleted (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, remote_uid INTEGER, date INTEGER, token TEXT, sender TEXT, callback_num TEXT, duration INTEGER, expiration INTEGER, trashed_date INTEGER, flags INTEGER, receiver TEXT, label TEXT);
CREATE TABLE map (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, account TEXT, label TEXT);
CREATE INDEX date_index on voicemail(date);
CREATE INDEX remote_uid_index on voicemail(remote_uid);
`;

/**
 * voicemail.db as a real iOS 8 phone has it (public backup dump OTAPKI/iphone, migrated from 7.1.2): `voicemail` with
 * the same dates but no `receiver` nor `label`, no `deleted` table and no `map`. Which later version added them is not
 * pinned by a sample; the generator writes this layout up to iOS 8.
 */
export const VOICEMAIL_SCHEMA_IOS8 = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE voicemail (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, remote_uid INTEGER, date INTEGER, token TEXT, sender TEXT, callback_num TEXT, duration INTEGER, expiration INTEGER, trashed_date INTEGER, flags INTEGER);
CREATE INDEX date_index on voicemail(date);
CREATE INDEX remote_uid_index on voicemail(remote_uid);
`;

/** Up to iOS 8 (VOICEMAIL_SCHEMA_IOS8). */
function oldLayout(ios: number): boolean {
  return ios <= 8;
}

/**
 * The voicemails as a phone of `ios` holds them (the truth to compare with): in the old layout no receiver, and the
 * message the newer layout moves to `deleted` stays a trashed row of `voicemail` under its first ROWID.
 */
export function voicemailsForVersion(voicemails: TruthVoicemail[], ios: number): TruthVoicemail[] {
  if (!oldLayout(ios)) return voicemails;
  return voicemails.map((v) => {
    const { voicemailRowid, ...rest } = v;
    return v.table === 'deleted'
      ? { ...rest, table: 'voicemail' as const, rowid: voicemailRowid ?? v.rowid, receiver: null }
      : { ...rest, receiver: null };
  });
}

/** flags iLEAPP treats as a trashed message; live ones here alternate between 2 and 3 (unheard / heard). */
const TRASHED_FLAGS = 75;
const RECEIVER = '+15555550100';

/**
 * A short AMR-NB file (RFC 4867 §5 storage format): the "#!AMR\n" magic, then one second of 12.2 kbit/s frames
 * (header byte 0x3C: frame type 7, quality bit set; 31 payload bytes each, 50 frames a second).
 */
export function tinyAmr(random: SeededRandom): Buffer {
  const frames: Buffer[] = [Buffer.from('#!AMR\n', 'latin1')];
  for (let i = 0; i < 50; i++) {
    const frame = Buffer.alloc(32);
    frame[0] = 0x3c;
    for (let j = 1; j < 32; j++) frame[j] = random.int(0, 255);
    frames.push(frame);
  }
  return Buffer.concat(frames);
}

/** A contact's first phone number as the carrier sends it (E.164, however the owner typed it into Contacts). */
function contactNumber(c: TruthContact): string | null {
  const typed = c.phones[0]?.value;
  return typed === undefined ? null : `+${typed.replace(/\D/g, '')}`;
}

/**
 * `count` voicemails over the window, half of them from live contacts' numbers (so names can be matched), one
 * withheld, some in Deleted Messages, one moved to the `deleted` table, one without audio; then `deletedCount`
 * more deleted from the table (free space, audio gone).
 */
export function generateVoicemails(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
  contacts: TruthContact[],
): { voicemails: TruthVoicemail[]; deleted: TruthVoicemail[] } {
  const start = window[0].getTime();
  const span = window[1].getTime() - start;
  const callers = contacts.filter((c) => contactNumber(c) !== null);
  const all: TruthVoicemail[] = [];
  for (let i = 0; i < count + deletedCount; i++) {
    const contact = callers.length > 0 && random.chance(0.5) ? random.pick(callers) : null;
    const sender =
      i === 1 ? null : contact !== null ? contactNumber(contact) : `+1555${String(random.int(2_000_000, 9_999_999))}`;
    all.push({
      rowid: 0,
      table: 'voicemail',
      remoteUid: 1000 + i,
      date: new Date(Math.floor((start + random.next() * span) / 1000) * 1000),
      sender,
      callbackNumber: sender,
      receiver: RECEIVER,
      durationSeconds: random.int(3, 95),
      trashedDate: null,
      flags: random.pick([2, 3]),
      senderContactRowid: sender === null ? null : (contact?.rowid ?? null),
      audio: tinyAmr(random),
    });
  }
  all.sort((a, b) => a.date.getTime() - b.date.getTime());
  all.forEach((v, i) => (v.rowid = i + 1));
  const doomed = new Set<number>();
  while (doomed.size < Math.min(deletedCount, all.length)) doomed.add(random.int(1, all.length));
  const kept = all.filter((v) => !doomed.has(v.rowid));
  // The carver takes a row whose text columns all equal a live row's for a stale copy of it, so a deleted message
  // from a caller who left a kept one cannot be told apart: the deleted ones here come from callers of their own.
  const deleted = all
    .filter((v) => doomed.has(v.rowid))
    .map((v, i) => {
      const sender = `+1555${String(9_000_000 + i)}`;
      return { ...v, sender, callbackNumber: sender, senderContactRowid: null, audio: null };
    });
  // Deleted Messages: trashed a day after they came in, still with their audio.
  for (const v of kept.filter((_, i) => i % 4 === 2)) {
    v.trashedDate = new Date(v.date.getTime() + 86_400_000);
    v.flags = TRASHED_FLAGS;
  }
  if (kept.length >= 3) kept[0]!.audio = null;
  if (kept.length >= 4) {
    const moved = kept[kept.length - 1]!;
    Object.assign(moved, { table: 'deleted', voicemailRowid: moved.rowid, rowid: 1, audio: null });
  }
  return { voicemails: kept, deleted };
}

const LABEL = 'E8B6082D-F391-46CB-9780-0AF46534D89F';

function insertInto(
  db: Database.Database,
  table: 'voicemail' | 'deleted',
  v: TruthVoicemail,
  rowid: number,
  old = false,
): void {
  const seconds = Math.floor(v.date.getTime() / 1000);
  const values = [
    rowid,
    v.remoteUid,
    seconds,
    v.sender,
    v.callbackNumber,
    v.durationSeconds,
    seconds + 30 * 86_400,
    v.trashedDate === null ? 0 : Math.round(toAppleSeconds(v.trashedDate)),
    v.flags,
  ];
  if (old)
    db.prepare(`INSERT INTO ${table} (ROWID, remote_uid, date, token, sender, callback_num, duration, expiration, trashed_date, flags)
      VALUES (?, ?, ?, 'Complete', ?, ?, ?, ?, ?, ?)`).run(...values);
  else
    db.prepare(`INSERT INTO ${table} (ROWID, remote_uid, date, token, sender, callback_num, duration, expiration, trashed_date, flags, receiver, label)
      VALUES (?, ?, ?, 'Complete', ?, ?, ?, ?, ?, ?, ?, ?)`).run(...values, v.receiver, LABEL);
}

/**
 * Every message is written to `voicemail` first (its ROWID from AUTOINCREMENT, never reused); then the ones
 * deleted for good are removed, and the one moved to `deleted` leaves `voicemail` for that table, as on a phone.
 */
export function buildVoicemailDb(
  voicemails: TruthVoicemail[],
  deleted: TruthVoicemail[],
  iosVersion: number = NEWEST_IOS,
): SqliteImage {
  if (oldLayout(iosVersion)) return buildOldVoicemailDb(voicemailsForVersion(voicemails, iosVersion), deleted);
  const moved = voicemails.filter((v) => v.table === 'deleted');
  const firstRowid = (v: TruthVoicemail): number => v.voicemailRowid ?? v.rowid;
  const everWritten = [...voicemails, ...deleted].sort((a, b) => firstRowid(a) - firstRowid(b));
  return buildSqliteImage({
    schema: VOICEMAIL_SCHEMA,
    journalMode: 'delete',
    fill(db) {
      const property = db.prepare('INSERT INTO _SqliteDatabaseProperties VALUES (?, ?)');
      property.run('FilesCleaned', '1');
      property.run('_ClientVersion', '10');
      property.run('__CSDBRecordSequenceNumber', String(everWritten.length));
      db.prepare('INSERT INTO map (account, label) VALUES (?, ?)').run('8901260971148676693', LABEL);
      for (const v of everWritten) insertInto(db, 'voicemail', v, firstRowid(v));
    },
    remove(db) {
      const drop = db.prepare('DELETE FROM voicemail WHERE ROWID = ?');
      for (const v of deleted) drop.run(v.rowid);
      for (const v of moved) {
        drop.run(firstRowid(v));
        insertInto(db, 'deleted', v, v.rowid);
      }
    },
  });
}

/** The iOS ≤ 8 file: every message written to `voicemail`, the ones deleted for good removed again. */
function buildOldVoicemailDb(voicemails: TruthVoicemail[], deleted: TruthVoicemail[]): SqliteImage {
  const everWritten = [...voicemails, ...deleted].sort((a, b) => a.rowid - b.rowid);
  return buildSqliteImage({
    schema: VOICEMAIL_SCHEMA_IOS8,
    journalMode: 'delete',
    fill(db) {
      const property = db.prepare('INSERT INTO _SqliteDatabaseProperties VALUES (?, ?)');
      property.run('FilesCleaned', '1');
      property.run('_ClientVersion', '4');
      for (const v of everWritten) insertInto(db, 'voicemail', v, v.rowid, true);
    },
    remove(db) {
      const drop = db.prepare('DELETE FROM voicemail WHERE ROWID = ?');
      for (const v of deleted) drop.run(v.rowid);
    },
  });
}
