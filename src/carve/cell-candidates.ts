import { uint16 } from './bytes.js';
import { localPayloadSize, parseTableLeafCell } from './cell.js';
import { rawRecord, type CarveContext, type RawRecord } from './raw-record.js';
import {
  headerAnnounces,
  isPlausibleText,
  parseRecordHeader,
  parseSerialTypePrefix,
  serialTypeSize,
} from './record.js';
import { matchingTables, type TableInfo } from './schema.js';
import { headerFitsSomeTable } from './shape-index.js';
import { readVarint, varintLength } from './varint.js';

/**
 * Finding records in free space. An intact cell checks itself: its payload length must equal its header length
 * plus the bodies its serial types announce. A freed cell does not: SQLite's freeSpace() writes the freeblock
 * header (2-byte next offset, 2-byte size) over its first four bytes — the payload length, the rowid and, for
 * small records, the header length and first serial type. Those are rebuilt here from what survives: the
 * remaining serial types, the table the types fit, and the freeblock size, which the overwrite itself records.
 * native-notes/protocols/sqlite-free-space.md "Freeing a cell", "Taking space back"
 */

type Kind = RawRecord['kind'];

export function tryIntactCell(
  buf: Buffer,
  p: number,
  end: number,
  ctx: CarveContext,
  kind: Kind,
  requireTable: boolean,
): RawRecord | null {
  if (!mayBeIntactCell(buf, p, end, ctx, requireTable)) return null;
  const cell = parseTableLeafCell(buf, p, end, ctx.usableSize, ctx.maxPayload);
  if (!cell) return null;
  const localEnd = cell.payloadStart + cell.localSize;
  const header = parseRecordHeader(buf, cell.payloadStart, localEnd, ctx.maxColumns);
  if (!header || header.headerLength + header.bodyLength !== cell.payloadSize) return null;
  const tables = matchingTables(header.types, ctx.tables);
  if (
    requireTable &&
    (tables.length === 0 ||
      !holdsValue(header.types) ||
      !textPlausible(buf, cell.payloadStart + header.headerLength, localEnd, header.types, -1, ctx))
  )
    return null;
  return rawRecord(
    buf,
    p,
    cell.payloadStart,
    cell.payloadSize,
    cell.localSize,
    cell.firstOverflowPage,
    header.headerLength,
    header.types,
    -1,
    cell.rowid,
    cell.end,
    tables,
    kind,
  );
}

/**
 * The allocation-free part of tryIntactCell: payload length and rowid varints, then a header whose serial types
 * announce exactly that payload — and, when the record must fit a table, fit one column by column. Rejects almost every
 * byte offset of free space that is not a cell, most at the first byte or two of the header.
 */
function mayBeIntactCell(buf: Buffer, p: number, end: number, ctx: CarveContext, requireTable: boolean): boolean {
  const payloadSize = readVarint(buf, p, end);
  let at = p + varintLength;
  if (varintLength === 0 || payloadSize < 1 || payloadSize > ctx.maxPayload) return false;
  readVarint(buf, at, end);
  if (varintLength === 0) return false;
  at += varintLength;
  const localSize = localPayloadSize(payloadSize, ctx.usableSize);
  if (at + localSize > end) return false;
  // The header lies in the local part even when the payload spills to overflow pages, and announces the whole.
  return requireTable
    ? headerFitsSomeTable(buf, at, at + localSize, payloadSize, ctx.shapeIndex)
    : headerAnnounces(buf, at, at + localSize, ctx.maxColumns, payloadSize);
}

/**
 * Values a carved record must have to be believed: TEXT valid in the database encoding, REALs finite and of a
 * size real data has (timestamps, amounts, coordinates), not the 1e179 that misaligned bytes decode to.
 */
function textPlausible(
  buf: Buffer,
  bodyStart: number,
  localEnd: number,
  types: readonly number[],
  column0Size: number,
  ctx: CarveContext,
  rebuilt = false,
): boolean {
  let pos = bodyStart;
  for (let i = 0; i < types.length; i += 1) {
    const type = types[i]!;
    const size = type < 0 ? column0Size : serialTypeSize(type);
    if (pos + size > localEnd) return true;
    if (!valuePlausible(buf, pos, type, size, ctx)) return false;
    // A rebuilt record's texts hold no control bytes: zeroed space and headers read as text do.
    if (rebuilt && type >= 13 && (type & 1) === 1 && controlBytes(buf, pos, size, ctx)) return false;
    pos += size;
  }
  return true;
}

