import { type BTreePageHeader, cellPointers, PAGE_LEAF_TABLE } from './btree-page.js';
import { parseTableLeafCell } from './cell.js';
import type { CarveContext, RawRecord } from './raw-record.js';

/**
 * Rowids of freed cells, rebuilt where the bytes allow. The freeblock header overwrites a cell's first four bytes:
 * the payload length and the rowid's leading bytes. What is left:
 * - the rowid's width (where the record header starts, less the payload length's width) and the low 7 bits of
 *   each of its surviving bytes (a varint ends with its low bits);
 * - its neighbours: a leaf page keeps its cells in rowid order, and SQLite lays cells out from the end of the page
 *   towards its start (balance and appends alike), so a cell's rowid lies between those of the cells just after
 *   it on the page (smaller rowids) and just before it (larger) — when the page's cells show that order.
 * A rowid is given only when exactly one value satisfies all of it, and is marked inferred.
 */

/** Rowids beyond 2^49 (8-byte varints and up) are not rebuilt: they would not stay exact as numbers. */
const MAX_WIDTH = 7;

interface Anchor {
  offset: number;
  rowid: number;
}

export function inferRowids(
  page: Buffer,
  header: BTreePageHeader,
  ctx: CarveContext,
  records: RawRecord[],
  from: number,
): void {
  let pending = false;
  for (let i = from; i < records.length && !pending; i += 1) pending = records[i]!.rowid === null;
  if (!pending || header.type !== PAGE_LEAF_TABLE) return;
  const anchors = liveAnchors(page, header, ctx);
  for (let i = from; i < records.length; i += 1) {
    const r = records[i]!;
    if (r.rowid !== null && typeof r.rowid === 'number' && r.kind !== 'cell')
      anchors.push({ offset: r.cellOffset, rowid: r.rowid });
  }
  anchors.sort((a, b) => a.offset - b.offset);
  // The layout order holds when rowids fall as offsets rise; otherwise (a cell inserted into freed space out of
  // order) neighbours say nothing.
  let ordered = true;
  for (let i = 1; i < anchors.length && ordered; i += 1) ordered = anchors[i]!.rowid < anchors[i - 1]!.rowid;
  const taken = new Set(anchors.map((a) => a.rowid));
  for (let i = from; i < records.length; i += 1) {
    const record = records[i]!;
    if (record.rowid !== null) continue;
    const rowid = solve(record, ordered ? anchors : [], taken);
    if (rowid !== null) {
      record.rowid = rowid;
      record.rowidInferred = true;
    }
  }
}

function liveAnchors(page: Buffer, header: BTreePageHeader, ctx: CarveContext): Anchor[] {
  const anchors: Anchor[] = [];
  for (const offset of cellPointers(page, header, ctx.usableSize)) {
    const cell = parseTableLeafCell(page, offset, ctx.usableSize, ctx.usableSize, ctx.maxPayload);
    if (cell && typeof cell.rowid === 'number') anchors.push({ offset, rowid: cell.rowid });
  }
  return anchors;
}

function solve(record: RawRecord, anchors: readonly Anchor[], taken: ReadonlySet<number>): number | null {
  const width = record.rowidWidth;
  if (width !== undefined && width > MAX_WIDTH) return null;
  let lo = width === undefined || width === 1 ? 1 : 2 ** (7 * (width - 1));
  let hi = width === undefined ? Number.MAX_SAFE_INTEGER : 2 ** (7 * width) - 1;
  // Anchors are sorted by offset: the one just past the record has the next smaller rowid, the one before it the
  // next larger.
  let below: number | null = null;
  let above: number | null = null;
  for (const anchor of anchors) {
    if (anchor.offset > record.cellOffset) {
      below = anchor.rowid;
      break;
    }
    if (anchor.offset < record.cellOffset) above = anchor.rowid;
  }
  if (below !== null) lo = Math.max(lo, below + 1);
  if (above !== null) hi = Math.min(hi, above - 1);
  if (lo > hi) return null;
  const bits = record.rowidBits ?? 0;
  if (bits === 0) return lo === hi && !taken.has(lo) ? lo : null;
  const modulus = 2 ** bits;
  const low = record.rowidLow!;
  let found: number | null = null;
  for (let v = lo + ((((low - lo) % modulus) + modulus) % modulus); v <= hi; v += modulus) {
    if (taken.has(v)) continue;
    if (found !== null) return null;
    found = v;
  }
  return found;
}
