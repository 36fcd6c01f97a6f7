import { RecordFiles } from '../exporters/record-files.js';
import { dateFlag } from '../date-check.js';
import { netscapeBookmarkFile, type NetscapeNode } from '../exporters/netscape-bookmarks.js';
import { TextSink } from '../exporters/text-sink.js';
import type { ExtractContext } from '../extractor.js';
import type { BookmarkRecord } from '../records.js';
import type { OpenedDatabase } from '../work-dir.js';
import {
  FAVORITES,
  flattenBookmarks,
  readBookmarkTree,
  readRecoveredBookmarks,
  type BookmarkNode,
} from './safari-bookmarks.js';

const CSV_HEADER = ['id', 'kind', 'folder', 'title', 'url', 'reading_list', 'position', 'modified', 'uuid', 'origin'];

/** The live part of the tree, for the HTML file: deleted bookmarks (and folders with their contents) stay out. */
function liveTree(nodes: BookmarkNode[]): NetscapeNode[] {
  return nodes
    .filter((n) => n.record.origin === 'live')
    .map((n) => ({
      kind: n.record.kind,
      title: n.record.title,
      url: n.record.url,
      modified: n.record.modified,
      toolbar: n.special === FAVORITES,
      children: liveTree(n.children),
    }));
}

/**
 * safari/bookmarks.json and bookmarks.csv (every bookmark and folder with its folder path, deleted ones marked,
 * then those the carver finds) and safari/bookmarks.html, the live bookmarks in the Netscape bookmark file format
 * any browser imports (Favorites as the toolbar folder, the Reading List as a folder). Not filtered by date.
 */
export async function extractBookmarks(
  { out }: ExtractContext,
  opened: OpenedDatabase,
): Promise<{ records: number; files: number }> {
  const tree = readBookmarkTree(opened.db);
  const live = [...flattenBookmarks(tree)];
  const files = await RecordFiles.open(out, 'safari/bookmarks', CSV_HEADER);
  const write = (b: BookmarkRecord): Promise<void> =>
    files.write(Object.assign(b, dateFlag(b.modified)), [
      b.id,
      b.kind,
      b.folder,
      b.title,
      b.url,
      b.readingList,
      b.position,
      b.modified,
      b.uuid,
      b.origin,
    ]);
  for (const b of live) await write(b);
  for (const b of await readRecoveredBookmarks(opened.path, opened.db, live)) await write(b);
  const records = await files.close();
  const html = new TextSink(await out.absolute('safari/bookmarks.html'));
  for (const piece of netscapeBookmarkFile(liveTree(tree))) await html.write(piece);
  await html.close();
  return { records, files: 3 };
}
