import { type BTreePageHeader, cellPointers, PAGE_LEAF_TABLE } from './btree-page.js';
import { parseTableLeafCell } from './cell.js';
import type { CarveContext } from './raw-record.js';
import { parseRecordHeader } from './record.js';
import { matchingTables, type TableInfo } from './schema.js';

/**
 * Which table a page's free space belongs to. A table b-tree page holds the cells of one table only, and the
 * cells SQLite frees on it were that table's too (a freed cell stays where it was). So the record shapes tried on
 * a page's free space are narrowed to that table's: a freed `message` cell is rebuilt as a message or not at all,
 * never shifted into the shape of a two-column table that happens to fit its bytes.
 *
 * The page's own cells say it first (they are this version of the page, also for a journal or WAL copy, or a
 * freed leaf page that kept its cells); a page without a readable cell takes the table whose b-tree reaches it now
 * (`ctx.ownerOf`, from the live walk). Neither: every table is tried, as before.
 */

/** Cells read to decide: the first few that parse agree in a sound page, and each costs a header parse. */
const CELLS_CONSULTED = 4;

const narrowedContexts = new WeakMap<CarveContext, Map<string, CarveContext>>();

export function pageContext(
  page: Buffer,
  pageNumber: number,
  header: BTreePageHeader,
  ctx: CarveContext,
): CarveContext {
  const tables = tablesOfCells(page, header, ctx) ?? ownerTables(pageNumber, ctx);
  return tables ? narrowedContext(ctx, tables) : ctx;
}

function tablesOfCells(page: Buffer, header: BTreePageHeader, ctx: CarveContext): TableInfo[] | null {
  if (header.type !== PAGE_LEAF_TABLE || header.cellCount === 0) return null;
  let agreed: TableInfo[] | null = null;
  let consulted = 0;
  for (const offset of cellPointers(page, header, ctx.usableSize)) {
    const cell = parseTableLeafCell(page, offset, ctx.usableSize, ctx.usableSize, ctx.maxPayload);
    if (!cell) continue;
    const record = parseRecordHeader(page, cell.payloadStart, cell.payloadStart + cell.localSize, ctx.maxColumns);
    if (!record) continue;
    const fits = matchingTables(record.types, ctx.tables);
    agreed = agreed === null ? fits : agreed.filter((t) => fits.includes(t));
    if (agreed.length === 0) return null;
    consulted += 1;
    if (consulted >= CELLS_CONSULTED) break;
  }
  return agreed;
}

function ownerTables(pageNumber: number, ctx: CarveContext): TableInfo[] | null {
  const owner = ctx.ownerOf?.(pageNumber);
  return owner && ctx.tables.includes(owner) ? [owner] : null;
}

/** One narrowed context per table set, made once per carve (a page costs a map lookup, not an allocation). */
function narrowedContext(ctx: CarveContext, tables: TableInfo[]): CarveContext {
  let byKey = narrowedContexts.get(ctx);
  if (!byKey) {
    byKey = new Map();
    narrowedContexts.set(ctx, byKey);
  }
  const key = tables.map((t) => ctx.tables.indexOf(t)).join(',');
  let narrowed = byKey.get(key);
  if (!narrowed) {
    const columnCounts = [...new Set(tables.map((t) => t.columns.length))].sort((a, b) => a - b);
    narrowed = {
      ...ctx,
      tables,
      columnCounts,
      maxColumns: columnCounts[columnCounts.length - 1]!,
      narrowed: true,
    };
    byKey.set(key, narrowed);
  }
  return narrowed;
}
