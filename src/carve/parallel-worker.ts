import { parentPort } from 'node:worker_threads';
import type { CarvedRecord } from './carved-record.js';
import { fingerprintLeaves } from './leaf-fingerprints.js';
import { LiveFingerprints } from './live-fingerprints.js';
import type { LiveState } from './live-rows.js';
import {
  freelistRecords,
  isLiveCopy,
  mainPageRecords,
  pageCarvingContext,
  type MainPagesEnv,
  type NumberedPage,
} from './main-pages.js';
import { PageOwners } from './page-owners.js';
import { CHUNK_BYTES, openFileSource, type ByteSource } from './page-reader.js';
import type {
  CarvedOffer,
  FingerprintReply,
  FingerprintRequest,
  JobRequest,
  JsonOffers,
  WorkerInit,
  WorkerMessage,
  WorkerOpen,
  WorkerReply,
} from './parallel.js';
import type { PageLookup } from './payload.js';
import { CarvedJsonLineEncoder } from './record-json.js';

/**
 * A carving worker (see parallel.ts). Started early, it gets `{open}` (the files) while the main thread walks the
 * b-trees, fingerprints the live rows of the leaf pages it is sent, then gets `{init}` and carves the page ranges
 * it is sent with the same code the main thread runs (main-pages.ts), sending back what is not a live copy, in
 * order. `{close}` closes its files and ends it.
 */
const port = parentPort!;

interface Files {
  open: WorkerOpen;
  db: ByteSource;
  wal: ByteSource | null;
  /** The database as it stands now (WAL applied), one fresh buffer per page. */
  current: PageLookup;
  /** One chunk-sized buffer, reused for whatever is read in runs (page ranges, leaf pages). */
  buffer: Buffer;
}

interface Carver {
  env: MainPagesEnv;
  live: LiveState;
  init: WorkerInit;
}

async function openFiles(open: WorkerOpen): Promise<Files> {
  const db = await openFileSource(open.dbPath);
  const wal = open.walPath ? await openFileSource(open.walPath) : null;
  const pageCount = Math.floor(db.size / open.pageSize);
  // Pages looked up here (overflow chains, a superseded page's current version) are read one by one, uncached:
  // they are few next to the ranges, and a block cache per worker cost more memory than it saved time.
  const current: PageLookup = async (n) => {
    const offset = open.walCurrent.get(n);
    if (offset !== undefined && wal) {
      const frame = await wal.read(offset, open.walPageSize);
      return frame.length === open.walPageSize ? frame : null;
    }
    if (!Number.isInteger(n) || n < 1 || n > pageCount) return null;
    const page = await db.read((n - 1) * open.pageSize, open.pageSize);
    return page.length === open.pageSize ? page : null;
  };
  const buffer = Buffer.allocUnsafe(Math.max(1, Math.floor(CHUNK_BYTES / open.pageSize)) * open.pageSize);
  return { open, db, wal, current, buffer };
}

function carverFor(files: Files, init: WorkerInit): Carver {
  const { open, current } = files;
  const live: LiveState = {
    tables: init.tables,
    owner: new PageOwners(init.owner),
    liveFull: LiveFingerprints.fromShared(init.live.full),
    liveTail: LiveFingerprints.fromShared(init.live.tail),
    liveContent: LiveFingerprints.fromShared(init.live.content),
    liveRows: init.live.rows,
  };
  const env: MainPagesEnv = {
    ctx: pageCarvingContext(live, init.encoding, open.usableSize, open.maxPayload),
    schema: live,
    current,
    freePages: init.freePages,
    superseded: open.walCurrent,
    encoding: init.encoding,
    usableSize: open.usableSize,
  };
  return { env, live, init };
}

async function* pagesOf(files: Files, first: number, last: number): AsyncGenerator<NumberedPage> {
  const { buffer, open, db } = files;
  const wanted = Math.min(buffer.length, (last - first + 1) * open.pageSize);
  const got = await db.readInto!(buffer.subarray(0, wanted), (first - 1) * open.pageSize);
  const whole = Math.floor(got / open.pageSize);
  for (let i = 0; i < whole; i += 1)
    yield { pageNumber: first + i, page: buffer.subarray(i * open.pageSize, (i + 1) * open.pageSize) };
}

/**
 * Leaf pages as they stand now, main-file pages read in runs of consecutive numbers into the one buffer (a walk's
 * leaves mostly follow each other in the file), each valid until the next call.
 */
function leafReader(files: Files, pages: Uint32Array): PageLookup {
  const { buffer, open, db } = files;
  const perBuffer = Math.floor(buffer.length / open.pageSize);
  let runFirst = 0;
  let runPages = 0;
  let index = 0;
  return async (n) => {
    const at = index++;
    if (open.walCurrent.has(n)) return files.current(n);
    if (n < runFirst || n >= runFirst + runPages) {
      let length = 1;
      while (length < perBuffer && at + length < pages.length && pages[at + length] === n + length) length += 1;
      const got = await db.readInto!(buffer.subarray(0, length * open.pageSize), (n - 1) * open.pageSize);
      runFirst = n;
      runPages = Math.floor(got / open.pageSize);
      if (runPages === 0) return null;
    }
    const start = (n - runFirst) * open.pageSize;
    return buffer.subarray(start, start + open.pageSize);
  };
}

