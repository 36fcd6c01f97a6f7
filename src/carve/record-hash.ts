import { serialTypeSize } from './record.js';

/**
 * A 53-bit fingerprint of a stored record's column values, computed straight from its bytes, so that live rows
 * (hundreds of thousands in a real sms.db) cost a few numbers each to remember. Integers are normalised to
 * 64 bits first: the same value may be stored as serial type 1 in one copy and inferred as another size in a
 * carved one. `fromColumn` skips leading columns a carved copy lost (the freeblock header overwrites them).
 */
export function recordHash(body: Buffer, bodyStart: number, types: readonly number[], fromColumn: number, column0Size = -1): number {
  let h1 = 0x811c9dc5;
  let h2 = 0x5bd1e995;
  let pos = bodyStart;
  for (let i = 0; i < types.length; i += 1) {
    const type = types[i]!;
    const size = type < 0 ? column0Size : serialTypeSize(type);
    if (i >= fromColumn) {
      let tag: number;
      let hi = 0;
      let lo = 0;
      if (type === 0) tag = 1;
      else if (type <= 6 || type === 8 || type === 9) {
        tag = 2;
        if (type === 8) lo = 0;
        else if (type === 9) lo = 1;
        else if (type <= 4) {
          lo = body.readIntBE(pos, type);
          hi = lo < 0 ? -1 : 0;
        } else if (type === 5) {
          hi = body.readInt16BE(pos);
          lo = body.readUInt32BE(pos + 2);
        } else {
          hi = body.readInt32BE(pos);
          lo = body.readUInt32BE(pos + 4);
        }
      } else if (type === 7) tag = 3;
      else tag = (type & 1) === 0 ? 4 : 5;
      h1 = Math.imul(h1 ^ tag, 0x01000193);
      h2 = Math.imul(h2 ^ (tag + 17), 0x85ebca6b);
      if (tag === 2) {
        h1 = Math.imul(h1 ^ hi, 0x01000193);
        h1 = Math.imul(h1 ^ lo, 0x01000193);
        h2 = Math.imul(h2 ^ lo, 0xc2b2ae35);
        h2 = Math.imul(h2 ^ hi, 0xc2b2ae35);
      } else if (tag >= 3) {
        h1 = Math.imul(h1 ^ size, 0x01000193);
        for (let k = pos; k < pos + size; k += 1) {
          const b = body[k]!;
          h1 = Math.imul(h1 ^ b, 0x01000193);
          h2 = Math.imul(h2 ^ b, 0x85ebca6b) ^ (h2 >>> 15);
        }
      }
    }
    pos += size;
  }
  return (h1 >>> 0) * 0x200000 + ((h2 >>> 0) & 0x1fffff);
}
