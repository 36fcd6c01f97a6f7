import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import type { CarvedRecord, Resolved } from './carved-record.js';
import { CARVE_ERROR_CATEGORIES, CarveError, type CarveErrorCode } from './errors.js';
import type { FingerprintBatch } from './leaf-fingerprints.js';
import type { Freelist } from './freelist.js';
import type { LiveState } from './live-rows.js';
import type { FreelistPart } from './main-pages.js';
import type { SharedFingerprints } from './live-fingerprints.js';
import type { PageOwnersData } from './page-owners.js';
import { CHUNK_BYTES } from './page-reader.js';
import { UNKNOWN, type CarvedValue, type TextEncoding } from './record.js';
import type { TableInfo } from './schema.js';

/**
 * Carving on worker threads. While the main thread walks the b-trees, the workers fingerprint the live rows of the
 * leaf pages it finds (fingerprintSink); then they carve jobs — freelist parts and ranges of the main file's pages
 * — and send back the records (resolved and fingerprinted, live copies dropped; or as their JSON lines). The
 * protocol is generic, so whatever the page carver learns flows through unchanged. Jobs are handed out in order and
 * their results yielded in that order, so the emitter sees exactly the sequence a single thread would produce:
 * output is byte-identical whatever the number of workers.
 */

/** The files a worker reads and how: sent to each worker as soon as they are known, before the live walk. */
export interface WorkerOpen {
  dbPath: string;
  walPath: string | null;
  pageSize: number;
  walPageSize: number;
  usableSize: number;
  maxPayload: number;
  /** Page number → offset of the WAL frame holding its current version. */
  walCurrent: Map<number, number>;
}

/** What a worker needs to carve any page range, once the live walk is done; sent once, before its first range. */
export interface WorkerInit {
  /** 'json': the worker writes each record's `carve --json` line itself and sends bytes (JsonOffers). */
  output: 'records' | 'json';
  encoding: TextEncoding;
  tables: TableInfo[];
  owner: PageOwnersData;
  freePages: Set<number>;
  live: { full: SharedFingerprints; tail: SharedFingerprints; content: SharedFingerprints; rows: number };
  table?: string;
}

/** Leaf pages whose live rows a worker fingerprints (leaf-fingerprints.ts). */
export interface FingerprintRequest {
  fingerprint: number;
  pages: Uint32Array;
}

/** A piece of the carve a worker does whole: a range of the main file's pages, or part of the freelist. */
export type PageJob = { first: number; last: number } | { freelist: FreelistPart };

export interface JobRequest {
  id: number;
  job: PageJob;
}

/** The main file's pages 1..pageCount in ranges of at most a chunk (the buffer a worker reads a range into). */
export function rangeJobs(pageCount: number, pageSize: number, rangePages?: number): PageJob[] {
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / pageSize));
  const perRange = Math.min(perChunk, Math.max(1, Math.floor(rangePages ?? perChunk)));
  const jobs: PageJob[] = [];
  for (let first = 1; first <= pageCount; first += perRange)
    jobs.push({ first, last: Math.min(pageCount, first + perRange - 1) });
  return jobs;
}

/** Freelist leaves per job: a freed page is carved whole, so a few hundred make a job of a range's size. */
const FREELIST_LEAVES_PER_JOB = 128;

/** The freelist as jobs, in the order a single thread carves it: the trunks, then the leaves. */
export function freelistJobs(freelist: Freelist): PageJob[] {
  const jobs: PageJob[] = [];
  if (freelist.trunks.length > 0) jobs.push({ freelist: { trunks: freelist.trunks, leaves: [] } });
  for (let i = 0; i < freelist.leaves.length; i += FREELIST_LEAVES_PER_JOB)
    jobs.push({ freelist: { trunks: [], leaves: freelist.leaves.slice(i, i + FREELIST_LEAVES_PER_JOB) } });
  return jobs;
}

/** A record as it crosses back: structured cloning turns Buffers into Uint8Arrays and UNKNOWN into a plain object. */
export interface CarvedOffer {
  tableIndex: number;
  full: number | null;
  tail: number | null;
  content: number | null;
  lead: number | null;
  record: CarvedRecord;
}

/**
 * A job's records as JSON lines, packed for transfer: line i is bytes[ends[i-1] .. ends[i]), with its table index and
 * fingerprints (NaN for none) beside it.
 */
