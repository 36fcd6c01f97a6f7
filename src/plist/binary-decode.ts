import { PlistError } from './errors.js';
import { Real, Uid, type PlistDict, type PlistValue } from './types.js';

/** Seconds between the Unix epoch and Apple's reference date, 2001-01-01T00:00:00Z. */
export const APPLE_EPOCH_OFFSET_S = 978_307_200;
const MAX_DEPTH = 512;

/**
 * Decodes a `bplist00` buffer. Every offset, count and length is checked against the buffer before use, so
 * hostile input ends in a PlistError, never an out-of-range read, a huge allocation, a cycle or a hang.
 */
export function parseBinaryPlist(buf: Buffer): PlistValue {
  if (buf.length < 8 + 32 || buf.toString('latin1', 0, 6) !== 'bplist') {
    throw new PlistError('PLIST_BAD_HEADER', 'not a binary plist (no bplist header or too short)');
  }
  const trailer = buf.length - 32;
  const offsetSize = buf[trailer + 6]!;
  const refSize = buf[trailer + 7]!;
  const objectCount = readSizedUInt(buf, trailer + 8, 8);
  const topObject = readSizedUInt(buf, trailer + 16, 8);
  const tableOffset = readSizedUInt(buf, trailer + 24, 8);
  if (offsetSize < 1 || offsetSize > 8 || refSize < 1 || refSize > 8) {
    throw new PlistError('PLIST_BAD_HEADER', `bad trailer: offset size ${offsetSize}, reference size ${refSize}`);
  }
  if (objectCount < 1 || topObject >= objectCount)
    throw new PlistError('PLIST_BAD_HEADER', 'bad trailer: object count or top object');
  if (tableOffset < 8 || tableOffset + objectCount * offsetSize > trailer) {
    throw new PlistError('PLIST_BAD_OFFSET', 'the offset table lies outside the plist');
  }
  const decoder = new BinaryDecoder(buf, offsetSize, refSize, objectCount, tableOffset);
  return decoder.object(topObject, 0);
}

class BinaryDecoder {
  private readonly onPath = new Set<number>();
  /** Shared sub-objects are legal; a budget stops a small file from expanding into billions of nodes. */
  private budget: number;

  constructor(
    private readonly buf: Buffer,
    private readonly offsetSize: number,
    private readonly refSize: number,
    private readonly objectCount: number,
    private readonly tableOffset: number,
  ) {
    this.budget = objectCount * 4 + 100_000;
  }

  object(index: number, depth: number): PlistValue {
    if (index >= this.objectCount)
      throw new PlistError('PLIST_BAD_OFFSET', `object reference ${index} is out of range`);
    if (depth > MAX_DEPTH) throw new PlistError('PLIST_TOO_LARGE', `nesting deeper than ${MAX_DEPTH}`);
    if (--this.budget < 0) throw new PlistError('PLIST_TOO_LARGE', 'the plist expands to too many objects');
    const offset = readSizedUInt(this.buf, this.tableOffset + index * this.offsetSize, this.offsetSize);
    const end = this.buf.length - 32;
    if (offset < 8 || offset >= end)
      throw new PlistError('PLIST_BAD_OFFSET', `object ${index} starts outside the plist`);
    const marker = this.buf[offset]!;
    const type = marker >> 4;
    const info = marker & 0x0f;
    switch (type) {
      case 0x0:
        if (info === 0x8) return false;
        if (info === 0x9) return true;
        // null (0x00) and fill (0x0F) have no value of their own; CoreFoundation never writes them at the top.
        throw new PlistError('PLIST_UNSUPPORTED_TYPE', `unsupported simple marker 0x${marker.toString(16)}`);
      case 0x1:
        return this.integer(offset + 1, info);
      case 0x2: {
        const size = 1 << info;
        this.need(offset + 1, size);
        if (size === 4) return new Real(this.buf.readFloatBE(offset + 1));
        if (size === 8) return new Real(this.buf.readDoubleBE(offset + 1));
        throw new PlistError('PLIST_UNSUPPORTED_TYPE', `a ${size}-byte real`);
      }
      case 0x3:
        if (info !== 0x3) throw new PlistError('PLIST_UNSUPPORTED_TYPE', `date marker 0x${marker.toString(16)}`);
        this.need(offset + 1, 8);
        return new Date((this.buf.readDoubleBE(offset + 1) + APPLE_EPOCH_OFFSET_S) * 1000);
      case 0x4: {
        const [start, length] = this.lengthAndStart(offset, info);
        this.need(start, length);
        return Buffer.from(this.buf.subarray(start, start + length));
      }
      case 0x5: {
        const [start, length] = this.lengthAndStart(offset, info);
        this.need(start, length);
        return this.buf.toString('latin1', start, start + length);
      }
      case 0x6: {
        const [start, units] = this.lengthAndStart(offset, info);
        this.need(start, units * 2);
        return utf16beToString(this.buf.subarray(start, start + units * 2));
      }
      case 0x7: {
        const [start, length] = this.lengthAndStart(offset, info);
        this.need(start, length);
        return this.buf.toString('utf8', start, start + length);
      }
      case 0x8: {
        const size = info + 1;
        if (size > 8) throw new PlistError('PLIST_UNSUPPORTED_TYPE', `a ${size}-byte UID`);
        this.need(offset + 1, size);
        return new Uid(readSizedUInt(this.buf, offset + 1, size));
      }
      case 0xa:
      case 0xb:
      case 0xc:
        return this.container(index, offset, info, depth, false);
      case 0xd:
        return this.container(index, offset, info, depth, true);
      default:
        throw new PlistError('PLIST_UNSUPPORTED_TYPE', `unknown object marker 0x${marker.toString(16)}`);
    }
  }

