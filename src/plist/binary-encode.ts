import { APPLE_EPOCH_OFFSET_S } from './binary-decode.js';
import { PlistError } from './errors.js';
import { Real, Uid, type PlistValue } from './types.js';

const INT64_MAX = (1n << 63n) - 1n;
const INT64_MIN = -(1n << 63n);
const UINT64_MAX = (1n << 64n) - 1n;

/**
 * Encodes a value as `bplist00`. Strings are written once and shared (dict keys repeat a lot in device
 * messages); offsets and references use the smallest width that fits, as CoreFoundation does.
 */
export function toBinaryPlist(root: PlistValue): Buffer {
  const encoder = new BinaryEncoder();
  encoder.add(root);
  return encoder.finish();
}

interface Container {
  index: number;
  refs: number[];
}

class BinaryEncoder {
  /** Serialized objects; containers get their reference list appended once the reference width is known. */
  private readonly objects: Buffer[] = [];
  private readonly containers: Container[] = [];
  private readonly strings = new Map<string, number>();
  private readonly onPath = new Set<object>();

  add(value: PlistValue): number {
    if (typeof value === 'string') {
      const known = this.strings.get(value);
      if (known !== undefined) return known;
      const index = this.push(encodeString(value));
      this.strings.set(value, index);
      return index;
    }
    if (typeof value === 'number') {
      if (Number.isInteger(value)) return this.push(encodeInteger(BigInt(value)));
      return this.push(encodeReal(value));
    }
    if (typeof value === 'bigint') return this.push(encodeInteger(value));
    if (typeof value === 'boolean') return this.push(Buffer.from([value ? 0x09 : 0x08]));
    if (value instanceof Real) return this.push(encodeReal(value.value));
    if (value instanceof Uid) return this.push(encodeUid(value.value));
    if (value instanceof Date) {
      const time = value.getTime();
      if (Number.isNaN(time)) throw new PlistError('PLIST_BAD_VALUE', 'an invalid Date');
      const out = Buffer.allocUnsafe(9);
      out[0] = 0x33;
      out.writeDoubleBE(time / 1000 - APPLE_EPOCH_OFFSET_S, 1);
      return this.push(out);
    }
    if (Buffer.isBuffer(value)) return this.push(Buffer.concat([lengthMarker(0x4, value.length), value]));
    if (value instanceof Uint8Array) return this.add(Buffer.from(value));
    if (Array.isArray(value)) {
      return this.container(value, () => value.map((item) => this.add(item)), 0xa, value.length);
    }
    if (typeof value === 'object' && value !== null) {
      const entries = Object.entries(value).filter(([, v]) => v !== undefined);
      return this.container(
        value,
        () => [...entries.map(([k]) => this.add(k)), ...entries.map(([, v]) => this.add(v))],
        0xd,
        entries.length,
      );
    }
    throw new PlistError('PLIST_BAD_VALUE', `a ${value === null ? 'null' : typeof value} has no plist form`);
  }

  private container(value: object, addChildren: () => number[], type: number, count: number): number {
    if (this.onPath.has(value)) throw new PlistError('PLIST_CYCLE', 'the value contains itself');
    this.onPath.add(value);
    const index = this.push(lengthMarker(type, count));
    this.containers.push({ index, refs: addChildren() });
    this.onPath.delete(value);
    return index;
  }

  private push(encoded: Buffer): number {
    this.objects.push(encoded);
    return this.objects.length - 1;
  }

  finish(): Buffer {
    const refSize = bytesFor(this.objects.length - 1);
    for (const { index, refs } of this.containers) {
      const list = Buffer.allocUnsafe(refs.length * refSize);
      refs.forEach((ref, i) => list.writeUIntBE(ref, i * refSize, refSize));
      this.objects[index] = Buffer.concat([this.objects[index]!, list]);
    }
    let position = 8;
    const offsets = this.objects.map((object) => {
      const at = position;
      position += object.length;
      return at;
    });
    const offsetSize = bytesFor(position);
    const table = Buffer.allocUnsafe(offsets.length * offsetSize);
    offsets.forEach((offset, i) => writeSizedUInt(table, offset, i * offsetSize, offsetSize));
    const trailer = Buffer.alloc(32);
    trailer[6] = offsetSize;
    trailer[7] = refSize;
    trailer.writeBigUInt64BE(BigInt(this.objects.length), 8);
    trailer.writeBigUInt64BE(0n, 16);
    trailer.writeBigUInt64BE(BigInt(position), 24);
    return Buffer.concat([Buffer.from('bplist00', 'latin1'), ...this.objects, table, trailer]);
  }
}

function encodeString(value: string): Buffer {
  // ASCII strings are stored as bytes; anything else as UTF-16BE with a count of code units.
  if (/^[\x00-\x7f]*$/.test(value))
    return Buffer.concat([lengthMarker(0x5, value.length), Buffer.from(value, 'latin1')]);
  const utf16 = Buffer.from(value, 'utf16le');
  utf16.swap16();
  return Buffer.concat([lengthMarker(0x6, utf16.length / 2), utf16]);
}

function encodeInteger(value: bigint): Buffer {
  if (value < INT64_MIN || value > UINT64_MAX)
    throw new PlistError('PLIST_BAD_VALUE', `integer ${value} does not fit in a plist`);
  if (value >= 0n && value <= 0xffn) return Buffer.from([0x10, Number(value)]);
  if (value >= 0n && value <= 0xffffn) {
    const out = Buffer.allocUnsafe(3);
    out[0] = 0x11;
    out.writeUInt16BE(Number(value), 1);
    return out;
  }
  if (value >= 0n && value <= 0xffffffffn) {
    const out = Buffer.allocUnsafe(5);
    out[0] = 0x12;
    out.writeUInt32BE(Number(value), 1);
    return out;
  }
  if (value <= INT64_MAX) {
    // Negative numbers are always 8-byte two's complement: CoreFoundation reads smaller widths as unsigned.
    const out = Buffer.allocUnsafe(9);
    out[0] = 0x13;
    out.writeBigInt64BE(value, 1);
    return out;
  }
  const out = Buffer.alloc(17);
  out[0] = 0x14;
  out.writeBigUInt64BE(value, 9);
  return out;
}

function encodeReal(value: number): Buffer {
  const out = Buffer.allocUnsafe(9);
  out[0] = 0x23;
  out.writeDoubleBE(value, 1);
  return out;
}

function encodeUid(value: number): Buffer {
  if (!Number.isSafeInteger(value) || value < 0)
    throw new PlistError('PLIST_BAD_VALUE', `UID ${value} is not a non-negative integer`);
  const size = value <= 0xff ? 1 : value <= 0xffff ? 2 : value <= 0xffffffff ? 4 : 8;
  const out = Buffer.alloc(1 + size);
  out[0] = 0x80 | (size - 1);
  writeSizedUInt(out, value, 1, size);
  return out;
}

function lengthMarker(type: number, length: number): Buffer {
  if (length < 15) return Buffer.from([(type << 4) | length]);
  return Buffer.concat([Buffer.from([(type << 4) | 0x0f]), encodeInteger(BigInt(length))]);
}

function bytesFor(max: number): number {
  if (max <= 0xff) return 1;
  if (max <= 0xffff) return 2;
  if (max <= 0xffffffff) return 4;
  return 8;
}

function writeSizedUInt(buf: Buffer, value: number, at: number, size: number): void {
  if (size === 8) buf.writeBigUInt64BE(BigInt(value), at);
  else buf.writeUIntBE(value, at, size);
}
