import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { CONTENT_PATHS, generateDeviceContent } from '../../../src/emulator/content/index.js';
import type { AlbumRecord, PhotoRecord } from '../../../src/extract/index.js';
import { findAlbumJoinTable, readAlbumIndex } from '../../../src/extract/extractors/photo-albums.js';
import { readPhotos } from '../../../src/extract/extractors/photos.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

describe.each([{ encrypted: false }, { encrypted: true }])(
  'photos and videos (encrypted: $encrypted)',
  ({ encrypted }) => {
    it('come out with their original names, bytes, creation dates as mtime, GPS and flags; Recently Deleted apart; purged ones absent', async () => {
      const run = await extractGenerated({
        encrypted,
        spec: { seed: `photos-${encrypted}`, contacts: 3, messages: 5, photos: 60, calls: 0 },
      });
      try {
        expect(run.report.types.find((t) => t.type === 'photos')).toMatchObject({
          status: 'ok',
          records: 60,
          warnings: [],
        });
        const photos = JSON.parse(await readFile(join(run.out, 'photos/photos.json'), 'utf8')) as PhotoRecord[];
        const byUuid = new Map(photos.map((p) => [p.uuid, p]));
        expect(photos).toHaveLength(run.truth.photos.length);
        for (const truth of run.truth.photos) {
          const p = byUuid.get(truth.uuid)!;
          expect({
            kind: p.kind,
            originalFilename: p.originalFilename,
            filename: p.filename,
            directory: p.directory,
            created: p.created,
            latitude: p.latitude,
            longitude: p.longitude,
            width: p.width,
            height: p.height,
            favorite: p.favorite,
            hidden: p.hidden,
            recentlyDeleted: p.recentlyDeleted,
            trashedDate: p.trashedDate,
            origin: p.origin,
          }).toEqual({
            kind: truth.kind,
            originalFilename: truth.originalFilename,
            filename: truth.filename,
            directory: truth.directory,
            created: truth.created.toISOString(),
            latitude: truth.latitude,
            longitude: truth.longitude,
            width: truth.width,
            height: truth.height,
            favorite: truth.favorite,
            hidden: truth.hidden,
            recentlyDeleted: truth.trashed,
            trashedDate: truth.trashedDate?.toISOString() ?? null,
            origin: truth.trashed ? 'recently-deleted' : 'live',
          });
          expect(await readFile(join(run.out, p.file!))).toEqual(truth.data);
          expect((await stat(join(run.out, p.file!))).mtime.toISOString()).toBe(truth.created.toISOString());
          const folder = truth.trashed
            ? 'photos/Recently Deleted/'
            : truth.hidden
              ? 'photos/Hidden/'
              : 'photos/Camera Roll/';
          expect(p.file!.startsWith(folder)).toBe(true);
          const base = truth.originalFilename.replace(/\.[^.]+$/, '');
          expect(p.file!.slice(folder.length)).toMatch(
            new RegExp(`^${base.replace(/[()]/g, '\\$&')}( \\(\\d+\\))?\\.[A-Za-z]+$`),
          );
        }
        expect(run.truth.photos.filter((p) => p.trashed).length).toBeGreaterThan(0);
        expect(run.truth.photos.filter((p) => p.originalFilename === 'image.jpg').length).toBeGreaterThan(1);
        expect(new Set(photos.map((p) => p.file!.toLowerCase())).size).toBe(photos.length);
        const purged = new Set(run.truth.deletedPhotos.map((p) => p.uuid));
        expect(purged.size).toBeGreaterThan(0);
        expect(photos.filter((p) => purged.has(p.uuid ?? ''))).toEqual([]);
      } finally {
        await run.cleanup();
      }
    });

    it("exports each Live Photo's video beside its photo (same name, same mtime), flags screenshots, and maps user albums to exported files in albums.json", async () => {
      const run = await extractGenerated({
        encrypted,
        spec: { seed: `photo-extras-${encrypted}`, contacts: 2, messages: 3, photos: 40, calls: 0 },
      });
      try {
        expect(run.report.types.find((t) => t.type === 'photos')).toMatchObject({
          status: 'ok',
          records: 40,
          warnings: [],
        });
        const photos = JSON.parse(await readFile(join(run.out, 'photos/photos.json'), 'utf8')) as PhotoRecord[];
        const byUuid = new Map(photos.map((p) => [p.uuid, p]));
        const live = run.truth.photos.filter((p) => p.livePhotoVideo !== null);
        expect(live.length).toBeGreaterThan(1);
        expect(run.truth.photos.filter((p) => p.screenshot).length).toBeGreaterThan(0);
        expect(run.truth.photos.some((p) => p.albums.length > 1)).toBe(true);
        for (const truth of run.truth.photos) {
          const p = byUuid.get(truth.uuid)!;
          expect({ livePhoto: p.livePhoto, screenshot: p.screenshot, albums: p.albums }).toEqual({
            livePhoto: truth.livePhotoVideo !== null,
            screenshot: truth.screenshot,
            albums: truth.albums,
          });
          if (truth.livePhotoVideo === null) {
            expect(p.livePhotoVideo).toBeNull();
            continue;
          }
          const video = p.livePhotoVideo!;
          expect(await readFile(join(run.out, video))).toEqual(truth.livePhotoVideo);
          expect((await stat(join(run.out, video))).mtime.toISOString()).toBe(truth.created.toISOString());
          // Same folder, same name as the exported photo, .MOV: what Photos and most importers pair up again.
          expect(video.replace(/\.MOV$/, '')).toBe(p.file!.replace(/\.[^.]+$/, ''));
        }
        // One file per asset plus one per Live Photo video: albums do not copy files again.
        const exported = filesUnder(join(run.out, 'photos')).filter((f) => !/\.(json|csv)$/.test(f));
        expect(exported).toHaveLength(run.truth.photos.length + live.length);

        const fileOf = new Map(photos.map((p) => [p.id, p.file]));
        const uuidOf = new Map(run.truth.photos.map((p) => [p.pk, p.uuid]));
        const albums = JSON.parse(await readFile(join(run.out, 'photos/albums.json'), 'utf8')) as AlbumRecord[];
        const userAlbums = run.truth.photoAlbums.filter((a) => a.kind === 2);
        expect(run.truth.photoAlbums.length).toBeGreaterThan(userAlbums.length);
        expect(userAlbums.some((a) => a.trashed)).toBe(true);
        expect(albums).toEqual(
          userAlbums.map((a) => ({
            origin: a.trashed ? 'recently-deleted' : 'live',
            id: a.pk,
            uuid: a.uuid,
            title: a.title,
            created: a.created.toISOString(),
            assets: a.assetPks.map((pk) => ({ uuid: uuidOf.get(pk), file: fileOf.get(pk) })),
          })),
        );

        const rows = parseCsv(await readFile(join(run.out, 'photos/photos.csv'), 'utf8'));
        expect(rows[0]!.slice(-4)).toEqual(['live_photo', 'live_photo_video', 'screenshot', 'albums']);
        const csvByUuid = new Map(rows.slice(1).map((r) => [r[14], r]));
        for (const p of photos)
          expect(csvByUuid.get(p.uuid!)!.slice(-4)).toEqual([
            String(p.livePhoto),
            p.livePhotoVideo ?? '',
            String(p.screenshot),
            p.albums.join('; '),
          ]);
      } finally {
        await run.cleanup();
      }
    });
  },
);

