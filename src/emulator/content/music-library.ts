import type { TruthTrack } from './audio-truth.js';
import { toAppleSeconds } from './apple-time.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';

/** The Music app's library (iOS 9+): MediaDomain `Media/iTunes_Control/iTunes/MediaLibrary.sqlitedb`. */
export const MEDIA_LIBRARY = {
  domain: 'MediaDomain',
  relativePath: 'Media/iTunes_Control/iTunes/MediaLibrary.sqlitedb',
} as const;

/**
 * The part of MediaLibrary.sqlitedb an extractor reads, with the table and column names iOS 17 writes (iLEAPP's
 * mediaLibrary module and the schema Apple's medialibraryd creates): `item` (64-bit item_pid, the artist, album,
 * genre and base-location links, track and disc numbers, date_added in seconds since 2001), `item_extra` (title,
 * total_time_ms, year, location = the file's name, file_size, media_kind: 1 music, 4 podcast…), `item_artist`,
 * `album`, `album_artist`, `genre`, `base_location` (the folder under /var/mobile/Media, e.g.
 * iTunes_Control/Music/F12) and `item_stats` (play_count_user). Most of the other tables are left out.
 */
const MEDIA_LIBRARY_SCHEMA = `
CREATE TABLE _MLDatabaseProperties (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE item (item_pid INTEGER PRIMARY KEY, media_type INTEGER NOT NULL DEFAULT 0, title_order INTEGER NOT NULL DEFAULT 0,
  item_artist_pid INTEGER NOT NULL DEFAULT 0, album_pid INTEGER NOT NULL DEFAULT 0, album_artist_pid INTEGER NOT NULL DEFAULT 0,
  composer_pid INTEGER NOT NULL DEFAULT 0, genre_id INTEGER NOT NULL DEFAULT 0, disc_number INTEGER NOT NULL DEFAULT 0,
  track_number INTEGER NOT NULL DEFAULT 0, base_location_id INTEGER NOT NULL DEFAULT 0, remote_location_id INTEGER NOT NULL DEFAULT 0,
  keep_local INTEGER NOT NULL DEFAULT 0, in_my_library INTEGER NOT NULL DEFAULT 0, is_compilation INTEGER NOT NULL DEFAULT 0,
  date_added INTEGER NOT NULL DEFAULT 0, date_downloaded INTEGER NOT NULL DEFAULT 0);
CREATE TABLE item_extra (item_pid INTEGER PRIMARY KEY, title TEXT NOT NULL DEFAULT '', sort_title TEXT, disc_count INTEGER NOT NULL DEFAULT 0,
  track_count INTEGER NOT NULL DEFAULT 0, total_time_ms REAL NOT NULL DEFAULT 0, year INTEGER NOT NULL DEFAULT 0,
  location TEXT NOT NULL DEFAULT '', file_size INTEGER NOT NULL DEFAULT 0, integrity BLOB, date_modified INTEGER NOT NULL DEFAULT 0,
  media_kind INTEGER NOT NULL DEFAULT 0, comment TEXT, description TEXT, copyright TEXT);
CREATE TABLE item_artist (item_artist_pid INTEGER PRIMARY KEY, item_artist TEXT NOT NULL DEFAULT '', sort_item_artist TEXT,
  representative_item_pid INTEGER NOT NULL DEFAULT 0);
CREATE TABLE album (album_pid INTEGER PRIMARY KEY, album TEXT NOT NULL DEFAULT '', sort_album TEXT, album_artist_pid INTEGER NOT NULL DEFAULT 0,
  representative_item_pid INTEGER NOT NULL DEFAULT 0, album_year INTEGER NOT NULL DEFAULT 0);
CREATE TABLE album_artist (album_artist_pid INTEGER PRIMARY KEY, album_artist TEXT NOT NULL DEFAULT '', sort_album_artist TEXT,
  representative_item_pid INTEGER NOT NULL DEFAULT 0);
CREATE TABLE genre (genre_id INTEGER PRIMARY KEY, genre TEXT NOT NULL DEFAULT '', representative_item_pid INTEGER NOT NULL DEFAULT 0);
CREATE TABLE base_location (base_location_id INTEGER PRIMARY KEY, path TEXT NOT NULL);
CREATE TABLE item_stats (item_pid INTEGER PRIMARY KEY, user_rating INTEGER NOT NULL DEFAULT 0, play_count_user INTEGER NOT NULL DEFAULT 0,
  has_been_played INTEGER NOT NULL DEFAULT 0, date_played INTEGER NOT NULL DEFAULT 0);
`;

