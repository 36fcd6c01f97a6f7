import type { BookmarkRecord, VisitRecord } from '../../records.js';
import { dateTime, text, webLink } from '../html.js';
import { addStats, emptyStats, type ReportSection } from '../section.js';
import { recordTable } from './table.js';

export const safariSection: ReportSection = {
  async render(context) {
    const { folder, input, write } = context;
    const stats = emptyStats();
    // History, then bookmarks (Bookmarks.db; present in newer extractions): the type's records are both.
    if (await input.exists(`${folder}/history.json`)) {
      await write('<h3>History</h3>\n');
      const shown = await recordTable<VisitRecord>(context, `${folder}/history.json`, [
        { title: 'Time', cell: (v) => dateTime(v.time) },
        { title: 'Title', cell: (v) => text(v.title) },
        // Only http(s) addresses become links: a javascript: or file: URL from the phone stays text.
        {
          title: 'Address',
          cell: (v) => (v.url === null ? '<span class="muted">(gone with its history item)</span>' : webLink(v.url)),
          long: true,
        },
      ]);
      addStats(stats, shown);
    }
    if (await input.exists(`${folder}/bookmarks.json`)) {
      await write('<h3>Bookmarks and Reading List</h3>\n');
      const shown = await recordTable<BookmarkRecord>(context, `${folder}/bookmarks.json`, [
        { title: 'Folder', cell: (b) => text(b.folder) },
        { title: 'Title', cell: (b) => (b.kind === 'folder' ? `📁 ${text(b.title)}` : text(b.title)) },
        { title: 'Address', cell: (b) => webLink(b.url), long: true },
        { title: 'Modified', cell: (b) => dateTime(b.modified) },
      ]);
      addStats(stats, shown);
    }
    return stats;
  },
};
