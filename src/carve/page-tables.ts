import { uint16 } from './bytes.js';
import { type BTreePageHeader, cellPointers, PAGE_LEAF_TABLE } from './btree-page.js';
import { leafCellAt, leafLocalSize, leafPayloadStart, parseTableLeafCell } from './cell.js';
import { carveContext, type CarveContext } from './raw-record.js';
import { parseRecordHeader } from './record.js';
import { matchingTables, type TableInfo, typeFits } from './schema.js';
import { classOf, headerTableMask, lastAliasNullMask } from './shape-index.js';

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

export interface PageShapes {
  /** For the page's freeblocks: cells freed on this page, so of its own table. */
  freeblocks: CarveContext;
  /** For the gap: also a table whose whole record headers lie there (the page's previous owner, see below). */
  gap: CarveContext;
}

export function pageContext(page: Buffer, pageNumber: number, header: BTreePageHeader, ctx: CarveContext): PageShapes {
  const tables = tablesOfCells(page, header, ctx) ?? ownerTables(pageNumber, ctx);
  if (!tables) {
    const whole = regionContext(page, header.pointersEnd, ctx.usableSize, ctx);
    return { freeblocks: whole, gap: whole };
  }
  const freeblocks = narrowedContext(ctx, tables);
  const previous = evidentTable(page, header.pointersEnd, header.contentStart, ctx, tables);
  return { freeblocks, gap: previous ? narrowedContext(ctx, [...tables, previous]) : freeblocks };
}

/**
 * The shapes for a region nothing else attributes (a freelist trunk past its list, a page without a header): the
 * table of a whole wide record header found there, else every table.
 */
export function regionContext(page: Buffer, start: number, end: number, ctx: CarveContext): CarveContext {
  if (ctx.narrowed) return ctx;
  const evident = evidentTable(page, start, end, ctx, []);
  return evident ? narrowedContext(ctx, [evident]) : ctx;
}

/** Whole headers of this many columns or more do not happen by chance: they name a table on their own. */
const EVIDENT_COLUMNS = 8;

/**
 * A page SQLite takes from the freelist for another table is reinitialised without clearing (unless secure_delete
 * is on): its gap keeps the cells of the table that had it before, and a freelist trunk keeps them past its list.
 * That table is known from a whole record header of one of its rows there (a wide table's header does not fit
 * another's by chance); its rows are then rebuilt as its own, not shifted into the shape of another table.
 */
function evidentTable(
  page: Buffer,
  start: number,
  end: number,
  ctx: CarveContext,
  own: readonly TableInfo[],
): TableInfo | null {
  const candidates = ctx.tables.filter((t) => t.columns.length >= EVIDENT_COLUMNS && !own.includes(t));
  if (candidates.length === 0 || end - start < 32) return null;
  const index = ctx.shapeIndex;
  if (!index.exact) return evidentTableByList(page, start, end, ctx, candidates);
  let wanted = 0;
  for (const table of candidates) wanted |= 1 << ctx.tables.indexOf(table);
  for (let h = start; h + EVIDENT_COLUMNS < end; h += 1) {
    const first = page[h]!;
    if (first <= EVIDENT_COLUMNS || first > 0x8f) continue;
    // The first serial type must fit some candidate's first column before the whole header is read.
    const type0 = page[first < 0x80 ? h + 1 : h + 2]!;
    if (type0 >= 0x80 || type0 === 10 || type0 === 11 || (index.columns[classOf(type0)]! & wanted) === 0) continue;
    const fits = headerTableMask(page, h, end, ctx.maxColumns, index);
    if (fits <= 0) continue;
    const only = fits & wanted;
    // Exactly one candidate: one bit set.
    if (only !== 0 && (only & (only - 1)) === 0) return ctx.tables[31 - Math.clz32(only)]!;
  }
  return null;
}

