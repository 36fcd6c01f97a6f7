import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthCall } from './truth.js';

/**
 * call_history.db of iOS ≤ 7 (WirelessDomain `Library/CallHistory/call_history.db`; native-notes/ios-schemas/calls.md),
 * the schema of a real iOS 5 file (the Digital Corpora "Tracy" phone, test/fixtures/ios-old): one `call` table with
 * `date` in Unix seconds, `duration` in whole seconds (0 for a missed or unanswered call), `flags` bit 0 set for
 * outgoing and bit 4 for FaceTime, `id` the ABPerson ROWID (-1 when none) and `country_code` the network's mobile
 * country code ("310" for the USA). No unique id, no service provider, no answered column.
 */
export const CALL_HISTORY_LEGACY_SCHEMA = `
CREATE TABLE _SqliteDatabaseProperties (key TEXT, value TEXT, UNIQUE(key));
CREATE TABLE call (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, address TEXT, date INTEGER, duration INTEGER, flags INTEGER,
  id INTEGER, name TEXT, country_code TEXT);
CREATE TABLE data (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, pdp_ip INTEGER, bytes_rcvd REAL, bytes_sent REAL,
  bytes_last_rcvd REAL, bytes_last_sent REAL, bytes_lifetime_rcvd REAL, bytes_lifetime_sent REAL);
CREATE INDEX date_index on call(date);
`;

/** Where iOS ≤ 7 keeps it (CONTENT_PATHS holds the newest version's paths). */
export const CALL_HISTORY_LEGACY_PATH = {
  domain: 'WirelessDomain',
  relativePath: 'Library/CallHistory/call_history.db',
} as const;

/** flags bits of call_history.db. */
export const LEGACY_CALL_FLAGS = { outgoing: 1, incoming: 4, faceTime: 16 } as const;

/** The mobile country code call_history.db stores for a US network. */
export const US_MOBILE_COUNTRY_CODE = '310';

/**
 * The calls as iOS ≤ 7 can hold them: whole-second dates, whole-second durations (an answered call lasts at least
 * one), answered told by a non-zero duration, the country as its mobile country code. Uses no randomness.
 */
export function callsForLegacy(calls: TruthCall[]): TruthCall[] {
  return calls.map((c) => {
    const durationSeconds = c.answered ? Math.max(1, Math.round(c.durationSeconds)) : 0;
    return {
      ...c,
      date: new Date(Math.round(c.date.getTime() / 1000) * 1000),
      durationSeconds,
      answered: durationSeconds > 0,
      countryCode: US_MOBILE_COUNTRY_CODE,
    };
  });
}

/** call_history.db with every call of `calls` and `deleted`; deleted ones leave only free space. */
export function buildLegacyCallHistoryDb(calls: TruthCall[], deleted: TruthCall[]): SqliteImage {
  const all = [...calls, ...deleted].sort((a, b) => a.pk - b.pk);
  return buildSqliteImage({
    schema: CALL_HISTORY_LEGACY_SCHEMA,
    journalMode: 'delete',
    fill(db) {
      const insert = db.prepare(
        'INSERT INTO call (ROWID, address, date, duration, flags, id, name, country_code) VALUES (?, ?, ?, ?, ?, -1, ?, ?)',
      );
      for (const c of all)
        insert.run(
          c.pk,
          c.address,
          Math.round(c.date.getTime() / 1000),
          c.durationSeconds,
          LEGACY_CALL_FLAGS.incoming |
            (c.outgoing ? LEGACY_CALL_FLAGS.outgoing : 0) |
            (c.callType === 1 ? 0 : LEGACY_CALL_FLAGS.faceTime),
          c.name,
          c.countryCode,
        );
      const props = db.prepare('INSERT INTO _SqliteDatabaseProperties (key, value) VALUES (?, ?)');
      props.run('call_history_limit', '100');
      props.run('_ClientVersion', '7');
    },
    remove(db) {
      const gone = db.prepare('DELETE FROM call WHERE ROWID = ?');
      for (const c of deleted) gone.run(c.pk);
    },
  });
}
