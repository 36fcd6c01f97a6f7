import { resolveRecord, type CarveSource, type Resolved } from './carved-record.js';
import type { LiveState } from './live-rows.js';
import { carvePageVersion, currentCells } from './page-carver.js';
import type { PageLookup } from './payload.js';
import { carveContext, type CarveContext, type RawRecord } from './raw-record.js';
import { scanRegion } from './unallocated.js';
import type { TextEncoding } from './record.js';
import type { TableInfo } from './schema.js';

/**
 * The carving context of a database: its tables, and the table whose b-tree reaches each page now (the live
 * walk's page map) so a page's free space is rebuilt in its own table's shape. Built by this one function in the
 * main thread and in every worker, so both carve a page alike.
 */
export function pageCarvingContext(
  schema: Pick<LiveState, 'tables' | 'owner'>,
  encoding: TextEncoding,
  usableSize: number,
  maxPayload: number,
): CarveContext {
  const ownerOf = (pageNumber: number): TableInfo | undefined => {
    const index = schema.owner.get(pageNumber);
    return index === undefined ? undefined : schema.tables[index];
  };
  return carveContext(schema.tables, encoding, usableSize, maxPayload, ownerOf);
}

/**
 * What carving the main file's pages needs, built once per carve — in the main thread, and the same way in each
 * worker (parallel-worker.ts) — so that a page gives the same records wherever it is carved.
 */
export interface MainPagesEnv {
  ctx: CarveContext;
  /** The schema (dropped tables included) and page owners; its fingerprint sets are not consulted here. */
  schema: LiveState;
  /** The database as it stands now (WAL applied): overflow chains and superseded pages' current versions. */
  current: PageLookup;
  /** Pages of the current freelist, carved whole before (step 1 of carveDatabase). */
  freePages: ReadonlySet<number>;
  /** Pages whose current version is a WAL frame. */
  superseded: { has(pageNumber: number): boolean };
  encoding: TextEncoding;
  usableSize: number;
}

export interface NumberedPage {
  pageNumber: number;
  page: Buffer;
}

/**
 * The main file's pages, in the order given: free space of every table page, and whole pages the WAL has
 * superseded. A leaf page no tree reaches keeps its cells unreported: in a sound file that cannot happen, and in a
 * damaged one (a broken child pointer) those cells are live rows cut off from their tree, not deleted ones.
 * Each record is resolved before the next page is read (a page may be a view of a reused buffer).
 */
export async function* mainPageRecords(
  env: MainPagesEnv,
  pages: AsyncIterable<NumberedPage>,
): AsyncGenerator<Resolved> {
  for await (const { pageNumber, page } of pages) {
    const superseded = env.superseded.has(pageNumber);
    if (env.freePages.has(pageNumber) && !superseded) continue;
    const currentVersion = superseded
      ? currentCells(await env.current(pageNumber), pageNumber, env.usableSize)
      : undefined;
    for (const raw of carvePageVersion(page, pageNumber, env.ctx, { cells: superseded, current: currentVersion })) {
      const source: CarveSource = superseded ? 'wal' : raw.kind === 'freeblock' ? 'freeblock' : 'unallocated';
      yield resolveRecord(raw, { source, page: pageNumber }, env.current, env.schema, env.encoding, env.usableSize);
    }
  }
}

/** A copy of a row that is live now: never reported (the emitter checks the same, in the same order). */
export function isLiveCopy(resolved: Resolved, live: LiveState): boolean {
  if (resolved.staleCopy) return true;
  if (resolved.content !== null && live.liveContent.has(resolved.content)) return true;
  if (resolved.full !== null) return live.liveFull.has(resolved.full);
  return resolved.tail !== null && live.liveTail.has(resolved.tail);
}

/** Part of the current freelist: trunk pages (carved past their leaf list) and leaf pages (carved whole). */
export interface FreelistPart {
  trunks: Array<{ pageNumber: number; listEnd: number }>;
  leaves: number[];
}

/**
 * Records of freelist pages, trunks first then leaves, in the order given — the one code path for this thread and
 * the workers. A freed page's cells are history: all of them are carved, not only its free space.
 */
export async function* freelistRecords(env: MainPagesEnv, part: FreelistPart): AsyncGenerator<Resolved> {
  const at = (page: number) => ({ source: 'freelist' as const, page });
  for (const trunk of part.trunks) {
    const page = await env.current(trunk.pageNumber);
    if (!page) continue;
    const out: RawRecord[] = [];
    scanRegion(page, trunk.listEnd, env.usableSize, env.ctx, 'unallocated', out);
    for (const raw of out)
      yield resolveRecord(raw, at(trunk.pageNumber), env.current, env.schema, env.encoding, env.usableSize);
  }
  for (const leaf of part.leaves) {
    const page = await env.current(leaf);
    if (!page) continue;
    for (const raw of carvePageVersion(page, leaf, env.ctx, { cells: true }))
      yield resolveRecord(raw, at(leaf), env.current, env.schema, env.encoding, env.usableSize);
  }
}