/** evidentTable for a schema too wide for the shape index's masks (more than 31 tables). */
function evidentTableByList(
  page: Buffer,
  start: number,
  end: number,
  ctx: CarveContext,
  candidates: readonly TableInfo[],
): TableInfo | null {
  for (let h = start; h + EVIDENT_COLUMNS < end; h += 1) {
    const first = page[h]!;
    if (first <= EVIDENT_COLUMNS || first > 0x8f) continue;
    const type0 = page[first < 0x80 ? h + 1 : h + 2]!;
    if (type0 >= 0x80 || !candidates.some((t) => typeFits(type0, t, 0))) continue;
    const record = parseRecordHeader(page, h, end, ctx.maxColumns);
    if (!record) continue;
    const fits = matchingTables(record.types, candidates);
    if (fits.length === 1) return fits[0]!;
  }
  return null;
}

function tablesOfCells(page: Buffer, header: BTreePageHeader, ctx: CarveContext): TableInfo[] | null {
  if (header.type !== PAGE_LEAF_TABLE || header.cellCount === 0) return null;
  const index = ctx.shapeIndex;
  if (!index.exact) return tablesOfCellsByList(page, header, ctx);
  const usable = ctx.usableSize;
  // Masks over ctx.tables (shape-index.ts); -1 until the first cell read.
  let agreed = -1;
  // Tables whose rowid alias column is NULL in every cell read: a column always NULL because it is the rowid is
  // stronger evidence than a nullable column that happens to be NULL in each (deleted_messages(ROWID, guid) against
  // _SqliteDatabaseProperties(key, value) on sms.db's pages).
  let aliased = -1;
  let consulted = 0;
  const pointers = header.pointersEnd - 2 * header.cellCount;
  for (let i = 0; i < header.cellCount && consulted < CELLS_CONSULTED; i += 1) {
    // As cellPointers and parseTableLeafCell read a cell, without building either.
    const offset = uint16(page, pointers + 2 * i);
    if (offset < header.pointersEnd || offset >= usable || !leafCellAt(page, offset, usable, ctx.maxPayload)) continue;
    const fits = headerTableMask(page, leafPayloadStart, leafPayloadStart + leafLocalSize, ctx.maxColumns, index);
    if (fits === -1) continue;
    agreed &= fits;
    if (agreed === 0) return null;
    aliased &= lastAliasNullMask;
    consulted += 1;
  }
  if (consulted === 0) return null;
  const preferred = agreed & aliased;
  return tablesIn(preferred !== 0 ? preferred : agreed, ctx.tables);
}

/** The tables of a mask, in their order. */
function tablesIn(mask: number, tables: readonly TableInfo[]): TableInfo[] {
  const out: TableInfo[] = [];
  for (let t = 0; t < tables.length && t < 31; t += 1) if (mask & (1 << t)) out.push(tables[t]!);
  return out;
}

/** tablesOfCells for a schema too wide for the shape index's masks (more than 31 tables). */
function tablesOfCellsByList(page: Buffer, header: BTreePageHeader, ctx: CarveContext): TableInfo[] | null {
  let agreed: TableInfo[] | null = null;
  let consulted = 0;
  let aliased: TableInfo[] | null = null;
  for (const offset of cellPointers(page, header, ctx.usableSize)) {
    const cell = parseTableLeafCell(page, offset, ctx.usableSize, ctx.usableSize, ctx.maxPayload);
    if (!cell) continue;
    const record = parseRecordHeader(page, cell.payloadStart, cell.payloadStart + cell.localSize, ctx.maxColumns);
    if (!record) continue;
    const fits = matchingTables(record.types, ctx.tables);
    agreed = agreed === null ? fits : agreed.filter((t) => fits.includes(t));
    if (agreed.length === 0) return null;
    const nullAlias = fits.filter((t) => t.rowidAlias >= 0 && record.types[t.rowidAlias] === 0);
    aliased = aliased === null ? nullAlias : aliased.filter((t) => nullAlias.includes(t));
    consulted += 1;
    if (consulted >= CELLS_CONSULTED) break;
  }
  if (agreed && aliased) {
    const preferred = agreed.filter((t) => aliased!.includes(t));
    if (preferred.length > 0) return preferred;
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
    narrowed = carveContext(tables, ctx.encoding, ctx.usableSize, ctx.maxPayload, ctx.ownerOf, true);
    byKey.set(key, narrowed);
  }
  return narrowed;
}
