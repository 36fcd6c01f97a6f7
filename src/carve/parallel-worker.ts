import { parentPort } from 'node:worker_threads';
import { LiveFingerprints } from './live-fingerprints.js';
import type { LiveState } from './live-rows.js';
import { isLiveCopy, mainPageRecords, pageCarvingContext, type MainPagesEnv, type NumberedPage } from './main-pages.js';
import { PageOwners } from './page-owners.js';
import { CHUNK_BYTES, openFileSource, type ByteSource } from './page-reader.js';
import type { CarvedOffer, RangeRequest, WorkerInit, WorkerReply } from './parallel.js';
import type { PageLookup } from './payload.js';

/**
 * A carving worker (see parallel.ts). Started early, it waits for `{init}`, then opens the database (and its WAL)
 * itself and carves the page ranges it is sent with the same code the main thread runs (main-pages.ts), sending
 * back what is not a live copy, in order. `{close}` closes its files and ends it.
 */
const port = parentPort!;

interface Carver {
  env: MainPagesEnv;
  live: LiveState;
  init: WorkerInit;
  db: ByteSource;
  wal: ByteSource | null;
  buffer: Buffer;
}

async function open(init: WorkerInit): Promise<Carver> {
  const db = await openFileSource(init.dbPath);
  const wal = init.walPath ? await openFileSource(init.walPath) : null;
  const pageCount = Math.floor(db.size / init.pageSize);
  // Pages looked up here (overflow chains, a superseded page's current version) are read one by one, uncached:
  // they are few next to the ranges, and a block cache per worker cost more memory than it saved time.
  const current: PageLookup = async (n) => {
    const offset = init.walCurrent.get(n);
    if (offset !== undefined && wal) {
      const frame = await wal.read(offset, init.walPageSize);
      return frame.length === init.walPageSize ? frame : null;
    }
    if (!Number.isInteger(n) || n < 1 || n > pageCount) return null;
    const page = await db.read((n - 1) * init.pageSize, init.pageSize);
    return page.length === init.pageSize ? page : null;
  };
  const live: LiveState = {
    tables: init.tables,
    owner: new PageOwners(init.owner),
    liveFull: LiveFingerprints.fromShared(init.live.full),
    liveTail: LiveFingerprints.fromShared(init.live.tail),
    liveContent: LiveFingerprints.fromShared(init.live.content),
    liveRows: init.live.rows,
  };
  const env: MainPagesEnv = {
    ctx: pageCarvingContext(live, init.encoding, init.usableSize, init.maxPayload),
    schema: live,
    current,
    freePages: init.freePages,
    superseded: init.walCurrent,
    encoding: init.encoding,
    usableSize: init.usableSize,
  };
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.floor(CHUNK_BYTES / init.pageSize)) * init.pageSize);
  return { env, live, init, db, wal, buffer };
}

async function* pagesOf(carver: Carver, first: number, last: number): AsyncGenerator<NumberedPage> {
  const { buffer, init, db } = carver;
  const wanted = Math.min(buffer.length, (last - first + 1) * init.pageSize);
  const got = await db.readInto!(buffer.subarray(0, wanted), (first - 1) * init.pageSize);
  const whole = Math.floor(got / init.pageSize);
  for (let i = 0; i < whole; i += 1)
    yield { pageNumber: first + i, page: buffer.subarray(i * init.pageSize, (i + 1) * init.pageSize) };
}

async function carveRange(carver: Carver, request: RangeRequest): Promise<CarvedOffer[]> {
  const offers: CarvedOffer[] = [];
  const table = carver.init.table?.toLowerCase();
  for await (const resolved of mainPageRecords(carver.env, pagesOf(carver, request.first, request.last))) {
    if (table !== undefined && resolved.table?.name.toLowerCase() !== table) continue;
    if (isLiveCopy(resolved, carver.live)) continue;
    const { tableIndex, full, tail, content } = resolved;
    const record = resolved.materialize();
    // Column names are the table's: the main thread puts its own array back instead of a copy per record.
    delete record.columns;
    offers.push({ tableIndex, full, tail, content, record });
  }
  return offers;
}

let carver: Promise<Carver> | null = null;

port.on('message', (message: RangeRequest | { init: WorkerInit } | { close: true }) => {
  if ('close' in message) {
    const closing = carver ? carver.then((c) => Promise.all([c.db.close(), c.wal?.close()])) : Promise.resolve();
    void closing.catch(() => {}).finally(() => port.close());
    return;
  }
  if ('init' in message) {
    carver = open(message.init);
    return;
  }
  const { id } = message;
  (carver ?? Promise.reject(new Error('a page range came before the carve it belongs to')))
    .then((c) => carveRange(c, message))
    .then(
      (offers) => port.postMessage({ id, offers } satisfies WorkerReply),
      (error: unknown) => {
        const { code, message: text } = error as { code?: string; message?: string };
        port.postMessage({ id, error: { code, message: text ?? String(error) } } satisfies WorkerReply);
      },
    );
});
