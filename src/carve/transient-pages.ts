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
