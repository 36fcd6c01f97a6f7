import { type BTreePageHeader, cellPointers, PAGE_LEAF_TABLE } from './btree-page.js';
import { leafCellAt, leafRowid } from './cell.js';
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

/** Cells of known rowid on a page, by offset: two plain arrays (one object per anchor was slow to sort and scan). */
interface Anchors {
  offsets: number[];
  rowids: number[];
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
  const carved: Anchors = { offsets: [], rowids: [] };
  for (let i = from; i < records.length; i += 1) {
    const r = records[i]!;
    if (r.rowid !== null && typeof r.rowid === 'number' && r.kind !== 'cell') {
      carved.offsets.push(r.cellOffset);
      carved.rowids.push(r.rowid);
    }
  }
  // In offset order, live cells before carved ones at the same offset.
  const anchors = mergeByOffset(sortByOffset(liveAnchors(page, header, ctx)), sortByOffset(carved));
  const taken = new Set<number>(anchors.rowids);
  // Each rowid rebuilt bounds its neighbours in turn: repeated while that gives more (a run of freed cells).
  for (let more = true; more; ) {
    more = false;
    // The layout order holds for the cells laid out in turn; a cell rewritten into freed space later (an UPDATE
    // that grew it) is out of that order and says nothing about its neighbours. Most of the page must agree.
    const inOrder = layoutOrdered(anchors);
    const ordered = inOrder.offsets.length * 4 >= anchors.offsets.length * 3;
    const added: Anchors = { offsets: [], rowids: [] };
    for (let i = from; i < records.length; i += 1) {
      const record = records[i]!;
      if (record.rowid !== null) continue;
      const rowid = solve(record, ordered ? inOrder : NO_ANCHORS, taken, ctx.usableSize);
      if (rowid === null) continue;
      record.rowid = rowid;
      record.rowidInferred = true;
      added.offsets.push(record.cellOffset);
      added.rowids.push(rowid);
      taken.add(rowid);
      more = ordered;
    }
    // Kept in offset order, each after any anchor at the same offset (as a stable sort would put it).
    for (let i = 0; i < added.offsets.length; i += 1) {
      const at = firstAfter(anchors.offsets, added.offsets[i]!);
      anchors.offsets.splice(at, 0, added.offsets[i]!);
      anchors.rowids.splice(at, 0, added.rowids[i]!);
    }
  }
}

const NO_ANCHORS: Anchors = { offsets: [], rowids: [] };

/**
 * Anchors by offset, ties in their present order (what a stable sort does). A page's cell pointers mostly run from
 * the page's end backwards (cells are laid out from the end, in rowid order) and carved records come in page
 * order, so most lists only need reversing or nothing; the rest go through a numeric typed-array sort of
 * offset·2^16 + index (a comparator sort cost more than all the rest of rowid inference).
 */
function sortByOffset(anchors: Anchors): Anchors {
  const { offsets, rowids } = anchors;
  let ascending = true;
  let descending = true;
  for (let i = 1; i < offsets.length && (ascending || descending); i += 1) {
    const step = offsets[i]! - offsets[i - 1]!;
    if (step < 0) ascending = false;
    if (step >= 0) descending = false;
  }
  if (ascending) return anchors;
  if (descending) return { offsets: offsets.reverse(), rowids: rowids.reverse() };
  const keys = new Float64Array(offsets.length);
  for (let i = 0; i < offsets.length; i += 1) keys[i] = offsets[i]! * 65536 + i;
  keys.sort();
  const sorted: Anchors = { offsets: [], rowids: [] };
  for (const key of keys) {
    sorted.offsets.push(offsets[key % 65536]!);
    sorted.rowids.push(rowids[key % 65536]!);
  }
  return sorted;
}

/** Two lists in offset order made one, `first`'s anchors before `second`'s at the same offset. */
function mergeByOffset(first: Anchors, second: Anchors): Anchors {
  if (second.offsets.length === 0) return first;
  const merged: Anchors = { offsets: [], rowids: [] };
  let i = 0;
  let j = 0;
  while (i < first.offsets.length || j < second.offsets.length) {
    if (j >= second.offsets.length || (i < first.offsets.length && first.offsets[i]! <= second.offsets[j]!)) {
      merged.offsets.push(first.offsets[i]!);
      merged.rowids.push(first.rowids[i++]!);
    } else {
      merged.offsets.push(second.offsets[j]!);
      merged.rowids.push(second.rowids[j++]!);
    }
  }
  return merged;
}

/** Index of the first offset (sorted) greater than `offset`. */
function firstAfter(offsets: readonly number[], offset: number): number {
  let lo = 0;
  let hi = offsets.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (offsets[mid]! <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** The longest run of anchors (by offset) whose rowids fall strictly: patience sorting on negated rowids. */
function layoutOrdered(anchors: Anchors): Anchors {
  const { offsets, rowids } = anchors;
  const tails: number[] = [];
  const previous = new Int32Array(offsets.length).fill(-1);
  for (let i = 0; i < offsets.length; i += 1) {
    const key = -rowids[i]!;
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (-rowids[tails[mid]!]! < key) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0) previous[i] = tails[lo - 1]!;
    tails[lo] = i;
  }
  const picked: number[] = [];
  for (let i = tails.length ? tails[tails.length - 1]! : -1; i >= 0; i = previous[i]!) picked.push(i);
  const run: Anchors = { offsets: [], rowids: [] };
  for (let k = picked.length - 1; k >= 0; k -= 1) {
    run.offsets.push(offsets[picked[k]!]!);
    run.rowids.push(rowids[picked[k]!]!);
  }
  return run;
}

/** The page's cells as anchors: what parseTableLeafCell reads of each (a cell it refuses is none), no cell built. */
function liveAnchors(page: Buffer, header: BTreePageHeader, ctx: CarveContext): Anchors {
  const anchors: Anchors = { offsets: [], rowids: [] };
  const end = ctx.usableSize;
  for (const offset of cellPointers(page, header, end)) {
    // A rowid that is not a safe number (9 bytes: negative or huge) is no anchor.
    if (!leafCellAt(page, offset, end, ctx.maxPayload) || typeof leafRowid !== 'number') continue;
    anchors.offsets.push(offset);
    anchors.rowids.push(leafRowid);
  }
  return anchors;
}

function solve(record: RawRecord, anchors: Anchors, taken: ReadonlySet<number>, usableSize: number): number | null {
  const width = record.rowidWidth;
  if (width !== undefined && width > MAX_WIDTH) return null;
  let lo = width === undefined || width === 1 ? 1 : 2 ** (7 * (width - 1));
  let hi = width === undefined ? Number.MAX_SAFE_INTEGER : 2 ** (7 * width) - 1;
  // Anchors are sorted by offset: the one just past the record has the next smaller rowid, the one before it the
  // next larger.
  const { offsets, rowids } = anchors;
  const next = firstAfter(offsets, record.cellOffset);
  let previous = next - 1;
  while (previous >= 0 && offsets[previous] === record.cellOffset) previous -= 1;
  const below = next < offsets.length ? rowids[next]! : null;
  const above = previous >= 0 ? rowids[previous]! : null;
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
