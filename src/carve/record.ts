import { isUtf8 } from 'node:buffer';
import { readVarint, varintLength } from './varint.js';

/**
 * Records (fileformat2 §2.1 "Record Format"): a header — its own length as a varint, then one serial type per
 * column — followed by the column bodies in the same order. Serial types: 0 NULL, 1–4 big-endian ints of 1–4
 * bytes, 5 a 6-byte int, 6 an 8-byte int, 7 an IEEE-754 double, 8 and 9 the constants 0 and 1, 10 and 11
 * reserved, N≥12 even a BLOB of (N−12)/2 bytes, N≥13 odd a TEXT of (N−13)/2 bytes.
 */

/** What a carved column holds: TEXT as string, INTEGER as number (bigint beyond 2^53), REAL as number, BLOB as Buffer.
 * */
export type CarvedValue = null | number | bigint | string | Buffer | UnknownValue;

/** A column whose bytes were overwritten or never found (e.g. a freeblock header ate its serial type). */
export interface UnknownValue {
  readonly unknown: true;
}

export const UNKNOWN: UnknownValue = Object.freeze({ unknown: true as const });

export function isUnknown(value: CarvedValue): value is UnknownValue {
  return value !== null && typeof value === 'object' && !Buffer.isBuffer(value);
}

/** Text encodings as the database header (offset 56) numbers them. */
export type TextEncoding = 1 | 2 | 3;

/** Largest serial type we accept: a 1 GB TEXT, SQLite's default SQLITE_MAX_LENGTH. */
const MAX_SERIAL_TYPE = 13 + 2 * 1_000_000_000;

/** Body size of a serial type, or -1 when the type is reserved (10, 11) or absurd. */
export function serialTypeSize(type: number): number {
  if (type < 12) {
    switch (type) {
      case 0:
      case 8:
      case 9:
        return 0;
      case 1:
      case 2:
      case 3:
      case 4:
        return type;
      case 5:
        return 6;
      case 6:
      case 7:
        return 8;
      default:
        return -1;
    }
  }
  if (type > MAX_SERIAL_TYPE) return -1;
  return (type - 12) >> 1;
}

/** A parsed record header: serial types and where the body starts (relative to the buffer). */
export interface RecordHeader {
  types: number[];
  headerLength: number;
  bodyLength: number;
}

/**
 * Parses a record header at `pos` whose length varint is intact. Returns null unless the header is well formed:
 * its length covers at least itself, the serial types end exactly at its end, and no type is reserved.
 * `maxColumns` bounds the work on hostile bytes.
 */
export function parseRecordHeader(buf: Uint8Array, pos: number, end: number, maxColumns: number): RecordHeader | null {
  const headerLength = readVarint(buf, pos, end);
  const lengthBytes = varintLength;
  if (lengthBytes === 0 || headerLength < lengthBytes + 1 || pos + headerLength > end) return null;
  const headerEnd = pos + headerLength;
  return parseSerialTypes(buf, pos + lengthBytes, headerEnd, headerLength, maxColumns);
}

/** Parses serial types filling exactly [pos, headerEnd). */
export function parseSerialTypes(
  buf: Uint8Array,
  pos: number,
  headerEnd: number,
  headerLength: number,
  maxColumns: number,
): RecordHeader | null {
  const types: number[] = [];
  let bodyLength = 0;
  let at = pos;
  while (at < headerEnd) {
    if (types.length >= maxColumns) return null;
    const type = readVarint(buf, at, headerEnd);
    if (varintLength === 0) return null;
    const size = serialTypeSize(type);
    if (size < 0) return null;
    types.push(type);
    bodyLength += size;
    at += varintLength;
  }
  return { types, headerLength, bodyLength };
}

/**
 * Serial types from `pos`, at most `max`, stopping at the first varint that runs past `end` or is no serial type:
 * `types[i]`, the offset after it (`ends[i]`) and the body bytes of the first i+1 (`bodies[i]`). Returns how many
 * were read. A record whose header length was overwritten has its serial types here, for every column count at once.
 */
