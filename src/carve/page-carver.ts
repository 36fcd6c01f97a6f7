import { cellPointers, headerOffsetFor, PAGE_INTERIOR_TABLE, PAGE_LEAF_TABLE, parseBTreePageHeader } from './btree-page.js';
import { tryIntactCell } from './cell-candidates.js';
import { carveFreeblocks } from './freeblock.js';
import type { CarveContext, RawRecord } from './raw-record.js';
import { carveUnallocated, scanRegion } from './unallocated.js';

/**
 * Carves one version of one page: its allocated cells (when that version is not the live one, they are history),
 * its freeblocks and its unallocated gap. A page whose header is gone (a freelist trunk, a page overwritten
 * from its start) is scanned whole from `fallbackFrom`.
 */
export function carvePageVersion(page: Buffer, pageNumber: number, ctx: CarveContext, options: { cells: boolean; fallbackFrom?: number }): RawRecord[] {
  const out: RawRecord[] = [];
  const header = parseBTreePageHeader(page, headerOffsetFor(pageNumber), ctx.usableSize);
  if (!header) {
    if (options.fallbackFrom !== undefined) scanRegion(page, options.fallbackFrom, ctx.usableSize, ctx, 'unallocated', out);
    return out;
  }
  // Index pages hold index keys, not rows; carving them would report phantom rows.
  if (header.type !== PAGE_LEAF_TABLE && header.type !== PAGE_INTERIOR_TABLE) return out;
  if (options.cells && header.type === PAGE_LEAF_TABLE) {
    for (const offset of cellPointers(page, header, ctx.usableSize)) {
      const record = tryIntactCell(page, offset, ctx.usableSize, ctx, 'cell', false);
      if (record) out.push(record);
    }
  }
  carveFreeblocks(page, header, ctx, out);
  carveUnallocated(page, header, ctx, out);
  return out;
}
