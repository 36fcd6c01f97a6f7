import { type BTreePageHeader, cellPointers, PAGE_LEAF_TABLE } from './btree-page.js';
import { localPayloadSize } from './cell.js';
import { readVarint, readVarintBig, varintLength } from './varint.js';
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
 * native-notes/protocols/sqlite-free-space.md "Cells and varints", "Order on a page"
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
  const carved: Anchor[] = [];
  for (let i = from; i < records.length; i += 1) {
    const r = records[i]!;
    if (r.rowid !== null && typeof r.rowid === 'number' && r.kind !== 'cell')
      carved.push({ offset: r.cellOffset, rowid: r.rowid });
  }
  // In offset order, live cells before carved ones at the same offset.
  const anchors = mergeByOffset(sortByOffset(liveAnchors(page, header, ctx)), sortByOffset(carved));
  const taken = new Set<number>();
  for (const anchor of anchors) taken.add(anchor.rowid);
  // Each rowid rebuilt bounds its neighbours in turn: repeated while that gives more (a run of freed cells).
  for (let more = true; more; ) {
    more = false;
    // The layout order holds for the cells laid out in turn; a cell rewritten into freed space later (an UPDATE
    // that grew it) is out of that order and says nothing about its neighbours. Most of the page must agree.
    const inOrder = layoutOrdered(anchors);
    const ordered = inOrder.length * 4 >= anchors.length * 3;
    const added: Anchor[] = [];
    for (let i = from; i < records.length; i += 1) {
      const record = records[i]!;
      if (record.rowid !== null) continue;
      const rowid = solve(record, ordered ? inOrder : NO_ANCHORS, taken, ctx.usableSize);
      if (rowid === null) continue;
      record.rowid = rowid;
      record.rowidInferred = true;
      added.push({ offset: record.cellOffset, rowid });
      taken.add(rowid);
      more = ordered;
    }
    // Kept in offset order, each after any anchor at the same offset (as a stable sort would put it).
    for (const anchor of added) anchors.splice(firstAfter(anchors, anchor.offset), 0, anchor);
  }
}

const NO_ANCHORS: readonly Anchor[] = [];

/**
 * Anchors by offset, ties in their present order (what a stable sort does). A page's cell pointers mostly run from
 * the page's end backwards (cells are laid out from the end, in rowid order) and carved records come in page
 * order, so most lists only need reversing or nothing; the rest go through a numeric typed-array sort of
 * offset·2^16 + index (a comparator sort cost more than all the rest of rowid inference).
 */
function sortByOffset(anchors: Anchor[]): Anchor[] {
  let ascending = true;
  let descending = true;
  for (let i = 1; i < anchors.length && (ascending || descending); i += 1) {
    const step = anchors[i]!.offset - anchors[i - 1]!.offset;
    if (step < 0) ascending = false;
    if (step >= 0) descending = false;
  }
  if (ascending) return anchors;
  if (descending) return anchors.reverse();
  const keys = new Float64Array(anchors.length);
  for (let i = 0; i < anchors.length; i += 1) keys[i] = anchors[i]!.offset * 65536 + i;
  keys.sort();
  return Array.from(keys, (key) => anchors[key % 65536]!);
}

/** Two lists in offset order made one, `first`'s anchors before `second`'s at the same offset. */
function mergeByOffset(first: Anchor[], second: Anchor[]): Anchor[] {
  if (second.length === 0) return first;
  const merged: Anchor[] = [];
  let i = 0;
  let j = 0;
  while (i < first.length || j < second.length) {
    if (j >= second.length || (i < first.length && first[i]!.offset <= second[j]!.offset)) merged.push(first[i++]!);
    else merged.push(second[j++]!);
  }
  return merged;
}

