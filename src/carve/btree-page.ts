import { uint16 } from './bytes.js';
/**
 * B-tree page headers (fileformat2 §1.6): at offset 100 on page 1, else 0. Byte 0 is the type (2 interior
 * index, 5 interior table, 10 leaf index, 13 leaf table), 1–2 the first freeblock, 3–4 the cell count, 5–6 the
 * start of the cell content area (0 means 65536), 7 the fragmented free bytes, 8–11 the right child on interior
 * pages. The cell pointer array follows the header. Every number here comes from the file, so each is checked
 * against the page before anything is read through it.
 */

export const PAGE_INTERIOR_INDEX = 2;
export const PAGE_INTERIOR_TABLE = 5;
export const PAGE_LEAF_INDEX = 10;
export const PAGE_LEAF_TABLE = 13;

export interface BTreePageHeader {
  type: number;
  headerOffset: number;
  /** First byte after the cell pointer array. */
  pointersEnd: number;
  firstFreeblock: number;
  cellCount: number;
  /** Start of the cell content area, clamped to the usable size. */
  contentStart: number;
  fragmentedBytes: number;
  rightChild: number;
}

export function headerOffsetFor(pageNumber: number): number {
  return pageNumber === 1 ? 100 : 0;
}

/** Parses and validates a b-tree page header; null when the bytes cannot be one (e.g. an overflow page). */
export function parseBTreePageHeader(page: Buffer, headerOffset: number, usableSize: number): BTreePageHeader | null {
  if (headerOffset + 12 > usableSize) return null;
  const type = page[headerOffset]!;
  if (
    type !== PAGE_LEAF_TABLE &&
    type !== PAGE_INTERIOR_TABLE &&
    type !== PAGE_LEAF_INDEX &&
    type !== PAGE_INTERIOR_INDEX
  )
    return null;
  const interior = type === PAGE_INTERIOR_TABLE || type === PAGE_INTERIOR_INDEX;
  const headerEnd = headerOffset + (interior ? 12 : 8);
  const cellCount = uint16(page, headerOffset + 3);
  const pointersEnd = headerEnd + 2 * cellCount;
  if (pointersEnd > usableSize) return null;
  const rawContent = uint16(page, headerOffset + 5);
  const contentStart = rawContent === 0 ? 65536 : rawContent;
  if (contentStart > usableSize && !(rawContent === 0 && cellCount === 0)) return null;
  if (contentStart < pointersEnd) return null;
  const firstFreeblock = uint16(page, headerOffset + 1);
  if (firstFreeblock !== 0 && (firstFreeblock < pointersEnd || firstFreeblock + 4 > usableSize)) return null;
  return {
    type,
    headerOffset,
    pointersEnd,
    firstFreeblock,
    cellCount,
    contentStart: Math.min(contentStart, usableSize),
    fragmentedBytes: page[headerOffset + 7]!,
    rightChild: interior ? page.readUInt32BE(headerOffset + 8) : 0,
  };
}

/** Cell offsets from the pointer array, keeping only those that point inside the content area. */
export function cellPointers(page: Buffer, header: BTreePageHeader, usableSize: number): number[] {
  const offsets: number[] = [];
  const headerEnd = header.pointersEnd - 2 * header.cellCount;
  for (let i = 0; i < header.cellCount; i += 1) {
    const offset = uint16(page, headerEnd + 2 * i);
    if (offset >= header.pointersEnd && offset < usableSize) offsets.push(offset);
  }
  return offsets;
}

export interface FreeArea {
  offset: number;
  size: number;
}

/**
 * The freeblock chain: each freeblock starts with the offset of the next (0 ends it) and its own size, in
 * ascending offset order (SQLite keeps them sorted). A chain that goes backwards, overlaps, or leaves the page
 * is cut there: the blocks seen so far are still real.
 */
export function freeblocks(page: Buffer, header: BTreePageHeader, usableSize: number): FreeArea[] {
  const blocks: FreeArea[] = [];
  let offset = header.firstFreeblock;
  let floor = header.pointersEnd;
  while (offset !== 0) {
    if (offset < floor || offset + 4 > usableSize) break;
    const size = uint16(page, offset + 2);
    if (size < 4 || offset + size > usableSize) break;
    blocks.push({ offset, size });
    floor = offset + size;
    offset = uint16(page, offset);
  }
  return blocks;
}
