import { IosRescueError } from '../../errors.js';
import { fromAppleSeconds } from '../apple-time.js';
import { readable } from '../copy-entry.js';
import { RecordFiles } from '../exporters/record-files.js';
import { dateFlag } from '../date-check.js';
import { defineExtractor, inRange, source, type ExtractContext, type ScanContext } from '../extractor.js';
import { deletedByCoreDataMax, firstTable, tableColumns } from '../schema.js';
import { extensionOf, openFirstDatabase } from './backup-sources.js';
import { MEDIA_LIBRARY, readTracks } from './music-library.js';
import { PURCHASED_TONES_FOLDER, readRingtones, RINGTONES_FOLDER, RINGTONES_PLIST, TONE_DOMAINS } from './ringtones.js';
import {
  RECORDING_ENTITIES,
  RECORDING_TABLES,
  VOICE_MEMO_DATABASES,
  readVoiceMemos,
  voiceMemoAudio,
} from './voice-memos.js';

const MEMO_CSV = [
  'id',
  'title',
  'date',
  'duration_seconds',
  'folder',
  'origin',
  'deleted_date',
  'file',
  'backup_path',
  'uuid',
  'date_unclear',
];
const TONE_CSV = ['name', 'kind', 'duration_seconds', 'purchased', 'file', 'file_name', 'guid', 'backup_path'];
const TRACK_CSV = [
  'id',
  'title',
  'artist',
  'album',
  'album_artist',
  'genre',
  'track',
  'disc',
  'year',
  'duration_seconds',
  'media_kind',
  'play_count',
  'date_added',
  'device_path',
  'file',
];

/** A source that fails (an unreadable database) becomes a warning with its code; the other sources still come out. */
async function part(
  warn: (m: string) => void,
  what: string,
  run: () => Promise<void>,
  signal?: AbortSignal,
): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (signal?.aborted) throw error;
    const code = error instanceof IosRescueError ? error.code : 'UNEXPECTED';
    warn(`${what}: ${(error as Error).message} [${code}]`);
  }
}

async function sizeOf(context: ScanContext, domain: string, match: string): Promise<number> {
  let bytes = 0;
  for await (const entry of context.reader.files({ domain, match }))
    bytes += entry.kind === 'file' && !/\.db(-wal|-shm)?$/.test(entry.relativePath) ? (entry.metadata?.size ?? 0) : 0;
  return bytes;
}

async function extractVoiceMemos(context: ExtractContext, out: RecordFiles): Promise<number> {
  const { reader, range, signal } = context;
  const found = await openFirstDatabase(context, VOICE_MEMO_DATABASES);
  if (found === undefined) return 0;
  let files = 0;
  let missing = 0;
  for (const memo of readVoiceMemos(found.opened.db)) {
    if (!inRange(range, memo.date)) continue;
    signal?.throwIfAborted();
    const audio = voiceMemoAudio(reader, memo, found.location);
    if (audio === undefined) missing++;
    else if (readable(context, audio)) {
      memo.backupPath = `${audio.domain}/${audio.relativePath}`;
      memo.file = context.out.uniquePath(
        memo.origin === 'recently-deleted' ? 'audio/Voice Memos/Recently Deleted' : 'audio/Voice Memos',
        `${memo.title}${extensionOf(audio.relativePath, '.m4a')}`,
      );
      await context.out.writeStream(
        memo.file,
        await reader.openFile(audio),
        memo.date === null ? undefined : new Date(memo.date),
      );
      files++;
    }
    Object.assign(memo, dateFlag(memo.date, memo.deletedDate));
    await out.write(memo, [
      memo.id,
      memo.title,
      memo.date,
      memo.durationSeconds,
      memo.folder,
      memo.origin,
      memo.deletedDate,
      memo.file,
      memo.backupPath,
      memo.uuid,
      memo.dateSuspect ?? false,
    ]);
  }
  if (missing > 0) context.warn(`${missing} voice memo(s) without their audio in the backup (kept in iCloud only)`);
  return files;
}