/** Index of the first anchor (sorted by offset) whose offset is greater than `offset`. */
function firstAfter(anchors: readonly Anchor[], offset: number): number {
  let lo = 0;
  let hi = anchors.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (anchors[mid]!.offset <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The longest run of anchors (by offset) whose rowids fall strictly: patience sorting on negated rowids. */
function layoutOrdered(anchors: readonly Anchor[]): Anchor[] {
  const tails: number[] = [];
  const previous = new Array<number>(anchors.length).fill(-1);
  for (let i = 0; i < anchors.length; i += 1) {
    const key = -anchors[i]!.rowid;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (-anchors[tails[mid]!]!.rowid < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const run: Anchor[] = [];
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = previous[i]!) run.push(anchors[i]!);
  return run.reverse();
}

/** The page's cells as anchors: what parseTableLeafCell reads of each (a cell it refuses is none), no cell built. */
function liveAnchors(page: Buffer, header: BTreePageHeader, ctx: CarveContext): Anchor[] {
  const anchors: Anchor[] = [];
  const end = ctx.usableSize;
  for (const offset of cellPointers(page, header, end)) {
    const payloadSize = readVarint(page, offset, end);
    const lengthBytes = varintLength;
    if (lengthBytes === 0 || payloadSize < 1 || payloadSize > ctx.maxPayload) continue;
    let rowid: number | bigint = readVarint(page, offset + lengthBytes, end);
    const rowidBytes = varintLength;
    if (rowidBytes === 0) continue;
    // As parseTableLeafCell reads it: a 9-byte or unsafe rowid exactly, kept only when it is a safe number.
    if (rowidBytes === 9 || rowid > Number.MAX_SAFE_INTEGER)
      rowid = readVarintBig(page, offset + lengthBytes, end)!.value;
    if (typeof rowid !== 'number') continue;
    const localSize = localPayloadSize(payloadSize, end);
    if (offset + lengthBytes + rowidBytes + localSize + (localSize < payloadSize ? 4 : 0) > end) continue;
    anchors.push({ offset, rowid });
  }
  return anchors;
}

function solve(
  record: RawRecord,
  anchors: readonly Anchor[],
  taken: ReadonlySet<number>,
  usableSize: number,
): number | null {
  const width = record.rowidWidth;
  if (width !== undefined && width > MAX_WIDTH) return null;
  let lo = width === undefined || width === 1 ? 1 : 2 ** (7 * (width - 1));
  let hi = width === undefined ? Number.MAX_SAFE_INTEGER : 2 ** (7 * width) - 1;
  // Anchors are sorted by offset: the one just past the record has the next smaller rowid, the one before it the
  // next larger.
  const next = firstAfter(anchors, record.cellOffset);
  let previous = next - 1;
  while (previous >= 0 && anchors[previous]!.offset === record.cellOffset) previous -= 1;
  const below = next < anchors.length ? anchors[next]!.rowid : null;
  const above = previous >= 0 ? anchors[previous]!.rowid : null;
  if (below !== null) lo = Math.max(lo, below + 1);
  if (above !== null) hi = Math.min(hi, above - 1);
  // With one neighbour only (the cell was the first or last of its page), the rowids between it and that
  // neighbour all belonged to cells on this page at once: no more than the page can hold, each cell at least a
  // payload length, a rowid and a header of one byte per column plus one.
  const capacity = Math.floor(usableSize / (record.types.length + 3));
  if (below !== null && above === null) hi = Math.min(hi, below + capacity);
  if (above !== null && below === null) lo = Math.max(lo, above - capacity);
  if (lo > hi) return null;
  const bits = record.rowidBits ?? 0;
  if (bits === 0) return lo === hi && !taken.has(lo) ? lo : null;
  const modulus = 2 ** bits;
  const low = record.rowidLow!;
  const first = lo + ((((low - lo) % modulus) + modulus) % modulus);
  // More values fit than are taken, plus one: no single answer, whatever is taken (and no walk over them all —
  // a rowid with no neighbours has thousands of candidates).
  if (first <= hi && Math.floor((hi - first) / modulus) + 1 > taken.size + 1) return null;
  let found: number | null = null;
  for (let v = first; v <= hi; v += modulus) {
    if (taken.has(v)) continue;
    if (found !== null) return null;
    found = v;
  }
  return found;
}
