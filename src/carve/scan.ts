import { access } from 'node:fs/promises';
import { setImmediate as setImmediatePromise } from 'node:timers/promises';
import { resolveRecord, type CarvedRecord, type CarveSource, type Resolved } from './carved-record.js';
import { parseDatabaseHeader } from './db-header.js';
import { CarveError } from './errors.js';
import { findDroppedTables, type PageVersion } from './dropped-tables.js';
import { fingerprintLeaves, type FingerprintBatch } from './leaf-fingerprints.js';
import { walkFreelist, type Freelist } from './freelist.js';
import { readJournal } from './journal.js';
import { readLiveState, type LiveState } from './live-rows.js';
import {
  freelistRecords,
  mainPageRecords,
  pageCarvingContext,
  type MainPagesEnv,
  type NumberedPage,
} from './main-pages.js';
import { carvePageVersion, currentCells } from './page-carver.js';
import {
  CarvingPool,
  freelistJobs,
  rangeJobs,
  sharedLive,
  workerCount,
  workerScript,
  type PageJob,
  type WorkerInit,
} from './parallel.js';
import { EVENT_LOOP_TURN_MS, openFileSource, PageCache, PageReader, type ByteSource } from './page-reader.js';
import type { PageLookup } from './payload.js';
import type { RawRecord } from './raw-record.js';
import { NumberSet } from './number-set.js';
import { ReportedKeys } from './reported-keys.js';
import { CarvedJsonLineEncoder } from './record-json.js';
import { sequentialPageReader, transientPageLookup } from './transient-pages.js';
import { readWal, type WalIndex } from './wal.js';

export interface CarveOptions {
  /** Only records of this table (case-insensitive). */
  table?: string;
  /** The WAL to read; default `<db>-wal` when it exists; null to ignore any. */
  walPath?: string | null;
  /** The rollback journal to read; default `<db>-journal` when it exists; null to ignore any. */
  journalPath?: string | null;
  /**
   * Threads carving the main file's pages: 1 carves in this thread; the default is workerCount's (parallel.ts):
   * this thread, or cores − 1 workers for a file of 256 MB or more on three cores or more. The output is the same
   * whatever the number.
   */
  workers?: number;
  /** Pages per worker range (default a megabyte's worth); a test sets a few to cross many range boundaries. */
  rangePages?: number;
  /** Told as each phase ends, with its wall time: where a carve's time goes (`carve --log-level debug`). */
  onPhase?: (phase: CarvePhase, ms: number) => void;
  /**
   * Told as the main file's pages are carved — the long part — with how many of them are done: after each megabyte
   * or so, and once at the end with `done === total`.
   */
  onProgress?: (done: number, total: number) => void;
}

/**
 * A carve's phases in order: files opened, the WAL's index read, the b-trees walked and the live rows fingerprinted
 * ('live'); the freelist and dropped tables found ('schema'); the freelist and the main file's pages carved, their
 * records written by the consumer meanwhile ('pages'); WAL frames ('wal'); journal pages ('journal').
 */
export type CarvePhase = 'live' | 'schema' | 'pages' | 'wal' | 'journal';

