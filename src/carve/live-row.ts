import {
  cellPointers,
  headerOffsetFor,
  PAGE_INTERIOR_TABLE,
  PAGE_LEAF_TABLE,
  parseBTreePageHeader,
} from './btree-page.js';
import { interiorTableChild, parseTableLeafCell } from './cell.js';
import { cellPayload, type PageLookup } from './payload.js';
import { parseRecordHeader, serialTypeSize } from './record.js';
import { readVarint, varintLength } from './varint.js';
import { MAX_HEADER_COLUMNS } from './leaf-fingerprints.js';

/** Deeper than any real table b-tree (SQLite's own limit is 20 levels); a hostile loop ends here too. */
const MAX_DEPTH = 24;

/**
 * The payload of the live row `rowid` of the table b-tree rooted at `root`, read as SQLite would find it: down the
 * interior pages by their rowid keys (a child holds the rowids up to its key; the right child those above every
 * key), then the leaf's cell of that rowid — its first `wantBytes` at least, not a hostile length's worth of
 * overflow pages. Null when there is no such row or the tree does not read.
 * native-notes/protocols/sqlite-free-space.md "Taking space back"
 */
export async function liveRowPayload(
  root: number,
  rowid: number,
  lookup: PageLookup,
  usableSize: number,
  maxPayload: number,
  wantBytes = Number.POSITIVE_INFINITY,
): Promise<Buffer | null> {
  let pageNumber = root;
  for (let depth = 0; depth < MAX_DEPTH && pageNumber >= 1; depth += 1) {
    const page = await lookup(pageNumber);
    if (!page) return null;
    const header = parseBTreePageHeader(page, headerOffsetFor(pageNumber), usableSize);
    if (!header) return null;
    const offsets = cellPointers(page, header, usableSize);
    if (header.type === PAGE_LEAF_TABLE) {
      for (const offset of offsets) {
        const cell = parseTableLeafCell(page, offset, usableSize, usableSize, maxPayload);
        if (cell && cell.rowid === rowid) return cellPayload(page, cell, lookup, usableSize, wantBytes);
      }
      return null;
    }
    if (header.type !== PAGE_INTERIOR_TABLE) return null;
    let child = header.rightChild;
    for (const offset of offsets) {
      const key = readVarint(page, offset + 4, usableSize);
      if (varintLength === 0) return null;
      if (rowid <= key) {
        child = interiorTableChild(page, offset, usableSize);
        break;
      }
    }
    pageNumber = child;
  }
  return null;
}

/**
 * Whether every TEXT and BLOB column from the second on that `carved` holds whole (its payload may be cut short)
 * equals the same column of the live record `live`: then `carved` is a stale copy of that row. False when the live
 * record does not parse or no such column could be compared.
 */
export function sameSurvivingContent(
  carved: Buffer,
  headerLength: number,
  types: readonly number[],
  column0Size: number,
  live: Buffer,
): boolean {
  const liveHeader = parseRecordHeader(live, 0, live.length, MAX_HEADER_COLUMNS);
  if (!liveHeader) return false;
  let pos = headerLength;
  let livePos = liveHeader.headerLength;
  let compared = 0;
  for (let i = 0; i < types.length; i += 1) {
    const type = types[i]!;
    const size = type < 0 ? column0Size : serialTypeSize(type);
    const liveType = liveHeader.types[i];
    const liveSize = liveType === undefined ? 0 : serialTypeSize(liveType);
    if (i >= 1 && type >= 12 && pos + size <= carved.length) {
      if (liveType !== type || livePos + liveSize > live.length) return false;
      if (carved.compare(live, livePos, livePos + liveSize, pos, pos + size) !== 0) return false;
      compared += 1;
    }
    pos += size;
    livePos += liveSize;
  }
  return compared > 0;
}
