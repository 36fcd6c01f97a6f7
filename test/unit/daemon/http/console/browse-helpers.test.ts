import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { crc32, makeThumbnail, pageOf, ZipStream } from '../../../../../src/operations/browse/index.js';
import { exifThumbnail } from '../../../../../src/operations/browse/thumbnail.js';

/** A JPEG whose APP1 Exif block has IFD1 pointing at `thumb` (little- or big-endian TIFF). */
function jpegWithExifThumbnail(thumb: Buffer, little: boolean): Buffer {
  const tiff = Buffer.alloc(8 + 6 + 2 + 2 * 12 + 4);
  const u16 = (v: number, o: number) => (little ? tiff.writeUInt16LE(v, o) : tiff.writeUInt16BE(v, o));
  const u32 = (v: number, o: number) => (little ? tiff.writeUInt32LE(v, o) : tiff.writeUInt32BE(v, o));
  tiff.write(little ? 'II' : 'MM', 0, 'latin1');
  u16(42, 2);
  u32(8, 4); // IFD0 at 8: no entries, next IFD at 14
  u16(0, 8);
  u32(14, 10);
  u16(2, 14); // IFD1: JPEGInterchangeFormat, JPEGInterchangeFormatLength
  u16(0x0201, 16);
  u16(4, 18);
  u32(1, 20);
  u32(tiff.length, 24);
  u16(0x0202, 28);
  u16(4, 30);
  u32(1, 32);
  u32(thumb.length, 36);
  u32(0, 40);
  const body = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, thumb]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([Buffer.from([0xff, 0xd8]), app1, body, Buffer.from([0xff, 0xda, 0, 2, 1, 2, 3, 0xff, 0xd9])]);
}

describe('console browse helpers', () => {
  it('takes the EXIF thumbnail of a JPEG (either byte order), else a small original; nothing from other bytes', () => {
    const thumb = Buffer.from([0xff, 0xd8, 9, 8, 7, 0xff, 0xd9]);
    for (const little of [true, false]) {
      const jpeg = jpegWithExifThumbnail(thumb, little);
      expect(exifThumbnail(jpeg)).toEqual(thumb);
      expect(makeThumbnail(jpeg)).toEqual({ data: thumb, mime: 'image/jpeg' });
    }
    const plainJpeg = Buffer.from([0xff, 0xd8, 0xff, 0xda, 0, 2, 0xff, 0xd9]);
    expect(makeThumbnail(plainJpeg)).toEqual({ data: plainJpeg, mime: 'image/jpeg' });
    expect(makeThumbnail(plainJpeg, 4)).toBeUndefined();
    expect(makeThumbnail(Buffer.from('....ftypheic'))).toBeUndefined();
    // A cut-off EXIF block reads nothing rather than past its end.
    const cut = jpegWithExifThumbnail(thumb, true);
    expect(exifThumbnail(cut.subarray(0, 40))).toBeUndefined();
  });

  it('computes the zip CRC-32 (the check values of the CRC catalogue), across chunks', () => {
    // CRC-32/ISO-HDLC check value, and the empty and "a" cases (reveng.sourceforge.io/crc-catalogue).
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    expect(crc32(Buffer.alloc(0))).toBe(0);
    expect(crc32(Buffer.from('a'))).toBe(0xe8b7be43);
    const big = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31) & 0xff));
    expect(crc32(big.subarray(1234), crc32(big.subarray(0, 1234)))).toBe(crc32(big));
  });

  it('writes a zip whose central directory names each entry at its offset with its size and CRC', async () => {
    const sink = new PassThrough();
    const chunks: Buffer[] = [];
    sink.on('data', (c: Buffer) => chunks.push(c));
    const zip = new ZipStream(sink);
    await zip.add('a/één.txt', Buffer.from('hello'));
    const stream = new PassThrough();
    stream.end(Buffer.from('world!'));
    await zip.add('b.bin', stream);
    await zip.finish();
    const bytes = Buffer.concat(chunks);
    const end = bytes.length - 22;
    expect(bytes.readUInt32LE(end)).toBe(0x06054b50);
    expect(bytes.readUInt16LE(end + 10)).toBe(2);
    let at = bytes.readUInt32LE(end + 16);
    const found: Array<[string, string, number]> = [];
    for (let i = 0; i < 2; i++) {
      const size = bytes.readUInt32LE(at + 24);
      const nameLength = bytes.readUInt16LE(at + 28);
      const local = bytes.readUInt32LE(at + 42);
      const name = bytes.toString('utf8', at + 46, at + 46 + nameLength);
      const data = bytes.subarray(local + 30 + nameLength, local + 30 + nameLength + size);
      expect(bytes.readUInt32LE(at + 16)).toBe(crc32(data));
      found.push([name, data.toString(), size]);
      at += 46 + nameLength;
    }
    expect(found).toEqual([
      ['a/één.txt', 'hello', 5],
      ['b.bin', 'world!', 6],
    ]);
  });

  it('pages with search, deleted-only and date range', () => {
    const items = Array.from({ length: 30 }, (_, i) => ({
      n: i,
      date: new Date(Date.UTC(2024, 0, i + 1)).toISOString(),
      deleted: i % 3 === 0,
      text: i % 5 === 0 ? 'Needle here' : 'hay',
    }));
    const page = pageOf(
      items,
      { offset: 2, limit: 3, deleted: true },
      (i) => i.text,
      (i) => i.deleted,
    );
    expect(page.total).toBe(10);
    expect(page.items.map((i) => i.n)).toEqual([6, 9, 12]);
    const found = pageOf(
      items,
      { q: 'NEEDLE' },
      (i) => i.text,
      (i) => i.deleted,
    );
    expect(found.items.map((i) => i.n)).toEqual([0, 5, 10, 15, 20, 25]);
    const range = pageOf(
      items,
      { since: '2024-01-10T00:00:00Z', until: '2024-01-12T00:00:00Z' },
      (i) => i.text,
      (i) => i.deleted,
    );
    expect(range.items.map((i) => i.n)).toEqual([9, 10, 11]);
  });
});