  private container(index: number, offset: number, info: number, depth: number, isDict: boolean): PlistValue {
    const [start, count] = this.lengthAndStart(offset, info);
    const refs = isDict ? count * 2 : count;
    // Check the references fit in the buffer before allocating anything for `count` entries.
    this.need(start, refs * this.refSize);
    if (this.onPath.has(index)) throw new PlistError('PLIST_CYCLE', `object ${index} contains itself`);
    this.onPath.add(index);
    try {
      const ref = (i: number): number => readSizedUInt(this.buf, start + i * this.refSize, this.refSize);
      if (!isDict) {
        const out: PlistValue[] = new Array(count);
        for (let i = 0; i < count; i++) out[i] = this.object(ref(i), depth + 1);
        return out;
      }
      const out: PlistDict = {};
      for (let i = 0; i < count; i++) {
        const key = this.object(ref(i), depth + 1);
        if (typeof key !== 'string') throw new PlistError('PLIST_UNSUPPORTED_TYPE', 'a dict key is not a string');
        const value = this.object(ref(count + i), depth + 1);
        // defineProperty: a key named "__proto__" must become a plain key, not the object's prototype.
        Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
      }
      return out;
    } finally {
      this.onPath.delete(index);
    }
  }

  private integer(at: number, info: number): number | bigint {
    if (info > 4) throw new PlistError('PLIST_UNSUPPORTED_TYPE', `a ${1 << info}-byte integer`);
    const size = 1 << info;
    this.need(at, size);
    if (size <= 4) return readSizedUInt(this.buf, at, size);
    if (size === 8) return narrow(this.buf.readBigInt64BE(at));
    // 16 bytes: CoreFoundation's form for unsigned values above INT64_MAX.
    const value = BigInt.asIntN(128, (this.buf.readBigUInt64BE(at) << 64n) | this.buf.readBigUInt64BE(at + 8));
    return narrow(value);
  }

  /** Objects with a count store it in the low nibble, or 0xF and an integer object after the marker. */
  private lengthAndStart(offset: number, info: number): [number, number] {
    if (info !== 0x0f) return [offset + 1, info];
    this.need(offset + 1, 1);
    const marker = this.buf[offset + 1]!;
    if (marker >> 4 !== 0x1) throw new PlistError('PLIST_BAD_HEADER', 'a length is not an integer object');
    const size = 1 << (marker & 0x0f);
    if (size > 8) throw new PlistError('PLIST_TOO_LARGE', 'an object length beyond 64 bits');
    this.need(offset + 2, size);
    const length = readSizedUInt(this.buf, offset + 2, size);
    return [offset + 2 + size, length];
  }

  private need(start: number, length: number): void {
    if (!Number.isSafeInteger(length) || start + length > this.buf.length - 32) {
      throw new PlistError('PLIST_TRUNCATED', `an object claims ${length} bytes beyond the end of the plist`);
    }
  }
}

/** Big-endian unsigned integer of 1..8 bytes; beyond 2^53 it cannot be an offset or count we could honour. */
function readSizedUInt(buf: Buffer, at: number, size: number): number {
  if (at + size > buf.length) throw new PlistError('PLIST_TRUNCATED', 'the plist ends inside an integer');
  if (size <= 6) return buf.readUIntBE(at, size);
  // 7- and 8-byte widths are legal in the trailer's offset and reference sizes.
  const value = size === 8 ? buf.readBigUInt64BE(at) : (BigInt(buf[at]!) << 48n) | BigInt(buf.readUIntBE(at + 1, 6));
  if (value > BigInt(Number.MAX_SAFE_INTEGER))
    throw new PlistError('PLIST_TOO_LARGE', 'an offset or count beyond 2^53');
  return Number(value);
}

function narrow(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function utf16beToString(bytes: Buffer): string {
  const swapped = Buffer.from(bytes);
  swapped.swap16();
  return swapped.toString('utf16le');
}
