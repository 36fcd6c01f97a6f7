import {
  cellPointers,
  headerOffsetFor,
  PAGE_INTERIOR_TABLE,
  PAGE_LEAF_TABLE,
  parseBTreePageHeader,
} from './btree-page.js';
import { parseTableLeafCell } from './cell.js';
import { tryIntactCell } from './cell-candidates.js';
import { carveFreeblocks } from './freeblock.js';
import { pageContext } from './page-tables.js';
import type { CarveContext, RawRecord } from './raw-record.js';
import { inferRowids } from './rowid-inference.js';
import { carveUnallocated, scanRegion } from './unallocated.js';

/**
 * Carves one version of one page: its allocated cells (when that version is not the live one, they are history),
 * its freeblocks and its unallocated gap, the free space rebuilt in the shape of the page's own table
 * (page-tables.ts) and rowids rebuilt where their remains allow (rowid-inference.ts). A pure function of the page's
 * bytes, its number and the context: the same page gives the same records in the same order. A page whose header is gone (a freelist trunk, a page overwritten
 * from its start) is scanned whole from `fallbackFrom`.
 */
export function carvePageVersion(
  page: Buffer,
  pageNumber: number,
  ctx: CarveContext,
  options: { cells: boolean; fallbackFrom?: number; current?: CurrentCells },
): RawRecord[] {
  const out: RawRecord[] = [];
  const header = parseBTreePageHeader(page, headerOffsetFor(pageNumber), ctx.usableSize);
  if (!header) {
    if (options.fallbackFrom !== undefined)
      scanRegion(page, options.fallbackFrom, ctx.usableSize, ctx, 'unallocated', out);
    return out;
  }
  // Index pages hold index keys, not rows; carving them would report phantom rows.
  if (header.type !== PAGE_LEAF_TABLE && header.type !== PAGE_INTERIOR_TABLE) return out;
  if (options.cells && header.type === PAGE_LEAF_TABLE) {
    for (const offset of cellPointers(page, header, ctx.usableSize)) {
      if (options.current?.offsets.has(offset)) {
        const cell = parseTableLeafCell(page, offset, ctx.usableSize, ctx.usableSize, ctx.maxPayload);
        if (cell && page.compare(options.current.page, offset, cell.end, offset, cell.end) === 0) continue;
      }
      const record = tryIntactCell(page, offset, ctx.usableSize, ctx, 'cell', false);
      if (record) out.push(record);
    }
  }
  const freeFrom = out.length;
  const shapes = pageContext(page, pageNumber, header, ctx);
  carveFreeblocks(page, header, ctx, out, shapes.freeblocks);
  carveUnallocated(page, header, ctx, out, shapes.gap);
  inferRowids(page, header, ctx, out, freeFrom);
  return out;
}

export interface CurrentCells {
  page: Buffer;
  offsets: Set<number>;
}

/**
 * Where the cells of a page's current version start. Deleting a row leaves the other cells where they were
 * (SQLite's dropCell only frees the one), so an older version's cell with the same bytes at the same offset is
 * a live row that did not change, skipped before any decoding — most cells of a superseded page are such.
 */
export function currentCells(page: Buffer | null, pageNumber: number, usableSize: number): CurrentCells | undefined {
  if (!page) return undefined;
  const header = parseBTreePageHeader(page, headerOffsetFor(pageNumber), usableSize);
  if (!header || header.type !== PAGE_LEAF_TABLE) return undefined;
  return { page, offsets: new Set(cellPointers(page, header, usableSize)) };
}
