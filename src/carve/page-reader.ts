import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { CarveError } from './errors.js';

/** Bytes of one file (database, WAL or journal), read by position; a short read means the file ends there. */
export interface ByteSource {
  readonly size: number;
  read(position: number, length: number): Promise<Buffer>;
  /** Fills `target` from `position` (fewer bytes at the end of the file); returns how many were read. */
  readInto?(target: Buffer, position: number): Promise<number>;
  close(): Promise<void>;
}

/**
 * A file read with positioned synchronous reads behind an async interface: the carver reads in 64 KB–1 MB
 * pieces, each a few microseconds from the page cache, where a trip through libuv's thread pool per piece
 * cost more than the read itself (measured: a third of the run idle). Awaiting these reads does not give the
 * event loop a turn: the scans do that themselves, every EVENT_LOOP_TURN_MS (PageReader.pages, the WAL loop).
 */
export async function openFileSource(path: string): Promise<ByteSource> {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO in the database's place must not hold the open (and the event loop) until a writer comes.
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
  } catch (cause) {
    throw new CarveError('CARVE_UNREADABLE', `cannot open ${path}`, { cause, details: { path } });
  }
  const stats = fstatSync(fd);
  // Only a regular file has a size to bound every read by: a FIFO, a device (/dev/zero) or a folder is refused.
  if (!stats.isFile()) {
    closeSync(fd);
    throw new CarveError(
      'CARVE_NOT_A_REGULAR_FILE',
      `${path} is not a regular file (a folder, FIFO, device or socket); nothing is read from it`,
      { details: { path } },
    );
  }
  const { size } = stats;
  let closed = false;
  const fill = (buffer: Buffer, position: number): number => {
    let done = 0;
    while (done < buffer.length) {
      const bytesRead = readSync(fd, buffer, done, buffer.length - done, position + done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done;
  };
  return {
    size,
    async read(position, length) {
      const buffer = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - position)));
      const done = fill(buffer, position);
      return done === buffer.length ? buffer : buffer.subarray(0, done);
    },
    async readInto(target, position) {
      return fill(target.subarray(0, Math.max(0, Math.min(target.length, size - position))), position);
    },
    async close() {
      if (!closed) closeSync(fd);
      closed = true;
    },
  };
}

export function bufferSource(bytes: Buffer): ByteSource {
  return {
    size: bytes.length,
    async read(position, length) {
      return bytes.subarray(Math.min(position, bytes.length), Math.min(position + length, bytes.length));
    },
    async close() {},
  };
}

/** How long a scan may keep the event loop before giving it a turn. */
export const EVENT_LOOP_TURN_MS = 20;

/** Chunk for reads: big enough that per-call overhead vanishes, small enough to keep memory flat. */
export const CHUNK_BYTES = 1 << 20;
/** Blocks for random reads: a few pages each, so a jump far away costs one small read, not a megabyte. */
const BLOCK_BYTES = 64 * 1024;
/**
 * Blocks kept: 4 MB whatever the file size. The lookups that go through here (overflow chains, freelist pages, a WAL
 * frame's page as it stood) are few next to the sequential reads; 16 MB a source was resident memory for nothing
 * (a 1 GB sms.db: 189 MB peak RSS with 4 MB, 192 with 16, and no slower).
 */
const CACHE_BLOCKS = 64;

/**
 * Reads through a cache of 64 KB aligned blocks: b-tree walks and WAL lookups jump around, but mostly among
 * neighbouring pages, and one read per block costs far less than one per page.
 */
export class ChunkedSource {
  private readonly cache = new Map<number, Buffer>();

  constructor(readonly source: ByteSource) {}

  async read(position: number, length: number): Promise<Buffer> {
    const first = Math.floor(position / BLOCK_BYTES);
    if (Math.floor((position + length - 1) / BLOCK_BYTES) !== first || length > BLOCK_BYTES)
      return this.source.read(position, length);
    let chunk = this.cache.get(first);
    if (chunk) {
      this.cache.delete(first);
    } else {
      chunk = await this.source.read(first * BLOCK_BYTES, BLOCK_BYTES);
      if (this.cache.size >= CACHE_BLOCKS) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(first, chunk);
    const start = position - first * BLOCK_BYTES;
    return chunk.subarray(Math.min(start, chunk.length), Math.min(start + length, chunk.length));
  }
}

/**
 * Reads of one fixed length (a WAL frame's page) through an LRU of exactly those reads, 4 MB in all: the lookups of
 * a page's current or earlier version jump all over a large WAL, where reading a 64 KB block for each 4 KB page
 * (ChunkedSource) read and allocated sixteen times what was used — most of a WAL carve's time.
 */
export class PageCache {
  private readonly cache = new Map<number, Buffer>();
  private readonly capacity: number;

  constructor(
    readonly source: ByteSource,
    readonly length: number,
  ) {
    this.capacity = Math.max(16, Math.floor((4 << 20) / Math.max(1, length)));
  }

  async read(position: number): Promise<Buffer> {
    let page = this.cache.get(position);
    if (page) {
      this.cache.delete(position);
    } else {
      page = await this.source.read(position, this.length);
      if (this.cache.size >= this.capacity) this.cache.delete(this.cache.keys().next().value!);
    }
    this.cache.set(position, page);
    return page;
  }
}

/**
 * Bounded page access: page numbers are 1-based (fileformat2 §1.3), and a page the file does not wholly hold is
 * `null`, never a short buffer a parser could overrun.
 */
export class PageReader {
  readonly pageCount: number;
  private readonly chunks: ChunkedSource;

  constructor(
    readonly source: ByteSource,
    readonly pageSize: number,
  ) {
    this.pageCount = Math.floor(source.size / pageSize);
    this.chunks = new ChunkedSource(source);
  }

  async readPage(pageNumber: number): Promise<Buffer | null> {
    if (!Number.isInteger(pageNumber) || pageNumber < 1 || pageNumber > this.pageCount) return null;
    const page = await this.chunks.read((pageNumber - 1) * this.pageSize, this.pageSize);
    return page.length === this.pageSize ? page : null;
  }

  /**
   * Every whole page in file order, read a chunk at a time into one reused buffer: a page is valid until the next
   * one is asked for (copy what must outlive it). A fresh megabyte per chunk was garbage the GC freed late: a 57 MB
   * sms.db peaked at 247 MB.
   */
  async *pages(): AsyncGenerator<{ pageNumber: number; page: Buffer }> {
    const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / this.pageSize));
    const reused = this.source.readInto ? Buffer.allocUnsafe(perChunk * this.pageSize) : undefined;
    let lastTurn = performance.now();
    for (let first = 1; first <= this.pageCount; first += perChunk) {
      const count = Math.min(perChunk, this.pageCount - first + 1);
      const position = (first - 1) * this.pageSize;
      const chunk = reused
        ? reused.subarray(0, await this.source.readInto!(reused.subarray(0, count * this.pageSize), position))
        : await this.source.read(position, count * this.pageSize);
      const whole = Math.floor(chunk.length / this.pageSize);
      for (let i = 0; i < whole; i += 1) {
        // Reads here are synchronous and an awaited value only lets microtasks run: a turn of the event loop
        // every 20 ms of carving keeps timers, sockets and signals served while a large database is carved.
        if (performance.now() - lastTurn > EVENT_LOOP_TURN_MS) {
          await setImmediatePromise();
          lastTurn = performance.now();
        }
        yield { pageNumber: first + i, page: chunk.subarray(i * this.pageSize, (i + 1) * this.pageSize) };
      }
      if (whole < count) return;
    }
  }
}
