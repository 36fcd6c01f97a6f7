import { cellPointers, headerOffsetFor, PAGE_LEAF_TABLE, parseBTreePageHeader } from './btree-page.js';
import { parseTableLeafCell, type TableLeafCell } from './cell.js';
import { cellPayload, type PageLookup } from './payload.js';
import { lastContentHash, lastFullHash, lastTailHash, liveRecordHashes } from './record-hash.js';

/**
 * Fingerprints of the live rows on a list of leaf pages — the live walk's costly part, which carving workers do
 * for page lists the main thread's walk of the b-trees hands them (parallel.ts). The same rows and fingerprints as
 * the walk's own `remember` (live-rows.ts): each cell that parses, its record read straight from its bytes.
 */
export interface FingerprintBatch {
  full: Float64Array;
  tail: Float64Array;
  /** Only rows with enough text to tell (content fingerprints are -1 otherwise and left out). */
  content: Float64Array;
}

/** Serial types a live record's header may hold before it is taken for damage (as the walk's). */
export const MAX_HEADER_COLUMNS = 4096;

/** A growable list of fingerprints. */
class NumberList {
  values = new Float64Array(1024);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  take(): Float64Array {
    return this.values.slice(0, this.length);
  }
}

/**
 * Fingerprints one live cell into `lastFullHash`, `lastTailHash` and `lastContentHash` (record-hash.ts): false for a
 * record that does not parse. Synchronous for a cell whose payload is on its page (almost every one: a promise per
 * row was most of the cost of a big table); a payload that spills is assembled from its overflow pages first.
 */
export function fingerprintCell(
  page: Buffer,
  cell: TableLeafCell,
  lookup: PageLookup,
  usableSize: number,
): boolean | Promise<boolean> {
  if (cell.localSize >= cell.payloadSize)
    return liveRecordHashes(page, cell.payloadStart, cell.payloadStart + cell.payloadSize, MAX_HEADER_COLUMNS);
  return cellPayload(page, cell, lookup, usableSize).then((payload) =>
    liveRecordHashes(payload, 0, payload.length, MAX_HEADER_COLUMNS),
  );
}

/**
 * `pages` are leaf page numbers; `readPage` gives each page as it stands now (a view that may be reused by the next
 * call), `lookup` the overflow pages. A page that is not a table leaf gives nothing.
 */
export async function fingerprintLeaves(
  pages: Iterable<number>,
  readPage: PageLookup,
  lookup: PageLookup,
  usableSize: number,
  maxPayload: number,
): Promise<FingerprintBatch> {
  const full = new NumberList();
  const tail = new NumberList();
  const content = new NumberList();
  const add = (): void => {
    full.push(lastFullHash);
    tail.push(lastTailHash);
    if (lastContentHash >= 0) content.push(lastContentHash);
  };
  for (const pageNumber of pages) {
    const page = await readPage(pageNumber);
    if (!page) continue;
    const header = parseBTreePageHeader(page, headerOffsetFor(pageNumber), usableSize);
    if (!header || header.type !== PAGE_LEAF_TABLE) continue;
    for (const offset of cellPointers(page, header, usableSize)) {
      const cell = parseTableLeafCell(page, offset, usableSize, usableSize, maxPayload);
      if (!cell) continue;
      const hashed = fingerprintCell(page, cell, lookup, usableSize);
      if (hashed === true || (hashed !== false && (await hashed))) add();
    }
  }
  return { full: full.take(), tail: tail.take(), content: content.take() };
}