/** Whether a record holds anything but NULLs and empty values: one that does not tells nothing. */
function holdsValue(types: readonly number[]): boolean {
  return types.some((t) => t > 0 && t !== 12 && t !== 13);
}

function valuePlausible(buf: Buffer, pos: number, type: number, size: number, ctx: CarveContext): boolean {
  if (type >= 13 && (type & 1) === 1) return isPlausibleText(buf, pos, size, ctx.encoding);
  if (type === 7) {
    const real = Math.abs(buf.readDoubleBE(pos));
    return real === 0 || (real > 1e-9 && real < 1e16);
  }
  return true;
}

interface Candidate {
  record: RawRecord;
  score: number;
}

/**
 * Scores of the rebuilt cells that candidates looked ahead to, for one region of one page (key: start, limit
 * and required fit; -1 for none). Create one per region scanned: it is only valid for the same bytes.
 */
export type LookaheadCache = Map<number, number>;

/**
 * How well a record ending at `recordEnd` fills the freed area that ends at `limit`: 4 exactly, 3 up to a
 * fragment short, 2.5 when the old freeblock sizes that follow lead exactly to the end or an intact cell
 * follows, 2–2.4 when another rebuilt cell follows (by how well that one fits), 1 loosely, 0 not at all.
 * A freeblock merges neighbouring freed cells, so what follows a rebuilt cell is checked the same way.
 */
function fitScore(
  buf: Buffer,
  recordEnd: number,
  limit: number,
  ctx: CarveContext,
  depth: number,
  lookahead: LookaheadCache,
): number {
  if (recordEnd > limit) return 0;
  if (recordEnd === limit) return 4;
  // Gaps under 4 bytes become fragments that SQLite merges into a neighbouring freeblock.
  if (limit - recordEnd <= 3) return 3;
  let pos = recordEnd;
  for (let hop = 0; hop < 32 && pos + 4 <= limit; hop += 1) {
    const size = uint16(buf, pos + 2);
    if (size < 4) break;
    pos += size;
    if (Math.abs(limit - pos) <= 3) return 2.5;
    if (pos > limit) break;
  }
  if (tryIntactCell(buf, recordEnd, limit, ctx, 'freeblock', true)) return 2.5;
  // One cell of lookahead: deeper searches multiply (every first-column size of every table) on hostile bytes.
  if (depth >= 1) return 1;
  let best = 1;
  for (let gap = 0; gap <= 3 && recordEnd + gap + 5 <= limit; gap += 1) {
    const at = recordEnd + gap;
    const next = uint16(buf, at);
    const size = uint16(buf, at + 2);
    // A cell freed earlier keeps its own old freeblock header; the area it named may since have grown.
    if (size < 5 || (next !== 0 && next < at + size)) continue;
    const followingLimit = Math.min(limit, at + size);
    const minFit = at + size > limit ? 1 : 2;
    // Neighbouring start offsets look ahead to the same following cells: each is rebuilt once per region.
    const key = (at * 65537 + followingLimit) * 2 + minFit - 1;
    let score = lookahead.get(key);
    if (score === undefined) {
      score = headless(buf, at, followingLimit, ctx, 'freeblock', depth + 1, lookahead, minFit)?.score ?? -1;
      lookahead.set(key, score);
    }
    if (score >= 0) best = Math.max(best, 2 + score / 100);
  }
  return best;
}

function build(
  buf: Buffer,
  p: number,
  payloadStart: number,
  headerLength: number,
  types: number[],
  column0Size: number,
  tables: TableInfo[],
  kind: Kind,
  ctx: CarveContext,
): RawRecord {
  let body = 0;
  for (let i = 0; i < types.length; i += 1) body += types[i]! < 0 ? column0Size : serialTypeSize(types[i]!);
  const payloadSize = headerLength + body;
  const localSize = localPayloadSize(payloadSize, ctx.usableSize);
  const overflow = localSize < payloadSize;
  const end = payloadStart + localSize + (overflow ? 4 : 0);
  const firstOverflowPage = overflow && end <= buf.length ? buf.readUInt32BE(end - 4) : 0;
  return rawRecord(
    buf,
    p,
    payloadStart,
    payloadSize,
    localSize,
    firstOverflowPage,
    headerLength,
    types,
    column0Size,
    null,
    end,
    tables,
    kind,
  );
}

