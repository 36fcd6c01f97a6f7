import { freeblocks, type BTreePageHeader } from './btree-page.js';
import { scanRegion } from './unallocated.js';
import type { CarveContext, RawRecord } from './raw-record.js';

/**
 * Records in a b-tree page's freeblocks. A freeblock can hold several freed cells: SQLite merges a freed cell
 * with adjacent freeblocks, so the region is walked cell after cell.
 */
export function carveFreeblocks(
  page: Buffer,
  header: BTreePageHeader,
  ctx: CarveContext,
  out: RawRecord[],
  shapes: CarveContext = ctx,
): void {
  for (const block of freeblocks(page, header, ctx.usableSize)) {
    scanRegion(page, block.offset, block.offset + block.size, ctx, 'freeblock', out, shapes);
  }
}
