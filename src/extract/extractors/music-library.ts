import type Database from 'better-sqlite3';
import { unsupportedSchema } from '../unsupported-schema.js';
import { fromAppleSeconds } from '../apple-time.js';
import type { TrackRecord } from '../records.js';
import { column, hasTable, tableColumns } from '../schema.js';
import type { BackupLocation } from './backup-sources.js';

/**
 * The Music app's library database. Backups keep it (MediaDomain's list of paths to back up names it), but not the
 * music itself: bought, synced and Apple Music tracks are downloaded again after a restore, so their files
 * (`Media/iTunes_Control/Music/Fnn/<name>`) are normally absent and the list is what a backup gives back.
 */
export const MEDIA_LIBRARY: BackupLocation = {
  domain: 'MediaDomain',
  relativePath: 'Media/iTunes_Control/iTunes/MediaLibrary.sqlitedb',
};

/** item_extra.media_kind (iTunes' media kinds; iLEAPP's mediaLibrary module saw 1, 2, 4 and 33 on real phones). */
const MEDIA_KINDS: Record<number, string> = {
  1: 'music',
  2: 'movie',
  4: 'podcast',
  8: 'audiobook',
  32: 'music-video',
  33: 'music-video',
  64: 'tv-show',
};

function name(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

/** medialibraryd writes 0 for "unknown" in its NOT NULL number columns. */
function positive(value: unknown): number | null {
  return typeof value === 'number' && value > 0 ? value : null;
}

/** /var/mobile/Media-relative path of a base_location and a file name; either may be a full path on some versions. */
function devicePathOf(base: unknown, location: unknown): string | null {
  const file = name(location);
  if (file === null) return null;
  const full = file.includes('/') || name(base) === null ? file : `${String(base).replace(/\/+$/, '')}/${file}`;
  return full.replace(/^(\/private)?\/var\/mobile\/Media\//, '').replace(/^\/+/, '');
}

export function* readTracks(db: Database.Database): Generator<TrackRecord> {
  if (!hasTable(db, 'item') || !hasTable(db, 'item_extra'))
    throw unsupportedSchema(db, 'MediaLibrary.sqlitedb', 'item/item_extra tables');
  const item = tableColumns(db, 'item');
  const extra = tableColumns(db, 'item_extra');
  // Each side table joins only when it and its link column exist; a missing one reads as null.
  const joins: Array<[string, string, string, string, string]> = [
    ['item_artist', 'ar', 'item_artist_pid', 'item_artist_pid', 'item_artist'],
    ['album', 'al', 'album_pid', 'album_pid', 'album'],
    ['album_artist', 'aa', 'album_artist_pid', 'album_artist_pid', 'album_artist'],
    ['genre', 'g', 'genre_id', 'genre_id', 'genre'],
    ['base_location', 'bl', 'base_location_id', 'base_location_id', 'path'],
    ['item_stats', 'st', 'item_pid', 'item_pid', 'play_count_user'],
  ];
  const select: string[] = [];
  const from: string[] = [];
  for (const [table, alias, link, key, value] of joins) {
    const cols = tableColumns(db, table);
    if (item.has(link) && cols.has(key)) {
      from.push(`LEFT JOIN ${table} ${alias} ON ${alias}.${key} = i.${link}`);
      select.push(column(cols, alias, value, `${table}_${value}`));
    } else select.push(`NULL AS "${table}_${value}"`);
  }
  const sql = `SELECT CAST(i.item_pid AS TEXT) AS id, ${['track_number', 'disc_number', 'date_added'].map((c) => column(item, 'i', c)).join(', ')},
      ${['title', 'year', 'total_time_ms', 'media_kind', 'file_size', 'location'].map((c) => column(extra, 'e', c)).join(', ')}, ${select.join(', ')}
    FROM item i LEFT JOIN item_extra e ON e.item_pid = i.item_pid ${from.join(' ')}
    ORDER BY i.item_pid`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const kind = typeof r.media_kind === 'number' ? r.media_kind : null;
    yield {
      origin: 'live',
      id: String(r.id),
      title: name(r.title),
      artist: name(r.item_artist_item_artist),
      album: name(r.album_album),
      albumArtist: name(r.album_artist_album_artist),
      genre: name(r.genre_genre),
      trackNumber: positive(r.track_number),
      discNumber: positive(r.disc_number),
      year: positive(r.year),
      durationSeconds: positive(r.total_time_ms) === null ? null : (r.total_time_ms as number) / 1000,
      mediaKind: kind === null ? null : (MEDIA_KINDS[kind] ?? null),
      mediaKindCode: kind,
      fileSize: positive(r.file_size),
      playCount: typeof r.item_stats_play_count_user === 'number' ? r.item_stats_play_count_user : null,
      dateAdded: fromAppleSeconds(r.date_added)?.toISOString() ?? null,
      devicePath: devicePathOf(r.base_location_path, r.location),
      file: null,
    };
  }
}