describe('Photos.sqlite of other iOS versions', () => {
  const content = generateDeviceContent({ seed: 'photo-schema', contacts: 1, messages: 1, photos: 30, calls: 0 });
  const image = content.items.find(
    (i) => i.domain === CONTENT_PATHS.photosDb.domain && i.relativePath === CONTENT_PATHS.photosDb.relativePath,
  )!.data as Buffer;
  const wanted = new Map(
    content.truth.photos.map((p) => [
      p.uuid,
      { screenshot: p.screenshot, livePhoto: p.livePhotoVideo !== null, albums: p.albums },
    ]),
  );

  function withDatabase(change: (db: Database.Database) => void, check: (db: Database.Database) => void): void {
    const dir = mkdtempSync(join(tmpdir(), 'iosrescue-photos-schema-'));
    try {
      writeFileSync(join(dir, 'Photos.sqlite'), image);
      const db = new Database(join(dir, 'Photos.sqlite'));
      try {
        change(db);
        check(db);
      } finally {
        db.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('finds the album join table by its columns whatever its entity number (iOS 13: ZGENERICASSET, Z_26ASSETS, no ZISDETECTEDSCREENSHOT)', () => {
    withDatabase(
      (db) => {
        db.exec(`ALTER TABLE ZASSET RENAME TO ZGENERICASSET;
        ALTER TABLE ZGENERICASSET DROP COLUMN ZISDETECTEDSCREENSHOT;
        ALTER TABLE Z_28ASSETS RENAME TO Z_26ASSETS;
        ALTER TABLE Z_26ASSETS RENAME COLUMN Z_28ALBUMS TO Z_26ALBUMS;
        CREATE TABLE Z_22ASSETS (Z_22MOMENTS INTEGER, Z_3ASSETS INTEGER);
        INSERT INTO Z_22ASSETS VALUES (1, 1), (2, 2);
        CREATE TABLE Z_3MEMORIESBEINGCURATEDASSETS (Z_3MEMORIES INTEGER, Z_3ASSETS INTEGER);`);
      },
      (db) => {
        expect(findAlbumJoinTable(db)).toEqual({
          table: 'Z_26ASSETS',
          album: 'Z_26ALBUMS',
          asset: 'Z_3ASSETS',
          order: 'Z_FOK_3ASSETS',
        });
        const read = [...readPhotos(db, readAlbumIndex(db))];
        expect(
          new Map(read.map((p) => [p.uuid, { screenshot: p.screenshot, livePhoto: p.livePhoto, albums: p.albums }])),
        ).toEqual(wanted);
      },
    );
  });

  it('takes ZISDETECTEDSCREENSHOT alone as a screenshot where iOS has the column', () => {
    const plain = content.truth.photos.find((p) => !p.screenshot && p.livePhotoVideo === null && p.kind === 'photo')!;
    withDatabase(
      (db) => db.prepare('UPDATE ZASSET SET ZISDETECTEDSCREENSHOT = 1 WHERE ZUUID = ?').run(plain.uuid),
      (db) => {
        const read = new Map([...readPhotos(db)].map((p) => [p.uuid, p.screenshot]));
        expect(read.get(plain.uuid)).toBe(true);
        expect([...read.values()].filter(Boolean)).toHaveLength(
          content.truth.photos.filter((p) => p.screenshot).length + 1,
        );
      },
    );
  });

  it('still reads every photo, with no albums, when the join table is gone', () => {
    withDatabase(
      (db) => db.exec('DROP TABLE Z_28ASSETS'),
      (db) => {
        expect(readAlbumIndex(db)).toBeNull();
        const read = [...readPhotos(db, readAlbumIndex(db))];
        expect(read).toHaveLength(content.truth.photos.length);
        expect(read.every((p) => p.albums.length === 0)).toBe(true);
      },
    );
  });
});
