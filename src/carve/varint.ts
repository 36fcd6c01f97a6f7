/**
 * SQLite varints (fileformat2 §1.6 "varint"): 1–9 bytes, big-endian, 7 bits per byte with the high bit
 * meaning "more", except the ninth byte which gives all 8 bits. Readers here never read past `end`.
 */

/** Length of the varint most recently decoded by `readVarint` (0 when it ran past `end`). */
export let varintLength = 0;

/**
 * Decodes the varint at `pos`, stopping at `end`. Returns the value as a number (exact up to 2^53, which covers
 * every length and serial type a sane record holds) and sets `varintLength`; on truncation returns -1 with
 * `varintLength` 0. Values that do not fit a double exactly come back approximate: use `readVarintBig` for rowids.
 */
export function readVarint(buf: Uint8Array, pos: number, end: number): number {
  let value = 0;
  for (let i = 0; i < 8; i += 1) {
    if (pos + i >= end) {
      varintLength = 0;
      return -1;
    }
    const byte = buf[pos + i]!;
    value = value * 128 + (byte & 0x7f);
    if (byte < 0x80) {
      varintLength = i + 1;
      return value;
    }
  }
  if (pos + 8 >= end) {
    varintLength = 0;
    return -1;
  }
  varintLength = 9;
  return value * 256 + buf[pos + 8]!;
}

/** The same varint as a signed 64-bit integer (rowids are signed): a number when safe, else a bigint. */
export function readVarintBig(
  buf: Uint8Array,
  pos: number,
  end: number,
): { value: number | bigint; length: number } | null {
  let value = 0n;
  for (let i = 0; i < 9; i += 1) {
    if (pos + i >= end) return null;
    const byte = buf[pos + i]!;
    if (i === 8) {
      value = (value << 8n) | BigInt(byte);
      return { value: toSafe(BigInt.asIntN(64, value)), length: 9 };
    }
    value = (value << 7n) | BigInt(byte & 0x7f);
    if (byte < 0x80) return { value: toSafe(BigInt.asIntN(64, value)), length: i + 1 };
  }
  return null;
}

function toSafe(value: bigint): number | bigint {
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

/** Encodes a non-negative integer as a SQLite varint (tests and generators use it). */
export function encodeVarint(input: number | bigint): Buffer {
  let value = BigInt.asUintN(64, BigInt(input));
  if (value > 0x00ffffffffffffffn) {
    const out = Buffer.alloc(9);
    out[8] = Number(value & 0xffn);
    value >>= 8n;
    for (let i = 7; i >= 0; i -= 1) {
      out[i] = Number(value & 0x7fn) | 0x80;
      value >>= 7n;
    }
    return out;
  }
  const bytes: number[] = [Number(value & 0x7fn)];
  value >>= 7n;
  while (value > 0n) {
    bytes.unshift(Number(value & 0x7fn) | 0x80);
    value >>= 7n;
  }
  return Buffer.from(bytes);
}
