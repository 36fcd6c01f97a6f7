import { toAppleSeconds } from './apple-time.js';
import { pickDoomed, type SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthCall, TruthContact, TruthHandle } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/**
 * CallHistory.storedata, a Core Data store (Z_PK/Z_ENT/Z_OPT, Z_PRIMARYKEY, Z_METADATA), with the ZCALLRECORD
 * columns of iOS 14–17 that iLEAPP and MVT read. ZDATE is REAL seconds since 2001, ZDURATION REAL seconds,
 * ZORIGINATED 1 for outgoing, ZCALLTYPE 1 phone / 8 FaceTime video / 16 FaceTime audio, ZSERVICE_PROVIDER
 * com.apple.Telephony or com.apple.FaceTime. ZADDRESS has BLOB affinity: iOS writes the number as text into it.
 */
export const CALL_HISTORY_SCHEMA = `
CREATE TABLE ZCALLRECORD (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZANSWERED INTEGER, ZCALL_CATEGORY INTEGER,
  ZCALLTYPE INTEGER, ZDISCONNECTED_CAUSE INTEGER, ZFACE_TIME_DATA BLOB, ZHANDLE_TYPE INTEGER, ZNUMBER_AVAILABILITY INTEGER,
  ZORIGINATED INTEGER, ZREAD INTEGER, ZJUNKCONFIDENCE INTEGER, ZJUNKIDENTIFICATIONCATEGORY INTEGER, ZVERIFICATIONSTATUS INTEGER,
  ZDATE TIMESTAMP, ZDURATION FLOAT, ZADDRESS BLOB, ZDEVICE_ID VARCHAR, ZISO_COUNTRY_CODE VARCHAR, ZLOCATION VARCHAR,
  ZNAME VARCHAR, ZSERVICE_PROVIDER VARCHAR, ZUNIQUE_ID VARCHAR, ZLOCALPARTICIPANTUUID BLOB, ZOUTGOINGLOCALPARTICIPANTUUID BLOB,
  ZPARTICIPANTGROUPUUID BLOB);
CREATE TABLE ZHANDLE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZTYPE INTEGER, ZNORMALIZEDVALUE VARCHAR, ZVALUE VARCHAR);
CREATE TABLE Z_2REMOTEPARTICIPANTHANDLES (Z_2REMOTEPARTICIPANTCALLS INTEGER, Z_4REMOTEPARTICIPANTHANDLES INTEGER,
  PRIMARY KEY (Z_2REMOTEPARTICIPANTCALLS, Z_4REMOTEPARTICIPANTHANDLES));
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE INDEX ZCALLRECORD_ZDATE_INDEX ON ZCALLRECORD (ZDATE);
`;

export function buildCallHistoryDb(
  calls: TruthCall[],
  deleted: TruthCall[],
  _iosVersion: number = NEWEST_IOS,
): SqliteImage {
  const all = [...calls, ...deleted].sort((a, b) => a.pk - b.pk);
  return buildSqliteImage({
    schema: CALL_HISTORY_SCHEMA,
    fill(db) {
      const insert = db.prepare(
        `INSERT INTO ZCALLRECORD (Z_PK, Z_ENT, Z_OPT, ZANSWERED, ZCALL_CATEGORY, ZCALLTYPE, ZDISCONNECTED_CAUSE, ZHANDLE_TYPE,
           ZNUMBER_AVAILABILITY, ZORIGINATED, ZREAD, ZJUNKCONFIDENCE, ZDATE, ZDURATION, ZADDRESS, ZISO_COUNTRY_CODE, ZLOCATION,
           ZNAME, ZSERVICE_PROVIDER, ZUNIQUE_ID) VALUES (?, 2, 1, ?, ?, ?, 0, ?, 0, ?, 1, 0, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const handle = db.prepare(
        'INSERT INTO ZHANDLE (Z_PK, Z_ENT, Z_OPT, ZTYPE, ZNORMALIZEDVALUE, ZVALUE) VALUES (?, 4, 1, ?, ?, ?)',
      );
      const join = db.prepare('INSERT INTO Z_2REMOTEPARTICIPANTHANDLES VALUES (?, ?)');
      for (const c of all) {
        const isEmail = c.address.includes('@');
        insert.run(
          c.pk,
          c.answered ? 1 : 0,
          c.callType === 8 ? 2 : 1,
          c.callType,
          isEmail ? 3 : 2,
          c.outgoing ? 1 : 0,
          toAppleSeconds(c.date),
          c.durationSeconds,
          c.address,
          c.countryCode,
          isEmail ? null : 'United States',
          c.name,
          c.serviceProvider,
          c.uniqueId,
        );
        handle.run(c.pk, isEmail ? 3 : 2, c.address.toLowerCase(), c.address);
        join.run(c.pk, c.pk);
      }
      const max = all.reduce((m, c) => Math.max(m, c.pk), 0);
      db.prepare("INSERT INTO Z_PRIMARYKEY VALUES (2, 'CallRecord', 0, ?), (4, 'Handle', 0, ?)").run(max, max);
      db.prepare("INSERT INTO Z_METADATA VALUES (1, 'C0A1B2C3-D4E5-4F60-8A9B-0C1D2E3F4A5B', NULL)").run();
    },
    remove(db) {
      const join = db.prepare('DELETE FROM Z_2REMOTEPARTICIPANTHANDLES WHERE Z_2REMOTEPARTICIPANTCALLS = ?');
      const handle = db.prepare('DELETE FROM ZHANDLE WHERE Z_PK = ?');
      const call = db.prepare('DELETE FROM ZCALLRECORD WHERE Z_PK = ?');
      for (const c of deleted) {
        join.run(c.pk);
        handle.run(c.pk);
        call.run(c.pk);
      }
    },
  });
}

/** Phone and FaceTime calls with the people and numbers of the other generated content. */
export function generateCalls(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
  handles: TruthHandle[],
  contacts: TruthContact[],
): { calls: TruthCall[]; deleted: TruthCall[] } {
  const total = count + deletedCount;
  const doomed = pickDoomed(random, total, deletedCount);
  const calls: TruthCall[] = [];
  const deleted: TruthCall[] = [];
  const start = window[0].getTime();
  const step = (window[1].getTime() - start) / Math.max(total, 1);
  const names = new Map<string, string>();
  for (const c of contacts) {
    for (const p of c.phones)
      names.set(p.value.replace(/[^+\d]/g, ''), [c.first, c.last].filter(Boolean).join(' ') || c.organization || '');
  }
  for (let pk = 1; pk <= total; pk++) {
    const handle = random.pick(handles);
    const isEmail = handle.id.includes('@');
    const callType: TruthCall['callType'] = isEmail
      ? random.pick([8, 16] as const)
      : random.chance(0.8)
        ? 1
        : random.pick([8, 16] as const);
    const answered = random.chance(0.75);
    const call: TruthCall = {
      pk,
      uniqueId: random.uuid(),
      address: handle.id,
      name: random.chance(0.3) ? names.get(handle.id) || null : null,
      date: new Date(Math.floor(start + step * (pk - 1) + random.next() * step * 0.9)),
      durationSeconds: answered ? random.int(1, 3_600_000) / 1000 : 0,
      outgoing: random.chance(0.5),
      answered,
      callType,
      serviceProvider: callType === 1 ? 'com.apple.Telephony' : 'com.apple.FaceTime',
      countryCode: 'us',
    };
    (doomed.has(pk) ? deleted : calls).push(call);
  }
  return { calls, deleted };
}
