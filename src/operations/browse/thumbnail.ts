/**
 * A small picture for the console's grid, without an image library: the JPEG thumbnail a camera stores in the EXIF
 * block (APP1 "Exif", IFD1's JPEGInterchangeFormat 0x0201 / JPEGInterchangeFormatLength 0x0202, CIPA DC-008 §4.5.8),
 * which iPhone photos carry at about 160×120; otherwise the original itself when it is a JPEG, PNG or GIF under
 * `maxOriginalBytes` (the browser scales it). Undefined when neither exists (HEIC without EXIF thumbnail, videos).
 */
export function makeThumbnail(
  data: Buffer,
  maxOriginalBytes = 2 * 1024 * 1024,
): { data: Buffer; mime: string } | undefined {
  const embedded = exifThumbnail(data);
  if (embedded) return { data: embedded, mime: 'image/jpeg' };
  const mime = sniffImage(data);
  if (mime && data.length <= maxOriginalBytes) return { data, mime };
  return undefined;
}

export function sniffImage(data: Buffer): string | undefined {
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data.subarray(0, 4).toString('latin1') === 'GIF8') return 'image/gif';
  return undefined;
}

/** The EXIF thumbnail of a JPEG, or undefined. Every offset is checked against the buffer: bad input reads nothing. */
export function exifThumbnail(jpeg: Buffer): Buffer | undefined {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return undefined;
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1]!;
    const length = jpeg.readUInt16BE(at + 2);
    if (marker === 0xda || length < 2) return undefined; // image data begins: no EXIF before it
    if (marker === 0xe1 && jpeg.subarray(at + 4, at + 10).toString('latin1') === 'Exif\0\0') {
      return thumbnailInTiff(jpeg.subarray(at + 10, Math.min(jpeg.length, at + 2 + length)));
    }
    at += 2 + length;
  }
  return undefined;
}

function thumbnailInTiff(tiff: Buffer): Buffer | undefined {
  if (tiff.length < 8) return undefined;
  const little = tiff.toString('latin1', 0, 2) === 'II';
  if (!little && tiff.toString('latin1', 0, 2) !== 'MM') return undefined;
  const u16 = (o: number): number => (little ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number): number => (little ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const ifd0 = u32(4);
  if (ifd0 + 2 > tiff.length) return undefined;
  const next = ifd0 + 2 + u16(ifd0) * 12;
  if (next + 4 > tiff.length) return undefined;
  const ifd1 = u32(next);
  if (ifd1 === 0 || ifd1 + 2 > tiff.length) return undefined;
  let offset: number | undefined;
  let length: number | undefined;
  const entries = u16(ifd1);
  for (let i = 0; i < entries; i++) {
    const entry = ifd1 + 2 + i * 12;
    if (entry + 12 > tiff.length) return undefined;
    const tag = u16(entry);
    if (tag === 0x0201) offset = u32(entry + 8);
    if (tag === 0x0202) length = u32(entry + 8);
  }
  if (offset === undefined || length === undefined || length === 0 || offset + length > tiff.length) return undefined;
  const thumb = tiff.subarray(offset, offset + length);
  return thumb[0] === 0xff && thumb[1] === 0xd8 ? Buffer.from(thumb) : undefined;
}