/**
 * Rebuilds a freed cell starting at `p` whose first four bytes were overwritten, the freed area ending at `limit`.
 * Three cases, by how many header bytes the overwrite took: none (payload length + rowid took 4 or more bytes),
 * the header length only, or the header length and the first serial type (1-byte payload length and rowid).
 */
export function tryHeadlessCell(
  buf: Buffer,
  p: number,
  limit: number,
  ctx: CarveContext,
  kind: Kind,
  lookahead: LookaheadCache,
  staleLimit = false,
  hardLimit = false,
): RawRecord | null {
  return headless(buf, p, limit, ctx, kind, 0, lookahead, staleLimit ? 1 : 2, hardLimit)?.record ?? null;
}

function headless(
  buf: Buffer,
  p: number,
  limit: number,
  ctx: CarveContext,
  kind: Kind,
  depth: number,
  lookahead: LookaheadCache,
  minFit = 2,
  hardLimit = false,
): Candidate | null {
  if (ctx.tables.length === 0 || p + 5 > limit) return null;
  let best: Candidate | null = null;
  // Many rebuilds (every table, every first-column size) end at the same byte: how well that end fits is the
  // costly part (it looks at what follows), so it is worked out once per end.
  const fits = new Map<number, number>();
  const fitAt = (end: number): number => {
    let fit = fits.get(end);
    if (fit === undefined) {
      fit = fitScore(buf, end, limit, ctx, depth, lookahead);
      fits.set(end, fit);
    }
    return fit;
  };
  const consider = (record: RawRecord, strength: number, truncated = false): void => {
    // A table without declared types (sqlite_sequence(name, seq)) fits any bytes: it is no evidence for a rebuild.
    if (record.tables.some(untyped)) record.tables = record.tables.filter((t) => !untyped(t));
    if (record.tables.length === 0) return;
    // Nothing but NULLs, empty values and lost columns: no value to report, and any bytes rebuild that way.
    if (!holdsValue(record.types)) return;
    // A blob in a TEXT column is legal but what a rebuild at the wrong place reads far more often than real data.
    for (const table of record.tables)
      if (record.types.some((t, i) => t >= 12 && (t & 1) === 0 && table.affinities[i] === 'TEXT'))
        record.tables = record.tables.filter((t) => t !== table);
    if (record.tables.length === 0) return;
    const bodyStart = record.payloadStart + record.headerLength;
    if (
      !textPlausible(
        buf,
        bodyStart,
        Math.min(record.payloadStart + record.localSize, limit),
        record.types,
        record.column0Size,
        ctx,
        true,
      )
    )
      return;
    // A record cut short by a later cell fills its freed area by definition: as good a fit as a rebuilt neighbour.
    const fit = truncated ? 2 : fitAt(record.end);
    // A rebuild that fits its freed area only loosely is more often noise than a row, unless that area's
    // recorded size is known to be stale (later inserts took part of it).
    if (fit < minFit) return;
    // A loose fit (an old freeblock header whose area later inserts took back) is weak evidence: a record of one
    // value (a text and NULLs: any run of letters rebuilds that way) needs a better one.
    if (fit < 2 && record.types.filter((t) => t > 0).length < 2) return;
    const score = fit * 8 + strength;
    if (!best || score > best.score) best = { record, score };
    else if (score === best.score && record.end === best.record.end && sameTypes(record, best.record)) {
      // Tables of identical shape (the same rebuild fits each): leave the choice to page ownership.
      for (const table of record.tables) if (!best.record.tables.includes(table)) best.record.tables.push(table);
    }
  };

  // Case A: the header is intact right after the lost bytes, or after the surviving tail of a long rowid varint.
  // The rowid's surviving tail ends at its first byte under 0x80; that byte may be at p+4 itself (a 2-byte payload
  // length and a 3-byte rowid: rowids 16,384 to 2,097,151, the common case of a phone's sms.db).
  const starts = [p + 4];
  for (let q = p + 4; q < Math.min(limit, p + 13); q += 1) {
    if (buf[q]! < 0x80) {
      starts.push(q + 1);
      break;
    }
  }
  for (const h of starts) {
    const header = parseRecordHeader(buf, h, limit, ctx.maxColumns);
    if (!header) continue;
    const payloadSize = header.headerLength + header.bodyLength;
    const rowidBytes = h - p - varintWidth(payloadSize);
    if (rowidBytes < 1 || rowidBytes > 9) continue;
    const record = build(
      buf,
      p,
      h,
      header.headerLength,
      header.types,
      -1,
      matchingTables(header.types, ctx.tables),
      kind,
      ctx,
    );
    keepRowidTail(record, buf, p + 4, h, rowidBytes);
    if (record.end > limit) {
      // A later cell took the end of the freed area: the intact header still says what the record was. Only where
      // `limit` is a freeblock's recorded end (`hardLimit`): a size read from bytes that merely look like a
      // freeblock header would cut a whole cell short.
      if (!hardLimit || !cutAtFreeblockEnd(record, limit, ctx)) continue;
      consider(record, 3, true);
    } else consider(record, 3);
  }

  // Cases B and C read the same serial types for every column count: read once, as far as they go.
  const maxTypes = Math.min(127, ctx.maxColumns);
  const prefixTypes: number[] = [];
  const prefixEnds: number[] = [];
  const prefixBodies: number[] = [];
  const parsed = parseSerialTypePrefix(buf, p + 4, limit, maxTypes, prefixTypes, prefixEnds, prefixBodies);
  for (const count of ctx.columnCounts) {
    // Case B: header length lost, every serial type intact.
    if (count >= 1 && count <= parsed && prefixEnds[count - 1]! - (p + 4) + 1 < 128) {
      const types = prefixTypes.slice(0, count);
      const record = build(
        buf,
        p,
        p + 3,
        prefixEnds[count - 1]! - (p + 4) + 1,
        types,
        -1,
        matchingTables(types, ctx.tables),
        kind,
        ctx,
      );
      // The payload length and rowid took the three bytes before the first serial type.
      const rowidBytes = 3 - varintWidth(record.payloadSize);
      if (rowidBytes >= 1) record.rowidWidth = rowidBytes;
      if (record.payloadSize < 16384) {
        // As in case A, a later cell may have taken the end of the freed area (only where `limit` is the
        // freeblock's own).
        if (record.end <= limit) consider(record, 2);
        else if (hardLimit && cutAtFreeblockEnd(record, limit, ctx)) consider(record, 2, true);
      }
    }
    // Case C: header length and first serial type lost; the first column's size is what the freed area leaves.
    if (count < 2 || count - 1 > parsed) continue;
    const restTypes = prefixTypes.slice(0, count - 1);
    const restBytes = prefixEnds[count - 2]! - (p + 4);
    const restBody = prefixBodies[count - 2]!;
    if (restBytes + 2 >= 128) continue;
    // Untyped tables are dropped here as consider() would drop them, before any fit is worked out for them.
    const tables = matchingTables([0, ...restTypes], ctx.tables, 1).filter((t) => !untyped(t));
    if (tables.length === 0) continue;
    const base = p + 4 + restBytes + restBody;
    const bodyStart = p + 4 + restBytes;
    // A 1-byte payload length caps the payload at 127 bytes.
    const maxSize = Math.min(limit - base, 127 - (restBytes + 2) - restBody);
    if (maxSize < 0) continue;
    // What does not depend on the table is worked out once per first-column size (0 unknown, 1 yes, 2 no): whether
    // the surviving columns hold plausible values, and whether that many bytes are text.
    const restOk = new Uint8Array(maxSize + 1);
    const textOk = new Uint8Array(maxSize + 1);
    for (const table of tables) {
      const sizes = column0Sizes(table);
      let notText = 0;
      for (
        let k = 0, size = sizes === null ? 0 : sizes[0]!;
        size <= maxSize;
        k += 1, size = sizes === null ? k : (sizes[k] ?? Infinity)
      ) {
        const type0 = inferColumn0Type(table, size);
        if (type0 === null) continue;
        // The rebuilt record ends at base + size (a payload under 128 bytes has no overflow). Its values are
        // checked before the fit, which is dearer (it looks at what follows the record).
        if (type0 >= 13 && (type0 & 1) === 1) {
          if (textOk[size] === 0)
            textOk[size] =
              isPlausibleText(buf, bodyStart, size, ctx.encoding) && !controlBytes(buf, bodyStart, size, ctx) ? 1 : 2;
          if (textOk[size] === 2) {
            // A character cut short at the end fails at most 3 sizes in a row (4-byte UTF-8); a 4th failure is
            // an invalid byte inside, which every longer size contains too.
            notText += 1;
            if (notText > 3) break;
            continue;
          }
          notText = 0;
        } else if (!valuePlausible(buf, bodyStart, type0, size, ctx)) continue;
        if (restOk[size] === 0)
          restOk[size] = textPlausible(buf, bodyStart + size, base + size, restTypes, -1, ctx, true) ? 1 : 2;
        if (restOk[size] === 2) continue;
        const fit = fitAt(base + size);
        // A first column whose type the size settles beats one left unknown.
        const strength = type0 < 0 ? 0 : 1;
        // consider() would keep the best found so far: no record is built for a rebuild that cannot beat or equal it.
        if (fit < minFit || (best !== null && fit * 8 + strength < (best as Candidate).score)) continue;
        const rebuilt = build(
          buf,
          p,
          p + 2,
          restBytes + 2,
          [type0, ...restTypes],
          type0 < 0 ? size : -1,
          [table],
          kind,
          ctx,
        );
        // A rowid alias first column can only be NULL: nothing about it is a guess.
        if (type0 >= 0 && table.rowidAlias !== 0) rebuilt.column0Inferred = true;
        // A 1-byte payload length and a 1-byte rowid: the two bytes before the header length's place.
        rebuilt.rowidWidth = 1;
        consider(rebuilt, strength);
      }
    }
  }
  return best;
}

