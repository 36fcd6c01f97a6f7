import type Database from 'better-sqlite3';
import { unsupportedSchema } from '../unsupported-schema.js';
import { fromAppleSeconds } from '../apple-time.js';
import { carvedRows } from '../carved-rows.js';
import type { BookmarkRecord } from '../records.js';
import { column, hasTable, tableColumns } from '../schema.js';

/**
 * Safari's Bookmarks.db (HomeDomain `Library/Safari/Bookmarks.db`, where a real iOS 14.3 manifest lists it; the app
 * domain AppDomain-com.apple.mobilesafari is tried first, as for History.db): one `bookmarks` table
 * holding a tree. `parent` is the folder's id (NULL for the root), `type` 1 a folder and 0 a bookmark,
 * `order_index` the place in its folder, `special_id` marks Safari's own folders (1 BookmarksBar, shown as
 * Favorites; 3 com.apple.ReadingList; 4 the Screen Time web-filter allow list, not the user's), `deleted` 1 a
 * bookmark removed on the phone and kept until iCloud syncs, `last_modified` seconds since 2001.
 */
export const SAFARI_BOOKMARKS = [
  { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/Bookmarks.db' },
  { domain: 'HomeDomain', relativePath: 'Library/Safari/Bookmarks.db' },
] as const;

export const FAVORITES = 1;
const READING_LIST = 3;
const WEB_FILTER = 4;
const SPECIAL_TITLES: Record<number, string> = { [FAVORITES]: 'Favorites', [READING_LIST]: 'Reading List' };

export interface BookmarkNode {
  record: BookmarkRecord;
  /** special_id: 1 for Favorites (the toolbar folder browsers know), 3 for the Reading List. */
  special: number;
  /** Sorted by order_index. */
  children: BookmarkNode[];
}

interface Row {
  id: number;
  parent: number | null;
  type: number | null;
  special: number;
  title: string | null;
  url: string | null;
  order: number | null;
  deleted: boolean;
  modified: number | null;
  uuid: string | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' ? v : typeof v === 'bigint' ? Number(v) : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

function toRow(r: Record<string, unknown>, id: number): Row {
  return {
    id,
    parent: num(r.parent),
    type: num(r.type),
    special: num(r.special_id) ?? 0,
    title: str(r.title),
    url: str(r.url),
    order: num(r.order_index),
    deleted: num(r.deleted) === 1,
    modified: num(r.last_modified),
    uuid: str(r.external_uuid),
  };
}

function toRecord(
  row: Row,
  folder: string | null,
  readingList: boolean,
  origin: BookmarkRecord['origin'],
): BookmarkRecord {
  const isFolder = row.type === 1;
  return {
    origin,
    id: row.id,
    kind: isFolder ? 'folder' : 'bookmark',
    title: (isFolder ? SPECIAL_TITLES[row.special] : undefined) ?? row.title,
    url: isFolder ? null : row.url,
    folder,
    readingList,
    position: row.order,
    modified: fromAppleSeconds(row.modified)?.toISOString() ?? null,
    uuid: row.uuid,
  };
}

/**
 * The tree of a Bookmarks.db: the root's children in order, each folder's children below it (the web-filter allow
 * list left out). Rows whose parent is missing (or that form a loop) follow at the top level, with folder null.
 */
export function readBookmarkTree(db: Database.Database): BookmarkNode[] {
  const cols = tableColumns(db, 'bookmarks');
  if (cols.size === 0) throw unsupportedSchema(db, 'Bookmarks.db', 'bookmarks table');
  const wanted = [
    'parent',
    'type',
    'special_id',
    'title',
    'url',
    'order_index',
    'deleted',
    'last_modified',
    'external_uuid',
  ]
    .map((c) => column(cols, 'b', c))
    .join(', ');
  const rows = (
    db.prepare(`SELECT b.id AS id, ${wanted} FROM bookmarks b`).all() as Array<Record<string, unknown>>
  ).map((r) => toRow(r, Number(r.id)));
  const byParent = new Map<number | null, Row[]>();
  for (const row of rows) {
    const siblings = byParent.get(row.parent);
    if (siblings === undefined) byParent.set(row.parent, [row]);
    else siblings.push(row);
  }
  for (const list of byParent.values()) list.sort((a, b) => (a.order ?? 0) - (b.order ?? 0) || a.id - b.id);
  const visited = new Set<number>();
  const build = (row: Row, folder: string | null, readingList: boolean): BookmarkNode => {
    visited.add(row.id);
    const record = toRecord(row, folder, readingList, row.deleted ? 'recently-deleted' : 'live');
    const inner = folder === null || folder === '' ? (record.title ?? '') : `${folder}/${record.title ?? ''}`;
    const children =
      row.type === 1
        ? (byParent.get(row.id) ?? [])
            .filter((c) => !visited.has(c.id) && c.special !== WEB_FILTER)
            .map((c) => build(c, inner, readingList || row.special === READING_LIST))
        : [];
    return { record, special: row.special, children };
  };
  const roots = byParent.get(null) ?? [];
  for (const root of roots) visited.add(root.id);
  const top: BookmarkNode[] = [];
  for (const root of roots) {
    for (const child of byParent.get(root.id) ?? [])
      if (!visited.has(child.id) && child.special !== WEB_FILTER) top.push(build(child, '', false));
  }
  // Whatever the walk did not reach: the web-filter subtree stays out, orphans come last.
  const filtered = new Set<number>();
  const markFiltered = (id: number): void => {
    filtered.add(id);
    for (const c of byParent.get(id) ?? []) if (!filtered.has(c.id)) markFiltered(c.id);
  };
  for (const row of rows) if (row.special === WEB_FILTER) markFiltered(row.id);
  for (const row of rows) if (!visited.has(row.id) && !filtered.has(row.id)) top.push(build(row, null, false));
  return top;
}

/** The tree flattened depth first (a folder before its contents), as bookmarks.json lists it. */
export function* flattenBookmarks(nodes: BookmarkNode[]): Generator<BookmarkRecord> {
  for (const node of nodes) {
    yield node.record;
    yield* flattenBookmarks(node.children);
  }
}

/**
 * Bookmarks removed for good whose rows the carver finds in Bookmarks.db's free space, -wal or journal; their folder
 * is named when the parent folder is still live. Rows whose id is live, or already found, are skipped.
 */
export async function readRecoveredBookmarks(
  path: string,
  db: Database.Database,
  live: BookmarkRecord[],
): Promise<BookmarkRecord[]> {
  if (!hasTable(db, 'bookmarks')) return [];
  const byId = new Map(live.map((r) => [r.id, r]));
  const liveRow = db.prepare('SELECT 1 FROM bookmarks WHERE id = ?');
  // A freed cell whose rowid a freeblock header overwrote and whose title, URL and folder are a live row's is an old
  // copy of that row (SQLite rewrites a row on update), not a deleted bookmark: a real iOS 8 file has one.
  const liveCopy = db.prepare('SELECT 1 FROM bookmarks WHERE title IS ? AND url IS ? AND parent IS ?');
  const readingLists = new Set(
    tableColumns(db, 'bookmarks').has('special_id')
      ? (db.prepare(`SELECT id FROM bookmarks WHERE special_id = ${READING_LIST}`).all() as Array<{ id: number }>).map(
          (r) => r.id,
        )
      : [],
  );
  const found: BookmarkRecord[] = [];
  const seen = new Set<string>();
  for await (const { row: r, rowid } of carvedRows(path, 'bookmarks')) {
    const row = toRow(r, rowid ?? -1);
    const key = row.uuid ?? `${row.id}|${row.title}|${row.url}`;
    if ((row.id >= 0 && liveRow.get(row.id) !== undefined) || seen.has(key) || (row.title === null && row.url === null))
      continue;
    if (row.id < 0 && liveCopy.get(row.title, row.url, row.parent) !== undefined) continue;
    seen.add(key);
    const parent = row.parent === null ? undefined : byId.get(row.parent);
    const folder =
      parent === undefined
        ? null
        : parent.folder === null || parent.folder === ''
          ? (parent.title ?? '')
          : `${parent.folder}/${parent.title ?? ''}`;
    found.push(
      toRecord(row, folder, parent !== undefined && (parent.readingList || readingLists.has(parent.id)), 'recovered'),
    );
  }
  return found;
}

/** Live bookmarks (leaves) outside the web-filter allow list, counted with SQL. */
export function countBookmarks(db: Database.Database): number {
  const cols = tableColumns(db, 'bookmarks');
  if (cols.size === 0) return 0;
  const live = cols.has('deleted') ? 'AND coalesce(deleted, 0) = 0' : '';
  if (!cols.has('special_id') || !cols.has('parent'))
    return (db.prepare(`SELECT count(*) AS n FROM bookmarks WHERE type = 0 ${live}`).get() as { n: number }).n;
  return (
    db
      .prepare(`WITH RECURSIVE filtered(id) AS (SELECT id FROM bookmarks WHERE special_id = ${WEB_FILTER}
      UNION SELECT b.id FROM bookmarks b JOIN filtered f ON b.parent = f.id)
    SELECT count(*) AS n FROM bookmarks WHERE type = 0 ${live} AND id NOT IN (SELECT id FROM filtered)`)
      .get() as { n: number }
  ).n;
}
