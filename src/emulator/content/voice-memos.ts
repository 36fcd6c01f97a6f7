import type { TruthVoiceMemo, VoiceMemoLayout } from './audio-truth.js';
import { toAppleSeconds } from './apple-time.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';

/**
 * Where Voice Memos keep their Core Data index and audio, by iOS version (the audio sits beside the database):
 * - app-group (current iOS): AppDomainGroup-group.com.apple.VoiceMemos.shared `Recordings/CloudRecordings.db`;
 * - media-domain (iOS 12–14; a real iOS 14.3 manifest lists MediaDomain `Media/Recordings/CloudRecordings.db`);
 * - legacy (iOS 11 and earlier): MediaDomain `Media/Recordings/Recordings.db`, table ZRECORDING, ZPATH a full path.
 */
export const VOICE_MEMO_LOCATIONS: Record<VoiceMemoLayout, { domain: string; relativePath: string }> = {
  'app-group': {
    domain: 'AppDomainGroup-group.com.apple.VoiceMemos.shared',
    relativePath: 'Recordings/CloudRecordings.db',
  },
  'media-domain': { domain: 'MediaDomain', relativePath: 'Media/Recordings/CloudRecordings.db' },
  legacy: { domain: 'MediaDomain', relativePath: 'Media/Recordings/Recordings.db' },
};

/**
 * CloudRecordings.db as the current app writes it: ZCLOUDRECORDING (ZDATE and ZEVICTIONDATE REAL seconds since
 * 2001, ZDURATION seconds, ZPATH the audio's file name, ZENCRYPTEDTITLE the shown title in plain text despite its
 * name, ZCUSTOMLABEL/ZCUSTOMLABELFORSORTING the older label columns; a non-null ZEVICTIONDATE puts the memo in
 * Recently Deleted) and ZFOLDER (ZENCRYPTEDNAME). The iOS 14 file lacks ZENCRYPTEDTITLE and the folders.
 */
const CLOUD_RECORDINGS_SCHEMA = `
CREATE TABLE ZCLOUDRECORDING (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFLAGS INTEGER, ZSHAREDFLAGS INTEGER,
  ZFOLDER INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT, ZEVICTIONDATE TIMESTAMP, ZLOCALDURATION FLOAT, ZAUDIODIGEST BLOB,
  ZAUDIOFUTURE BLOB, ZAUDIOFUTUREUUID VARCHAR, ZCUSTOMLABEL VARCHAR, ZCUSTOMLABELFORSORTING VARCHAR, ZENCRYPTEDTITLE VARCHAR,
  ZPATH VARCHAR, ZUNIQUEID VARCHAR);
CREATE TABLE ZFOLDER (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCOUNTOFRECORDINGS INTEGER, ZRANK INTEGER,
  ZENCRYPTEDNAME VARCHAR, ZUUID VARCHAR);
CREATE INDEX ZCLOUDRECORDING_ZFOLDER_INDEX ON ZCLOUDRECORDING (ZFOLDER);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
`;

const CLOUD_RECORDINGS_IOS14_SCHEMA = `
CREATE TABLE ZCLOUDRECORDING (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZFLAGS INTEGER, ZDATE TIMESTAMP,
  ZDURATION FLOAT, ZEVICTIONDATE TIMESTAMP, ZAUDIODIGEST BLOB, ZAUDIOFUTURE BLOB, ZAUDIOFUTUREUUID VARCHAR,
  ZCUSTOMLABEL VARCHAR, ZCUSTOMLABELFORSORTING VARCHAR, ZPATH VARCHAR, ZUNIQUEID VARCHAR);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
`;

/** Recordings.db of iOS 11 and earlier: ZRECORDING, the label in ZCUSTOMLABEL, ZPATH the full device path. */
const LEGACY_RECORDINGS_SCHEMA = `
CREATE TABLE ZRECORDING (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZDATE TIMESTAMP, ZDURATION FLOAT,
  ZCUSTOMLABEL VARCHAR, ZPATH VARCHAR);
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
`;

