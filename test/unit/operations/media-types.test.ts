import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureDateOf, exifDate } from '../../../src/operations/media-dates.js';
import { mediaTypeOf, parseMediaDate, parseMediaTypes } from '../../../src/operations/media-types.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/media/', import.meta.url));

describe('media types', () => {
  it('sorts phone paths into photos, videos, music, recordings and downloads, a Live Photo video with photos', () => {
    expect(mediaTypeOf('/DCIM/100APPLE/IMG_0001.HEIC')).toBe('photos');
    expect(mediaTypeOf('/DCIM/100APPLE/IMG_0002.MOV')).toBe('videos');
    expect(mediaTypeOf('/DCIM/100APPLE/IMG_0001.MOV', true)).toBe('photos');
    expect(mediaTypeOf('/PhotoData/Mutations/DCIM/100APPLE/IMG_0001/Adjustments/FullSizeRender.jpg')).toBe('photos');
    expect(mediaTypeOf('/PhotoData/Thumbnails/V2/DCIM/100APPLE/IMG_0001.JPG/5005.JPG')).toBeUndefined();
    expect(mediaTypeOf('/DCIM/100APPLE/.MISC/info.plist')).toBeUndefined();
    expect(mediaTypeOf('/iTunes_Control/Music/F01/ABCD.mp3')).toBe('music');
    expect(mediaTypeOf('/Recordings/20230304 050607.m4a')).toBe('recordings');
    expect(mediaTypeOf('/Recordings/CloudRecordings.db')).toBeUndefined();
    expect(mediaTypeOf('/Downloads/manual.pdf')).toBe('downloads');
  });

  it('parses --types and dates, and names what it refuses', () => {
    expect(parseMediaTypes('photos, Videos')).toEqual(['photos', 'videos']);
    expect(parseMediaTypes(undefined)).toHaveLength(5);
    expect(() => parseMediaTypes('photos,selfies')).toThrow(expect.objectContaining({ code: 'MEDIA_BAD_TYPES' }));
    expect(parseMediaDate('2024-05-01', '--since')).toBe(Date.UTC(2024, 4, 1));
    expect(() => parseMediaDate('last week', '--since')).toThrow(expect.objectContaining({ code: 'MEDIA_BAD_DATE' }));
  });
});

describe('capture dates from the file itself', () => {
  it('reads EXIF DateTimeOriginal from a real JPEG and HEIC, and the movie header of a real QuickTime file', async () => {
    expect((await captureDateOf(`${FIXTURES}IMG_4002.JPG`))?.toISOString()).toBe('2010-12-31T02:06:26.000Z');
    expect((await captureDateOf(`${FIXTURES}IMG_4001.HEIC`))?.toISOString()).toBe('2017-06-06T17:00:02.000Z');
    expect((await captureDateOf(`${FIXTURES}IMG_4003.MOV`))?.toISOString()).toBe('2014-12-19T00:39:23.000Z');
  });

  it('applies OffsetTimeOriginal, and finds nothing in bytes without EXIF or in a damaged block', async () => {
    const jpeg = await readFile(`${FIXTURES}IMG_4002.JPG`);
    expect(exifDate(Buffer.alloc(4096, 0x41))).toBeUndefined();
    const at = jpeg.indexOf('Exif\0\0', 0, 'latin1');
    const cut = jpeg.subarray(0, at + 12);
    expect(exifDate(cut)).toBeUndefined();
    expect(exifDate(offsetExif('2024:02:03 10:00:00', '+02:00'))?.toISOString()).toBe('2024-02-03T08:00:00.000Z');
  });
});

/** A little-endian TIFF block: IFD0 → Exif IFD with DateTimeOriginal (0x9003) and OffsetTimeOriginal (0x9011). */
function offsetExif(date: string, offset: string): Buffer {
  const tiff = Buffer.alloc(200);
  tiff.write('II', 0, 'latin1');
  tiff.writeUInt16LE(42, 2);
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(1, 8); // IFD0: one entry, the Exif pointer
  tiff.writeUInt16LE(0x8769, 10);
  tiff.writeUInt16LE(4, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt32LE(26, 18);
  tiff.writeUInt16LE(2, 26); // Exif IFD: two ASCII entries
  tiff.writeUInt16LE(0x9003, 28);
  tiff.writeUInt16LE(2, 30);
  tiff.writeUInt32LE(20, 32);
  tiff.writeUInt32LE(100, 36);
  tiff.writeUInt16LE(0x9011, 40);
  tiff.writeUInt16LE(2, 42);
  tiff.writeUInt32LE(7, 44);
  tiff.writeUInt32LE(140, 48);
  tiff.write(`${date}\0`, 100, 'latin1');
  tiff.write(`${offset}\0`, 140, 'latin1');
  return Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff]);
}
