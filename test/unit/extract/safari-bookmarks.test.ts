import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDeviceContent, type TruthBookmark } from '../../../src/emulator/content/index.js';
import type { BookmarkRecord } from '../../../src/extract/index.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { scanGenerated } from '../../helpers/scan-generated.js';

const DISPLAY: Record<number, string> = { 1: 'Favorites', 3: 'Reading List' };

function expected(t: TruthBookmark, origin: BookmarkRecord['origin']): BookmarkRecord {
  return {
    origin,
    id: t.id,
    kind: t.kind,
    title: t.kind === 'folder' ? (DISPLAY[t.special] ?? t.title) : t.title,
    url: t.url,
    folder: t.folder,
    readingList: t.readingList,
    position: t.position,
    modified: t.modified.toISOString(),
    uuid: t.uuid,
  };
}

/** The truth's tree depth first, each folder's children by order_index: the order bookmarks.json lists them in. */
function depthFirst(rows: TruthBookmark[], parent = 0): TruthBookmark[] {
  return rows
    .filter((r) => r.parent === parent)
    .sort((a, b) => a.position - b.position)
    .flatMap((r) => [r, ...depthFirst(rows, r.id)]);
}

interface HtmlNode {
  title: string;
  url?: string;
  toolbar?: boolean;
  children?: HtmlNode[];
}

/**
 * Reads a Netscape bookmark file the way browsers' importers do: `<DT><H3>` names the folder whose `<DL>` follows,
 * `<DT><A HREF>` is a bookmark, `</DL>` closes the folder; entities are decoded.
 */
function parseNetscape(html: string): HtmlNode[] {
  const decode = (s: string): string =>
    s
      .replace(/&lt;/g, '<')
      .replace(/&gt;/g, '>')
      .replace(/&quot;/g, '"')
      .replace(/&amp;/g, '&');
  const top: HtmlNode[] = [];
  const stack: HtmlNode[][] = [];
  let pending: HtmlNode | undefined;
  for (const m of html.matchAll(
    /<DT><H3([^>]*)>([^<]*)<\/H3>|<DT><A HREF="([^"]*)"[^>]*>([^<]*)<\/A>|<DL><p>|<\/DL><p>/g,
  )) {
    const siblings = stack.at(-1);
    if (m[0] === '<DL><p>') {
      stack.push(pending?.children ?? top);
      pending = undefined;
    } else if (m[0] === '</DL><p>') {
      stack.pop();
    } else if (m[2] !== undefined) {
      pending = {
        title: decode(m[2]),
        children: [],
        ...(m[1]!.includes('PERSONAL_TOOLBAR_FOLDER="true"') ? { toolbar: true } : {}),
      };
      siblings!.push(pending);
    } else {
      siblings!.push({ title: decode(m[4]!), url: decode(m[3]!) });
    }
  }
  expect(stack).toEqual([]);
  return top;
}

/** What the HTML file should hold: live rows (deleted = 0, not the web-filter list) as a tree. */
function liveTree(rows: TruthBookmark[], parent = 0): HtmlNode[] {
  return rows
    .filter((r) => r.parent === parent && !r.deleted && !r.webFilter)
    .sort((a, b) => a.position - b.position)
    .map((r) =>
      r.kind === 'folder'
        ? {
            title: DISPLAY[r.special] ?? r.title,
            children: liveTree(rows, r.id),
            ...(r.special === 1 ? { toolbar: true } : {}),
          }
        : { title: r.title, url: r.url! },
    );
}

