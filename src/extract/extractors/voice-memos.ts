import type Database from 'better-sqlite3';
import { unsupportedSchema } from '../unsupported-schema.js';
import type { BackupFileEntry, BackupReader } from '../../backup/index.js';
import { fromAppleSeconds } from '../apple-time.js';
import type { VoiceMemoRecord } from '../records.js';
import { column, firstTable, tableColumns } from '../schema.js';
import { baseName, type BackupLocation } from './backup-sources.js';

/**
 * Where Voice Memos keep their Core Data index, newest layout first; the audio sits in the same folder.
 * - current iOS: the app group, `Recordings/CloudRecordings.db` (ZCLOUDRECORDING);
 * - iOS 12–14: MediaDomain `Media/Recordings/CloudRecordings.db` (a real iOS 14.3 backup's manifest lists it there);
 * - iOS 11 and earlier: MediaDomain `Media/Recordings/Recordings.db` (ZRECORDING, ZPATH a full device path).
 * A MediaDomain copy can linger after the move, so the app group's comes first.
 */
export const VOICE_MEMO_DATABASES: readonly BackupLocation[] = [
  { domain: 'AppDomainGroup-group.com.apple.VoiceMemos.shared', relativePath: 'Recordings/CloudRecordings.db' },
  { domain: 'MediaDomain', relativePath: 'Media/Recordings/CloudRecordings.db' },
  { domain: 'MediaDomain', relativePath: 'Media/Recordings/Recordings.db' },
];
export const RECORDING_TABLES = ['ZCLOUDRECORDING', 'ZRECORDING'] as const;
/** Core Data entity names, for Z_PRIMARYKEY's highest id ever given. */
export const RECORDING_ENTITIES: Readonly<Record<string, string>> = {
  ZCLOUDRECORDING: 'CloudRecording',
  ZRECORDING: 'Recording',
};

/** The shown title: ZENCRYPTEDTITLE holds it in plain text on current iOS (a blob there would be real ciphertext and is
 * skipped). */
const TITLE_COLUMNS = ['ZENCRYPTEDTITLE', 'ZCUSTOMLABELFORSORTING', 'ZCUSTOMLABEL'] as const;

function text(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}

export function* readVoiceMemos(db: Database.Database): Generator<VoiceMemoRecord> {
  const table = firstTable(db, RECORDING_TABLES);
  if (table === undefined)
    throw unsupportedSchema(db, 'the Voice Memos database', 'ZCLOUDRECORDING or ZRECORDING table');
  const cols = tableColumns(db, table);
  const folders = cols.has('ZFOLDER') && tableColumns(db, 'ZFOLDER').has('ZENCRYPTEDNAME');
  const wanted = ['ZUNIQUEID', 'ZDATE', 'ZDURATION', 'ZEVICTIONDATE', 'ZPATH', ...TITLE_COLUMNS];
  const sql = `SELECT r.Z_PK AS id, ${wanted.map((w) => column(cols, 'r', w)).join(', ')}, ${folders ? 'f.ZENCRYPTEDNAME' : 'NULL'} AS folder
    FROM ${table} r ${folders ? 'LEFT JOIN ZFOLDER f ON f.Z_PK = r.ZFOLDER' : ''} ORDER BY r.ZDATE, r.Z_PK`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const storedPath = text(r.ZPATH);
    const stem = storedPath === null ? null : baseName(storedPath).replace(/\.[^.]+$/, '') || null;
    const deleted = fromAppleSeconds(r.ZEVICTIONDATE)?.toISOString() ?? null;
    yield {
      origin: deleted === null ? 'live' : 'recently-deleted',
      id: Number(r.id),
      uuid: text(r.ZUNIQUEID),
      title: TITLE_COLUMNS.map((c) => text(r[c])).find((t) => t !== null) ?? stem ?? `Recording ${String(r.id)}`,
      date: fromAppleSeconds(r.ZDATE)?.toISOString() ?? null,
      durationSeconds: typeof r.ZDURATION === 'number' ? r.ZDURATION : null,
      folder: text(r.folder),
      deletedDate: deleted,
      storedPath,
      backupPath: null,
      file: null,
    };
  }
}

/**
 * The memo's audio: ZPATH's file name in the database's own folder, else in the other layouts' folders (the
 * database and the audio may have moved at different times).
 */
export function voiceMemoAudio(
  reader: BackupReader,
  memo: VoiceMemoRecord,
  database: BackupLocation,
): BackupFileEntry | undefined {
  if (memo.storedPath === null) return undefined;
  const name = baseName(memo.storedPath);
  const places = [database, ...VOICE_MEMO_DATABASES.filter((l) => l !== database)];
  for (const place of places) {
    const folder = place.relativePath.slice(0, place.relativePath.lastIndexOf('/'));
    const entry = reader.get(place.domain, `${folder}/${name}`);
    if (entry?.kind === 'file') return entry;
  }
  return undefined;
}
