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
  seen: Set<number>,
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
