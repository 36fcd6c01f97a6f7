import { readVarint, readVarintBig, varintLength } from './varint.js';

/**
 * Table b-tree leaf cells (fileformat2 §1.6 "B-tree Cell Format"): payload length varint, rowid varint, the
 * local part of the payload, and — when the payload does not fit — a 4-byte first overflow page number.
 */
export interface TableLeafCell {
  payloadSize: number;
  rowid: number | bigint;
  payloadStart: number;
  localSize: number;
  firstOverflowPage: number;
  /** First byte after the cell. */
  end: number;
}

/**
 * How much of a payload of `payloadSize` bytes a table leaf keeps on the page (fileformat2: X = U−35,
 * M = ((U−12)·32/255)−23, K = M + ((P−M) mod (U−4)); local = P if P ≤ X, else K if K ≤ X, else M).
 */
export function localPayloadSize(payloadSize: number, usableSize: number): number {
  const maxLocal = usableSize - 35;
  if (payloadSize <= maxLocal) return payloadSize;
  const minLocal = Math.floor(((usableSize - 12) * 32) / 255) - 23;
  const k = minLocal + ((payloadSize - minLocal) % (usableSize - 4));
  return k <= maxLocal ? k : minLocal;
}

/** Parses the leaf cell at `offset`; null when it would run past `end` or its payload size is absurd. */
export function parseTableLeafCell(
  page: Buffer,
  offset: number,
  end: number,
  usableSize: number,
  maxPayload: number,
): TableLeafCell | null {
  const payloadSize = readVarint(page, offset, end);
  const lengthBytes = varintLength;
  if (lengthBytes === 0 || payloadSize < 1 || payloadSize > maxPayload) return null;
  // Rowids are read as plain numbers on this hot path; only a 9-byte or unsafe one goes through BigInt.
  let rowid: number | bigint = readVarint(page, offset + lengthBytes, end);
  const rowidBytes = varintLength;
  if (rowidBytes === 0) return null;
  if (rowidBytes === 9 || rowid > Number.MAX_SAFE_INTEGER)
    rowid = readVarintBig(page, offset + lengthBytes, end)!.value;
  const payloadStart = offset + lengthBytes + rowidBytes;
  const localSize = localPayloadSize(payloadSize, usableSize);
  const overflowBytes = localSize < payloadSize ? 4 : 0;
  const cellEnd = payloadStart + localSize + overflowBytes;
  if (cellEnd > end) return null;
  return {
    payloadSize,
    rowid,
    payloadStart,
    localSize,
    firstOverflowPage: overflowBytes ? page.readUInt32BE(payloadStart + localSize) : 0,
    end: cellEnd,
  };
}

/** Set by `leafCellAt`: where the cell's payload starts, how much of it is on the page, its rowid. */
export let leafPayloadStart = 0;
export let leafLocalSize = 0;
export let leafRowid: number | bigint = 0;

/**
 * The checks parseTableLeafCell makes (with `end` the usable size), without building the cell: true when the cell at
 * `offset` parses, its payload start, local size and rowid then in `leafPayloadStart`, `leafLocalSize`, `leafRowid`.
 * For the loops over every cell of every page (a page's table, rowid anchors).
 */
export function leafCellAt(page: Buffer, offset: number, usableSize: number, maxPayload: number): boolean {
  const payloadSize = readVarint(page, offset, usableSize);
  const lengthBytes = varintLength;
  if (lengthBytes === 0 || payloadSize < 1 || payloadSize > maxPayload) return false;
  const rowid = readVarint(page, offset + lengthBytes, usableSize);
  const rowidBytes = varintLength;
  if (rowidBytes === 0) return false;
  const payloadStart = offset + lengthBytes + rowidBytes;
  const localSize = localPayloadSize(payloadSize, usableSize);
  if (payloadStart + localSize + (localSize < payloadSize ? 4 : 0) > usableSize) return false;
  leafPayloadStart = payloadStart;
  leafLocalSize = localSize;
  leafRowid =
    rowidBytes === 9 || rowid > Number.MAX_SAFE_INTEGER
      ? readVarintBig(page, offset + lengthBytes, usableSize)!.value
      : rowid;
  return true;
}

/** Interior table cells: a 4-byte left child page, then the rowid key as a varint. */
export function interiorTableChild(page: Buffer, offset: number, usableSize: number): number {
  return offset + 4 <= usableSize ? page.readUInt32BE(offset) : 0;
}