async function extractRingtones(context: ExtractContext, out: RecordFiles): Promise<number> {
  let files = 0;
  for (const { record, entry } of await readRingtones(context.reader, context.warn)) {
    context.signal?.throwIfAborted();
    if (!readable(context, entry)) continue;
    record.file = context.out.uniquePath('audio/Ringtones', `${record.name}${extensionOf(record.fileName, '.m4r')}`);
    await context.out.writeStream(
      record.file,
      await context.reader.openFile(entry),
      record.modified === null ? undefined : new Date(record.modified),
    );
    files++;
    await out.write(record, [
      record.name,
      record.kind,
      record.durationSeconds,
      record.purchased,
      record.file,
      record.fileName,
      record.guid,
      record.backupPath,
    ]);
  }
  return files;
}

async function extractMusic(context: ExtractContext, out: RecordFiles): Promise<number> {
  const found = await openFirstDatabase(context, [MEDIA_LIBRARY]);
  if (found === undefined) return 0;
  let files = 0;
  let tracks = 0;
  for (const track of readTracks(found.opened.db)) {
    context.signal?.throwIfAborted();
    tracks++;
    const entry =
      track.devicePath === null ? undefined : context.reader.get(MEDIA_LIBRARY.domain, `Media/${track.devicePath}`);
    if (entry?.kind === 'file' && readable(context, entry)) {
      const label = [track.artist, track.title ?? `Track ${track.id}`].filter(Boolean).join(' - ');
      track.file = context.out.uniquePath('audio/Music', `${label}${extensionOf(entry.relativePath, '')}`);
      await context.out.writeStream(
        track.file,
        await context.reader.openFile(entry),
        track.dateAdded === null ? undefined : new Date(track.dateAdded),
      );
      files++;
    }
    await out.write(track, [
      track.id,
      track.title,
      track.artist,
      track.album,
      track.albumArtist,
      track.genre,
      track.trackNumber,
      track.discNumber,
      track.year,
      track.durationSeconds,
      track.mediaKind,
      track.playCount,
      track.dateAdded,
      track.devicePath,
      track.file,
    ]);
  }
  if (files < tracks)
    context.warn(
      `${tracks - files} of ${tracks} music library item(s) have no file in this backup: bought, synced and Apple Music tracks are downloaded again rather than backed up; audio/music.json lists them all`,
    );
  return files;
}

/**
 * Voice memos, custom ringtones and the Music library: what a backup holds of the phone's audio. One type, because a
 * person looking for "my recordings" or "my music" looks in one place; each source is read on its own.
 */
