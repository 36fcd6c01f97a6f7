import { toAppleSeconds } from './apple-time.js';
import type { SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthBookmark } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/**
 * Safari's Bookmarks.db (iOS 12–17, AppDomain-com.apple.mobilesafari `Library/Safari/Bookmarks.db`): the
 * `bookmarks` table as Safari creates it (a tree: parent, type 1 folder / 0 bookmark, order_index, special_id,
 * deleted, last_modified in seconds since 2001) and its `folder_ancestors` closure.
 */
export const SAFARI_BOOKMARKS_SCHEMA = `
CREATE TABLE bookmarks (id INTEGER PRIMARY KEY AUTOINCREMENT,special_id INTEGER DEFAULT 0,parent INTEGER, type INTEGER,title TEXT,
  url TEXT COLLATE NOCASE,num_children INTEGER DEFAULT 0,editable INTEGER DEFAULT 1,deletable INTEGER DEFAULT 1,hidden INTEGER DEFAULT 0,
  hidden_ancestor_count INTEGER DEFAULT 0,order_index INTEGER NOT NULL,external_uuid TEXT UNIQUE,read INTEGER DEFAULT NULL,
  last_modified REAL DEFAULT NULL,server_id TEXT, sync_key TEXT,sync_data BLOB,added INTEGER DEFAULT 1,deleted INTEGER DEFAULT 0,
  extra_attributes BLOB DEFAULT NULL,local_attributes BLOB DEFAULT NULL,fetched_icon BOOL DEFAULT 0, icon BLOB DEFAULT NULL,
  dav_generation INTEGER DEFAULT 0,locally_added BOOL DEFAULT 0,archive_status INTEGER DEFAULT 0,syncable BOOL DEFAULT 1,
  web_filter_status INTEGER DEFAULT 0, modified_attributes UNSIGNED BIG INT DEFAULT 0);
CREATE TABLE folder_ancestors (id INTEGER PRIMARY KEY AUTOINCREMENT, folder_id INTEGER NOT NULL, ancestor_id INTEGER NOT NULL);
CREATE INDEX parent_index ON bookmarks (parent, order_index);
CREATE INDEX folder_ancestors_folder_id ON folder_ancestors (folder_id);
`;

const SITES: Array<[string, string]> = [
  ['Apple', 'https://www.apple.com/'],
  ['BBC News – Home', 'https://www.bbc.co.uk/news'],
  ['Tom & Jerry <fan page>', 'https://example.com/fans?a=1&b="2"'],
  ['Carbonara 🍝', 'https://recipes.example/carbonara?x=1&y=2'],
  ['MDN Web Docs', 'https://developer.mozilla.org/en-US/'],
  ['Wikipedia "SQLite"', 'https://en.wikipedia.org/wiki/SQLite'],
  ['Train times', 'https://www.cp.pt/passageiros/en'],
];

/**
 * A bookmark tree: Favorites (BookmarksBar), the Reading List, "News", "Recipes & Food" with "Italian" inside, the
 * top level, and a Screen Time allow list (special_id 4) that is not the user's; `count` bookmarks kept (one
 * marked deleted = 1) and `deletedCount` removed for good.
 */
