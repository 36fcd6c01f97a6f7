import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { PhotoRecord } from '../../../src/extract/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

describe.each([{ encrypted: false }, { encrypted: true }])('photos and videos (encrypted: $encrypted)', ({ encrypted }) => {
  it('come out with their original names, bytes, creation dates as mtime, GPS and flags; Recently Deleted apart; purged ones absent', async () => {
    const run = await extractGenerated({ encrypted, spec: { seed: `photos-${encrypted}`, contacts: 3, messages: 5, photos: 60, calls: 0 } });
    try {
      expect(run.report.types.find((t) => t.type === 'photos')).toMatchObject({ status: 'ok', records: 60, warnings: [] });
      const photos = JSON.parse(await readFile(join(run.out, 'photos/photos.json'), 'utf8')) as PhotoRecord[];
      const byUuid = new Map(photos.map((p) => [p.uuid, p]));
      expect(photos).toHaveLength(run.truth.photos.length);
      for (const truth of run.truth.photos) {
        const p = byUuid.get(truth.uuid)!;
        expect({ kind: p.kind, originalFilename: p.originalFilename, filename: p.filename, directory: p.directory, created: p.created, latitude: p.latitude, longitude: p.longitude, width: p.width, height: p.height, favorite: p.favorite, hidden: p.hidden, recentlyDeleted: p.recentlyDeleted, trashedDate: p.trashedDate, origin: p.origin })
          .toEqual({ kind: truth.kind, originalFilename: truth.originalFilename, filename: truth.filename, directory: truth.directory, created: truth.created.toISOString(), latitude: truth.latitude, longitude: truth.longitude, width: truth.width, height: truth.height, favorite: truth.favorite, hidden: truth.hidden, recentlyDeleted: truth.trashed, trashedDate: truth.trashedDate?.toISOString() ?? null, origin: truth.trashed ? 'recently-deleted' : 'live' });
        expect(await readFile(join(run.out, p.file!))).toEqual(truth.data);
        expect((await stat(join(run.out, p.file!))).mtime.toISOString()).toBe(truth.created.toISOString());
        const folder = truth.trashed ? 'photos/Recently Deleted/' : truth.hidden ? 'photos/Hidden/' : 'photos/Camera Roll/';
        expect(p.file!.startsWith(folder)).toBe(true);
        const base = truth.originalFilename.replace(/\.[^.]+$/, '');
        expect(p.file!.slice(folder.length)).toMatch(new RegExp(`^${base.replace(/[()]/g, '\\$&')}( \\(\\d+\\))?\\.[A-Za-z]+$`));
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
});