function untyped(table: TableInfo): boolean {
  return table.affinities.every((a) => a === 'BLOB');
}

function sameTypes(a: RawRecord, b: RawRecord): boolean {
  return (
    a.payloadStart === b.payloadStart && a.types.length === b.types.length && a.types.every((t, i) => t === b.types[i])
  );
}

/** First-column sizes worth trying, ascending: the few a number can have, or null for any (text, blobs). */
function column0Sizes(table: TableInfo): readonly number[] | null {
  if (table.rowidAlias === 0) return ROWID_SIZES;
  // sqlite_master's type is 'table', 'index', 'view' or 'trigger' (fileformat2 §2.6).
  if (table.rootPage === 1 && table.name === 'sqlite_master') return SCHEMA_TYPE_SIZES;
  switch (table.affinities[0]) {
    case 'INTEGER':
    case 'REAL':
    case 'NUMERIC':
      return NUMBER_SIZES;
    default:
      return null;
  }
}
const ROWID_SIZES = [0];
const NUMBER_SIZES = [0, 1, 2, 3, 4, 6, 8];
const SCHEMA_TYPE_SIZES = [4, 5, 7];

/** The serial type a first column of `size` bytes must have had, -1 when the size alone cannot tell, null when
 * impossible. */
function inferColumn0Type(table: TableInfo, size: number): number | null {
  if (table.rowidAlias === 0) return size === 0 ? 0 : null;
  switch (table.affinities[0]) {
    case 'INTEGER':
    case 'REAL':
    case 'NUMERIC': {
      // Size 0 is NULL, 0 or 1 (serial types 0, 8, 9): undecidable.
      if (size === 0) return -1;
      if (size <= 4) return size;
      if (size === 6) return 5;
      if (size === 8) return table.affinities[0] === 'INTEGER' ? 6 : 7;
      return null;
    }
    case 'TEXT':
      return size === 0 && !table.notNull[0] ? -1 : 13 + 2 * size;
    default:
      return -1;
  }
}

