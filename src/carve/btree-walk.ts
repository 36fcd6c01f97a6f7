import {
  cellPointers,
  headerOffsetFor,
  PAGE_INTERIOR_TABLE,
  PAGE_LEAF_TABLE,
  parseBTreePageHeader,
} from './btree-page.js';
import { parseTableLeafCell, type TableLeafCell } from './cell.js';
import type { PageLookup } from './payload.js';

/**
 * Visits every leaf cell of a table b-tree, depth first (with `visit` null, only the pages: a caller that has the
 * leaves' cells read elsewhere — carving workers — learns them from `onPage`). `seen` is shared by all trees of one database: a page
 * reached twice (a loop, or two trees claiming it) is visited once, which bounds the walk by the page count.
 */
export async function walkTableTree(
  root: number,
  lookup: PageLookup,
  usableSize: number,
  maxPayload: number,
  seen: PageSet,
  visit: ((page: Buffer, pageNumber: number, cell: TableLeafCell) => Promise<void> | void) | null,
  onPage?: (pageNumber: number, leaf: boolean) => void,
): Promise<void> {
  const stack = [root];
  while (stack.length > 0) {
    const pageNumber = stack.pop()!;
    if (pageNumber < 1 || seen.has(pageNumber)) continue;
    seen.add(pageNumber);
    const page = await lookup(pageNumber);
    if (!page) continue;
    const header = parseBTreePageHeader(page, headerOffsetFor(pageNumber), usableSize);
    if (!header) continue;
    onPage?.(pageNumber, header.type === PAGE_LEAF_TABLE);
    const offsets = cellPointers(page, header, usableSize);
    if (header.type === PAGE_INTERIOR_TABLE) {
      // Pushed right to left so leaves come out in rowid order.
      stack.push(header.rightChild);
      for (let i = offsets.length - 1; i >= 0; i -= 1)
        if (offsets[i]! + 4 <= usableSize) stack.push(page.readUInt32BE(offsets[i]!));
    } else if (header.type === PAGE_LEAF_TABLE && visit) {
      for (const offset of offsets) {
        const cell = parseTableLeafCell(page, offset, usableSize, usableSize, maxPayload);
        if (!cell) continue;
        const pending = visit(page, pageNumber, cell);
        if (pending) await pending;
      }
    }
  }
}

/** Page numbers kept in one bit each up to here; beyond (only a hostile pointer), in a side set. */
const DENSE_PAGES = 1 << 24;

/**
 * The pages a walk has seen: one bit a page, where a Set took ~30 bytes a page (a 1 GB database: 245,000 pages).
 * The bitmap grows by doubling only as far as the largest sound page number seen.
 */
export class PageSet {
  private bits = new Uint8Array(128);
  private readonly sparse = new Set<number>();

  has(pageNumber: number): boolean {
    if (!Number.isInteger(pageNumber) || pageNumber < 0 || pageNumber >= DENSE_PAGES)
      return this.sparse.has(pageNumber);
    const byte = pageNumber >>> 3;
    return byte < this.bits.length && (this.bits[byte]! & (1 << (pageNumber & 7))) !== 0;
  }

  add(pageNumber: number): void {
    if (!Number.isInteger(pageNumber) || pageNumber < 0 || pageNumber >= DENSE_PAGES) {
      this.sparse.add(pageNumber);
      return;
    }
    const byte = pageNumber >>> 3;
    if (byte >= this.bits.length) {
      let size = this.bits.length;
      while (size <= byte) size *= 2;
      const grown = new Uint8Array(Math.min(size, DENSE_PAGES / 8));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte]! |= 1 << (pageNumber & 7);
  }
}