export function buildVoiceMemosDb(
  layout: VoiceMemoLayout,
  memos: TruthVoiceMemo[],
  deleted: TruthVoiceMemo[],
  folders: string[],
): SqliteImage {
  const all = [...memos, ...deleted].sort((a, b) => a.pk - b.pk);
  const max = all.reduce((m, r) => Math.max(m, r.pk), 0);
  if (layout === 'legacy') {
    return buildSqliteImage({
      schema: LEGACY_RECORDINGS_SCHEMA,
      fill(db) {
        const insert = db.prepare(
          'INSERT INTO ZRECORDING (Z_PK, Z_ENT, Z_OPT, ZDATE, ZDURATION, ZCUSTOMLABEL, ZPATH) VALUES (?, 1, 1, ?, ?, ?, ?)',
        );
        for (const r of all) insert.run(r.pk, toAppleSeconds(r.date), r.durationSeconds, r.title, r.storedPath);
        db.prepare("INSERT INTO Z_PRIMARYKEY VALUES (1, 'Recording', 0, ?)").run(max);
      },
      remove(db) {
        const drop = db.prepare('DELETE FROM ZRECORDING WHERE Z_PK = ?');
        for (const r of deleted) drop.run(r.pk);
      },
    });
  }
  const modern = layout === 'app-group';
  return buildSqliteImage({
    schema: modern ? CLOUD_RECORDINGS_SCHEMA : CLOUD_RECORDINGS_IOS14_SCHEMA,
    fill(db) {
      if (modern) {
        const folder = db.prepare(
          'INSERT INTO ZFOLDER (Z_PK, Z_ENT, Z_OPT, ZCOUNTOFRECORDINGS, ZRANK, ZENCRYPTEDNAME, ZUUID) VALUES (?, 2, 1, ?, ?, ?, ?)',
        );
        folders.forEach((name, i) =>
          folder.run(
            i + 1,
            memos.filter((m) => m.folder === name).length,
            i,
            name,
            `F01DE500-0000-4000-8000-${String(i + 1).padStart(12, '0')}`,
          ),
        );
      }
      const columns = modern
        ? 'Z_PK, Z_ENT, Z_OPT, ZFLAGS, ZSHAREDFLAGS, ZFOLDER, ZDATE, ZDURATION, ZEVICTIONDATE, ZLOCALDURATION, ZCUSTOMLABEL, ZCUSTOMLABELFORSORTING, ZENCRYPTEDTITLE, ZPATH, ZUNIQUEID'
        : 'Z_PK, Z_ENT, Z_OPT, ZFLAGS, ZDATE, ZDURATION, ZEVICTIONDATE, ZCUSTOMLABEL, ZCUSTOMLABELFORSORTING, ZPATH, ZUNIQUEID';
      const insert = db.prepare(
        `INSERT INTO ZCLOUDRECORDING (${columns}) VALUES (${columns
          .split(',')
          .map(() => '?')
          .join(', ')})`,
      );
      for (const r of all) {
        const label = r.titleIn === 'encrypted-title' ? null : r.title;
        const date = toAppleSeconds(r.date);
        const evicted = r.evicted === null ? null : toAppleSeconds(r.evicted);
        if (modern) {
          const folder = r.folder === null ? null : folders.indexOf(r.folder) + 1;
          insert.run(
            r.pk,
            1,
            3,
            0,
            0,
            folder,
            date,
            r.durationSeconds,
            evicted,
            r.durationSeconds,
            label,
            r.titleIn === 'custom-label' ? null : r.title,
            r.titleIn === 'custom-label' ? null : r.title,
            r.storedPath,
            r.uuid,
          );
        } else {
          insert.run(r.pk, 1, 2, 0, date, r.durationSeconds, evicted, r.title, r.title, r.storedPath, r.uuid);
        }
      }
      db.prepare("INSERT INTO Z_PRIMARYKEY VALUES (1, 'CloudRecording', 0, ?)").run(max);
      if (modern) db.prepare("INSERT INTO Z_PRIMARYKEY VALUES (2, 'Folder', 0, ?)").run(folders.length);
      db.prepare("INSERT INTO Z_METADATA VALUES (1, 'C1A2B3C4-D5E6-4F70-8A9B-0C1D2E3F4A5D', NULL)").run();
    },
    remove(db) {
      const drop = db.prepare('DELETE FROM ZCLOUDRECORDING WHERE Z_PK = ?');
      for (const r of deleted) drop.run(r.pk);
    },
  });
}

/** Where a phone of `ios` keeps its voice memos: Recordings.db up to iOS 11, CloudRecordings.db in MediaDomain for
 * 12–14, in the Voice Memos app group from 15. */
export function voiceMemoLayoutFor(ios: number): VoiceMemoLayout {
  return ios <= 11 ? 'legacy' : ios <= 14 ? 'media-domain' : 'app-group';
}