/** Bytes the varint of a non-negative value takes (values here are payload sizes, far below 2^56). */
function varintWidth(value: number): number {
  let width = 1;
  for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) width += 1;
  return width;
}

/**
 * Keeps what the freeblock header left of a rowid varint: its width (the header's start and the payload length's
 * width say where it began) and the low 7 bits of each surviving byte (the last bytes of a varint are its low
 * bits). A 9-byte rowid's last byte carries 8 bits; such rowids (negative or beyond 2^56) are left alone.
 */
function keepRowidTail(record: RawRecord, buf: Buffer, from: number, to: number, width: number): void {
  if (width >= 9) return;
  record.rowidWidth = width;
  let low = 0;
  for (let i = from; i < to; i += 1) low = low * 128 + (buf[i]! & 0x7f);
  record.rowidLow = low;
  record.rowidBits = 7 * (to - from);
}

/**
 * Whether a record whose end a later cell overwrote is still believable: its header lies wholly before `limit`,
 * its local payload is all on the page (no overflow pointer was lost), it fits the page's own table (or has
 * enough columns that a chance fit is out of the question), and some of its body survives.
 */
function mayTruncate(record: RawRecord, limit: number, ctx: CarveContext): boolean {
  return truncation(record, limit, ctx) === WHOLE_CONTENT;
}

