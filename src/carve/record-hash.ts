import { int32, intOf, uint32 } from './bytes.js';
import { serialTypeSize } from './record.js';
import { readVarint, varintLength } from './varint.js';

/**
 * 53-bit fingerprints of a stored record's column values, computed straight from its bytes, so that live rows
 * (hundreds of thousands in a real sms.db) cost a few numbers each to remember. Integers are normalised to
 * 64 bits first: the same value may be stored as serial type 1 in one copy and inferred as another size in a
 * carved one.
 */
/** Set by `recordHashes`: the fingerprint of all columns. */
export let lastFullHash = 0;
/** Set by `recordHashes`: the fingerprint of every column but the first. */
export let lastTailHash = 0;

/**
 * Both fingerprints in one pass over the record: of all columns (`lastFullHash`, meaningless when the first
 * column's type is unknown, -1) and of all but the first (`lastTailHash`), which a carved copy that lost its
 * first column can still be compared by.
 */
export function recordHashes(body: Buffer, bodyStart: number, types: readonly number[], column0Size = -1): void {
  const fromColumn = 0;
  let h1 = 0x811c9dc5;
  let h2 = 0x5bd1e995;
  let t1 = 0x811c9dc5;
  let t2 = 0x5bd1e995;
  let pos = bodyStart;
  for (let i = 0; i < types.length; i += 1) {
    const type = types[i]!;
    const size = type < 0 ? column0Size : serialTypeSize(type);
    if (i === fromColumn + 1) {
      // The tail fingerprint starts fresh here, exactly as a hash from this column would.
      t1 = h1;
      t2 = h2;
      h1 = 0x811c9dc5;
      h2 = 0x5bd1e995;
    }
    if (type >= 0) {
      let tag: number;
      let hi = 0;
      let lo = 0;
      if (type === 0) tag = 1;
      else if (type <= 6 || type === 8 || type === 9) {
        tag = 2;
        if (type === 8) lo = 0;
        else if (type === 9) lo = 1;
        else if (type <= 4) {
          lo = intOf(body, pos, type);
          hi = lo < 0 ? -1 : 0;
        } else if (type === 5) {
          hi = intOf(body, pos, 2);
          lo = uint32(body, pos + 2);
        } else {
          hi = int32(body, pos);
          lo = uint32(body, pos + 4);
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
  finishHashes(t1, t2, h1, h2, types.length <= fromColumn + 1);
}

/**
 * Sets `lastTailHash` and `lastFullHash` from the streams of the first column (t) and of the rest (h): the rest's is
 * the tail, and the first column's folds into it for the full one. A record of one column has no rest: its only
 * stream is the first column's.
 */
function finishHashes(t1: number, t2: number, h1: number, h2: number, oneColumn: boolean): void {
  if (oneColumn) {
    t1 = h1;
    t2 = h2;
    h1 = 0x811c9dc5;
    h2 = 0x5bd1e995;
  }
  lastTailHash = fingerprint53(h1, h2);
  lastFullHash = combine(t1, t2, h1, h2);
}

/** A 53-bit fingerprint from two 32-bit hash states: all of the first, the low 21 bits of the second. */
function fingerprint53(a: number, b: number): number {
  return (a >>> 0) * 0x200000 + ((b >>> 0) & 0x1fffff);
}

function combine(a1: number, a2: number, b1: number, b2: number): number {
  const h1 = Math.imul(a1 ^ Math.imul(b1, 0x01000193), 0x85ebca6b) ^ b2;
  const h2 = Math.imul(a2 ^ Math.imul(b2, 0xc2b2ae35), 0x01000193) ^ b1;
  return fingerprint53(h1, h2);
}

/** Fewer TEXT/BLOB bytes than this identify nothing ("ok", a first name): such records get no content fingerprint. */
const MIN_CONTENT_BYTES = 16;

/**
 * A fingerprint of a record's TEXT and BLOB columns only, from the second column on (the first may be lost in a
 * carved copy). A carved record with the same message text as a live row is that row — a stale copy whose
 * numbers a later write damaged, or an older version differing only in a flag — never a deleted message.
 * Null when the record holds too little text to tell.
 */
export function contentHash(
  body: Buffer,
  bodyStart: number,
  types: readonly number[],
  column0Size = -1,
): number | null {
  return textsHash(body, bodyStart, types, column0Size, Number.POSITIVE_INFINITY);
}

/**
 * The same over a record's first two TEXT or BLOB columns: what a record whose later texts a newer cell cut
 * (RawRecord.contentCut) still has whole. Copies of one row found in several places agree on it, so the emitter
 * merges a cut copy into a whole one reported before; a sent message's guid and text tell its versions apart. Null
 * when the record has fewer than two such columns.
 */
export function leadHash(body: Buffer, bodyStart: number, types: readonly number[], column0Size = -1): number | null {
  return textsHash(body, bodyStart, types, column0Size, 2);
}

/**
 * The TEXT and BLOB columns from the second on, at most `most` of them (with their positions and sizes): null when
 * they hold under MIN_CONTENT_BYTES, do not all survive in `body`, or number fewer than a finite `most`.
 */
function textsHash(
  body: Buffer,
  bodyStart: number,
  types: readonly number[],
  column0Size: number,
  most: number,
): number | null {
  let h1 = 0x9747b28c;
  let h2 = 0x2545f491;
  let pos = bodyStart;
  let bytes = 0;
  let columns = 0;
  let contentEnd = pos;
  for (let i = 0; i < types.length && columns < most; i += 1) {
    const type = types[i]!;
    const size = type < 0 ? column0Size : serialTypeSize(type);
    if (i >= 1 && type >= 12) {
      columns += 1;
      bytes += size;
      contentEnd = pos + size;
      h1 = Math.imul(h1 ^ (i * 31 + size), 0x01000193);
      for (let k = pos; k < pos + size && k < body.length; k += 1) {
        const b = body[k]!;
        h1 = Math.imul(h1 ^ b, 0x01000193);
        h2 = Math.imul(h2 ^ b, 0x85ebca6b) ^ (h2 >>> 15);
      }
    }
    pos += size;
  }
  // Numbers after the last text or blob do not count: a record whose end a later cell overwrote still has its
  // content fingerprint when its texts and blobs survive.
  if (bytes < MIN_CONTENT_BYTES || contentEnd > body.length) return null;
  if (Number.isFinite(most) && columns < most) return null;
  return fingerprint53(h1, h2);
}

/** Set by `liveRecordHashes`: the content fingerprint, or -1 when the record holds too little text to tell. */
export let lastContentHash = -1;

/**
 * `recordHashes` and `contentHash` of a record read straight from its header, in one pass and without building its
 * list of serial types: the live walk fingerprints every row of the database this way (a phone's sms.db has
 * hundreds of thousands). The header starts at `start`; `payloadEnd` is where the payload ends. Returns false,
 * setting nothing, for a header that does not parse or announces more body than the payload holds (what
 * parseRecordHeader and that size check reject). Values are exactly those of the two functions above.
 */
export function liveRecordHashes(body: Buffer, start: number, payloadEnd: number, maxColumns: number): boolean {
  const headerLength = readVarint(body, start, payloadEnd);
  const lengthBytes = varintLength;
  if (lengthBytes === 0 || headerLength < lengthBytes + 1 || start + headerLength > payloadEnd) return false;
  const headerEnd = start + headerLength;
  let at = start + lengthBytes;
  let pos = headerEnd;
  let h1 = 0x811c9dc5;
  let h2 = 0x5bd1e995;
  let t1 = 0x811c9dc5;
  let t2 = 0x5bd1e995;
  let c1 = 0x9747b28c;
  let c2 = 0x2545f491;
  let contentBytes = 0;
  let columns = 0;
  while (at < headerEnd) {
    if (columns >= maxColumns) return false;
    const type = readVarint(body, at, headerEnd);
    if (varintLength === 0) return false;
    at += varintLength;
    const size = serialTypeSize(type);
    if (size < 0 || pos + size > payloadEnd) return false;
    if (columns === 1) {
      t1 = h1;
      t2 = h2;
      h1 = 0x811c9dc5;
      h2 = 0x5bd1e995;
    }
    if (type === 0) {
      h1 = Math.imul(h1 ^ 1, 0x01000193);
      h2 = Math.imul(h2 ^ 18, 0x85ebca6b);
    } else if (type <= 6 || type === 8 || type === 9) {
      let hi = 0;
      let lo = 0;
      if (type === 9) lo = 1;
      else if (type <= 4 && type !== 0) {
        lo = intOf(body, pos, type);
        hi = lo < 0 ? -1 : 0;
      } else if (type === 5) {
        hi = intOf(body, pos, 2);
        lo = uint32(body, pos + 2);
      } else if (type === 6) {
        hi = int32(body, pos);
        lo = uint32(body, pos + 4);
      }
      h1 = Math.imul(h1 ^ 2, 0x01000193);
      h2 = Math.imul(h2 ^ 19, 0x85ebca6b);
      h1 = Math.imul(h1 ^ hi, 0x01000193);
      h1 = Math.imul(h1 ^ lo, 0x01000193);
      h2 = Math.imul(h2 ^ lo, 0xc2b2ae35);
      h2 = Math.imul(h2 ^ hi, 0xc2b2ae35);
    } else {
      const tag = type === 7 ? 3 : (type & 1) === 0 ? 4 : 5;
      h1 = Math.imul(h1 ^ tag, 0x01000193);
      h2 = Math.imul(h2 ^ (tag + 17), 0x85ebca6b);
      h1 = Math.imul(h1 ^ size, 0x01000193);
      const content = columns >= 1 && type >= 12;
      if (content) {
        contentBytes += size;
        c1 = Math.imul(c1 ^ (columns * 31 + size), 0x01000193);
        for (let k = pos; k < pos + size; k += 1) {
          const b = body[k]!;
          h1 = Math.imul(h1 ^ b, 0x01000193);
          h2 = Math.imul(h2 ^ b, 0x85ebca6b) ^ (h2 >>> 15);
          c1 = Math.imul(c1 ^ b, 0x01000193);
          c2 = Math.imul(c2 ^ b, 0x85ebca6b) ^ (c2 >>> 15);
        }
      } else {
        for (let k = pos; k < pos + size; k += 1) {
          const b = body[k]!;
          h1 = Math.imul(h1 ^ b, 0x01000193);
          h2 = Math.imul(h2 ^ b, 0x85ebca6b) ^ (h2 >>> 15);
        }
      }
    }
    pos += size;
    columns += 1;
  }
  finishHashes(t1, t2, h1, h2, columns <= 1);
  lastContentHash = contentBytes < MIN_CONTENT_BYTES ? -1 : fingerprint53(c1, c2);
  return true;
}