export interface JsonOffers {
  bytes: Uint8Array;
  ends: Int32Array;
  tableIndex: Int32Array;
  full: Float64Array;
  tail: Float64Array;
  content: Float64Array;
  lead: Float64Array;
}

export type WorkerReply =
  | { id: number; offers: CarvedOffer[] }
  | { id: number; json: JsonOffers }
  | { id: number; error: { code?: string; message: string } };

export type FingerprintReply =
  | ({ fingerprint: number } & FingerprintBatch)
  | { fingerprint: number; error: { code?: string; message: string } };

export type WorkerMessage =
  | { open: WorkerOpen }
  | FingerprintRequest
  | { init: WorkerInit }
  | JobRequest
  | { close: true };

/** Leaf pages found by the live walk, fingerprinted elsewhere while it goes on (CarvingPool.fingerprintSink). */
export interface LeafSink {
  push(pageNumber: number): void;
  /** Resolves once every pushed page's fingerprints have gone to the sink's consumer. */
  finish(): Promise<void>;
}

/** Pages per fingerprint request: enough to make a message worth it, few enough that both cores share the end. */
const FINGERPRINT_PAGES = 512;

/**
 * Below this the workers cost more than they save. Each warms up its own compiled code (V8 optimises per thread:
 * about a second of CPU each before it runs at full speed) and fingerprints with cold code; measured on 2 cores
 * (src/carve/README.md "Speed and memory"): a 68 MB sms.db 1.9 s on one thread against 2.3 s with two workers,
 * 187 MB 3.9 s against 4.2 s, 1 GB 17.7 s against 13.1 s.
 */
const PARALLEL_MIN_BYTES = 256 << 20;

/**
 * Workers to use: as asked; by default, for a file of PARALLEL_MIN_BYTES or more on a machine of three cores or
 * more, one per core but one (this thread walks the b-trees and writes the output). On two cores this thread's own
 * work leaves the workers one core between them: 1.35 times as fast at 1 GB for 100 MB more memory, over the
 * 200 MB the carver keeps to, so one thread is the default there too.
 */
export function workerCount(requested: number | undefined, fileBytes: number): number {
  if (requested !== undefined) return Math.max(1, Math.floor(requested));
  const cores = availableParallelism();
  return fileBytes < PARALLEL_MIN_BYTES || cores <= 2 ? 1 : cores - 1;
}

/**
 * The worker script next to this module; when running from the TypeScript sources (tests), the built one under
 * dist/. Null when neither exists: the caller carves in this thread.
 */
export function workerScript(): URL | null {
  const beside = new URL('./parallel-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside;
  const built = new URL('../../dist/src/carve/parallel-worker.js', import.meta.url);
  return existsSync(fileURLToPath(built)) ? built : null;
}

/** Turns a cloned record back into the carver's own values (Buffer, the UNKNOWN singleton, the table's columns). */
function revive(record: CarvedRecord, table: TableInfo | null): CarvedRecord {
  const values: CarvedValue[] = record.values.map((v) => {
    if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength);
    if (v !== null && typeof v === 'object') return UNKNOWN;
    return v;
  });
  return { ...record, values, ...(table ? { columns: table.columns } : {}) };
}

const orNull = (value: number): number | null => (Number.isNaN(value) ? null : value);

function* jsonResolved(json: JsonOffers, tables: TableInfo[]): Generator<Resolved> {
  const bytes = Buffer.from(json.bytes.buffer, json.bytes.byteOffset, json.bytes.byteLength);
  let start = 0;
  for (let i = 0; i < json.ends.length; i += 1) {
    const tableIndex = json.tableIndex[i]!;
    const line = bytes.subarray(start, json.ends[i]!);
    start = json.ends[i]!;
    yield {
      table: tables[tableIndex] ?? null,
      tableIndex,
      full: orNull(json.full[i]!),
      tail: orNull(json.tail[i]!),
      content: orNull(json.content[i]!),
      lead: orNull(json.lead[i]!),
      // A worker drops stale copies itself (isLiveCopy).
      staleCopy: false,
      line,
      materialize: () => {
        throw new Error('a record carved for JSON output has only its line');
      },
    };
  }
}