export const audioExtractor = defineExtractor({
  type: 'audio',
  label: 'Audio',
  saves: 'audio (voice memos, ringtones, the music list)',
  sources: [
    ...VOICE_MEMO_DATABASES.map((l, i) => source(l, ['15+', '12–14', '≤ 11'][i]!)),
    ...TONE_DOMAINS.flatMap((domain) =>
      [RINGTONES_PLIST, `${RINGTONES_FOLDER}/*`, `${PURCHASED_TONES_FOLDER}/*`].map((path) => ({
        domain,
        path,
        ios: 'any',
      })),
    ),
    source(MEDIA_LIBRARY, 'any'),
    { domain: MEDIA_LIBRARY.domain, path: 'Media/iTunes_Control/Music/**', ios: 'any' },
  ],
  outputs: [
    'Voice Memos/<title>.m4a',
    'Voice Memos/Recently Deleted/<title>.m4a',
    'Ringtones/<name>.m4r',
    'Music/<artist> - <title>.<ext>',
    'voice-memos.json',
    'voice-memos.csv',
    'ringtones.json',
    'ringtones.csv',
    'music.json',
    'music.csv',
  ],
  records: ['VoiceMemoRecord', 'RingtoneRecord', 'TrackRecord'],

  /** count: voice memos + ringtones + library items; dates, Recently Deleted and purged rows are the voice memos'. */
  async scan(context) {
    let present = false;
    let count = 0;
    let bytes = 0;
    let recentlyDeleted: number | null = null;
    let purged: number | null = null;
    let firstDate: string | null = null;
    let lastDate: string | null = null;
    const memos = await openFirstDatabase(context, VOICE_MEMO_DATABASES);
    if (memos !== undefined) {
      present = true;
      const { db } = memos.opened;
      const folder = memos.location.relativePath.slice(0, memos.location.relativePath.lastIndexOf('/'));
      bytes += memos.opened.bytes + (await sizeOf(context, memos.location.domain, `${folder}/*`));
      const table = firstTable(db, RECORDING_TABLES);
      if (table !== undefined) {
        const evicted = tableColumns(db, table).has('ZEVICTIONDATE') ? 'count(ZEVICTIONDATE)' : '0';
        const row = db
          .prepare(`SELECT count(*) AS n, ${evicted} AS evicted, min(ZDATE) AS first, max(ZDATE) AS last FROM ${table}`)
          .get() as { n: number; evicted: number; first: number | null; last: number | null };
        count += row.n;
        recentlyDeleted = row.evicted;
        purged = deletedByCoreDataMax(db, RECORDING_ENTITIES[table] ?? 'CloudRecording', row.n);
        firstDate = fromAppleSeconds(row.first)?.toISOString() ?? null;
        lastDate = fromAppleSeconds(row.last)?.toISOString() ?? null;
      }
    }
    for (const { entry } of await readRingtones(context.reader, context.warn)) {
      present = true;
      count++;
      bytes += entry.metadata?.size ?? 0;
    }
    const library = await openFirstDatabase(context, [MEDIA_LIBRARY]);
    if (library !== undefined) {
      present = true;
      bytes += library.opened.bytes + (await sizeOf(context, MEDIA_LIBRARY.domain, 'Media/iTunes_Control/Music/**'));
      if (tableColumns(library.opened.db, 'item').size > 0)
        count += (library.opened.db.prepare('SELECT count(*) AS n FROM item').get() as { n: number }).n;
    }
    return present ? { count, recentlyDeleted, purged, firstDate, lastDate, bytes } : null;
  },

  /**
   * audio/Voice Memos/<title>.m4a (Recently Deleted apart, mtime = recording date), audio/Ringtones/<name>.m4r,
   * audio/Music/<artist> - <title>.<ext> for the few tracks a backup holds; voice-memos, ringtones and music
   * .json/.csv. --since/--until filter voice memos only.
   */
  async extract(context) {
    const { reader, warn, signal } = context;
    const listed = [...VOICE_MEMO_DATABASES, MEDIA_LIBRARY].filter(
      (l) => reader.get(l.domain, l.relativePath)?.kind === 'file',
    );
    const withData = await Promise.all(
      listed.map(async (l) => (await reader.dataFilePath(reader.get(l.domain, l.relativePath)!)) !== undefined),
    );
    if (!withData.includes(true) && (await readRingtones(reader, () => undefined)).length === 0) {
      for (const l of listed) warn(`${l.domain}/${l.relativePath} is listed in the backup but its data is not there`);
      return null;
    }
    const memoFiles = await RecordFiles.open(context.out, 'audio/voice-memos', MEMO_CSV);
    const toneFiles = await RecordFiles.open(context.out, 'audio/ringtones', TONE_CSV);
    const trackFiles = await RecordFiles.open(context.out, 'audio/music', TRACK_CSV);
    let files = 6;
    await part(warn, 'voice memos', async () => void (files += await extractVoiceMemos(context, memoFiles)), signal);
    await part(warn, 'ringtones', async () => void (files += await extractRingtones(context, toneFiles)), signal);
    await part(warn, 'music library', async () => void (files += await extractMusic(context, trackFiles)), signal);
    const records = (await memoFiles.close()) + (await toneFiles.close()) + (await trackFiles.close());
    return { records, files };
  },
});