export interface CarveSummary {
  pageSize: number;
  pages: number;
  walFrames: number;
  journalPages: number;
  liveRows: number;
  tables: string[];
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function openOptional(explicit: string | null | undefined, fallback: string): Promise<ByteSource | null> {
  if (explicit === null) return null;
  const path = explicit ?? fallback;
  if (explicit === undefined && !(await exists(path))) return null;
  return openFileSource(path);
}

/**
 * Recovers deleted records from an SQLite database, reading the file bytes directly (SQLite is never asked to
 * open it, so nothing is checkpointed or rolled back). Yields each recovered record once: rows live in the
 * current state (main file plus committed WAL frames) are never yielded, and copies of one row found in
 * several places are merged into the first found. Records that lost their first column come last, once it is
 * known that no complete copy of them was found. Tables dropped from the schema are matched too when their deleted
 * sqlite_master row survives (see dropped-tables.ts); their records carry `tableDropped`.
 */
export async function* carveDatabase(
  dbPath: string,
  options: CarveOptions = {},
  summary?: (s: CarveSummary) => void,
): AsyncGenerator<CarvedRecord> {
  yield* carveWith(dbPath, options, summary, { kind: 'records', render: (resolved) => resolved.materialize() });
}

/**
 * The same records as carveDatabase, each as its `carve --json` line (record-json.ts, newline included). Carving
 * workers write the lines themselves, so this thread only checks fingerprints and passes bytes on.
 */
export async function* carveDatabaseJsonLines(
  dbPath: string,
  options: CarveOptions = {},
  summary?: (s: CarveSummary) => void,
): AsyncGenerator<Buffer> {
  const encoder = new CarvedJsonLineEncoder();
  yield* carveWith(dbPath, options, summary, {
    kind: 'json',
    // The line is written at once, so BLOBs are encoded from views of the page, not copies.
    render: (resolved) => resolved.line ?? encoder.line(resolved.materialize(true)),
  });
}

/** How a carve's records come out: decoded, or as their JSON lines. */
interface Output<T> {
  kind: 'records' | 'json';
  render(resolved: Resolved): T;
}

async function* carveWith<T>(
  dbPath: string,
  options: CarveOptions,
  summary: ((s: CarveSummary) => void) | undefined,
  output: Output<T>,
): AsyncGenerator<T> {
  let phaseStart = performance.now();
  const phaseDone = (phase: CarvePhase): void => {
    const now = performance.now();
    options.onPhase?.(phase, Math.round(now - phaseStart));
    phaseStart = now;
  };
  const db = await openFileSource(dbPath);
  const sidecars: ByteSource[] = [];
  let pool: CarvingPool | null = null;
  try {
    const header = parseDatabaseHeader(await db.read(0, 100));
    const reader = new PageReader(db, header.pageSize);
    if (reader.pageCount === 0) throw new CarveError('CARVE_TRUNCATED', 'the database file holds no whole page');
    // Carving threads start now, so their start-up overlaps the live walk (parallel.ts); the walk and the rest
    // run here. Never more threads than pages.
    const workers = Math.min(workerCount(options.workers, db.size), reader.pageCount);
    const script = workers > 1 ? workerScript() : null;
    if (script) pool = await CarvingPool.start(script, workers);
    const walSource = await openOptional(options.walPath, `${dbPath}-wal`);
    if (walSource) sidecars.push(walSource);
    const journalSource = await openOptional(options.journalPath, `${dbPath}-journal`);
    if (journalSource) sidecars.push(journalSource);

    const wal = walSource ? await readWal(walSource, header.pageSize) : null;
    const walUsable = wal && wal.pageSize === header.pageSize ? wal : null;
    const usableSize = header.usableSize;
    const walPages = walSource && wal ? new PageCache(walSource, wal.pageSize) : null;
    const readFrame = async (offset: number): Promise<Buffer | null> => {
      const page = await walPages!.read(offset);
      return page.length === wal!.pageSize ? page : null;
    };
    const current: PageLookup = async (n) => {
      const frame = walUsable?.current.get(n);
      return frame ? readFrame(frame.pageOffset) : reader.readPage(n);
    };
    const page1 = (await current(1)) ?? (await reader.readPage(1))!;
    const now = parseDatabaseHeader(page1.length >= 100 ? page1 : await db.read(0, 100));
    const maxPage = Math.max(reader.pageCount, walUsable?.committedPageCount ?? 0);
    const maxPayload = db.size + (walSource?.size ?? 0) + (journalSource?.size ?? 0);
    const treePages = transientPageLookup(
      db,
      header.pageSize,
      walUsable && walSource ? { source: walSource, pageSize: walUsable.pageSize, current: walUsable.current } : null,
    );
    // The workers open the files now; while this thread walks the b-trees they load their code, then fingerprint
    // the live rows of the leaf pages the walk found.
    pool?.open({
      dbPath,
      walPath: walUsable ? (options.walPath ?? `${dbPath}-wal`) : null,
      pageSize: header.pageSize,
      walPageSize: walUsable?.pageSize ?? header.pageSize,
      usableSize,
      maxPayload,
      walCurrent: new Map([...(walUsable?.current ?? [])].map(([n, frame]) => [n, frame.pageOffset])),
    });
    const live = await readLiveState({
      bytes: maxPayload,
      lookup: current,
      ...(treePages ? { treePages } : {}),
      usableSize,
      maxPayload,
      encoding: now.textEncoding,
      ...(pool && treePages
        ? {
            leafSink: (onBatch: (batch: FingerprintBatch) => void) =>
              pool!.fingerprintSink(
                (pages) => fingerprintLeaves(pages, treePages, current, usableSize, maxPayload),
                onBatch,
              ),
          }
        : {}),
    });
    phaseDone('live');
    const freelist = await walkFreelist(now.firstFreelistTrunk, current, maxPage, usableSize);
    // Dropped tables come after the live ones, so `live.owner`'s indexes still hold.
    const dropped = await findDroppedTables(
      schemaPageVersions(live, freelist, current, reader, wal, readFrame),
      current,
      live,
      now.textEncoding,
      usableSize,
      maxPayload,
    );
    const schema: LiveState = dropped.length === 0 ? live : { ...live, tables: [...live.tables, ...dropped] };
    // Page → table from the live b-tree walk: a page's free space is rebuilt in its own table's shape only.
    const ctx = pageCarvingContext(schema, now.textEncoding, usableSize, maxPayload);
    const emitter = new Emitter(schema, options.table, output.render);

    const workerInit = (): WorkerInit => ({
      output: output.kind,
      encoding: now.textEncoding,
      tables: schema.tables,
      owner: schema.owner.data(),
      freePages,
      live: sharedLive(live),
      ...(options.table !== undefined ? { table: options.table } : {}),
    });

    const resolve = (raw: RawRecord, source: CarveSource, page: number, lookup: PageLookup): Promise<Resolved> =>
      resolveRecord(raw, { source, page }, lookup, schema, now.textEncoding, usableSize, current);

    const freePages = new Set<number>(freelist.leaves);
    for (const trunk of freelist.trunks) freePages.add(trunk.pageNumber);
    const env: MainPagesEnv = {
      ctx,
      schema,
      current,
      freePages,
      superseded: walUsable?.current ?? new Map(),
      encoding: now.textEncoding,
      usableSize,
    };
    phaseDone('schema');
    // 1. The current freelist: trunk pages past their leaf list, leaf pages whole (freelistRecords).
    // 2. The main file: free space of every table page, and whole pages the WAL has superseded (mainPageRecords).
    // On worker threads, in jobs taken in this order, when it pays (parallel.ts); either way in this order.
    const total = reader.pageCount;
    if (pool) {
      const jobs = [...freelistJobs(freelist), ...rangeJobs(reader.pageCount, header.pageSize, options.rangePages)];
      const onJob = options.onProgress
        ? (job: PageJob): void => {
            if ('last' in job) options.onProgress!(job.last, total);
          }
        : undefined;
      for await (const resolved of pool.records(workerInit(), jobs, onJob)) yield* emitter.offer(resolved);
    } else {
      for await (const resolved of freelistRecords(env, freelist)) yield* emitter.offer(resolved);
      const pages = options.onProgress ? reportingPages(reader.pages(), total, options.onProgress) : reader.pages();
      for await (const resolved of mainPageRecords(env, pages)) yield* emitter.offer(resolved);
    }
    options.onProgress?.(total, total);

    phaseDone('pages');
    // 3. Every WAL frame: older versions of pages, uncommitted frames, frames of earlier log generations.
    if (wal && walSource) {
      const walCtx =
        wal.pageSize === header.pageSize
          ? ctx
          : pageCarvingContext(schema, now.textEncoding, wal.pageSize - header.reservedBytes, maxPayload);
      const asOf = walHistory(wal, reader, readFrame);
      // Frames in log order through one reused window; the lookups below (history, current) read on their own.
      const nextFrame = sequentialPageReader(walSource, wal.pageSize) ?? readFrame;
      let lastTurn = performance.now();
      for (const frame of wal.frames) {
        if (performance.now() - lastTurn > EVENT_LOOP_TURN_MS) {
          await setImmediatePromise();
          lastTurn = performance.now();
        }
        const page = await nextFrame(frame.pageOffset);
        if (!page) continue;
        // The current version of a page holds only live cells: its free space is all there is to carve.
        const isCurrent = walUsable?.current.get(frame.pageNumber) === frame;
        const currentVersion =
          isCurrent || wal.pageSize !== header.pageSize
            ? undefined
            : currentCells(await current(frame.pageNumber), frame.pageNumber, usableSize);
        for (const raw of carvePageVersion(page, frame.pageNumber, walCtx, {
          cells: !isCurrent,
          current: currentVersion,
        })) {
          yield* emitter.offer(await resolve(raw, 'wal', frame.pageNumber, asOf(frame.index)));
        }
      }
    }

    if (wal) phaseDone('wal');
    // 4. The rollback journal: page images from before a transaction.
    let journalPages = 0;
    if (journalSource) {
      const journal = await readJournal(journalSource, header.pageSize, Math.max(maxPage, 1) * 2 + 16);
      journalPages = journal.pages.length;
      const inJournal = new Map(journal.pages.map((p) => [p.pageNumber, p.pageOffset]));
      const lookup: PageLookup = async (n) => {
        const offset = inJournal.get(n);
        if (offset === undefined) return current(n);
        const page = await journalSource.read(offset, journal.pageSize);
        return page.length === journal.pageSize ? page : null;
      };
      const journalCtx =
        journal.pageSize === header.pageSize
          ? ctx
          : pageCarvingContext(schema, now.textEncoding, journal.pageSize - header.reservedBytes, maxPayload);
      for (const entry of journal.pages) {
        const page = await lookup(entry.pageNumber);
        if (!page) continue;
        for (const raw of carvePageVersion(page, entry.pageNumber, journalCtx, { cells: true })) {
          yield* emitter.offer(await resolve(raw, 'journal', entry.pageNumber, lookup));
        }
      }
    }

    if (journalSource) phaseDone('journal');
    yield* emitter.flushPartials();
    summary?.({
      pageSize: header.pageSize,
      pages: reader.pageCount,
      walFrames: wal?.frames.length ?? 0,
      journalPages,
      liveRows: live.liveRows,
      tables: live.tables.map((t) => t.name),
    });
  } finally {
    await pool?.close();
    await db.close();
    for (const source of sidecars) await source.close();
  }
}

/**
 * Where deleted sqlite_master rows may be: the free space of its pages now, their older versions (the main file's
 * copy of a page the WAL superseded, earlier WAL frames), and freed pages (sqlite_master shrinks too).
 */
async function* schemaPageVersions(
  live: LiveState,
  freelist: Freelist,
  current: PageLookup,
  reader: PageReader,
  wal: WalIndex | null,
  readFrame: (offset: number) => Promise<Buffer | null>,
): AsyncGenerator<PageVersion> {
  const walUsable = wal && wal.pageSize === reader.pageSize ? wal : null;
  const masterPages = [...live.owner].filter(([, index]) => index === 0).map(([pageNumber]) => pageNumber);
  for (const pageNumber of masterPages) {
    const page = await current(pageNumber);
    if (page) yield { page, pageNumber, cells: false };
    if (!walUsable) continue;
    const currentFrame = walUsable.current.get(pageNumber);
    if (currentFrame) {
      const original = await reader.readPage(pageNumber);
      if (original) yield { page: original, pageNumber, cells: true };
    }
    for (const frame of walUsable.frames) {
      if (frame.pageNumber !== pageNumber || frame === currentFrame) continue;
      const older = await readFrame(frame.pageOffset);
      if (older) yield { page: older, pageNumber, cells: true };
    }
  }
  for (const trunk of freelist.trunks) {
    const page = await current(trunk.pageNumber);
    if (page) yield { page, pageNumber: trunk.pageNumber, cells: false, scanFrom: trunk.listEnd };
  }
  for (const leaf of freelist.leaves) {
    const page = await current(leaf);
    if (page) yield { page, pageNumber: leaf, cells: true };
  }
}

/** Pages as they stood when frame `index` was written: the newest earlier frame of that page, else the main file. */
function walHistory(
  wal: WalIndex,
  reader: PageReader,
  readFrame: (offset: number) => Promise<Buffer | null>,
): (index: number) => PageLookup {
  const byPage = new Map<number, number[]>();
  for (const frame of wal.frames) {
    const list = byPage.get(frame.pageNumber);
    if (list) list.push(frame.index);
    else byPage.set(frame.pageNumber, [frame.index]);
  }
  return (index) => async (n) => {
    const list = byPage.get(n);
    let best = -1;
    if (list) for (const i of list) if (i <= index) best = i;
    return best >= 0 ? readFrame(wal.frames[best]!.pageOffset) : reader.readPage(n);
  };
}

/** Pages reported as they are handed on: every PROGRESS_PAGES, about a megabyte of 4 KB pages. */
async function* reportingPages(
  pages: AsyncIterable<NumberedPage>,
  total: number,
  report: (done: number, total: number) => void,
): AsyncGenerator<NumberedPage> {
  for await (const numbered of pages) {
    if (numbered.pageNumber % PROGRESS_PAGES === 0) report(numbered.pageNumber, total);
    yield numbered;
  }
}

const PROGRESS_PAGES = 256;

/** A fingerprint tied to its table, still a safe integer. */
function keyOf(tableIndex: number, hash: number): number {
  return (hash + (tableIndex + 1) * 0x9e3779b1) % Number.MAX_SAFE_INTEGER;
}

/** Drops live rows and duplicates; holds back records missing their first column until the end. */
class Emitter<T> {
  private readonly seenFull = new NumberSet();
  private readonly seenTail = new ReportedKeys();
  /** Content fingerprints of records reported, for records whose end a later cell overwrote (no tail to compare). */
  private readonly seenContent = new ReportedKeys();
  /** Lead fingerprints (record-hash.ts leadHash) of records reported, for records whose texts were cut. */
  private readonly seenLead = new ReportedKeys();
  /**
   * Held back until the end, already rendered: a Resolved keeps the page it came from alive, and a page is a view
   * of a 1 MB read, so holding thousands of them held the file (a 57 MB sms.db: 121 MB of buffers).
   */
  private readonly partials: Array<{
    tableIndex: number;
    tail: number | null;
    content: number | null;
    lead: number | null;
    output: T;
  }> = [];

