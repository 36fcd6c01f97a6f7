import type { ByteSource } from './page-reader.js';
import type { PageLookup } from './payload.js';
import type { WalFrame } from './wal.js';

/** One block, re-read in place: big enough that neighbouring pages cost no read, small enough to stay in cache. */
const BLOCK_BYTES = 64 * 1024;

/**
 * Pages of the current database (WAL applied) for a reader that holds one page at a time — a b-tree walk, which
 * reads a page, is done with it, then reads the next. Every page returned is a view of one reused buffer, valid
 * only until the next call: a walk over a 1 GB file allocates nothing, where a fresh buffer per block was garbage
 * the collector freed late (60 MB of RSS on a 68 MB file). Main-file pages come from one 64 KB block read in place,
 * WAL frames from one page-sized buffer. A page the files do not wholly hold is null, as from PageReader.
 */
export function transientPageLookup(
  db: ByteSource,
  pageSize: number,
  wal: { source: ByteSource; pageSize: number; current: ReadonlyMap<number, WalFrame> } | null,
): PageLookup | null {
  if (!db.readInto || (wal && !wal.source.readInto)) return null;
  const pageCount = Math.floor(db.size / pageSize);
  const block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, pageSize));
  const perBlock = Math.floor(block.length / pageSize);
  let blockFirst = -1;
  let blockPages = 0;
  const frameBuffer = wal ? Buffer.allocUnsafe(wal.pageSize) : null;
  return async (n) => {
    const frame = wal?.current.get(n);
    if (wal && frame && frameBuffer) {
      const got = await wal.source.readInto!(frameBuffer, frame.pageOffset);
      return got === wal.pageSize ? frameBuffer : null;
    }
    if (!Number.isInteger(n) || n < 1 || n > pageCount) return null;
    if (n < blockFirst || n >= blockFirst + blockPages) {
      blockFirst = Math.floor((n - 1) / perBlock) * perBlock + 1;
      const got = await db.readInto!(block, (blockFirst - 1) * pageSize);
      blockPages = Math.floor(got / pageSize);
      if (n >= blockFirst + blockPages) return null;
    }
    const start = (n - blockFirst) * pageSize;
    return block.subarray(start, start + pageSize);
  };
}

/**
 * Pages at increasing offsets of one file (the WAL's frames, in log order), through one reused 1 MB window: each is
 * valid only until the next call. Reading every frame of an 860 MB WAL through fresh 64 KB blocks left their
 * garbage to a late collector (330k-message WAL database: 296 MB peak RSS). Null when the source cannot fill a
 * buffer in place.
 */
export function sequentialPageReader(
  source: ByteSource,
  pageSize: number,
): ((offset: number) => Promise<Buffer | null>) | null {
  if (!source.readInto) return null;
  const window = Buffer.allocUnsafe(Math.max(pageSize, 1 << 20));
  let start = -1;
  let length = 0;
  return async (offset) => {
    if (offset < start || offset + pageSize > start + length) {
      start = offset;
      length = await source.readInto!(window, offset);
    }
    if (offset + pageSize > start + length) return null;
    return window.subarray(offset - start, offset - start + pageSize);
  };
}