describe.each([{ encrypted: false }, { encrypted: true }])(
  'Safari bookmarks (encrypted: $encrypted)',
  ({ encrypted }) => {
    it('lists every bookmark and folder with its folder path, writes an importable bookmarks.html; deleted ones marked, the web-filter list left out', async () => {
      const run = await extractGenerated({
        encrypted,
        spec: {
          seed: `bookmarks-${encrypted}`,
          contacts: 1,
          messages: 2,
          photos: 0,
          calls: 0,
          visits: 5,
          bookmarks: 30,
        },
        extract: { types: ['safari'] },
      });
      try {
        const records = JSON.parse(await readFile(join(run.out, 'safari/bookmarks.json'), 'utf8')) as BookmarkRecord[];
        const truth = depthFirst(run.truth.bookmarks).filter((t) => !t.webFilter);
        expect(
          run.truth.bookmarks.some((t) => t.webFilter) &&
            truth.some((t) => t.deleted) &&
            truth.some((t) => t.readingList) &&
            truth.some((t) => t.folder.includes('/')),
        ).toBe(true);
        expect(records.slice(0, truth.length)).toEqual(
          truth.map((t) => expected(t, t.deleted ? 'recently-deleted' : 'live')),
        );
        // Removed for good: what the carver finds is one of them, once, field for field (the rowid may be gone).
        const recovered = records.slice(truth.length);
        expect(run.truth.deletedBookmarks.length).toBeGreaterThan(0);
        expect(recovered.length).toBeGreaterThan(0);
        for (const r of recovered) {
          const t = run.truth.deletedBookmarks.find((d) => d.uuid === r.uuid);
          expect(t, `recovered bookmark ${r.uuid}`).toBeDefined();
          expect(r).toEqual({ ...expected(t!, 'recovered'), id: r.id === -1 ? -1 : t!.id });
        }
        expect(new Set(recovered.map((r) => r.uuid)).size).toBe(recovered.length);

        const html = await readFile(join(run.out, 'safari/bookmarks.html'), 'utf8');
        expect(html.startsWith('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n')).toBe(true);
        expect(html).toContain('<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">');
        expect(parseNetscape(html)).toEqual(liveTree(run.truth.bookmarks));
        const favorites = run.truth.bookmarks.find((t) => t.special === 1)!;
        expect(html).toContain(
          `<H3 LAST_MODIFIED="${Math.floor(favorites.modified.getTime() / 1000)}" PERSONAL_TOOLBAR_FOLDER="true">Favorites</H3>`,
        );

        const rows = parseCsv(await readFile(join(run.out, 'safari/bookmarks.csv'), 'utf8'));
        expect(rows[0]).toEqual([
          'id',
          'kind',
          'folder',
          'title',
          'url',
          'reading_list',
          'position',
          'modified',
          'uuid',
          'origin',
        ]);
        expect(rows.slice(1).map((r) => [r[1], r[2], r[3], r[4], r[9]])).toEqual(
          records.map((r) => [r.kind, r.folder ?? '', r.title ?? '', r.url ?? '', r.origin]),
        );
      } finally {
        await run.cleanup();
      }
    });

    it('scan counts visits plus live bookmarks (not folders, not deleted, not the web-filter list)', async () => {
      const { scan, truth } = await scanGenerated({
        encrypted,
        spec: {
          seed: `bookmarks-scan-${encrypted}`,
          contacts: 1,
          messages: 2,
          photos: 0,
          calls: 0,
          visits: 7,
          bookmarks: 20,
        },
        types: ['safari'],
      });
      const live = truth.bookmarks.filter((t) => t.kind === 'bookmark' && !t.deleted && !t.webFilter);
      expect(scan[0]).toMatchObject({
        type: 'safari',
        present: true,
        count: truth.visits.length + live.length,
        warnings: [],
      });
      // sqlite_sequence of both databases: every id ever handed out minus the rows left.
      expect(scan[0]!.purged).toBe(truth.deletedVisits.length + truth.deletedBookmarks.length);
    });
  },
);

describe('Safari without History.db', () => {
  it('still extracts the bookmarks, and a backup with neither is "missing"', async () => {
    const content = generateDeviceContent({ seed: 'bookmarks-only', contacts: 1, messages: 2, photos: 0, calls: 0 });
    content.items = content.items.filter((i) => !i.relativePath.startsWith('Library/Safari/History.db'));
    const bookmarksOnly = await extractGenerated({ encrypted: false, content, extract: { types: ['safari'] } });
    try {
      const records = JSON.parse(
        await readFile(join(bookmarksOnly.out, 'safari/bookmarks.json'), 'utf8'),
      ) as BookmarkRecord[];
      expect(bookmarksOnly.report.types[0]).toMatchObject({ status: 'ok', records: records.length, files: 3 });
      expect(records.filter((r) => r.origin !== 'recovered').length).toBe(
        bookmarksOnly.truth.bookmarks.filter((t) => !t.webFilter).length,
      );
    } finally {
      await bookmarksOnly.cleanup();
    }
    const neither = await extractGenerated({
      encrypted: false,
      spec: { seed: 'no-safari', contacts: 1, messages: 2, photos: 0, calls: 0, omit: ['safari'] },
      extract: { types: ['safari'] },
    });
    try {
      expect(neither.report.types).toEqual([{ type: 'safari', status: 'missing', records: 0, files: 0, warnings: [] }]);
    } finally {
      await neither.cleanup();
    }
  });
});