function asResolved(offer: CarvedOffer, tables: TableInfo[]): Resolved {
  const table = tables[offer.tableIndex] ?? null;
  return {
    table,
    tableIndex: offer.tableIndex,
    full: offer.full,
    tail: offer.tail,
    content: offer.content,
    lead: offer.lead,
    staleCopy: false,
    materialize: () => revive(offer.record, table),
  };
}

type JobResult = CarvedOffer[] | JsonOffers;

interface Pending {
  resolve(result: JobResult): void;
  reject(error: unknown): void;
  promise: Promise<JobResult>;
}

function pending(): Pending {
  let resolve!: (result: JobResult) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<JobResult>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  // A rejection nobody awaits yet (a range further ahead) must not become an unhandled rejection.
  promise.catch(() => {});
  return { resolve, reject, promise };
}

function replyError(error: { code?: string; message: string }): Error {
  const { code, message } = error;
  return code && code in CARVE_ERROR_CATEGORIES
    ? new CarveError(code as CarveErrorCode, message)
    : new Error(`carving worker: ${message}`);
}

/**
 * Carving threads, started before the live walk so that their start-up (loading the carver's modules) overlaps it;
 * they get what they carve with (`WorkerInit`) only once the walk is done. Closing tells each to close its files
 * and exit (terminate() alone would leave their descriptors open in this process).
 */
export class CarvingPool {
  private readonly workers: Worker[];

  private constructor(workers: Worker[]) {
    this.workers = workers;
  }

  static async start(script: URL, count: number): Promise<CarvingPool> {
    const { Worker } = await import('node:worker_threads');
    const workers: Worker[] = [];
    for (let i = 0; i < count; i += 1) {
      // A small young generation: a worker's garbage is page-sized and short-lived, and each isolate's default
      // (up to 48 MB) counted twice on a 2-core machine put the process over its memory budget.
      const worker = new Worker(script, { resourceLimits: { maxYoungGenerationSizeMb: 4 } });
      // Until a carve listens, an early failure must not be an uncaught 'error' event.
      worker.on('error', () => {});
      workers.push(worker);
    }
    return new CarvingPool(workers);
  }

  /** Tells every worker which files to read; they open them while the main thread walks the b-trees. */
  open(open: WorkerOpen): void {
    for (const worker of this.workers) worker.postMessage({ open } satisfies WorkerMessage);
  }

  /**
   * A sink for the leaf pages the live walk finds, fingerprinted while the walk goes on: every FINGERPRINT_PAGES
   * leaves make a slice, handed to a worker with fewer than two in hand. At `finish` this thread fingerprints the
   * slices still waiting itself (`local`) while the workers finish theirs — a worker still starting up takes less.
   * Each batch goes to `onBatch` as it comes back, in any order (the sets are sorted after), so that none is held.
   */
  fingerprintSink(
    local: (pages: Uint32Array) => Promise<FingerprintBatch>,
    onBatch: (batch: FingerprintBatch) => void,
  ): LeafSink {
    const waiting: Uint32Array[] = [];
    const inHand = new Map<Worker, number>(this.workers.map((w) => [w, 0]));
    let slice = new Uint32Array(FINGERPRINT_PAGES);
    let filled = 0;
    let sent = 0;
    let received = 0;
    let failure: Error | null = null;
    let wake: (() => void) | null = null;
    const notify = (): void => {
      wake?.();
      wake = null;
    };
    const pump = (): void => {
      for (const [worker, count] of inHand) {
        if (count >= 2 || waiting.length === 0 || failure) continue;
        const pages = waiting.shift()!;
        inHand.set(worker, count + 1);
        sent += 1;
        worker.postMessage({ fingerprint: sent, pages } satisfies WorkerMessage, [pages.buffer as ArrayBuffer]);
      }
    };
    const listeners = this.workers.map((worker) => {
      const message = (reply: FingerprintReply | WorkerReply): void => {
        if (!('fingerprint' in reply)) return;
        inHand.set(worker, (inHand.get(worker) ?? 1) - 1);
        received += 1;
        if ('error' in reply) failure ??= replyError(reply.error);
        else onBatch({ full: reply.full, tail: reply.tail, content: reply.content });
        pump();
        notify();
      };
      const error = (cause: Error): void => {
        failure ??= cause;
        notify();
      };
      const exit = (code: number): void => error(new Error(`a carving worker exited (${code}) while fingerprinting`));
      worker.on('message', message);
      worker.on('error', error);
      worker.on('exit', exit);
      return { worker, message, error, exit };
    });
    const detach = (): void => {
      for (const { worker, message, error, exit } of listeners) {
        worker.off('message', message);
        worker.off('error', error);
        worker.off('exit', exit);
      }
    };
    return {
      push(pageNumber: number): void {
        slice[filled++] = pageNumber;
        if (filled < FINGERPRINT_PAGES) return;
        waiting.push(slice);
        slice = new Uint32Array(FINGERPRINT_PAGES);
        filled = 0;
        pump();
      },
      async finish(): Promise<void> {
        try {
          if (filled > 0) waiting.push(slice.slice(0, filled));
          pump();
          while (waiting.length > 0 && !failure) {
            onBatch(await local(waiting.pop()!));
            // A turn of the event loop: replies come in and the workers get more.
            await new Promise<void>((resolve) => setImmediate(resolve));
          }
          while (received < sent && !failure) await new Promise<void>((resolve) => (wake = resolve));
          if (failure) throw failure;
        } finally {
          detach();
        }
      },
    };
  }