  constructor(
    private readonly live: LiveState,
    private readonly table: string | undefined,
    private readonly render: (resolved: Resolved) => T,
  ) {}

  *offer(resolved: Resolved): Generator<T> {
    if (this.table !== undefined && resolved.table?.name.toLowerCase() !== this.table.toLowerCase()) return;
    if (resolved.staleCopy) return;
    if (resolved.content !== null && this.live.liveContent.has(resolved.content)) return;
    if (resolved.full !== null) {
      if (this.live.liveFull.has(resolved.full)) return;
      const key = keyOf(resolved.tableIndex, resolved.full);
      if (this.seenFull.has(key)) return;
      this.seenFull.add(key);
      if (resolved.tail !== null) this.seenTail.add(keyOf(resolved.tableIndex, resolved.tail));
      if (resolved.content !== null) this.seenContent.add(keyOf(resolved.tableIndex, resolved.content));
      if (resolved.lead !== null) this.seenLead.add(keyOf(resolved.tableIndex, resolved.lead));
      yield this.render(resolved);
      return;
    }
    if (resolved.tail !== null && this.live.liveTail.has(resolved.tail)) return;
    const rendered = this.render(resolved);
    this.partials.push({
      tableIndex: resolved.tableIndex,
      tail: resolved.tail,
      content: resolved.content,
      lead: resolved.lead,
      // A line from a worker is a view of its whole job's bytes: a copy keeps only the line.
      output: Buffer.isBuffer(rendered) ? (Buffer.from(rendered) as T) : rendered,
    });
  }

  *flushPartials(): Generator<T> {
    for (const partial of this.partials) {
      if (partial.tail !== null) {
        const key = keyOf(partial.tableIndex, partial.tail);
        if (this.seenTail.has(key)) continue;
        this.seenTail.addLater(key);
      } else if (partial.content !== null) {
        const key = keyOf(partial.tableIndex, partial.content);
        if (this.seenContent.has(key)) continue;
        this.seenContent.addLater(key);
      } else if (partial.lead !== null) {
        // Texts cut (RawRecord.contentCut): merged into a copy reported before that agrees on its first two.
        const key = keyOf(partial.tableIndex, partial.lead);
        if (this.seenLead.has(key)) continue;
      }
      if (partial.lead !== null) this.seenLead.addLater(keyOf(partial.tableIndex, partial.lead));
      yield partial.output;
    }
  }
}
