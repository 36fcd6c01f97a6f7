import { toAppleSeconds } from './apple-time.js';
import type { SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthVisit } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/**
 * Safari's History.db (iOS 11–17, AppDomain-com.apple.mobilesafari Library/Safari/History.db): one history_items
 * row per URL, one history_visits row per visit with its title and time (REAL seconds since 2001). Clearing history
 * deletes rows: their bytes stay in free space until reused.
 */
export const SAFARI_HISTORY_SCHEMA = `
CREATE TABLE history_items (id INTEGER PRIMARY KEY AUTOINCREMENT, url TEXT NOT NULL UNIQUE, domain_expansion TEXT NULL,
  visit_count INTEGER NOT NULL, daily_visit_counts BLOB NOT NULL, weekly_visit_counts BLOB NULL, autocomplete_triggers BLOB NULL,
  should_recompute_derived_visit_counts INTEGER NOT NULL, visit_count_score INTEGER NOT NULL, status_code INTEGER NOT NULL DEFAULT 0);
CREATE TABLE history_visits (id INTEGER PRIMARY KEY AUTOINCREMENT, history_item INTEGER NOT NULL REFERENCES history_items(id) ON DELETE CASCADE,
  visit_time REAL NOT NULL, title TEXT NULL, load_successful BOOLEAN NOT NULL DEFAULT 1, http_non_get BOOLEAN NOT NULL DEFAULT 0,
  synthesized BOOLEAN NOT NULL DEFAULT 0, redirect_source INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE,
  redirect_destination INTEGER NULL UNIQUE REFERENCES history_visits(id) ON DELETE CASCADE, origin INTEGER NOT NULL DEFAULT 0,
  generation INTEGER NOT NULL DEFAULT 0, attributes INTEGER NOT NULL DEFAULT 0, score INTEGER NOT NULL DEFAULT 0);
CREATE INDEX history_item_url_index ON history_items (url);
CREATE INDEX history_visits__last_visit ON history_visits (history_item, visit_time DESC, synthesized ASC);
CREATE INDEX history_visits__origin ON history_visits (origin, generation);
`;

const SITES: Array<[string, string]> = [
  ['https://www.bbc.com/news', 'BBC News - Home'],
  ['https://en.wikipedia.org/wiki/SQLite', 'SQLite - Wikipedia'],
  ['https://www.example.com/recipes/pasta?x=1&y=2', 'Pasta, the simple way'],
  ['https://maps.apple.com/?q=Lisboa', 'Lisboa – Apple Maps'],
  ['https://news.ycombinator.com/', 'Hacker News'],
  ['https://www.gov.uk/renew-passport', 'Renew your passport – GOV.UK'],
];

/** `count` visits over the window (each URL visited several times), `deletedCount` of them cleared again. */
export function generateVisits(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
): { visits: TruthVisit[]; deleted: TruthVisit[] } {
  const start = window[0].getTime();
  const span = window[1].getTime() - start;
  const all: TruthVisit[] = [];
  for (let id = 1; id <= count + deletedCount; id++) {
    const [url, title] = random.pick(SITES);
    all.push({
      id,
      url: random.chance(0.3) ? `${url}${url.includes('?') ? '&' : '?'}v=${id}` : url,
      title,
      time: new Date(Math.floor(start + random.next() * span)),
    });
  }
  all.sort((a, b) => a.time.getTime() - b.time.getTime());
  all.forEach((v, i) => (v.id = i + 1));
  const doomed = new Set<number>();
  while (doomed.size < Math.min(deletedCount, all.length)) doomed.add(random.int(1, all.length));
  return { visits: all.filter((v) => !doomed.has(v.id)), deleted: all.filter((v) => doomed.has(v.id)) };
}

export function buildSafariHistoryDb(
  visits: TruthVisit[],
  deleted: TruthVisit[],
  _iosVersion: number = NEWEST_IOS,
): SqliteImage {
  const all = [...visits, ...deleted].sort((a, b) => a.id - b.id);
  return buildSqliteImage({
    schema: SAFARI_HISTORY_SCHEMA,
    fill(db) {
      const item = db.prepare(
        'INSERT INTO history_items (url, domain_expansion, visit_count, daily_visit_counts, should_recompute_derived_visit_counts, visit_count_score) VALUES (?, ?, 0, ?, 0, 0) ON CONFLICT(url) DO NOTHING',
      );
      const itemId = db.prepare('SELECT id FROM history_items WHERE url = ?');
      const count = db.prepare('UPDATE history_items SET visit_count = visit_count + 1 WHERE id = ?');
      const visit = db.prepare('INSERT INTO history_visits (id, history_item, visit_time, title) VALUES (?, ?, ?, ?)');
      for (const v of all) {
        item.run(v.url, new URL(v.url).hostname.replace(/^www\./, '').split('.')[0], Buffer.alloc(4));
        const id = (itemId.get(v.url) as { id: number }).id;
        count.run(id);
        visit.run(v.id, id, toAppleSeconds(v.time), v.title);
      }
    },
    remove(db) {
      const visit = db.prepare('DELETE FROM history_visits WHERE id = ?');
      for (const v of deleted) visit.run(v.id);
      // Items left without visits go too, as "Clear History" does.
      db.prepare('DELETE FROM history_items WHERE id NOT IN (SELECT history_item FROM history_visits)').run();
    },
  });
}