export function generateBookmarks(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
): { bookmarks: TruthBookmark[]; deleted: TruthBookmark[] } {
  const start = window[0].getTime();
  const span = window[1].getTime() - start;
  const when = (): Date => new Date(Math.floor((start + random.next() * span) / 1000) * 1000);
  const rows: TruthBookmark[] = [];
  const nextPosition = new Map<number, number>();
  const add = (
    parent: number,
    kind: TruthBookmark['kind'],
    title: string,
    url: string | null,
    special = 0,
  ): TruthBookmark => {
    const parentRow = rows.find((r) => r.id === parent);
    const position = nextPosition.get(parent) ?? 0;
    nextPosition.set(parent, position + 1);
    const folder =
      parentRow === undefined
        ? ''
        : [parentRow.folder, FOLDER_TITLES[parentRow.special] ?? parentRow.title].filter(Boolean).join('/');
    const row: TruthBookmark = {
      id: rows.length + 1,
      parent,
      kind,
      special,
      title,
      url,
      folder,
      readingList: parentRow?.special === 3 || parentRow?.readingList === true,
      position,
      modified: when(),
      uuid: random.uuid(),
      deleted: false,
      webFilter: special === 4 || parentRow?.webFilter === true,
    };
    rows.push(row);
    return row;
  };
  const favorites = add(0, 'folder', 'BookmarksBar', null, 1);
  const readingList = add(0, 'folder', 'com.apple.ReadingList', null, 3);
  const news = add(0, 'folder', 'News', null);
  const recipes = add(0, 'folder', 'Recipes & Food', null);
  const italian = add(recipes.id, 'folder', 'Italian', null);
  const allowList = add(0, 'folder', 'com.apple.WebFilterWhiteList', null, 4);
  add(allowList.id, 'bookmark', 'Apple — Start', 'https://www.apple.com/startpage/');
  const homes = [0, favorites.id, favorites.id, readingList.id, news.id, recipes.id, italian.id];
  const leaves: TruthBookmark[] = [];
  for (let i = 0; i < count + deletedCount; i++) {
    const [title, url] = random.pick(SITES);
    leaves.push(
      add(
        random.pick(homes),
        'bookmark',
        title,
        random.chance(0.4) ? `${url}${url.includes('?') ? '&' : '?'}n=${i}` : url,
      ),
    );
  }
  const doomed = new Set<number>();
  while (doomed.size < Math.min(deletedCount, leaves.length)) doomed.add(random.pick(leaves).id);
  const kept = rows.filter((r) => !doomed.has(r.id));
  const lastLeaf = kept.filter((r) => r.kind === 'bookmark' && !r.webFilter).at(-1);
  if (lastLeaf !== undefined && count > 2) lastLeaf.deleted = true;
  return { bookmarks: kept, deleted: rows.filter((r) => doomed.has(r.id)) };
}

/** How an extractor names Safari's own folders in a folder path. */
const FOLDER_TITLES: Record<number, string> = { 1: 'Favorites', 3: 'Reading List' };

export function buildSafariBookmarksDb(
  bookmarks: TruthBookmark[],
  deleted: TruthBookmark[],
  _iosVersion: number = NEWEST_IOS,
): SqliteImage {
  const all = [...bookmarks, ...deleted].sort((a, b) => a.id - b.id);
  return buildSqliteImage({
    schema: SAFARI_BOOKMARKS_SCHEMA,
    fill(db) {
      db.prepare(
        "INSERT INTO bookmarks (id, special_id, parent, type, title, order_index, editable, deletable) VALUES (0, 0, NULL, 1, 'Root', 0, 0, 0)",
      ).run();
      const insert =
        db.prepare(`INSERT INTO bookmarks (id, special_id, parent, type, title, url, editable, deletable, order_index, external_uuid, last_modified, deleted, syncable)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`);
      const ancestor = db.prepare('INSERT INTO folder_ancestors (folder_id, ancestor_id) VALUES (?, ?)');
      for (const b of all) {
        insert.run(
          b.id,
          b.special,
          b.parent,
          b.kind === 'folder' ? 1 : 0,
          b.title,
          b.url,
          b.special === 0 ? 1 : 0,
          b.special === 0 ? 1 : 0,
          b.position,
          b.uuid,
          toAppleSeconds(b.modified),
          b.deleted ? 1 : 0,
        );
        if (b.kind === 'folder') {
          for (let up: TruthBookmark | undefined = b; up !== undefined; up = all.find((p) => p.id === up!.parent))
            ancestor.run(b.id, up.parent);
        }
      }
      db.prepare(
        'UPDATE bookmarks SET num_children = (SELECT count(*) FROM bookmarks c WHERE c.parent = bookmarks.id) WHERE type = 1',
      ).run();
    },
    remove(db) {
      const drop = db.prepare('DELETE FROM bookmarks WHERE id = ?');
      for (const b of deleted) drop.run(b.id);
      db.prepare(
        'UPDATE bookmarks SET num_children = (SELECT count(*) FROM bookmarks c WHERE c.parent = bookmarks.id) WHERE type = 1',
      ).run();
    },
  });
}

/** Where Bookmarks.db is: HomeDomain `Library/Safari` up to iOS 8 (as a real iOS 8 backup, OTAPKI/iphone, has it),
 * Safari's app container after. */
export function safariBookmarksLocation(ios: number): { domain: string; relativePath: string } {
  return {
    domain: ios <= 8 ? 'HomeDomain' : 'AppDomain-com.apple.mobilesafari',
    relativePath: 'Library/Safari/Bookmarks.db',
  };
}
