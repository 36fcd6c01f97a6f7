import { tryHeadlessCell, tryIntactCell, type LookaheadCache } from './cell-candidates.js';
import type { BTreePageHeader } from './btree-page.js';
import type { CarveContext, RawRecord } from './raw-record.js';

/**
 * Walks [start, end) of a page looking for records: an intact cell at any byte, or a freed one wherever a
 * freeblock header (next offset 0 or beyond the block, size that fits) marks where a cell began. Found records
 * are skipped over whole, so nothing is reported twice from one region.
 */
export function scanRegion(
  page: Buffer,
  start: number,
  end: number,
  ctx: CarveContext,
  kind: RawRecord['kind'],
  out: RawRecord[],
): void {
  const lookahead: LookaheadCache = new Map();
  let p = start;
  while (p + 4 <= end) {
    let record = page[p] === 0 ? null : tryIntactCell(page, p, end, ctx, kind, true);
    if (!record && ctx.tables.length > 0) {
      const next = page.readUInt16BE(p);
      const size = page.readUInt16BE(p + 2);
      if (size >= 5 && (next === 0 || next >= p + size)) {
        // A size reaching past the region is an old header whose area later inserts partly took back.
        record =
          p + size <= end
            ? tryHeadlessCell(page, p, p + size, ctx, kind, lookahead)
            : size <= ctx.usableSize
              ? tryHeadlessCell(page, p, end, ctx, kind, lookahead, true)
              : null;
      }
    }
    if (record && record.end > p) {
      out.push(record);
      p = record.end;
    } else {
      p += 1;
    }
  }
}

/** The gap between the cell pointer array and the cell content area. */
export function carveUnallocated(page: Buffer, header: BTreePageHeader, ctx: CarveContext, out: RawRecord[]): void {
  scanRegion(page, header.pointersEnd, header.contentStart, ctx, 'unallocated', out);
}
