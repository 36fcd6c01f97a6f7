import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { readAlbumIndex, readPhotos } from '../extract/index.js';
import type { Logger } from '../logging.js';
import type { AfcClient } from '../services/afc/index.js';
import { writeStreamToNewFile } from './write-stream-file.js';

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
 * Photos.sqlite read from the phone over AFC (with its -wal, so the newest rows count), keyed by the AFC path of
 * each asset's file and its Live Photo video. Undefined when the phone has none or it cannot be read: the pull
 * then dates files from their own metadata and has no Recently Deleted or albums. The copy lives in a temp folder
 * removed before this returns.
 */
export async function readPhotoFacts(afc: AfcClient, logger: Logger): Promise<Map<string, PhotoFacts> | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'iosrescue-photos-'));
  try {
    for (const suffix of ['', '-wal', '-shm']) {
      const info = await afc.stat(`${PHOTOS_DB}${suffix}`).catch(() => undefined);
      if (info === undefined) {
        if (suffix === '') return undefined;
        continue;
      }
      await writeStreamToNewFile(
        afc.readFileStream(`${PHOTOS_DB}${suffix}`, { size: info.size }),
        join(dir, `Photos.sqlite${suffix}`),
      );
    }
    const db = new Database(join(dir, 'Photos.sqlite'), { fileMustExist: true });
    try {
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
    } finally {
      db.close();
    }
  } catch (error) {
    logger.warn({ reason: (error as Error).message }, 'Photos.sqlite cannot be read: dates come from the files');
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