export function parseSerialTypePrefix(
  buf: Uint8Array,
  pos: number,
  end: number,
  max: number,
  types: number[],
  ends: number[],
  bodies: number[],
): number {
  let at = pos;
  let bodyLength = 0;
  for (let i = 0; i < max; i += 1) {
    const type = readVarint(buf, at, end);
    if (varintLength === 0) return i;
    const size = serialTypeSize(type);
    if (size < 0) return i;
    at += varintLength;
    bodyLength += size;
    types[i] = type;
    ends[i] = at;
    bodies[i] = bodyLength;
  }
  return max;
}

/**
 * Decodes one column body. The caller guarantees the body lies within `buf`. A BLOB is a copy unless `blobViews`:
 * then a view of `buf`, for a caller that is done with the value before `buf` changes (a line written at once).
 */
export function decodeValue(
  buf: Buffer,
  pos: number,
  type: number,
  encoding: TextEncoding,
  blobViews = false,
): CarvedValue {
  switch (type) {
    case 0:
      return null;
    case 1:
      return buf.readInt8(pos);
    case 2:
      return buf.readInt16BE(pos);
    case 3:
      return buf.readIntBE(pos, 3);
    case 4:
      return buf.readInt32BE(pos);
    case 5:
      return buf.readIntBE(pos, 6);
    case 6: {
      const value = buf.readBigInt64BE(pos);
      return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
        ? Number(value)
        : value;
    }
    case 7:
      return buf.readDoubleBE(pos);
    case 8:
      return 0;
    case 9:
      return 1;
    default: {
      const size = (type - 12) >> 1;
      if ((type & 1) === 0)
        return blobViews ? buf.subarray(pos, pos + size) : Buffer.from(buf.subarray(pos, pos + size));
      return decodeText(buf, pos, size, encoding);
    }
  }
}

export function decodeText(buf: Buffer, pos: number, size: number, encoding: TextEncoding): string {
  if (encoding === 1) return buf.toString('utf8', pos, pos + size);
  if (encoding === 2) return buf.toString('utf16le', pos, pos + (size & ~1));
  const swapped = Buffer.from(buf.subarray(pos, pos + (size & ~1)));
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** Whether a TEXT body is valid in the database's encoding (a cheap guard against carving noise). */
export function isPlausibleText(buf: Buffer, pos: number, size: number, encoding: TextEncoding): boolean {
  if (encoding !== 1) return (size & 1) === 0;
  // Most text is ASCII: checked in place, without the view that isUtf8 needs (this runs at every candidate).
  let i = pos;
  const end = pos + size;
  while (i < end && buf[i]! < 0x80) i += 1;
  return i === end || isUtf8(buf.subarray(i, end));
}

/**
 * Whether a record header at `pos` (length varint intact) announces exactly `payloadSize` bytes: the check
 * parseRecordHeader + a size comparison make, without allocating, so that scanning every byte of free space
 * builds objects only where a record can be.
 */
export function headerAnnounces(
  buf: Uint8Array,
  pos: number,
  end: number,
  maxColumns: number,
  payloadSize: number,
): boolean {
  const headerLength = readVarint(buf, pos, end);
  const lengthBytes = varintLength;
  if (lengthBytes === 0 || headerLength < lengthBytes + 1 || headerLength > payloadSize || pos + headerLength > end)
    return false;
  const headerEnd = pos + headerLength;
  let body = 0;
  let columns = 0;
  for (let at = pos + lengthBytes; at < headerEnd; at += varintLength) {
    if (columns >= maxColumns) return false;
    const size = serialTypeSize(readVarint(buf, at, headerEnd));
    if (varintLength === 0 || size < 0) return false;
    body += size;
    columns += 1;
  }
  return headerLength + body === payloadSize;
}