  /**
   * Records of the jobs, in job order; `onJob` is told as each job's records have all been taken. At most a few
   * jobs per worker are in flight or waiting to be yielded, so memory stays flat whatever the file size.
   */
  async *records(init: WorkerInit, jobs: PageJob[], onJob?: (job: PageJob) => void): AsyncGenerator<Resolved> {
    const ranges = jobs.length;
    const window = this.workers.length * 3;
    const results = new Map<number, Pending>();
    const idle: Worker[] = [];
    const busy = new Map<Worker, number>();
    let next = 0;
    let yielded = 0;
    let failure: unknown;

    const fail = (error: unknown): void => {
      failure ??= error;
      for (const p of results.values()) p.reject(error);
    };
    const pump = (): void => {
      while (idle.length > 0 && next < ranges && next < yielded + window && failure === undefined) {
        const worker = idle.pop()!;
        const id = next++;
        results.set(id, pending());
        busy.set(worker, id);
        worker.postMessage({ id, job: jobs[id]! } satisfies WorkerMessage);
      }
    };
    const onReply = (worker: Worker) => (reply: WorkerReply | FingerprintReply) => {
      // A fingerprint reply still in flight after an earlier failure is not an answer to a range.
      if ('fingerprint' in reply) return;
      busy.delete(worker);
      idle.push(worker);
      if ('error' in reply) fail(replyError(reply.error));
      else results.get(reply.id)?.resolve('json' in reply ? reply.json : reply.offers);
      pump();
    };
    const onExit = (worker: Worker) => (code: number) => {
      if (busy.has(worker)) fail(new Error(`a carving worker exited (${code}) in the middle of a page range`));
    };
    const listeners = this.workers.map((worker) => ({ worker, message: onReply(worker), exit: onExit(worker) }));
    for (const { worker, message, exit } of listeners) {
      worker.on('message', message);
      worker.on('error', fail);
      worker.on('exit', exit);
      worker.postMessage({ init } satisfies WorkerMessage);
      idle.push(worker);
    }
    try {
      pump();
      for (let id = 0; id < ranges; id += 1) {
        const slot = results.get(id);
        if (!slot) throw failure ?? new Error(`carving job ${id} was never handed out`);
        const result = await slot.promise;
        results.delete(id);
        yielded += 1;
        pump();
        if (Array.isArray(result)) for (const offer of result) yield asResolved(offer, init.tables);
        else yield* jsonResolved(result, init.tables);
        onJob?.(jobs[id]!);
      }
    } finally {
      for (const { worker, message, exit } of listeners) {
        worker.off('message', message);
        worker.off('error', fail);
        worker.off('exit', exit);
      }
    }
  }

  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(
        (worker) =>
          new Promise<void>((resolve) => {
            if (worker.threadId === -1) return resolve();
            const timer = setTimeout(() => void worker.terminate().then(() => resolve()), 2000);
            worker.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            worker.postMessage({ close: true } satisfies WorkerMessage);
          }),
      ),
    );
  }
}

/** The live fingerprint sets as workers read them (shared, never copied). */
export function sharedLive(live: LiveState): WorkerInit['live'] {
  return {
    full: live.liveFull.shared(),
    tail: live.liveTail.shared(),
    content: live.liveContent.shared(),
    rows: live.liveRows,
  };
}
