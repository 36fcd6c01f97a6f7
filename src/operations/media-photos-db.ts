import { readAlbumIndex, readPhotos, readTracks } from '../extract/index.js';
import type { Logger } from '../logging.js';
import type { AfcClient } from '../services/afc/index.js';
import { withPhoneDatabase } from './media-phone-db.js';

/** What Photos.sqlite says about one file in DCIM. */
export interface PhotoFacts {
  /** Capture date, milliseconds since 1970. */
  createdMs: number | undefined;
  /** In Recently Deleted (ZTRASHEDSTATE 1). */
  trashed: boolean;
  /** Titles of the person's own albums holding the asset. */
  albums: string[];
  /** The motion part of a Live Photo (the photo's name with .MOV, in the same folder). */
  livePhotoVideo: boolean;
}

const PHOTOS_DB = '/PhotoData/Photos.sqlite';

/**
 * Photos.sqlite read from the phone over AFC, keyed by the AFC path of each asset's file and its Live Photo video.
 * Undefined when the phone has none or it cannot be read: the pull then dates files from their own metadata and has
 * no Recently Deleted or albums.
 */
export async function readPhotoFacts(afc: AfcClient, logger: Logger): Promise<Map<string, PhotoFacts> | undefined> {
  return withPhoneDatabase(afc, PHOTOS_DB, logger, (db) => {
    const facts = new Map<string, PhotoFacts>();
    for (const photo of readPhotos(db, readAlbumIndex(db))) {
      if (photo.directory === null || photo.filename === null) continue;
      const created = photo.created === null ? undefined : Date.parse(photo.created);
      const fact: PhotoFacts = {
        createdMs: created,
        trashed: photo.recentlyDeleted,
        albums: photo.albums,
        livePhotoVideo: false,
      };
      facts.set(`/${photo.directory}/${photo.filename}`, fact);
      if (photo.livePhoto) {
        const stem = photo.filename.replace(/\.[^.]+$/, '');
        for (const extension of ['.MOV', '.mov'])
          facts.set(`/${photo.directory}/${stem}${extension}`, { ...fact, livePhotoVideo: true });
      }
    }
    return facts;
  });
}

/** Readable names for synced music, from the Music app's MediaLibrary.sqlitedb, by AFC path. */
export interface TrackName {
  artist: string | null;
  album: string | null;
  title: string | null;
  trackNumber: number | null;
}

const MEDIA_LIBRARY_DB = '/iTunes_Control/iTunes/MediaLibrary.sqlitedb';

export async function readTrackNames(afc: AfcClient, logger: Logger): Promise<Map<string, TrackName> | undefined> {
  return withPhoneDatabase(afc, MEDIA_LIBRARY_DB, logger, (db) => {
    const names = new Map<string, TrackName>();
    for (const track of readTracks(db)) {
      if (track.devicePath === null) continue;
      const path = `/${track.devicePath.replace(/^\/+/, '')}`;
      names.set(path, { artist: track.artist, album: track.album, title: track.title, trackNumber: track.trackNumber });
    }
    return names;
  });
}
