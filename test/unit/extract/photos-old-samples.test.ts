import { expect, it } from 'vitest';
import type { PhotoRecord } from '../../../src/extract/index.js';
import { externalSample, extractSamples } from '../../helpers/old-sample-backup.js';

const photosDb = externalSample('otapki-ios8/Photos.sqlite');

it.skipIf(photosDb === undefined)(
  'a real iOS 8-era Photos.sqlite (ZGENERICASSET, no favourite/trash/location columns) gives its 7 assets with dates',
  async () => {
    const run = await extractSamples(
      [{ domain: 'CameraRollDomain', relativePath: 'Media/PhotoData/Photos.sqlite', path: photosDb! }],
      ['photos'],
    );
    try {
      expect(run.report.types.find((t) => t.type === 'photos')).toMatchObject({ status: 'ok', records: 7 });
      const photos = await run.json<PhotoRecord[]>('photos/photos.json');
      expect(photos.map((p) => [p.filename, p.created])).toEqual([
        ['IMG_0001.PNG', '2015-11-01T22:02:21.000Z'],
        ['IMG_0002.PNG', '2015-11-01T22:02:57.000Z'],
        ['IMG_0003.PNG', '2015-11-01T22:03:10.000Z'],
        ['IMG_0004.PNG', '2015-11-01T22:03:18.000Z'],
        ['IMG_0005.PNG', '2015-11-01T22:03:23.000Z'],
        ['IMG_0006.PNG', '2015-11-01T22:03:29.000Z'],
        ['IMG_0007.PNG', '2015-11-01T22:03:46.000Z'],
      ]);
      // ZUUID is a 16-byte blob in this generation: it reads as the UUID's text.
      expect(
        photos.every((p) => /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/.test(p.uuid ?? '')),
      ).toBe(true);
    } finally {
      await run.cleanup();
    }
  },
);
