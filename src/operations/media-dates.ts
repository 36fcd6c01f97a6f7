import { open, type FileHandle } from 'node:fs/promises';

/** EXIF sits near the start of a JPEG or HEIC; a few hundred KB covers what phones write. */
export const EXIF_HEAD_BYTES = 512 * 1024;
/** A QuickTime movie header is small; anything bigger is not one we trust. */
const MAX_MOOV_BYTES = 16 * 1024 * 1024;
/** QuickTime counts seconds from 1904-01-01 UTC. */
const QUICKTIME_EPOCH_MS = Date.UTC(1904, 0, 1);

/**
 * When a photo or video was taken, from the file itself: EXIF DateTimeOriginal (with OffsetTimeOriginal when the
 * camera wrote it; without, the time is taken as UTC) for JPEG and HEIC, the movie header's creation time for
 * QuickTime/MP4. Undefined when the file has neither; a damaged file never throws, it just has no date.
 */
export async function captureDateOf(file: string): Promise<Date | undefined> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(file, 'r');
    return (await quickTimeDate(handle)) ?? exifDate(await readAt(handle, 0, EXIF_HEAD_BYTES));
  } catch {
    return undefined;
  } finally {
    await handle?.close();
  }
}

async function readAt(handle: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await handle.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Walks the top-level atoms to `moov` (often after the media data) and reads `mvhd`'s creation time. */
async function quickTimeDate(handle: FileHandle): Promise<Date | undefined> {
  const size = (await handle.stat()).size;
  let position = 0;
  for (let atoms = 0; position + 8 <= size && atoms < 1000; atoms++) {
    const header = await readAt(handle, position, 16);
    let length = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let headerLength = 8;
    if (length === 1 && header.length >= 16) {
      length = Number(header.readBigUInt64BE(8));
      headerLength = 16;
    } else if (length === 0) length = size - position;
    if (atoms === 0 && type !== 'ftyp' && type !== 'moov' && type !== 'wide' && type !== 'mdat') return undefined;
    if (length < headerLength) return undefined;
    if (type === 'moov') {
      if (length > MAX_MOOV_BYTES) return undefined;
      const moov = await readAt(handle, position + headerLength, length - headerLength);
      return mvhdDate(moov);
    }
    position += length;
  }
  return undefined;
}

function mvhdDate(moov: Buffer): Date | undefined {
  const at = moov.indexOf('mvhd', 0, 'latin1');
  if (at < 4 || at + 16 > moov.length) return undefined;
  const version = moov[at + 4];
  const seconds = version === 1 ? Number(moov.readBigUInt64BE(at + 8)) : moov.readUInt32BE(at + 8);
  // 0 is "unknown"; an encoder that never set it leaves 1904.
  return seconds > 0 ? new Date(QUICKTIME_EPOCH_MS + seconds * 1000) : undefined;
}

/** Finds `Exif\0\0` + a TIFF header and reads DateTimeOriginal (0x9003) and OffsetTimeOriginal (0x9011). */
export function exifDate(bytes: Buffer): Date | undefined {
  // A JPEG's EXIF is its APP1 segment, at most 64 KB and right after the start marker; HEIC puts it anywhere early.
  const data = bytes[0] === 0xff && bytes[1] === 0xd8 ? bytes.subarray(0, 128 * 1024) : bytes;
  let at = data.indexOf('Exif\0\0', 0, 'latin1');
  while (at >= 0) {
    const date = tiffDate(data.subarray(at + 6));
    if (date !== undefined) return date;
    at = data.indexOf('Exif\0\0', at + 6, 'latin1');
  }
  return undefined;
}

function tiffDate(tiff: Buffer): Date | undefined {
  if (tiff.length < 8) return undefined;
  const order = tiff.toString('latin1', 0, 2);
  if (order !== 'II' && order !== 'MM') return undefined;
  const le = order === 'II';
  const u16 = (o: number): number => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number): number => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  if (u16(2) !== 42) return undefined;
  const entries = (ifd: number): Map<number, { type: number; count: number; value: number }> => {
    const out = new Map<number, { type: number; count: number; value: number }>();
    if (ifd + 2 > tiff.length) return out;
    const n = u16(ifd);
    for (let i = 0; i < n && ifd + 2 + i * 12 + 12 <= tiff.length; i++) {
      const e = ifd + 2 + i * 12;
      out.set(u16(e), { type: u16(e + 2), count: u32(e + 4), value: e + 8 });
    }
    return out;
  };
  const ascii = (entry: { type: number; count: number; value: number } | undefined): string | undefined => {
    if (entry === undefined || entry.type !== 2) return undefined;
    const start = entry.count <= 4 ? entry.value : u32(entry.value);
    if (start + entry.count > tiff.length) return undefined;
    return tiff.toString('latin1', start, start + entry.count).replace(/\0.*$/s, '');
  };
  const ifd0 = entries(u32(4));
  const exifPointer = ifd0.get(0x8769);
  const exif = exifPointer ? entries(u32(exifPointer.value)) : new Map();
  const text = ascii(exif.get(0x9003)) ?? ascii(exif.get(0x9004)) ?? ascii(ifd0.get(0x0132));
  const match = text && /^(\d{4}):(\d{2}):(\d{2}) (\d{2}):(\d{2}):(\d{2})/.exec(text);
  if (!match) return undefined;
  const offset = ascii(exif.get(0x9011)) ?? ascii(exif.get(0x9010));
  const zone = offset && /^[+-]\d{2}:\d{2}$/.test(offset) ? offset : 'Z';
  const ms = Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}${zone}`);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