const NOT_BELIEVABLE = 0;
/** Every text and blob survives: the content fingerprint (record-hash.ts contentHash) still tells a stale copy. */
const WHOLE_CONTENT = 1;
/** The first two texts or blobs survive, later ones are cut: only a rowid can tell a stale copy (contentCut). */
const CONTENT_CUT = 2;

/**
 * mayTruncate's checks, and how much of the record's content survives. Every text and blob must survive, enough of
 * them to fingerprint: that is what tells a deleted row from the stale copy an UPDATE left of a live one, whose
 * numbers may differ. Short of that, CONTENT_CUT when the first two texts or blobs survive (leadHash in
 * record-hash.ts: a sent message's guid and text), for a caller that can check the row against the live one of its
 * rowid.
 */
function truncation(record: RawRecord, limit: number, ctx: CarveContext): number {
  if (record.localSize < record.payloadSize || record.tables.length === 0) return NOT_BELIEVABLE;
  if (!ctx.narrowed && record.types.length < 6) return NOT_BELIEVABLE;
  if (record.payloadStart + record.headerLength > limit) return NOT_BELIEVABLE;
  let pos = record.payloadStart + record.headerLength;
  let contentEnd = 0;
  let contentBytes = 0;
  let leadColumns = 0;
  let leadBytes = 0;
  let leadEnd = 0;
  for (let i = 0; i < record.types.length; i += 1) {
    const type = record.types[i]!;
    const size = type < 0 ? record.column0Size : serialTypeSize(type);
    pos += size;
    if (i >= 1 && type >= 12) {
      contentEnd = pos;
      contentBytes += size;
      if (leadColumns < 2) {
        leadColumns += 1;
        leadBytes += size;
        leadEnd = pos;
      }
    }
  }
  if (contentBytes >= 16 && contentEnd <= limit) return WHOLE_CONTENT;
  return leadColumns === 2 && leadBytes >= 16 && leadEnd <= limit ? CONTENT_CUT : NOT_BELIEVABLE;
}

/**
 * Takes a record whose end runs past a freeblock's recorded end (`limit`, where a later cell begins) as cut short
 * there, when truncation() believes it: false when it does not.
 */
function cutAtFreeblockEnd(record: RawRecord, limit: number, ctx: CarveContext): boolean {
  const survives = truncation(record, limit, ctx);
  if (survives === NOT_BELIEVABLE) return false;
  record.contentCut = survives === CONTENT_CUT;
  record.knownEnd = limit;
  record.end = limit;
  return true;
}

/**
 * A cell whose payload length, rowid and record header are intact but whose end a later cell overwrote: the cell
 * freed at the start of the content area is not made a freeblock (SQLite's freeSpace() moves the content start
 * past it and leaves its bytes as they were), and the next insert takes the end of that gap.
 */
