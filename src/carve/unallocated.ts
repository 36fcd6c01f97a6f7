import { uint16 } from './bytes.js';
import {
  cutShort,
  newerCellInside,
  tryHeadlessCell,
  tryIntactCell,
  tryOrphanRecord,
  tryTruncatedCell,
  type LookaheadCache,
} from './cell-candidates.js';
import type { BTreePageHeader } from './btree-page.js';
import { regionContext } from './page-tables.js';
import type { CarveContext, RawRecord } from './raw-record.js';

/**
 * Walks [start, end) of a page looking for records: an intact cell at any byte, or a freed one wherever a
 * freeblock header (next offset 0 or beyond the block, size that fits) marks where a cell began; on a page whose
 * table is known (`shapes` narrowed to it, see page-tables.ts), also a cell whose end a later cell overwrote and a
 * record header whose cell's first bytes are gone. Freed cells are rebuilt only in the shapes `shapes` allows.
 * Found records are skipped over whole, so nothing is reported twice from one region.
 */
export function scanRegion(
  page: Buffer,
  start: number,
  end: number,
  ctx: CarveContext,
  kind: RawRecord['kind'],
  out: RawRecord[],
  given?: CarveContext,
): void {
  const shapes = given ?? regionContext(page, start, end, ctx);
  const first = out.length;
  const lookahead: LookaheadCache = new Map();
  let p = start;
  while (p + 4 <= end) {
    // Zeroed space: a cell never starts with a zero byte, and a freeblock header needs a size of 5 or more in its
    // last two bytes, so in a run of zeros nothing starts before the three bytes ahead of the next non-zero one.
    if (page[p] === 0 && page[p + 1] === 0 && page[p + 2] === 0 && page[p + 3] === 0) {
      let q = p + 4;
      while (q < end && page[q] === 0) q += 1;
      p = Math.max(p + 1, q - 3);
      continue;
    }
    // On a page whose table is known, intact cells of other shapes are noise that happens to check out (interior
    // cells, pointer arrays) far more often than cells of another table left on a reused page.
    let record = page[p] === 0 ? null : tryIntactCell(page, p, end, shapes, kind, true);
    if (!record && shapes.tables.length > 0) {
      const next = uint16(page, p);
      const size = uint16(page, p + 2);
      if (size >= 5 && (next === 0 || next >= p + size)) {
        // A size reaching past the region is an old header whose area later inserts partly took back.
        record =
          p + size <= end
            ? tryHeadlessCell(
                page,
                p,
                p + size,
                shapes,
                kind,
                lookahead,
                false,
                kind === 'freeblock' && p + size === end,
              )
            : size <= ctx.usableSize
              ? tryHeadlessCell(page, p, end, shapes, kind, lookahead, true, kind === 'freeblock')
              : null;
      }
    }
    if (record && shapes.narrowed && record.knownEnd === undefined) {
      const newer = newerCellInside(page, record, shapes);
      if (newer >= 0 && !cutShort(record, newer, shapes)) record = null;
    }
    if (record && record.end > p) {
      out.push(record);
      p = record.end;
    } else {
      p += 1;
    }
  }
  if (shapes.narrowed) scanRemains(page, start, end, shapes, kind, out, first);
}

/**
 * Second pass over what the first left unclaimed: cells whose end a later cell overwrote, and record headers
 * whose cell's first bytes are gone. After the first pass, so a whole cell is never cut short by a damaged one
 * read a few bytes earlier; each hole ends where the next record found begins.
 */
function scanRemains(
  page: Buffer,
  start: number,
  end: number,
  shapes: CarveContext,
  kind: RawRecord['kind'],
  out: RawRecord[],
  first: number,
): void {
  const found = out.length;
  let holeStart = start;
  for (let i = first; i <= found; i += 1) {
    const holeEnd = i < found ? out[i]!.cellOffset : end;
    let p = holeStart;
    while (p + 4 <= holeEnd) {
      const record =
        page[p] === 0
          ? null
          : (tryTruncatedCell(page, p, holeEnd, shapes, kind) ?? tryOrphanRecord(page, p, holeEnd, shapes, kind));
      if (record && record.end > p) {
        out.push(record);
        p = record.end;
      } else p += 1;
    }
    if (i < found) holeStart = Math.max(holeStart, out[i]!.end);
  }
  // Records in page order, whichever pass found them.
  if (out.length > found) {
    const region = out.splice(first).sort((a, b) => a.cellOffset - b.cellOffset);
    out.push(...region);
  }
}

/** The gap between the cell pointer array and the cell content area. */
export function carveUnallocated(
  page: Buffer,
  header: BTreePageHeader,
  ctx: CarveContext,
  out: RawRecord[],
  shapes: CarveContext = ctx,
): void {
  scanRegion(page, header.pointersEnd, header.contentStart, ctx, 'unallocated', out, shapes);
}