/** A stable 63-bit id per name, as medialibraryd hands out (they do not fit a JS number). */
type Ids = Map<string, bigint>;

function idOf(ids: Ids, key: string, next: () => bigint): bigint {
  let id = ids.get(key);
  if (id === undefined) ids.set(key, (id = next()));
  return id;
}

export function buildMediaLibraryDb(tracks: TruthTrack[], nextId: () => bigint): SqliteImage {
  return buildSqliteImage({
    schema: MEDIA_LIBRARY_SCHEMA,
    fill(db) {
      db.prepare(
        "INSERT INTO _MLDatabaseProperties VALUES ('MLDatabaseVersion', '2210040'), ('OrderingLanguage', 'en')",
      ).run();
      const ids: Ids = new Map();
      const locations = new Map<string, number>();
      const item =
        db.prepare(`INSERT INTO item (item_pid, media_type, item_artist_pid, album_pid, album_artist_pid, genre_id, disc_number, track_number,
        base_location_id, in_my_library, date_added) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`);
      const extra = db.prepare(
        'INSERT INTO item_extra (item_pid, title, sort_title, track_count, total_time_ms, year, location, file_size, media_kind) VALUES (?, ?, ?, 12, ?, ?, ?, ?, ?)',
      );
      const stats = db.prepare('INSERT INTO item_stats (item_pid, play_count_user, has_been_played) VALUES (?, ?, ?)');
      const artist = db.prepare(
        'INSERT OR IGNORE INTO item_artist (item_artist_pid, item_artist, sort_item_artist, representative_item_pid) VALUES (?, ?, ?, ?)',
      );
      const album = db.prepare(
        'INSERT OR IGNORE INTO album (album_pid, album, sort_album, album_artist_pid, representative_item_pid, album_year) VALUES (?, ?, ?, ?, ?, ?)',
      );
      const albumArtist = db.prepare(
        'INSERT OR IGNORE INTO album_artist (album_artist_pid, album_artist, sort_album_artist, representative_item_pid) VALUES (?, ?, ?, ?)',
      );
      const genre = db.prepare(
        'INSERT OR IGNORE INTO genre (genre_id, genre, representative_item_pid) VALUES (?, ?, ?)',
      );
      const base = db.prepare('INSERT OR IGNORE INTO base_location (base_location_id, path) VALUES (?, ?)');
      for (const t of tracks) {
        const pid = BigInt(t.id);
        const folder = t.devicePath.slice(0, t.devicePath.lastIndexOf('/'));
        if (!locations.has(folder)) locations.set(folder, 3840 + locations.size);
        const artistId = idOf(ids, `artist:${t.artist}`, nextId);
        const albumArtistId = idOf(ids, `album-artist:${t.albumArtist}`, nextId);
        const albumId = idOf(ids, `album:${t.album}`, nextId);
        const genreId = idOf(ids, `genre:${t.genre}`, nextId);
        artist.run(artistId, t.artist, t.artist, pid);
        albumArtist.run(albumArtistId, t.albumArtist, t.albumArtist, pid);
        album.run(albumId, t.album, t.album, albumArtistId, pid, t.year);
        genre.run(genreId, t.genre, pid);
        base.run(locations.get(folder)!, folder);
        // item.media_type follows MPMediaType (1 music, 2 podcast); item_extra.media_kind iTunes' kinds.
        item.run(
          pid,
          t.mediaKind === 4 ? 2 : 1,
          artistId,
          albumId,
          albumArtistId,
          genreId,
          t.discNumber,
          t.trackNumber,
          locations.get(folder)!,
          Math.round(toAppleSeconds(t.dateAdded)),
        );
        extra.run(
          pid,
          t.title,
          t.title,
          t.durationSeconds * 1000,
          t.year,
          t.devicePath.slice(folder.length + 1),
          t.fileSize,
          t.mediaKind,
        );
        stats.run(pid, t.playCount, t.playCount > 0 ? 1 : 0);
      }
    },
  });
}