export function tryTruncatedCell(buf: Buffer, p: number, end: number, ctx: CarveContext, kind: Kind): RawRecord | null {
  const payloadSize = readVarint(buf, p, end);
  const lengthBytes = varintLength;
  if (lengthBytes === 0 || payloadSize < 2 || payloadSize > ctx.usableSize - 35) return null;
  const rowid = readVarint(buf, p + lengthBytes, end);
  const rowidBytes = varintLength;
  if (rowidBytes === 0 || rowidBytes === 9) return null;
  const payloadStart = p + lengthBytes + rowidBytes;
  if (payloadStart + payloadSize <= end) return null;
  const header = parseRecordHeader(buf, payloadStart, end, ctx.maxColumns);
  if (!header || header.headerLength + header.bodyLength !== payloadSize) return null;
  const tables = matchingTables(header.types, ctx.tables);
  const record = build(buf, p, payloadStart, header.headerLength, header.types, -1, tables, kind, ctx);
  if (!mayTruncate(record, end, ctx)) return null;
  if (!holdsValue(header.types)) return null;
  if (!textPlausible(buf, payloadStart + header.headerLength, end, header.types, -1, ctx, true)) return null;
  record.rowid = rowid;
  record.knownEnd = end;
  record.end = end;
  return record;
}

/**
 * A record header with nothing before it: the cell's first bytes went to something else (the cell pointer array
 * growing over an old cell at the start of the gap, a freeblock header of a later free). Only looked for on a page
 * whose table is known and only for tables of five columns or more, whose headers are too long to fit by chance.
 */
export function tryOrphanRecord(buf: Buffer, h: number, end: number, ctx: CarveContext, kind: Kind): RawRecord | null {
  if (!ctx.narrowed) return null;
  const first = buf[h]!;
  // Header lengths under 128 are one byte, and a table of n columns needs at least n + 1 header bytes.
  if (first < 6 || (first >= 0x80 && first > 0x8f)) return null;
  const header = parseRecordHeader(buf, h, end, ctx.maxColumns);
  if (!header || header.types.length < 5) return null;
  const tables = matchingTables(header.types, ctx.tables);
  if (tables.length === 0) return null;
  const record = build(buf, h, h, header.headerLength, header.types, -1, tables, kind, ctx);
  if (record.localSize < record.payloadSize) return null;
  const known = Math.min(end, record.end);
  if (!holdsValue(header.types)) return null;
  if (!textPlausible(buf, h + header.headerLength, known, header.types, -1, ctx, true)) return null;
  if (record.end > end) {
    if (!mayTruncate(record, end, ctx)) return null;
    record.knownEnd = end;
    record.end = end;
  }
  return record;
}

/**
 * Where a newer whole cell starts inside a record found in free space, -1 when none does. Free space holds cells of
 * several generations: a cell written later over the end of an older one leaves the older one's header claiming
 * bytes that are now the newer cell's (a page's gap after a rebuild, a freeblock taken back in part).
 */
export function newerCellInside(buf: Buffer, record: RawRecord, ctx: CarveContext): number {
  const from = record.payloadStart + record.headerLength;
  for (let q = from; q + 4 < record.end; q += 1) {
    if (buf[q] === 0 || !mayBeIntactCell(buf, q, ctx.usableSize, ctx, true)) continue;
    if (tryIntactCell(buf, q, ctx.usableSize, ctx, record.kind, true)) return q;
  }
  return -1;
}

/** Cuts a record short where a newer cell begins; false when too little of it is left to believe (mayTruncate). */
export function cutShort(record: RawRecord, at: number, ctx: CarveContext): boolean {
  if (!mayTruncate(record, at, ctx)) return false;
  record.knownEnd = at;
  record.end = at;
  return true;
}

/**
 * Whether a UTF-8 text holds C0 control bytes other than tab, newline and carriage return. Valid UTF-8, but what a
 * first column rebuilt at the wrong place reads (record headers, varints), almost never what anyone typed.
 */
function controlBytes(buf: Buffer, pos: number, size: number, ctx: CarveContext): boolean {
  if (ctx.encoding !== 1) return false;
  for (let i = pos; i < pos + size; i += 1) {
    const b = buf[i]!;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) return true;
  }
  return false;
}