async function fingerprint(files: Files, request: FingerprintRequest): Promise<FingerprintReply> {
  const { pages } = request;
  const batch = await fingerprintLeaves(
    pages,
    leafReader(files, pages),
    files.current,
    files.open.usableSize,
    files.open.maxPayload,
  );
  return { fingerprint: request.fingerprint, ...batch };
}

async function carveJob(files: Files, carver: Carver, request: JobRequest): Promise<CarvedOffer[] | JsonOffers> {
  const offers: CarvedOffer[] = [];
  const json = carver.init.output === 'json' ? jsonLines : null;
  json?.clear();
  const table = carver.init.table?.toLowerCase();
  const { job } = request;
  const records =
    'freelist' in job
      ? freelistRecords(carver.env, job.freelist)
      : mainPageRecords(carver.env, pagesOf(files, job.first, job.last));
  for await (const resolved of records) {
    if (table !== undefined && resolved.table?.name.toLowerCase() !== table) continue;
    if (isLiveCopy(resolved, carver.live)) continue;
    const { tableIndex, full, tail, content, lead } = resolved;
    // A line is written at once, before the next page is read: its BLOBs need no copies.
    const record = resolved.materialize(json !== null);
    if (json) {
      json.add(record, tableIndex, full, tail, content, lead);
      continue;
    }
    // Column names are the table's: the main thread puts its own array back instead of a copy per record.
    delete record.columns;
    offers.push({ tableIndex, full, tail, content, lead, record });
  }
  return json ? json.packed() : offers;
}

/** A job's records written as JSON lines, with what the main thread checks them by (JsonOffers). */
class JsonLines {
  // One per worker, emptied for each job: a fresh 64 KB buffer per job was garbage the collector freed late.
  private readonly encoder = new CarvedJsonLineEncoder();
  private ends: number[] = [];
  private tableIndex: number[] = [];
  private full: number[] = [];
  private tail: number[] = [];
  private content: number[] = [];
  private lead: number[] = [];

  clear(): void {
    this.encoder.clear();
    this.ends = [];
    this.tableIndex = [];
    this.full = [];
    this.tail = [];
    this.content = [];
    this.lead = [];
  }

  add(
    record: CarvedRecord,
    tableIndex: number,
    full: number | null,
    tail: number | null,
    content: number | null,
    lead: number | null,
  ) {
    this.encoder.add(record);
    this.ends.push(this.encoder.length);
    this.tableIndex.push(tableIndex);
    this.full.push(full ?? Number.NaN);
    this.tail.push(tail ?? Number.NaN);
    this.content.push(content ?? Number.NaN);
    this.lead.push(lead ?? Number.NaN);
  }

  packed(): JsonOffers {
    // A copy in its own memory, to be transferred; the encoder keeps its buffer for the next job.
    const bytes = new Uint8Array(this.encoder.length);
    bytes.set(this.encoder.written());
    return {
      bytes,
      ends: Int32Array.from(this.ends),
      tableIndex: Int32Array.from(this.tableIndex),
      full: Float64Array.from(this.full),
      tail: Float64Array.from(this.tail),
      content: Float64Array.from(this.content),
      lead: Float64Array.from(this.lead),
    };
  }
}

function errorOf(error: unknown): { code?: string; message: string } {
  const { code, message } = error as { code?: string; message?: string };
  return { code, message: message ?? String(error) };
}

const jsonLines = new JsonLines();
let files: Promise<Files> | null = null;
let carver: Promise<Carver> | null = null;
/** Work runs one piece at a time: pieces read through the one shared buffer. */
let queue: Promise<unknown> = Promise.resolve();

function inTurn<T>(work: () => Promise<T>): Promise<T> {
  const turn = queue.then(work);
  queue = turn.catch(() => {});
  return turn;
}

port.on('message', (message: WorkerMessage) => {
  if ('close' in message) {
    const closing = files ? files.then((f) => Promise.all([f.db.close(), f.wal?.close()])) : Promise.resolve();
    void closing.catch(() => {}).finally(() => port.close());
    return;
  }
  if ('open' in message) {
    files = openFiles(message.open);
    return;
  }
  const opened = files ?? Promise.reject(new Error('work came before the files it is on'));
  if ('init' in message) {
    const { init } = message;
    carver = opened.then((f) => carverFor(f, init));
    return;
  }
  if ('fingerprint' in message) {
    const id = message.fingerprint;
    inTurn(() => opened.then((f) => fingerprint(f, message))).then(
      (reply) => {
        const transfer = 'full' in reply ? [reply.full.buffer, reply.tail.buffer, reply.content.buffer] : [];
        port.postMessage(reply, transfer as ArrayBuffer[]);
      },
      (error: unknown) => port.postMessage({ fingerprint: id, error: errorOf(error) } satisfies FingerprintReply),
    );
    return;
  }
  const { id } = message;
  const carving = carver ?? Promise.reject(new Error('a carving job came before the carve it belongs to'));
  inTurn(() => Promise.all([opened, carving]).then(([f, c]) => carveJob(f, c, message))).then(
    (result) => {
      if (Array.isArray(result)) return port.postMessage({ id, offers: result } satisfies WorkerReply);
      const transfer = [
        result.bytes,
        result.ends,
        result.tableIndex,
        result.full,
        result.tail,
        result.content,
        result.lead,
      ];
      port.postMessage(
        { id, json: result } satisfies WorkerReply,
        transfer.map((a) => a.buffer as ArrayBuffer),
      );
    },
    (error: unknown) => port.postMessage({ id, error: errorOf(error) } satisfies WorkerReply),
  );
});
