import type { SyntheticItem } from '../../backup/index.js';
import { toBinaryPlist, type PlistDict } from '../../plist/index.js';
import { toAppleSeconds } from './apple-time.js';
import { buildSafariHistoryDb } from './safari.js';
import type { TruthVisit } from './truth.js';

/** History.db since iOS 8, in Safari's app domain. */
const SAFARI_HISTORY_DB = { domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/History.db' };

/** Where Safari kept its history before History.db: HomeDomain up to iOS 7, its own app container on iOS 8 (as a real
 * iOS 8 backup, the public dump OTAPKI/iphone, has it). */
export function safariHistoryPlistLocation(ios: number): { domain: string; relativePath: string } {
  return {
    domain: ios <= 7 ? 'HomeDomain' : 'AppDomain-com.apple.mobilesafari',
    relativePath: 'Library/Safari/History.plist',
  };
}

/**
 * The visits as History.plist holds them: one entry per URL, its last visit's time and title and how many visits it
 * had, newest first; `id` is the entry's position (1 = newest), as the extractor numbers them. Visits the person
 * cleared are not in the file at all (the plist is rewritten whole), so nothing of them is left to recover.
 */
export function historyPlistVisits(visits: TruthVisit[]): TruthVisit[] {
  const byUrl = new Map<string, { last: TruthVisit; count: number }>();
  for (const v of visits) {
    const seen = byUrl.get(v.url);
    if (seen === undefined) byUrl.set(v.url, { last: v, count: 1 });
    else {
      seen.count++;
      if (v.time.getTime() >= seen.last.time.getTime()) seen.last = v;
    }
  }
  const newestFirst = [...byUrl.values()].sort((a, b) => b.last.time.getTime() - a.last.time.getTime());
  return newestFirst
    .map(({ last, count }, i) => ({
      id: i + 1,
      url: last.url,
      title: last.title,
      // WebKit writes the time with one decimal: the truth holds what the file can say.
      time: new Date(Math.round(last.time.getTime() / 100) * 100),
      visitCount: count,
    }))
    .sort((a, b) => a.time.getTime() - b.time.getTime() || b.id - a.id);
}

/**
 * A binary History.plist as MobileSafari wrote it: `WebHistoryFileVersion` 1 and `WebHistoryDates`, each entry with
 * the URL under the empty key, `lastVisitedDate` as a decimal string of seconds since 2001 (WebKit's own quirk),
 * `title`, `visitCount`. `entries` come from historyPlistVisits.
 */
export function buildSafariHistoryPlist(entries: TruthVisit[]): Buffer {
  const newestFirst = [...entries].sort((a, b) => a.id - b.id);
  const dates: PlistDict[] = newestFirst.map((v) => ({
    '': v.url,
    lastVisitedDate: toAppleSeconds(v.time).toFixed(1),
    title: v.title,
    visitCount: v.visitCount ?? 1,
  }));
  return toBinaryPlist({ WebHistoryDates: dates, WebHistoryFileVersion: 1 });
}

/**
 * Safari's history as a phone of `ios` keeps it, as backup items, and the truth to compare with: History.plist (one
 * entry per URL; cleared visits gone with the rewritten file) in HomeDomain up to iOS 7 and in Safari's container on
 * iOS 8; History.db with its -wal from iOS 9 (when it replaced History.plist on the phone is not publicly documented;
 * 9 is the first version this code assumes it).
 */
export function safariHistoryForVersion(
  visits: TruthVisit[],
  deleted: TruthVisit[],
  ios: number,
): { items: SyntheticItem[]; visits: TruthVisit[]; deleted: TruthVisit[] } {
  if (ios <= 8) {
    const entries = historyPlistVisits(visits);
    const location = safariHistoryPlistLocation(ios);
    // HomeDomain's Library is listed by the content as a whole; its Library/Safari holds Bookmarks.db up to iOS 8.
    const folders: SyntheticItem[] = [
      { domain: 'HomeDomain', relativePath: 'Library/Safari', kind: 'directory' },
      ...(location.domain === 'HomeDomain'
        ? []
        : ['Library', 'Library/Safari'].map((relativePath) => ({
            domain: location.domain,
            relativePath,
            kind: 'directory' as const,
          }))),
    ];
    return {
      items: [...folders, { ...location, data: buildSafariHistoryPlist(entries) }],
      visits: entries,
      deleted: [],
    };
  }
  const image = buildSafariHistoryDb(visits, deleted, ios);
  const items: SyntheticItem[] = [
    ...['Library', 'Library/Safari'].map((relativePath) => ({
      domain: SAFARI_HISTORY_DB.domain,
      relativePath,
      kind: 'directory' as const,
    })),
    { ...SAFARI_HISTORY_DB, data: image.main },
  ];
  if (image.wal)
    items.push({ ...SAFARI_HISTORY_DB, relativePath: `${SAFARI_HISTORY_DB.relativePath}-wal`, data: image.wal });
  return { items, visits, deleted };
}
